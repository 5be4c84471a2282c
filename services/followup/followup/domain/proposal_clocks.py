"""The contact queue's clock: a "later" answer brings the proposal back on the day named; a
booking, a new answer or its return stops it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from events.catalog import followup_proposals as pv
from events.clocks import ClockChange, StartClock, StopClock
from events.contract import Event

PROPOSAL_DUE_AGAIN = "followup.proposal_due_again"


def due_again_timer(proposal_id: UUID) -> str:
    return f"{PROPOSAL_DUE_AGAIN}:{proposal_id}"


def proposal_clocks(event: Event, recorded_at: datetime) -> list[ClockChange]:
    match event:
        case pv.ProposalAnswered() if event.call_again_at is not None:
            payload = {"proposal_id": str(event.proposal_id)}
            return [StartClock(due_again_timer(event.proposal_id), PROPOSAL_DUE_AGAIN, event.call_again_at, payload)]
        case pv.ProposalAnswered() | pv.ProposalBooked():
            return [StopClock(due_again_timer(event.proposal_id), recorded_at)]
    return []
