"""The 7 steps in order (docs/domain.md §7): what a complaint waits for after each step, the
checks a person's step makes first (the complaint is received and not closed, and it is at the
step right before), and the role a complaint is escalated to."""

from __future__ import annotations

from uuid import UUID

from complaints.domain import errors
from complaints.domain.state import ACTED, CLOSED, DECIDED, EXPLAINED, FACTS_CONFIRMED, LISTENED, RECEIVED, Complaint

# Serious complaints and SLA breaches are escalated to the service manager (docs/domain.md §7).
SERVICE_MANAGER = "service_manager"
# What the complaint waits for after each step, for the refusal's message.
_NEXT = {
    RECEIVED: "listen to the customer",
    LISTENED: "confirm the facts",
    FACTS_CONFIRMED: "decide the remedy",
    DECIDED: "explain the decision to the customer",
    EXPLAINED: "carry out the remedy",
    ACTED: "follow up with the customer",
}


def require_open(state: Complaint) -> UUID:
    if state.complaint_id is None:
        raise errors.NoComplaint("there is no such complaint: it has not been received")
    if state.step == CLOSED:
        raise errors.ComplaintClosed("the complaint is closed: the customer was satisfied and the report is written")
    return state.complaint_id


def require_step(state: Complaint, expected: str, doing: str) -> UUID:
    """The 7 steps in order: `doing` comes right after step `expected` (docs/domain.md §7)."""
    complaint_id = require_open(state)
    if state.step != expected:
        raise errors.StepOutOfOrder(
            f"{doing} comes after step '{expected}'; this complaint is at step '{state.step}': "
            f"next, {_NEXT.get(state.step, 'close it')}"
        )
    return complaint_id
