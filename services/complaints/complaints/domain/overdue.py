"""What the complaint's timers decide (seed 004): an unresolved complaint breached at its SLA
deadline and escalated, a second callback overdue. Each once per deadline; a timer that fires
early or finds the work done decides nothing."""

from __future__ import annotations

from collections.abc import Sequence

from complaints.domain import errors
from complaints.domain.commands import RecordFollowUpOverdue, RecordSlaBreach
from complaints.domain.state import ACTED, Complaint
from complaints.domain.steps import SERVICE_MANAGER
from events.catalog import complaints as ev
from events.contract import Event


def record_sla_breach(state: Complaint, command: RecordSlaBreach) -> Sequence[Event]:
    """Unresolved at its deadline: breached and escalated to the service manager, once per
    deadline. A resolved complaint, or an early timer (reclassified to a later deadline), is
    nothing to do (`Complaint.resolved`: a complaint reopened at its follow-up is not breached
    afterwards, and the desk does not show it overdue)."""
    if state.complaint_id is None or state.resolve_by is None:
        raise errors.NoComplaint("there is no such complaint: it has not been received")
    if state.resolved or command.at < state.resolve_by or state.resolve_by in state.breached_deadlines:
        return []
    return [
        ev.ComplaintSlaBreached(
            complaint_id=state.complaint_id,
            kind=state.kind,
            resolve_by=state.resolve_by,
            step=state.step,
            breached_at=command.at,
        ),
        ev.ComplaintEscalated(
            complaint_id=state.complaint_id,
            reason="sla_breach",
            to_role=SERVICE_MANAGER,
            detail=f"{state.kind} not resolved by {state.resolve_by.isoformat()}; at step '{state.step}'",
            escalated_at=command.at,
        ),
    ]


def record_follow_up_overdue(state: Complaint, command: RecordFollowUpOverdue) -> Sequence[Event]:
    """The second callback's deadline passed with the complaint still waiting for it: the desk
    is told, once per deadline. Followed up, closed, reopened or an early timer: nothing to do."""
    if state.complaint_id is None:
        raise errors.NoComplaint("there is no such complaint: it has not been received")
    due = state.second_callback_due
    if state.step != ACTED or due is None or command.at < due or state.follow_up_overdue_for == due:
        return []
    return [
        ev.ComplaintFollowUpOverdue(complaint_id=state.complaint_id, second_callback_due=due, overdue_at=command.at)
    ]
