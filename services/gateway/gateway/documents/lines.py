"""Repair-order lines as the repair order, the additional-work consent and the pre-delivery
checklist print them: one row per line with its parts under the description, then the totals
by labour, parts and pay type — all summed in fen from the lines themselves."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.documents.layout import MISSING, PAY_TYPES, Labels, Paper, Sheet, View, money

LABELS: Labels = {
    "code": ("项目代码", "Operation"),
    "description": ("维修项目 / 配件", "Work / parts"),
    "pay_type": ("付费类型", "Pay type"),
    "hours": ("工时(h)", "Hours"),
    "labour": ("工时费", "Labour"),
    "parts": ("材料费", "Parts"),
    "amount": ("金额", "Amount"),
    "labour_total": ("工时费合计", "Labour total"),
    "parts_total": ("材料费合计", "Parts total"),
    "total": ("合计", "Total"),
    "of_which": ("其中 {pay_type}", "of which {pay_type}"),
    "customer_supplied": ("客户自带", "customer's own"),
    "non_oem": ("非原厂件", "non-OEM"),
    "no_lines": ("(无项目)", "(no lines)"),
    "safety": ("安全相关", "safety"),
}
WIDTHS = (14, 40, 14, 9, 12, 12, 13)


def hours(minutes: int) -> str:
    """Flat-rate minutes as hours with two decimals, by integer arithmetic (90 → 1.50)."""
    whole, rest = divmod(minutes * 100 // 60, 100)
    return f"{whole}.{rest:02d}"


def _parts_price(line: View) -> int:
    return sum(int(p["quantity"]) * int(p["unit_price"]) for p in line.get("parts", ()))


def line_price(line: View) -> int:
    """A line's price: its labour plus its parts (quantity x unit price), in fen."""
    return int(line["labour_price"]) + _parts_price(line)


def lines_total(lines: Sequence[View]) -> int:
    return sum(line_price(line) for line in lines)


def _description(paper: Paper, line: View) -> str:
    text = str(line.get("description") or MISSING)
    if line.get("safety_critical"):
        text += f" [{paper.word(LABELS, 'safety')}]"
    for part in line.get("parts", ()):
        marks = [paper.word(LABELS, k) for k in ("customer_supplied", "non_oem") if part.get(k)]
        mark = f" ({', '.join(marks)})" if marks else ""
        text += (
            f"\n· {part['part_number']} {part.get('description') or ''} \u00d7 {part['quantity']}"
            f" @ {money(int(part['unit_price']))}{mark}"
        )
    return text


def print_lines(sheet: Sheet, lines: Sequence[View]) -> None:
    """The lines table and its totals (labour, parts, each pay type, all)."""
    paper = sheet.paper
    headings = [
        paper.word(LABELS, k) for k in ("code", "description", "pay_type", "hours", "labour", "parts", "amount")
    ]
    rows = [
        [
            str(line.get("labour_operation") or MISSING),
            _description(paper, line),
            paper.code(PAY_TYPES, line.get("pay_type")),
            hours(int(line.get("labour_minutes", 0))),
            money(int(line["labour_price"])),
            money(_parts_price(line)),
            money(line_price(line)),
        ]
        for line in lines
    ]
    if not rows:
        rows = [["", paper.word(LABELS, "no_lines"), "", "", "", "", ""]]
    sheet.table(headings, rows, WIDTHS, "LLLRRRR")
    totals = [
        (paper.word(LABELS, "labour_total"), money(sum(int(line["labour_price"]) for line in lines))),
        (paper.word(LABELS, "parts_total"), money(sum(_parts_price(line) for line in lines))),
    ]
    pay_types = sorted({str(line["pay_type"]) for line in lines})
    if len(pay_types) > 1:
        for pay_type in pay_types:
            subtotal = lines_total([line for line in lines if line["pay_type"] == pay_type])
            label = paper.word(LABELS, "of_which").format(pay_type=paper.code(PAY_TYPES, pay_type))
            totals.append((label, money(subtotal)))
    totals.append((paper.word(LABELS, "total"), money(lines_total(lines))))
    sheet.totals(totals)
