"""Steps 5 to 7 (docs/domain.md §7): the decision explained (agreed, or back to the facts), the
remedy carried out (the second callback falls due), the follow-up (satisfied: closed with the
complaint report; not: back to the step named)."""

from __future__ import annotations

from collections.abc import Sequence

from complaints.domain import errors
from complaints.domain.commands import ExplainDecision, RecordFollowUp, TakeAction
from complaints.domain.report import complaint_report
from complaints.domain.sla import second_callback_due
from complaints.domain.state import ACTED, DECIDED, EXPLAINED, Complaint, evolve
from complaints.domain.steps import require_open, require_step
from events.catalog import complaints as ev
from events.catalog.complaints_values import FOLLOW_UP_CHANNELS, REDO_STEPS
from events.contract import Event
from events.rules import InvalidAmount, MissingInformation, require_code, require_text


def explain(state: Complaint, command: ExplainDecision) -> Sequence[Event]:
    """Not agreed: back to step 3, the facts are confirmed again (docs/domain.md §7 step 5)."""
    complaint_id = require_step(state, DECIDED, "explaining the decision")
    response = command.customer_response.strip()
    if not command.agreed and not response:
        raise MissingInformation("write down what the customer does not agree with, in their words")
    return [
        ev.ComplaintDecisionExplained(
            complaint_id=complaint_id,
            agreed=command.agreed,
            customer_response=response,
            handled_by=require_text(command.handled_by, "who explained the decision"),
            explained_at=command.explained_at,
        )
    ]


def take_action(state: Complaint, command: TakeAction) -> Sequence[Event]:
    complaint_id = require_open(state)
    if state.step != EXPLAINED and (state.step == DECIDED or state.disagreed):
        raise errors.CustomerHasNotAgreed("the customer has not agreed to the decision: explain it and agree first")
    require_step(state, EXPLAINED, "carrying out the remedy")
    if command.cost < 0:
        raise InvalidAmount("the remedy's cost is never negative")
    return [
        ev.ComplaintActionTaken(
            complaint_id=complaint_id,
            remedy=state.remedy,
            description=require_text(command.description, "what was done"),
            cost=command.cost,
            in_customer_presence=command.in_customer_presence,
            customer_satisfied=command.customer_satisfied,
            second_callback_due=second_callback_due(command.acted_at, command.calendar),
            handled_by=require_text(command.handled_by, "who carried out the remedy"),
            acted_at=command.acted_at,
        )
    ]


def follow_up(state: Complaint, command: RecordFollowUp) -> Sequence[Event]:
    """Satisfied: closed, the report into the customer's record; not satisfied: back to the
    step named (docs/domain.md §7 step 7)."""
    complaint_id = require_step(state, ACTED, "following up")
    channel = require_code(command.channel, FOLLOW_UP_CHANNELS, "follow-up channel")
    handled_by = require_text(command.handled_by, "who followed up")
    if command.satisfied and command.back_to is not None:
        raise errors.SatisfiedButReopened("a satisfied customer's complaint closes; it goes back to no step")
    if not command.satisfied and command.back_to is None:
        raise errors.NotSatisfied(
            "a complaint closes only when the customer is satisfied: name the step to go back to "
            f"({', '.join(REDO_STEPS)})"
        )
    if not command.satisfied:
        require_text(command.customer_words, "what the customer is still unhappy about, in their words")
    followed = ev.ComplaintFollowedUp(
        complaint_id=complaint_id,
        satisfied=command.satisfied,
        back_to=None if command.back_to is None else require_code(command.back_to, REDO_STEPS, "step to go back to"),
        channel=channel,
        customer_words=command.customer_words.strip(),
        handled_by=handled_by,
        followed_up_at=command.followed_up_at,
    )
    if not command.satisfied:
        return [followed]
    summary = require_text(command.report_summary, "the complaint report's summary")
    closed = ev.ComplaintClosed(
        complaint_id=complaint_id,
        report=complaint_report(evolve(state, followed), summary, command.followed_up_at),
        closed_at=command.followed_up_at,
    )
    return [followed, closed]
