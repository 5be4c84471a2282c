"""Complaint, stream `complaint-<complaint_id>`: one customer complaint walked through the
Toyota 7 steps (docs/domain.md §7, seed 001) under the SLAs of seed 004.

Life: received (classified complaint or general grievance, with its SLA deadline; serious ones
escalated to the service manager at once) → listened (5W2H) → facts confirmed (cause,
responsibility) → decided (beyond the handling person's limit with a manager's approval, beyond
the dealer with the manufacturer's) → explained (agreed; or back to the facts) → acted (the SLA
is met; the second callback is due) → followed up (satisfied: closed with the report; not: back
to the step named). No step is skipped. The SLA timer breaches an unresolved complaint once.

This module holds the decider; the decisions live with their steps: step 1 in `receipt`, steps
2 to 4 in `investigation`, 5 to 7 in `resolution`, the timers' in `overdue` (the step order and
the checks they share in `steps`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from complaints.domain import errors
from complaints.domain.commands import (
    ComplaintCommand,
    ConfirmFacts,
    DecideRemedy,
    ExplainDecision,
    ListenToCustomer,
    ReceiveComplaint,
    ReclassifyComplaint,
    RecordFollowUp,
    RecordFollowUpOverdue,
    RecordSlaBreach,
    TakeAction,
)
from complaints.domain.investigation import confirm_facts, decide_remedy, listen
from complaints.domain.overdue import record_follow_up_overdue, record_sla_breach
from complaints.domain.receipt import receive, reclassify
from complaints.domain.resolution import explain, follow_up, take_action
from complaints.domain.state import CLOSED, INITIAL, Complaint, evolve
from events.contract import Event
from events.decider import Decider


def stream_id(complaint_id: UUID) -> str:
    return f"complaint-{complaint_id}"


def _time_of(command: ComplaintCommand) -> datetime | None:
    match command:
        case ReceiveComplaint():
            return command.received_at
        case ReclassifyComplaint():
            return command.reclassified_at
        case ListenToCustomer():
            return command.listened_at
        case ConfirmFacts():
            return command.confirmed_at
        case DecideRemedy():
            return command.decided_at
        case ExplainDecision():
            return command.explained_at
        case TakeAction():
            return command.acted_at
        case RecordFollowUp():
            return command.followed_up_at
        case RecordSlaBreach() | RecordFollowUpOverdue():
            return None  # the timer's time is the deadline's, not a person's


def _require_in_order(state: Complaint, command: ComplaintCommand) -> None:
    """A person's command may not be dated before what is already recorded on the complaint
    (a second receipt or a closed complaint is refused for that reason instead)."""
    at = _time_of(command)
    if at is None or state.last_time is None or state.step == CLOSED or isinstance(command, ReceiveComplaint):
        return
    if at < state.last_time:
        raise errors.TimeOutOfOrder("the time given is before the last thing recorded on this complaint")


def decide(state: Complaint, command: ComplaintCommand) -> Sequence[Event]:
    _require_in_order(state, command)
    match command:
        case ReceiveComplaint():
            return receive(state, command)
        case ReclassifyComplaint():
            return reclassify(state, command)
        case ListenToCustomer():
            return listen(state, command)
        case ConfirmFacts():
            return confirm_facts(state, command)
        case DecideRemedy():
            return decide_remedy(state, command)
        case ExplainDecision():
            return explain(state, command)
        case TakeAction():
            return take_action(state, command)
        case RecordFollowUp():
            return follow_up(state, command)
        case RecordSlaBreach():
            return record_sla_breach(state, command)
        case RecordFollowUpOverdue():
            return record_follow_up_overdue(state, command)


complaint: Decider[ComplaintCommand, Complaint] = Decider(INITIAL, decide, evolve)
