"""The complaint report written into the customer's record when the complaint closes
(docs/domain.md §7 step 7): improvement material for VOC, never an agent's score (seed 004)."""

from __future__ import annotations

from datetime import datetime

from complaints.domain.state import Complaint
from events.catalog.complaints_values import ComplaintReport


def complaint_report(state: Complaint, summary: str, closed_at: datetime) -> ComplaintReport:
    """The report of a complaint at its satisfied follow-up: what happened, the cause and who was
    responsible, what was done, and whether the SLA was met. No handling person is named."""
    # A complaint at its follow-up was received and acted on: these are set by then.
    assert state.complaint_id is not None
    assert state.customer_id is not None
    assert state.received_at is not None
    assert state.resolve_by is not None
    assert state.first_resolved_at is not None
    return ComplaintReport(
        complaint_id=state.complaint_id,
        customer_id=state.customer_id,
        vin=state.vin,
        repair_order_id=state.repair_order_id,
        channel=state.channel,
        kind=state.kind,
        category=state.category,
        serious_reasons=state.serious_reasons,
        customer_words=state.customer_words,
        responsibility=state.responsibility,
        cause=state.cause,
        findings=state.findings,
        remedy=state.remedy,
        remedy_description=state.remedy_description,
        cost=state.cost,
        received_at=state.received_at,
        resolve_by=state.resolve_by,
        resolved_at=state.first_resolved_at,
        within_sla=state.first_resolved_at <= state.resolve_by,
        sla_breached=state.breached_for is not None,
        escalated=state.escalated,
        times_back_to_facts=state.times_back_to_facts,
        times_reopened=state.times_reopened,
        summary=summary,
        closed_at=closed_at,
    )
