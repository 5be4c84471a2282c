"""The invoice and settlement statement, from billing's invoice view: the number the system
issued, the customer and the car, the fapiao buyer, each line with its net, tax and gross, the
customer's totals, what others owe (warranty, internal, goodwill) and the payments by method.
A voided invoice says so, and why, above everything."""

from __future__ import annotations

from gateway.documents.layout import MISSING, PAY_TYPES, Labels, Paper, Sheet, View, money

LABELS: Labels = {
    "title": ("结算单", "Invoice and settlement statement"),
    "number": ("结算单号", "Invoice no."),
    "series": ("系列", "Series"),
    "status": ("状态", "Status"),
    "issued": ("已开具", "issued"),
    "paid": ("已付清", "paid"),
    "voided": ("已作废", "voided"),
    "issued_at": ("开具时间", "Issued"),
    "paid_at": ("付清时间", "Paid"),
    "repair_order": ("委托书号", "RO no."),
    "customer": ("客户", "Customer"),
    "plate": ("车牌号", "Plate"),
    "vin": ("车架号(VIN)", "VIN"),
    "model": ("车型", "Model"),
    "buyer": ("发票抬头", "Fapiao buyer"),
    "buyer_name": ("购买方名称", "Buyer"),
    "buyer_tax_id": ("纳税人识别号", "Tax id"),
    "einvoice_number": ("发票号码", "Fapiao no."),
    "fapiao_kind": ("发票类型", "Fapiao kind"),
    "fapiao_status": ("开票状态", "Fapiao status"),
    "normal": ("增值税普通发票", "normal VAT invoice"),
    "special": ("增值税专用发票", "special VAT invoice"),
    "no_fapiao": ("未申请发票", "no fapiao requested"),
    "lines": ("结算明细", "Lines"),
    "kind": ("类别", "Kind"),
    "labour": ("工时", "labour"),
    "parts": ("材料", "parts"),
    "other": ("其他", "other"),
    "description": ("项目", "Item"),
    "quantity": ("数量", "Qty"),
    "pay_type": ("付费类型", "Pay type"),
    "rate": ("税率", "VAT"),
    "net": ("不含税金额", "Net"),
    "tax": ("税额", "Tax"),
    "gross": ("价税合计", "Gross"),
    "all_lines": ("全部项目合计", "All lines"),
    "customer_net": ("客户应付(不含税)", "Customer net"),
    "customer_tax": ("客户应付税额", "Customer tax"),
    "customer_gross": ("客户应付合计", "Customer pays"),
    "receivables": ("其他付款方(不计入客户应付)", "Owed by others (not on the customer's bill)"),
    "payer": ("付款方", "Payer"),
    "manufacturer": ("厂家", "manufacturer"),
    "internal": ("内部账户", "internal account"),
    "dealer": ("经销商", "dealer"),
    "payments": ("收款", "Payments"),
    "method": ("方式", "Method"),
    "amount": ("金额", "Amount"),
    "reference": ("凭证号", "Reference"),
    "at": ("时间", "At"),
    "refunds": ("退款", "Refunds"),
    "reason": ("原因", "Reason"),
    "paid_total": ("已收", "Paid"),
    "balance": ("未付余额", "Balance due"),
    "void_notice": ("本结算单已作废", "This invoice is VOID"),
    "none": ("无", "none"),
    "cash": ("现金", "cash"),
    "card": ("银行卡", "card"),
    "wechat_pay": ("微信支付", "WeChat Pay"),
    "alipay": ("支付宝", "Alipay"),
    "bank_transfer": ("银行转账", "bank transfer"),
    "cashier": ("收银员签字", "Cashier's signature"),
    "deposit": ("定金", "deposit"),
}


def rate(basis_points: int) -> str:
    """1300 → 13%, 650 → 6.5%: a rate in basis points, written without a float."""
    whole, rest = divmod(basis_points, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + "%"


def _item(line: View) -> str:
    code = line.get("labour_operation") or line.get("part_number") or ""
    return f"{code} {line.get('description') or ''}".strip() or MISSING


def _payment_rows(paper: Paper, payments: list[View]) -> list[list[str]]:
    rows = []
    for payment in payments:
        method = paper.code(LABELS, payment.get("method"))
        if payment.get("kind") == "deposit":
            method += f" ({paper.word(LABELS, 'deposit')})"
        at = paper.when(payment.get("taken_at"))
        rows.append([method, money(int(payment["amount"])), str(payment.get("reference") or MISSING), at])
    return rows


def _refund_rows(paper: Paper, refunds: list[View]) -> list[list[str]]:
    return [
        [
            paper.code(LABELS, refund.get("method")),
            money(int(refund["amount"])),
            str(refund.get("reason") or MISSING),
            paper.when(refund.get("refunded_at")),
        ]
        for refund in refunds
    ]


def render(invoice: View, paper: Paper) -> bytes:
    sheet = Sheet(paper, paper.word(LABELS, "title"), f"{paper.word(LABELS, 'number')}: {invoice.get('number')}")
    voided = invoice.get("voided")
    if voided:
        sheet.heading(
            f"{paper.word(LABELS, 'void_notice')}: {voided.get('reason') or ''} ({paper.when(voided.get('at'))})"
        )
    customer, vehicle = invoice.get("buyer") or {}, invoice.get("vehicle") or {}
    sheet.fields(
        [
            (paper.word(LABELS, "series"), str(invoice.get("series") or MISSING)),
            (paper.word(LABELS, "status"), paper.code(LABELS, invoice.get("status"))),
            (paper.word(LABELS, "issued_at"), paper.when(invoice.get("issued_at"))),
            (paper.word(LABELS, "paid_at"), paper.when(invoice.get("paid_at"))),
            (paper.word(LABELS, "repair_order"), str(invoice.get("repair_order_id") or MISSING)),
            (paper.word(LABELS, "customer"), customer.get("name", MISSING)),
            (paper.word(LABELS, "plate"), vehicle.get("plate", MISSING)),
            (paper.word(LABELS, "vin"), vehicle.get("vin", MISSING)),
        ]
    )
    sheet.heading(paper.word(LABELS, "buyer"))
    fapiao = invoice.get("fapiao")
    if fapiao:
        sheet.fields(
            [
                (paper.word(LABELS, "buyer_name"), str(fapiao.get("buyer_name") or MISSING)),
                (paper.word(LABELS, "buyer_tax_id"), str(fapiao.get("buyer_tax_id") or MISSING)),
                (paper.word(LABELS, "fapiao_kind"), paper.code(LABELS, fapiao.get("kind"))),
                (paper.word(LABELS, "fapiao_status"), str(fapiao.get("status") or MISSING)),
                (paper.word(LABELS, "einvoice_number"), str(fapiao.get("einvoice_number") or MISSING)),
            ]
        )
    else:
        sheet.paragraph(paper.word(LABELS, "no_fapiao"))

    sheet.heading(paper.word(LABELS, "lines"))
    lines = invoice.get("lines", ())
    keys = ("kind", "description", "quantity", "pay_type", "rate", "net", "tax", "gross")
    rows = [
        [
            paper.code(LABELS, line.get("kind")),
            _item(line),
            str(line.get("quantity") or ""),
            paper.code(PAY_TYPES, line.get("pay_type")),
            rate(int(line.get("rate_bp", 0))),
            money(int(line["net"])),
            money(int(line["tax"])),
            money(int(line["gross"])),
        ]
        for line in lines
    ]
    sheet.table([paper.word(LABELS, k) for k in keys], rows, (8, 36, 7, 13, 7, 13, 11, 13), "LLRLRRRR")
    totals = invoice.get("customer") or {}
    sheet.totals(
        [
            (paper.word(LABELS, "all_lines"), money(sum(int(line["gross"]) for line in lines))),
            (paper.word(LABELS, "customer_net"), money(int(totals.get("net", 0)))),
            (paper.word(LABELS, "customer_tax"), money(int(totals.get("tax", 0)))),
            (paper.word(LABELS, "customer_gross"), money(int(totals.get("gross", 0)))),
        ]
    )
    receivables = invoice.get("receivables", ())
    if receivables:
        sheet.heading(paper.word(LABELS, "receivables"))
        rows = [
            [paper.code(LABELS, r.get("payer")), paper.code(PAY_TYPES, r.get("pay_type")), money(int(r["gross"]))]
            for r in receivables
        ]
        headings = [paper.word(LABELS, k) for k in ("payer", "pay_type", "gross")]
        sheet.table(headings, rows, (2, 2, 1), "LLR")

    sheet.heading(paper.word(LABELS, "payments"))
    payments = list(invoice.get("payments", ()))
    if payments:
        headings = [paper.word(LABELS, k) for k in ("method", "amount", "reference", "at")]
        sheet.table(headings, _payment_rows(paper, payments), (2, 2, 3, 2), "LRLL")
    else:
        sheet.paragraph(paper.word(LABELS, "none"))
    refunds = list(invoice.get("refunds", ()))
    if refunds:
        sheet.heading(paper.word(LABELS, "refunds"))
        headings = [paper.word(LABELS, k) for k in ("method", "amount", "reason", "at")]
        sheet.table(headings, _refund_rows(paper, refunds), (2, 2, 3, 2), "LRLL")
    sheet.totals(
        [
            (paper.word(LABELS, "paid_total"), money(int(invoice.get("paid", 0)))),
            (paper.word(LABELS, "balance"), money(int(invoice.get("balance", 0)))),
        ]
    )
    sheet.signatures([paper.word(LABELS, "signature_customer"), paper.word(LABELS, "cashier")])
    return sheet.pdf()
