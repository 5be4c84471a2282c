"""The complaint's clocks (docs/domain.md §7; seed 004), durable timers kept with
`events.timers.keeping` in the transaction of the events that start them:

- `complaints.sla` at every `resolve_by` (receipt, each reclassification): `RecordSlaBreach`. The
  deadline is part of the timer id, so a reclassified complaint gets a clock of its own; a stale
  one finds the deadline moved (or the complaint resolved) and records nothing — the domain
  records a breach once per deadline.
- `complaints.follow_up` at every `second_callback_due` (each action): `RecordFollowUpOverdue`.

No event stops them: a fired clock asks the complaint, which records nothing when the clock no
longer applies.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from events.catalog import complaints as ev
from events.clocks import ClockChange, StartClock
from events.contract import Event

SLA_TIMER = "complaints.sla"
FOLLOW_UP_TIMER = "complaints.follow_up"


def timer_id(kind: str, complaint_id: UUID, due_at: datetime) -> str:
    return f"{kind}:{complaint_id}:{due_at.isoformat()}"


def complaint_clocks(event: Event, at: datetime) -> list[ClockChange]:
    """Start the SLA clock on receipt and on reclassification, the second-callback clock on action."""
    match event:
        case ev.ComplaintOpened() | ev.ComplaintReclassified():
            kind, due_at = SLA_TIMER, event.resolve_by
        case ev.ComplaintActionTaken():
            kind, due_at = FOLLOW_UP_TIMER, event.second_callback_due
        case _:
            return []
    payload = {"complaint_id": str(event.complaint_id)}
    return [StartClock(timer_id(kind, event.complaint_id, due_at), kind, due_at, payload)]
