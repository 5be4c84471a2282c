"""The additional-work consent: one finding of the workshop put to the customer, from reception's
repair-order view — what was found, its lines and price, and the consent recorded (or the
lines to sign when none is yet); a decline with the customer's reason and whether the risk to
safety was explained."""

from __future__ import annotations

from gateway.documents.layout import MISSING, Labels, Paper, Sheet, View
from gateway.documents.lines import print_lines

LABELS: Labels = {
    "title": ("增项维修确认单", "Additional work consent"),
    "number": ("委托书号", "RO no."),
    "finding": ("增项编号", "Finding"),
    "customer": ("客户", "Customer"),
    "plate": ("车牌号", "Plate"),
    "vin": ("车架号(VIN)", "VIN"),
    "model": ("车型", "Model"),
    "promised": ("预计交车时间", "Promised"),
    "found": ("检查发现", "What the workshop found"),
    "safety_critical": ("涉及行车安全", "Safety-critical"),
    "extra_time": ("增加工时(分钟)", "Extra time (minutes)"),
    "lines": ("增项内容及价格", "Work and price"),
    "decision": ("客户决定", "Customer's decision"),
    "approved": ("同意维修", "Approved"),
    "declined": ("不同意维修", "Declined"),
    "pending": ("待客户确认", "Awaiting the customer"),
    "consent": ("确认方式", "Consent"),
    "consent_by": ("记录人", "Recorded by"),
    "consent_at": ("确认时间", "At"),
    "consent_ref": ("凭证", "Reference"),
    "customer_reason": ("客户原因", "Customer's reason"),
    "safety_explained": ("已说明安全风险", "Safety risk explained"),
    "signature": ("签字", "signature"),
    "phone": ("电话确认", "phone approval"),
}


def finding_of(view: View, finding_id: str) -> View | None:
    return next((f for f in view.get("findings", ()) if str(f.get("finding_id")) == finding_id), None)


def render(view: View, finding: View, paper: Paper) -> bytes:
    sheet = Sheet(paper, paper.word(LABELS, "title"), f"{paper.word(LABELS, 'number')}: {view['repair_order_id']}")
    customer, vehicle = view.get("customer") or {}, view.get("vehicle") or {}
    decision = finding.get("decision")
    sheet.fields(
        [
            (paper.word(LABELS, "finding"), str(finding["finding_id"])),
            (paper.word(LABELS, "customer"), customer.get("name", MISSING)),
            (paper.word(LABELS, "plate"), vehicle.get("plate", MISSING)),
            (paper.word(LABELS, "vin"), vehicle.get("vin", MISSING)),
            (paper.word(LABELS, "model"), vehicle.get("model") or MISSING),
            (paper.word(LABELS, "promised"), paper.when(view.get("promised_at"))),
            (paper.word(LABELS, "safety_critical"), paper.yes_no(finding.get("safety_critical"))),
            (paper.word(LABELS, "extra_time"), str(finding.get("extra_minutes", MISSING))),
        ]
    )
    sheet.heading(paper.word(LABELS, "found"))
    sheet.paragraph(str(finding.get("description") or MISSING))
    sheet.heading(paper.word(LABELS, "lines"))
    print_lines(sheet, finding.get("lines", ()))
    sheet.heading(paper.word(LABELS, "decision"))
    consent = finding.get("consent") or {}
    sheet.fields(
        [
            (paper.word(LABELS, "decision"), paper.word(LABELS, decision or "pending")),
            (paper.word(LABELS, "consent"), paper.code(LABELS, consent.get("kind"))),
            (paper.word(LABELS, "consent_by"), consent.get("recorded_by") or MISSING),
            (paper.word(LABELS, "consent_at"), paper.when(consent.get("at"))),
            (paper.word(LABELS, "consent_ref"), consent.get("reference") or MISSING),
        ]
    )
    if decision == "declined":
        sheet.fields(
            [
                (paper.word(LABELS, "customer_reason"), finding.get("customer_reason") or MISSING),
                (paper.word(LABELS, "safety_explained"), paper.yes_no(finding.get("safety_explained"))),
            ],
            columns=1,
        )
    if decision is None:
        sheet.signatures([paper.word(LABELS, "signature_customer"), paper.word(LABELS, "signature_advisor")])
    return sheet.pdf()
