"""The pre-delivery checklist the advisor goes through with the customer: the work done (each
line with the workshop's job status), the quality check, old parts, the wash, the
recommendations declined and the next service — from reception's repair-order view and the
workshop's work-order view. An item neither view records is printed as a box to tick."""

from __future__ import annotations

from gateway.documents.layout import MISSING, PAY_TYPES, Labels, Paper, Sheet, View, money
from gateway.documents.lines import hours, line_price, lines_total

LABELS: Labels = {
    "title": ("交车前检查单", "Pre-delivery checklist"),
    "number": ("委托书号", "RO no."),
    "customer": ("客户", "Customer"),
    "plate": ("车牌号", "Plate"),
    "vin": ("车架号(VIN)", "VIN"),
    "model": ("车型", "Model"),
    "promised": ("预计交车时间", "Promised"),
    "ready": ("完工时间", "Ready"),
    "work_done": ("完成项目", "Work done"),
    "code": ("项目代码", "Operation"),
    "description": ("维修项目", "Work"),
    "pay_type": ("付费类型", "Pay type"),
    "hours": ("工时(h)", "Hours"),
    "job": ("作业状态", "Job"),
    "technician": ("技师", "Technician"),
    "amount": ("金额", "Amount"),
    "total": ("合计", "Total"),
    "checks": ("交车检查", "Checks"),
    "qc": ("终检(质检)", "Quality check"),
    "qc_passed": ("已通过", "passed"),
    "qc_open": ("未完成", "not passed yet"),
    "qc_failed": ("返工次数", "failed checks"),
    "old_parts": ("旧件处理", "Old parts"),
    "keep": ("客户带走", "customer keeps them"),
    "discard": ("本店处理", "we dispose of them"),
    "old_parts_shown": ("已向客户展示旧件", "Old parts shown"),
    "old_parts_returned": ("旧件已交还客户", "Old parts returned"),
    "wash": ("洗车", "Wash"),
    "work_explained": ("已向客户解释维修内容", "Work explained"),
    "next_service": ("下次保养", "Next service"),
    "recommendations": ("建议维修项目(客户暂不维修)", "Recommended, declined this time"),
    "none": ("无", "none"),
    "completed": ("完工", "completed"),
    "planned": ("待派工", "planned"),
    "dispatched": ("已派工", "dispatched"),
    "in_progress": ("作业中", "in progress"),
    "paused": ("暂停", "paused"),
    "withdrawn": ("已撤销", "withdrawn"),
}
_BOX = "□"
_TICK = "✓"


def _tick(paper: Paper, value: bool | None) -> str:
    """A recorded answer, or an empty box for the person holding the paper."""
    return _BOX if value is None else (_TICK if value else paper.word(LABELS, "no"))


def _next_service(paper: Paper, view: View) -> str:
    """The service menu, date and mileage told at delivery; a box to fill in until then."""
    km = view.get("next_service_due_km")
    parts = [
        str(view.get("next_service_menu_id") or ""),
        paper.day(view.get("next_service_due_date")) if view.get("next_service_due_date") else "",
        f"{int(km):,} km" if km is not None else "",
    ]
    return " ".join(p for p in parts if p) or _BOX


def render(view: View, work_order: View, paper: Paper) -> bytes:
    sheet = Sheet(paper, paper.word(LABELS, "title"), f"{paper.word(LABELS, 'number')}: {view['repair_order_id']}")
    customer, vehicle = view.get("customer") or {}, view.get("vehicle") or {}
    sheet.fields(
        [
            (paper.word(LABELS, "customer"), customer.get("name", MISSING)),
            (paper.word(LABELS, "plate"), vehicle.get("plate", MISSING)),
            (paper.word(LABELS, "vin"), vehicle.get("vin", MISSING)),
            (paper.word(LABELS, "model"), vehicle.get("model") or MISSING),
            (paper.word(LABELS, "promised"), paper.when(view.get("promised_at"))),
            (paper.word(LABELS, "ready"), paper.when(work_order.get("ready_at"))),
        ]
    )
    sheet.heading(paper.word(LABELS, "work_done"))
    jobs = {str(job["job_id"]): job for job in work_order.get("jobs", ())}
    lines = view.get("lines", ())
    rows = []
    for line in lines:
        job = jobs.get(str(line["line_id"])) or {}
        rows.append(
            [
                str(line.get("labour_operation") or MISSING),
                str(line.get("description") or MISSING),
                paper.code(PAY_TYPES, line.get("pay_type")),
                hours(int(line.get("labour_minutes", 0))),
                paper.code(LABELS, job.get("status")),
                str(job.get("technician_id") or MISSING),
                money(line_price(line)),
            ]
        )
    headings = [
        paper.word(LABELS, k) for k in ("code", "description", "pay_type", "hours", "job", "technician", "amount")
    ]
    sheet.table(headings, rows, (14, 40, 13, 9, 12, 13, 13), "LLLRLLR")
    sheet.totals([(paper.word(LABELS, "total"), money(lines_total(lines)))])

    sheet.heading(paper.word(LABELS, "checks"))
    passed = work_order.get("status") == "ready" or bool(view.get("ready"))
    qc = paper.word(LABELS, "qc_passed" if passed else "qc_open")
    failed = int(work_order.get("failed_quality_checks", 0))
    if failed:
        qc += f" ({paper.word(LABELS, 'qc_failed')}: {failed})"
    delivery = view.get("delivery") or {}
    old_parts = view.get("old_parts")
    sheet.fields(
        [
            (paper.word(LABELS, "qc"), f"{_TICK if passed else _BOX} {qc}"),
            (paper.word(LABELS, "old_parts"), paper.code(LABELS, old_parts) if old_parts else _BOX),
            (paper.word(LABELS, "old_parts_shown"), _tick(paper, delivery.get("old_parts_shown"))),
            (paper.word(LABELS, "old_parts_returned"), _tick(paper, delivery.get("old_parts_returned"))),
            (paper.word(LABELS, "wash"), _tick(paper, view.get("wash"))),
            (paper.word(LABELS, "work_explained"), _tick(paper, delivery.get("work_explained"))),
            (paper.word(LABELS, "next_service"), _next_service(paper, view)),
        ]
    )
    sheet.heading(paper.word(LABELS, "recommendations"))
    declined = [f for f in view.get("findings", ()) if f.get("decision") == "declined"]
    for finding in declined:
        price = sum(line_price(line) for line in finding.get("lines", ()))
        sheet.paragraph(f"· {finding.get('description') or MISSING}  {money(price)}")
    if not declined:
        sheet.paragraph(paper.word(LABELS, "none"))
    sheet.signatures([paper.word(LABELS, "signature_customer"), paper.word(LABELS, "signature_advisor")])
    return sheet.pdf()
