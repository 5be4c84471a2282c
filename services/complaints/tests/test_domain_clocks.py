"""The complaint's clocks (docs/domain.md §7, seed 004): the SLA clock at every deadline the
complaint is given, the second-callback clock at every action. Event in, clock changes out — no
database."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain_helpers import COMPLAINT_ID, LISTENED, SECOND_CALLBACK_DUE, T0, acted, at, opened

from complaints.domain.clocks import FOLLOW_UP_TIMER, SLA_TIMER, complaint_clocks
from events.catalog import complaints as ev
from events.clocks import StartClock

WHENEVER = T0 + timedelta(days=30)  # the rule goes by the events' own deadlines
PAYLOAD = {"complaint_id": str(COMPLAINT_ID)}


def clock(kind: str, due_at: datetime) -> StartClock:
    return StartClock(f"{kind}:{COMPLAINT_ID}:{due_at.isoformat()}", kind, due_at, PAYLOAD)


def test_receipt_starts_the_sla_clock_at_its_deadline() -> None:
    assert SLA_TIMER == "complaints.sla"
    assert complaint_clocks(opened(), WHENEVER) == [clock(SLA_TIMER, T0 + timedelta(hours=24))]


def test_a_reclassified_complaint_gets_a_clock_of_its_own_at_the_new_deadline() -> None:
    three_working_days = T0 + timedelta(days=3)
    reclassified = ev.ComplaintReclassified(
        complaint_id=COMPLAINT_ID,
        previous_kind="complaint",
        kind="general_grievance",
        reason="no harm done, the customer wants an explanation",
        resolve_by=three_working_days,
        handled_by="cs-1",
        reclassified_at=at(30),
    )
    assert complaint_clocks(reclassified, WHENEVER) == [clock(SLA_TIMER, three_working_days)]


def test_an_action_starts_the_second_callback_clock() -> None:
    assert FOLLOW_UP_TIMER == "complaints.follow_up"
    assert complaint_clocks(acted(), WHENEVER) == [clock(FOLLOW_UP_TIMER, SECOND_CALLBACK_DUE)]


def test_other_events_leave_the_clocks_alone() -> None:
    assert complaint_clocks(LISTENED, WHENEVER) == []
