"""A complaint's report, from the complaints service's view: what the customer said, the seven
steps and how far the complaint has come, its dates against the SLA, the cause, responsibility
and remedy. Like the report written into the customer's record, it names no handling person."""

from __future__ import annotations

from gateway.documents.layout import MISSING, Labels, Paper, Sheet, View, money

# The seven steps (docs/domain.md §7), in order; `step` in the view is the last one completed.
STEPS = ("received", "listened", "facts_confirmed", "decided", "explained", "acted", "followed_up", "closed")
LABELS: Labels = {
    "title": ("客户投诉处理报告", "Complaint report"),
    "number": ("投诉编号", "Complaint no."),
    "kind": ("类型", "Kind"),
    "category": ("类别", "Category"),
    "channel": ("渠道", "Channel"),
    "customer": ("客户编号", "Customer id"),
    "vin": ("车架号(VIN)", "VIN"),
    "repair_order": ("委托书号", "RO no."),
    "serious": ("重大投诉原因", "Serious because"),
    "escalated": ("已升级", "Escalated"),
    "words": ("客户原话", "In the customer's words"),
    "dates": ("时限", "Dates"),
    "received_at": ("受理时间", "Received"),
    "resolve_by": ("应解决时限", "Resolve by"),
    "resolved_at": ("解决时间", "Resolved"),
    "sla_breached": ("超出时限", "SLA breached"),
    "second_callback": ("二次回访时间", "Second callback due"),
    "steps": ("处理步骤", "Steps"),
    "step": ("步骤", "Step"),
    "state": ("状态", "State"),
    "done": ("已完成", "done"),
    "current": ("当前", "current"),
    "open": ("未完成", "to do"),
    "received": ("1. 受理", "1. Received"),
    "listened": ("2. 倾听(5W2H)", "2. Listened (5W2H)"),
    "facts_confirmed": ("3. 确认事实", "3. Facts confirmed"),
    "decided": ("4. 确定方案", "4. Remedy decided"),
    "explained": ("5. 向客户说明", "5. Explained"),
    "acted": ("6. 实施", "6. Acted"),
    "followed_up": ("7. 跟进回访", "7. Followed up"),
    "closed": ("结案", "Closed"),
    "resolution": ("原因与处理", "Cause and resolution"),
    "cause": ("原因", "Cause"),
    "responsibility": ("责任", "Responsibility"),
    "findings": ("调查结果", "Findings"),
    "remedy": ("处理方案", "Remedy"),
    "cost": ("费用", "Cost"),
    "disagreed": ("客户不同意方案", "Customer disagreed"),
    "back_to_facts": ("重新确认事实次数", "Times back to the facts"),
    "reopened": ("重新处理次数", "Times reopened"),
}


def _state(paper: Paper, step: str | None, candidate: str) -> str:
    reached = STEPS.index(step) if step in STEPS else -1
    position = STEPS.index(candidate)
    if position <= reached:
        return paper.word(LABELS, "done")
    return paper.word(LABELS, "current" if position == reached + 1 else "open")


def render(view: View, paper: Paper) -> bytes:
    sheet = Sheet(paper, paper.word(LABELS, "title"), f"{paper.word(LABELS, 'number')}: {view['complaint_id']}")
    sheet.fields(
        [
            (paper.word(LABELS, "kind"), str(view.get("kind") or MISSING)),
            (paper.word(LABELS, "category"), str(view.get("category") or MISSING)),
            (paper.word(LABELS, "channel"), str(view.get("channel") or MISSING)),
            (paper.word(LABELS, "customer"), str(view.get("customer_id") or MISSING)),
            (paper.word(LABELS, "vin"), str(view.get("vin") or MISSING)),
            (paper.word(LABELS, "repair_order"), str(view.get("repair_order_id") or MISSING)),
            (paper.word(LABELS, "serious"), ", ".join(view.get("serious_reasons", ())) or MISSING),
            (paper.word(LABELS, "escalated"), paper.yes_no(view.get("escalated"))),
        ]
    )
    sheet.heading(paper.word(LABELS, "words"))
    sheet.paragraph(str(view.get("customer_words") or MISSING))
    sheet.heading(paper.word(LABELS, "dates"))
    sheet.fields(
        [
            (paper.word(LABELS, "received_at"), paper.when(view.get("received_at"))),
            (paper.word(LABELS, "resolve_by"), paper.when(view.get("resolve_by"))),
            (paper.word(LABELS, "resolved_at"), paper.when(view.get("resolved_at"))),
            (paper.word(LABELS, "sla_breached"), paper.yes_no(view.get("sla_breached"))),
            (paper.word(LABELS, "second_callback"), paper.when(view.get("second_callback_due"))),
        ]
    )
    sheet.heading(paper.word(LABELS, "steps"))
    step = view.get("step")
    rows = [[paper.word(LABELS, s), _state(paper, step, s)] for s in STEPS[:-1]]
    sheet.table([paper.word(LABELS, "step"), paper.word(LABELS, "state")], rows, (3, 1), "LL")
    sheet.heading(paper.word(LABELS, "resolution"))
    sheet.fields(
        [
            (paper.word(LABELS, "cause"), str(view.get("cause") or MISSING)),
            (paper.word(LABELS, "responsibility"), str(view.get("responsibility") or MISSING)),
            (paper.word(LABELS, "findings"), str(view.get("findings") or MISSING)),
            (paper.word(LABELS, "remedy"), str(view.get("remedy") or MISSING)),
            (paper.word(LABELS, "cost"), money(int(view.get("cost", 0)))),
            (paper.word(LABELS, "disagreed"), paper.yes_no(view.get("customer_disagreed"))),
            (paper.word(LABELS, "back_to_facts"), str(view.get("times_back_to_facts", 0))),
            (paper.word(LABELS, "reopened"), str(view.get("times_reopened", 0))),
        ],
    )
    if step == "closed":
        sheet.paragraph(paper.word(LABELS, "closed"))
    return sheet.pdf()
