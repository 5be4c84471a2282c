"""What a reached call decides (docs/domain.md §6-7; seed 002 §3.4-3.5): the call record, a
complaint for the complaints service on any dissatisfaction or unresolved problem, an unanswered
question escalated to the supervisor within 2 days, the callback completed, and — after the
first callback — the second follow-up within 7 days."""

from __future__ import annotations

from uuid import UUID

from events.catalog import followup as ev
from events.catalog.followup_values import LOW_SCORE
from events.contract import Event
from followup.domain.callback_state import Callback
from followup.domain.commands import CallAnswers, RecordAttempt
from followup.domain.ids import callback_id_for, complaint_id_for
from followup.domain.schedule import escalate_by, second_callback_window


def needs_complaint(answers: CallAnswers) -> bool:
    """A dissatisfaction (named, or a low score), an unfixed or a new problem, or anything
    serious goes to the complaints service (docs/domain.md §6-7)."""
    return bool(
        answers.dissatisfaction
        or not answers.problem_fixed
        or answers.satisfaction_score <= LOW_SCORE
        or answers.other_problems.strip()
        or answers.serious
    )


def reached(
    state: Callback, callback_id: UUID, repair_order_id: UUID, command: RecordAttempt, answers: CallAnswers
) -> list[Event]:
    assert state.window is not None
    assert state.file_id is not None
    assert state.contact is not None
    assert state.vehicle is not None
    at, agent = command.attempted_at, command.agent
    question = answers.unanswered_question.strip()
    in_window = at <= state.window.hard_limit_at
    events: list[Event] = [
        ev.CallRecorded(
            callback_id=callback_id,
            repair_order_id=repair_order_id,
            kind=state.kind,
            file_id=state.file_id,
            agent=agent,
            problem_fixed=answers.problem_fixed,
            other_problems=answers.other_problems.strip(),
            dissatisfaction=tuple(dict.fromkeys(answers.dissatisfaction)),
            satisfaction_score=answers.satisfaction_score,
            customer_words=answers.customer_words,
            question=question,
            read_back_confirmed=answers.read_back_confirmed,
            by_due_time=at <= state.window.due_at,
            in_window=in_window,
            reached_at=at,
        )
    ]
    if needs_complaint(answers):
        events.append(
            ev.ComplaintRaised(
                callback_id=callback_id,
                repair_order_id=repair_order_id,
                complaint_id=complaint_id_for(callback_id),
                file_id=state.file_id,
                customer=state.contact,
                vehicle=state.vehicle,
                categories=tuple(dict.fromkeys(answers.dissatisfaction)),
                problem_fixed=answers.problem_fixed,
                other_problems=answers.other_problems.strip(),
                customer_words=answers.customer_words,
                satisfaction_score=answers.satisfaction_score,
                serious=answers.serious,
                raised_by=agent,
                raised_at=at,
            )
        )
    if question:
        events.append(
            ev.QuestionEscalated(
                callback_id=callback_id,
                repair_order_id=repair_order_id,
                file_id=state.file_id,
                question=question,
                escalate_by=escalate_by(at),
                escalated_at=at,
            )
        )
    events.append(
        ev.CallbackCompleted(
            callback_id=callback_id,
            repair_order_id=repair_order_id,
            kind=state.kind,
            attempts=state.attempts + 1,
            in_window=in_window,
            completed_at=at,
        )
    )
    if state.kind == "first":
        window = second_callback_window(at)
        events.append(
            ev.SecondFollowUpScheduled(
                callback_id=callback_id,
                repair_order_id=repair_order_id,
                second_callback_id=callback_id_for(repair_order_id, "second"),
                file_id=state.file_id,
                window=window,
                second_due_by=window.due_at,
                scheduled_at=at,
            )
        )
    return events
