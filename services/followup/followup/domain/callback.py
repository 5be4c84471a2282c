"""Callback, stream `callback-<callback_id>`: one follow-up call of a delivered visit
(docs/domain.md §6; seeds 000, 002, 004).

Life: opened at delivery (first) or from a completed first one (second, within 7 days) — or
skipped for a do-not-call customer → assigned to an agent, reassigned by the supervisor when the
agent is absent → attempts, outbound from one day before the due time: unanswered (retry in
2 h), "call me later at …" (retry then), refused (an SMS is queued; closed), reached (the call
recorded; complaint raised on any dissatisfaction or unresolved problem; an unanswered question
escalated within 2 days; a first callback schedules the second) → given up only after 3
unanswered attempts, with a note for the next visit. The hard-limit timer marks it overdue once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from events.catalog import followup as ev
from events.catalog.followup_values import (
    ATTEMPT_OUTCOMES,
    CALL_DIRECTIONS,
    CALL_ME_LATER,
    CALLBACK_KINDS,
    CANCEL_REASONS,
    DISSATISFACTION_CATEGORIES,
    OUTBOUND,
    REACHED,
    REFUSED,
    SCORE_MAX,
    SCORE_MIN,
    UNREACHABLE,
)
from events.contract import Event
from events.decider import Decider
from events.rules import MissingInformation, require_code, require_text
from followup.domain import errors
from followup.domain.callback_state import INITIAL, NEW, OPEN, SKIPPED, Callback, evolve
from followup.domain.commands import (
    AnswerQuestion,
    AssignCallback,
    CallAnswers,
    CallbackCommand,
    CancelCallback,
    GiveUp,
    MarkOverdue,
    OpenCallback,
    RecordAttempt,
    TellAnswer,
)
from followup.domain.recorded_call import reached
from followup.domain.schedule import (
    MIN_UNREACHABLE_ATTEMPTS,
    TELL_CUSTOMER_WITHIN,
    callback_window,
    retry_at,
)

DO_NOT_CALL = "do_not_call"
REFUSAL_SMS = "callback_refused"


def stream_id(callback_id: UUID) -> str:
    return f"callback-{callback_id}"


def _ids(state: Callback) -> tuple[UUID, UUID]:
    if state.callback_id is None or state.repair_order_id is None or state.status in (NEW, SKIPPED):
        raise errors.NoCallback("this callback was never opened")
    return state.callback_id, state.repair_order_id


def _require_open(state: Callback) -> tuple[UUID, UUID]:
    ids = _ids(state)
    if state.status != OPEN:
        raise errors.CallbackClosed(f"this callback is already {state.status}: nothing more is recorded on it")
    return ids


def _require_in_order(state: Callback, at: datetime) -> None:
    if state.last_time is not None and at < state.last_time:
        raise errors.TimeOutOfOrder("the time given is before the last thing recorded on this callback")


def open_callback(state: Callback, command: OpenCallback) -> Sequence[Event]:
    if state.status != NEW:
        raise errors.CallbackAlreadyOpen(f"the {state.kind} callback of this visit is already {state.status}")
    kind = require_code(command.kind, CALLBACK_KINDS, "callback kind")
    if command.do_not_call:
        return [
            ev.CallbackSkipped(
                callback_id=command.callback_id,
                repair_order_id=command.repair_order_id,
                kind=kind,
                file_id=command.file_id,
                reason=DO_NOT_CALL,
                skipped_at=command.opened_at,
            )
        ]
    return [
        ev.CallbackOpened(
            callback_id=command.callback_id,
            repair_order_id=command.repair_order_id,
            kind=kind,
            file_id=command.file_id,
            contact=command.contact,
            vehicle=command.vehicle,
            basis_at=command.basis_at,
            window=callback_window(kind, command.basis_at),
            agent=command.agent,
            first_callback_id=command.first_callback_id,
            opened_at=command.opened_at,
        )
    ]


def assign(state: Callback, command: AssignCallback) -> Sequence[Event]:
    callback_id, repair_order_id = _require_open(state)
    agent = require_text(command.agent, "the agent")
    if agent == state.agent:
        return []
    if state.agent is None:
        return [
            ev.CallbackAssigned(
                callback_id=callback_id,
                repair_order_id=repair_order_id,
                agent=agent,
                assigned_by=command.assigned_by,
                assigned_at=command.assigned_at,
            )
        ]
    return [
        ev.CallbackReassigned(
            callback_id=callback_id,
            repair_order_id=repair_order_id,
            previous_agent=state.agent,
            agent=agent,
            reassigned_by=require_text(command.assigned_by, "the supervisor"),
            reason=require_text(command.reason, "why the callback is reassigned (e.g. the agent is absent)"),
            reassigned_at=command.assigned_at,
        )
    ]


def _next_attempt_at(command: RecordAttempt) -> datetime | None:
    if command.outcome == UNREACHABLE:
        return retry_at(command.attempted_at)
    if command.outcome == CALL_ME_LATER:
        if command.call_me_later_at is None:
            raise MissingInformation("say when the customer wants to be called")
        if command.call_me_later_at <= command.attempted_at:
            raise errors.CallMeLaterInPast("the time the customer gave to call back is not in the future")
        return command.call_me_later_at
    return None


def _check_answers(answers: CallAnswers | None) -> CallAnswers:
    if answers is None:
        raise MissingInformation("a reached call records the customer's answers")
    if not SCORE_MIN <= answers.satisfaction_score <= SCORE_MAX:
        raise errors.ScoreOutOfRange(f"the satisfaction score is from {SCORE_MIN} to {SCORE_MAX}")
    for category in answers.dissatisfaction:
        require_code(category, DISSATISFACTION_CATEGORIES, "dissatisfaction category")
    return answers


def record_attempt(state: Callback, command: RecordAttempt) -> Sequence[Event]:
    callback_id, repair_order_id = _require_open(state)
    assert state.window is not None
    assert state.contact is not None
    _require_in_order(state, command.attempted_at)
    direction = require_code(command.direction, CALL_DIRECTIONS, "call direction")
    outcome = require_code(command.outcome, ATTEMPT_OUTCOMES, "attempt outcome")
    if direction == OUTBOUND and command.attempted_at < state.window.opens_at:
        raise errors.CallbackNotDue(
            f"the {state.kind} callback may be made from {state.window.opens_at.isoformat()} (one day early at most)"
        )
    answers = _check_answers(command.answers) if outcome == REACHED else None
    attempt = ev.AttemptRecorded(
        callback_id=callback_id,
        repair_order_id=repair_order_id,
        attempt=state.attempts + 1,
        unreachable_attempts=state.unreachable_attempts + (1 if outcome == UNREACHABLE else 0),
        direction=direction,
        outcome=outcome,
        agent=require_text(command.agent, "the agent"),
        phone=state.contact.phone,
        note=command.note,
        next_attempt_at=_next_attempt_at(command),
        attempted_at=command.attempted_at,
    )
    if outcome == REFUSED:
        return [attempt, *_refused(state, callback_id, repair_order_id, command.attempted_at)]
    if answers is not None:
        return [attempt, *reached(state, callback_id, repair_order_id, command, answers)]
    return [attempt]


def _refused(state: Callback, callback_id: UUID, repair_order_id: UUID, at: datetime) -> list[Event]:
    assert state.contact is not None
    return [
        ev.SmsQueued(
            callback_id=callback_id,
            repair_order_id=repair_order_id,
            phone=state.contact.phone,
            template=REFUSAL_SMS,
            queued_at=at,
        ),
        ev.CallbackRefused(
            callback_id=callback_id,
            repair_order_id=repair_order_id,
            kind=state.kind,
            attempts=state.attempts + 1,
            refused_at=at,
        ),
    ]


def give_up(state: Callback, command: GiveUp) -> Sequence[Event]:
    callback_id, repair_order_id = _require_open(state)
    assert state.file_id is not None
    _require_in_order(state, command.given_up_at)
    if state.unreachable_attempts < MIN_UNREACHABLE_ATTEMPTS:
        raise errors.TooFewAttempts(
            f"an unreachable customer is called at least {MIN_UNREACHABLE_ATTEMPTS} times before giving up; "
            f"{state.unreachable_attempts} so far"
        )
    return [
        ev.CallbackUnreachable(
            callback_id=callback_id,
            repair_order_id=repair_order_id,
            kind=state.kind,
            file_id=state.file_id,
            attempts=state.unreachable_attempts,
            note_for_next_visit=(
                f"{state.kind} callback: unreachable after {state.unreachable_attempts} attempts — "
                "ask about the last visit at the next one"
            ),
            given_up_by=require_text(command.given_up_by, "who gave up"),
            given_up_at=command.given_up_at,
        )
    ]


def cancel(state: Callback, command: CancelCallback) -> Sequence[Event]:
    callback_id, repair_order_id = _require_open(state)
    return [
        ev.CallbackCancelled(
            callback_id=callback_id,
            repair_order_id=repair_order_id,
            kind=state.kind,
            reason=require_code(command.reason, CANCEL_REASONS, "cancel reason"),
            cancelled_by=command.cancelled_by,
            cancelled_at=command.cancelled_at,
        )
    ]


def mark_overdue(state: Callback, command: MarkOverdue) -> Sequence[Event]:
    """The hard-limit timer: once, only for a callback still open past its limit."""
    if state.status != OPEN or state.overdue or state.window is None or command.at < state.window.hard_limit_at:
        return []
    callback_id, repair_order_id = _ids(state)
    return [
        ev.CallbackOverdue(
            callback_id=callback_id,
            repair_order_id=repair_order_id,
            kind=state.kind,
            hard_limit_at=state.window.hard_limit_at,
            attempts=state.attempts,
            agent=state.agent,
            overdue_at=command.at,
        )
    ]


def answer_question(state: Callback, command: AnswerQuestion) -> Sequence[Event]:
    callback_id, repair_order_id = _ids(state)
    if not state.question or state.answer:
        raise errors.NoOpenQuestion("this callback has no escalated question waiting for an answer")
    if not command.answered_at <= command.tell_customer_by <= command.answered_at + TELL_CUSTOMER_WITHIN:
        raise errors.AnswerDeadlineInvalid("the customer is told the same day the solution is found")
    return [
        ev.QuestionAnswered(
            callback_id=callback_id,
            repair_order_id=repair_order_id,
            answer=require_text(command.answer, "the answer"),
            answered_by=require_text(command.answered_by, "the supervisor"),
            tell_customer_by=command.tell_customer_by,
            answered_at=command.answered_at,
        )
    ]


def tell_answer(state: Callback, command: TellAnswer) -> Sequence[Event]:
    callback_id, repair_order_id = _ids(state)
    if not state.answer or state.answer_given or state.tell_customer_by is None:
        raise errors.NoOpenQuestion("there is no answer waiting to be given to the customer")
    return [
        ev.AnswerGiven(
            callback_id=callback_id,
            repair_order_id=repair_order_id,
            agent=require_text(command.agent, "the agent"),
            on_time=command.told_at <= state.tell_customer_by,
            told_at=command.told_at,
        )
    ]


def decide(state: Callback, command: CallbackCommand) -> Sequence[Event]:
    match command:
        case OpenCallback():
            return open_callback(state, command)
        case AssignCallback():
            return assign(state, command)
        case RecordAttempt():
            return record_attempt(state, command)
        case GiveUp():
            return give_up(state, command)
        case CancelCallback():
            return cancel(state, command)
        case MarkOverdue():
            return mark_overdue(state, command)
        case AnswerQuestion():
            return answer_question(state, command)
        case TellAnswer():
            return tell_answer(state, command)


callback: Decider[CallbackCommand, Callback] = Decider(INITIAL, decide, evolve)
