"""The callback of a delivered visit (docs/domain.md §6): opened once with its 72-hour window (or
skipped for do-not-call), assigned and reassigned, called at least 3 times before giving up,
"call me later" rescheduling, refusal → SMS, a recorded call completes it and raises complaints
and escalations, and a completed first callback schedules the second within 7 days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from domain_helpers import (
    CALLBACK,
    CAR,
    FILE,
    HAPPY,
    OPEN_FIRST,
    OPENED,
    RO,
    USER,
    WINDOW,
    attempt,
    attempt_recorded,
    given_callback,
    hours,
    three_unanswered,
    unanswered,
)

from events.catalog import followup as ev
from events.catalog.followup_values import CallbackWindow
from events.contract import Event
from events.rules import InvalidCode, MissingInformation
from followup.domain import errors
from followup.domain.callback_state import CANCELLED, COMPLETED, OPEN, REFUSED, SKIPPED, UNREACHABLE_END
from followup.domain.commands import (
    AnswerQuestion,
    AssignCallback,
    CallAnswers,
    CancelCallback,
    GiveUp,
    MarkOverdue,
    OpenCallback,
    TellAnswer,
)
from followup.domain.ids import callback_id_for, complaint_id_for

# --- opening ---------------------------------------------------------------------------------


def test_delivery_opens_the_first_callback_with_its_window() -> None:
    state = given_callback().when(OPEN_FIRST).then(OPENED)
    assert state.status == OPEN
    assert (WINDOW.opens_at, WINDOW.due_at, WINDOW.hard_limit_at) == (hours(48), hours(72), hours(96))


def test_a_callback_is_opened_once() -> None:
    given_callback(OPENED).when(OPEN_FIRST).then_refused(errors.CallbackAlreadyOpen)


def test_a_do_not_call_customer_gets_no_callback_and_the_skip_is_recorded() -> None:
    skipped = ev.CallbackSkipped(
        callback_id=CALLBACK, repair_order_id=RO, kind="first", file_id=FILE, reason="do_not_call", skipped_at=hours(0)
    )
    command = OpenCallback(**{**OPEN_FIRST.__dict__, "do_not_call": True})
    state = given_callback().when(command).then(skipped)
    assert state.status == SKIPPED
    given_callback(skipped).when(attempt("reached", 60, HAPPY)).then_refused(errors.NoCallback)
    given_callback(skipped).when(OPEN_FIRST).then_refused(errors.CallbackAlreadyOpen)


def test_an_unknown_kind_is_refused() -> None:
    command = OpenCallback(**{**OPEN_FIRST.__dict__, "kind": "third"})
    given_callback().when(command).then_refused(InvalidCode)


# --- agents ----------------------------------------------------------------------------------


def test_a_queued_callback_is_assigned_and_an_absent_agents_is_reassigned_by_the_supervisor() -> None:
    assigned = ev.CallbackAssigned(
        callback_id=CALLBACK, repair_order_id=RO, agent="cs-1", assigned_by="sup-1", assigned_at=hours(1)
    )
    state = given_callback(OPENED).when(AssignCallback("cs-1", "sup-1", hours(1))).then(assigned)
    assert state.agent == "cs-1"
    given_callback(OPENED, assigned).when(AssignCallback("cs-1", "sup-1", hours(2))).then()
    reassigned = ev.CallbackReassigned(
        callback_id=CALLBACK,
        repair_order_id=RO,
        previous_agent="cs-1",
        agent="cs-2",
        reassigned_by="sup-1",
        reason="cs-1 on leave",
        reassigned_at=hours(50),
    )
    command = AssignCallback("cs-2", "sup-1", hours(50), reason="cs-1 on leave")
    assert given_callback(OPENED, assigned).when(command).then(reassigned).agent == "cs-2"
    given_callback(OPENED, assigned).when(AssignCallback("cs-2", "sup-1", hours(50))).then_refused(MissingInformation)


# --- attempts --------------------------------------------------------------------------------


def test_an_unanswered_call_is_retried_two_hours_later() -> None:
    state = given_callback(OPENED).when(attempt("unreachable", 50)).then(unanswered(1, 50))
    assert state.next_attempt_at == hours(52)
    assert state.unreachable_attempts == 1


def test_calling_one_day_early_is_fine_but_not_earlier() -> None:
    given_callback(OPENED).when(attempt("unreachable", 48)).then(unanswered(1, 48))
    given_callback(OPENED).when(attempt("unreachable", 47.9)).then_refused(errors.CallbackNotDue)


def test_the_customer_may_call_in_before_the_window_opens() -> None:
    events = given_callback(OPENED).when(attempt("reached", 24, HAPPY, direction="inbound")).decided()
    assert isinstance(events[0], ev.AttemptRecorded)
    assert events[0].direction == "inbound"
    assert any(isinstance(e, ev.CallbackCompleted) for e in events)


def test_call_me_later_schedules_the_next_attempt_at_the_time_given() -> None:
    later = hours(75)
    state = (
        given_callback(OPENED)
        .when(attempt("call_me_later", 50, later=later))
        .then(
            ev.AttemptRecorded(
                callback_id=CALLBACK,
                repair_order_id=RO,
                attempt=1,
                unreachable_attempts=0,
                direction="outbound",
                outcome="call_me_later",
                agent="cs-1",
                phone=USER.phone,
                next_attempt_at=later,
                attempted_at=hours(50),
            )
        )
    )
    assert state.next_attempt_at == later


def test_call_me_later_needs_a_time_in_the_future() -> None:
    given_callback(OPENED).when(attempt("call_me_later", 50, later=hours(49))).then_refused(errors.CallMeLaterInPast)
    given_callback(OPENED).when(attempt("call_me_later", 50, later=hours(50))).then_refused(errors.CallMeLaterInPast)
    given_callback(OPENED).when(attempt("call_me_later", 50)).then_refused(MissingInformation)


def test_attempts_are_recorded_in_order() -> None:
    given_callback(OPENED, unanswered(1, 55)).when(attempt("unreachable", 54)).then_refused(errors.TimeOutOfOrder)


def test_an_unknown_outcome_is_refused() -> None:
    given_callback(OPENED).when(attempt("voicemail", 50)).then_refused(InvalidCode)


# --- giving up -------------------------------------------------------------------------------


def test_giving_up_before_three_unanswered_attempts_is_refused() -> None:
    given_callback(OPENED).when(GiveUp("cs-1", hours(60))).then_refused(errors.TooFewAttempts)
    two = [unanswered(1, 50), unanswered(2, 53)]
    given_callback(OPENED, *two).when(GiveUp("cs-1", hours(60))).then_refused(errors.TooFewAttempts)


def test_a_call_me_later_is_not_an_unanswered_attempt() -> None:
    later = attempt_recorded(3, "call_me_later", 60, unreachable=2, next_at=hours(80))
    history = [OPENED, unanswered(1, 50), unanswered(2, 53), later]
    given_callback(*history).when(GiveUp("cs-1", hours(81))).then_refused(errors.TooFewAttempts)


NOTE = "first callback: unreachable after 3 attempts — ask about the last visit at the next one"


def test_after_three_unanswered_attempts_the_agent_gives_up_with_a_note_for_the_next_visit() -> None:
    state = (
        given_callback(OPENED, *three_unanswered())
        .when(GiveUp("cs-1", hours(71)))
        .then(
            ev.CallbackUnreachable(
                callback_id=CALLBACK,
                repair_order_id=RO,
                kind="first",
                file_id=FILE,
                attempts=3,
                note_for_next_visit=NOTE,
                given_up_by="cs-1",
                given_up_at=hours(71),
            )
        )
    )
    assert state.status == UNREACHABLE_END
    given_callback(OPENED, *three_unanswered()).when(attempt("unreachable", 71)).then(unanswered(4, 71))


# --- refusal ---------------------------------------------------------------------------------


def test_a_refusal_queues_an_sms_and_closes_the_callback() -> None:
    state = (
        given_callback(OPENED)
        .when(attempt("refused", 50))
        .then(
            ev.AttemptRecorded(
                callback_id=CALLBACK,
                repair_order_id=RO,
                attempt=1,
                unreachable_attempts=0,
                direction="outbound",
                outcome="refused",
                agent="cs-1",
                phone=USER.phone,
                attempted_at=hours(50),
            ),
            ev.SmsQueued(
                callback_id=CALLBACK,
                repair_order_id=RO,
                phone=USER.phone,
                template="callback_refused",
                queued_at=hours(50),
            ),
            ev.CallbackRefused(
                callback_id=CALLBACK, repair_order_id=RO, kind="first", attempts=1, refused_at=hours(50)
            ),
        )
    )
    assert state.status == REFUSED
    assert not state.call_recorded


# --- the recorded call -----------------------------------------------------------------------


def reached_events(at: float, answers: CallAnswers = HAPPY, attempt_no: int = 1) -> list[Event]:
    second = callback_id_for(RO, "second")
    window = CallbackWindow(opens_at=hours(at + 24), due_at=hours(at + 24 * 7), hard_limit_at=hours(at + 24 * 7))
    return [
        attempt_recorded(attempt_no, "reached", at, unreachable=attempt_no - 1),
        ev.CallRecorded(
            callback_id=CALLBACK,
            repair_order_id=RO,
            kind="first",
            file_id=FILE,
            agent="cs-1",
            problem_fixed=True,
            satisfaction_score=5,
            customer_words=answers.customer_words,
            read_back_confirmed=True,
            by_due_time=hours(at) <= WINDOW.due_at,
            in_window=hours(at) <= WINDOW.hard_limit_at,
            reached_at=hours(at),
        ),
        ev.CallbackCompleted(
            callback_id=CALLBACK,
            repair_order_id=RO,
            kind="first",
            attempts=attempt_no,
            in_window=hours(at) <= WINDOW.hard_limit_at,
            completed_at=hours(at),
        ),
        ev.SecondFollowUpScheduled(
            callback_id=CALLBACK,
            repair_order_id=RO,
            second_callback_id=second,
            file_id=FILE,
            window=window,
            second_due_by=hours(at + 24 * 7),
            scheduled_at=hours(at),
        ),
    ]


def test_a_satisfied_customer_completes_the_callback_and_the_second_follow_up_is_due_within_7_days() -> None:
    state = given_callback(OPENED).when(attempt("reached", 60, HAPPY)).then(*reached_events(60))
    assert state.status == COMPLETED
    assert state.call_recorded
    scheduled = reached_events(60)[-1]
    assert isinstance(scheduled, ev.SecondFollowUpScheduled)
    assert scheduled.second_due_by - hours(60) == timedelta(days=7)


def test_the_third_attempt_reaching_the_customer_counts_all_three() -> None:
    history = [OPENED, unanswered(1, 50), unanswered(2, 53)]
    given_callback(*history).when(attempt("reached", 70, HAPPY)).then(*reached_events(70, attempt_no=3))


def test_a_late_call_is_still_recorded_but_not_in_the_window() -> None:
    events = reached_events(100)
    given_callback(OPENED).when(attempt("reached", 100, HAPPY)).then(*events)
    recorded = events[1]
    assert isinstance(recorded, ev.CallRecorded)
    assert (recorded.by_due_time, recorded.in_window) == (False, False)


def test_nothing_is_recorded_after_completion() -> None:
    done = [OPENED, *reached_events(60)]
    given_callback(*done).when(attempt("reached", 61, HAPPY)).then_refused(errors.CallbackClosed)
    given_callback(*done).when(GiveUp("cs-1", hours(61))).then_refused(errors.CallbackClosed)
    given_callback(*done).when(CancelCallback("do_not_call", "cs-1", hours(61))).then_refused(errors.CallbackClosed)


@pytest.mark.parametrize("score", [0, 6, -1, 10])
def test_a_score_out_of_range_is_refused(score: int) -> None:
    answers = CallAnswers(problem_fixed=True, satisfaction_score=score, read_back_confirmed=True)
    given_callback(OPENED).when(attempt("reached", 60, answers)).then_refused(errors.ScoreOutOfRange)


def test_a_reached_call_needs_the_answers_and_known_categories() -> None:
    given_callback(OPENED).when(attempt("reached", 60)).then_refused(MissingInformation)
    answers = CallAnswers(problem_fixed=True, satisfaction_score=3, read_back_confirmed=True, dissatisfaction=("food",))
    given_callback(OPENED).when(attempt("reached", 60, answers)).then_refused(InvalidCode)


def test_a_dissatisfied_customer_raises_a_complaint_for_the_complaints_service() -> None:
    answers = CallAnswers(
        problem_fixed=False,
        satisfaction_score=2,
        read_back_confirmed=True,
        dissatisfaction=("parts_waiting", "attitude", "parts_waiting"),
        customer_words="等配件等了三天,异响还在",
        serious=True,
    )
    events = given_callback(OPENED).when(attempt("reached", 60, answers)).decided()
    complaint = next(e for e in events if isinstance(e, ev.ComplaintRaised))
    assert complaint == ev.ComplaintRaised(
        callback_id=CALLBACK,
        repair_order_id=RO,
        complaint_id=complaint_id_for(CALLBACK),
        file_id=FILE,
        customer=USER,
        vehicle=CAR,
        categories=("parts_waiting", "attitude"),
        problem_fixed=False,
        customer_words="等配件等了三天,异响还在",
        satisfaction_score=2,
        serious=True,
        raised_by="cs-1",
        raised_at=hours(60),
    )
    assert [type(e).__name__ for e in events] == [
        "AttemptRecorded",
        "CallRecorded",
        "ComplaintRaised",
        "CallbackCompleted",
        "SecondFollowUpScheduled",
    ]


@pytest.mark.parametrize(
    ("answers", "complaint"),
    [
        (CallAnswers(problem_fixed=True, satisfaction_score=4, read_back_confirmed=True), False),
        (CallAnswers(problem_fixed=True, satisfaction_score=3, read_back_confirmed=True), False),
        (CallAnswers(problem_fixed=True, satisfaction_score=2, read_back_confirmed=True), True),
        (CallAnswers(problem_fixed=False, satisfaction_score=5, read_back_confirmed=True), True),
        (CallAnswers(problem_fixed=True, satisfaction_score=5, read_back_confirmed=True, other_problems="异响"), True),
        (
            CallAnswers(problem_fixed=True, satisfaction_score=4, read_back_confirmed=True, dissatisfaction=("price",)),
            True,
        ),
    ],
)
def test_what_raises_a_complaint(answers: CallAnswers, complaint: bool) -> None:
    events = given_callback(OPENED).when(attempt("reached", 60, answers)).decided()
    assert any(isinstance(e, ev.ComplaintRaised) for e in events) == complaint


def test_an_unanswered_question_is_escalated_within_two_days_answered_and_told_the_same_day() -> None:
    answers = CallAnswers(
        problem_fixed=True, satisfaction_score=4, read_back_confirmed=True, unanswered_question="保修期还剩多久?"
    )
    events = given_callback(OPENED).when(attempt("reached", 60, answers)).decided()
    escalated = next(e for e in events if isinstance(e, ev.QuestionEscalated))
    assert escalated.escalate_by == hours(60) + timedelta(days=2)
    assert escalated.question == "保修期还剩多久?"
    history = [OPENED, *events]
    given_callback(*history).when(TellAnswer("cs-1", hours(90))).then_refused(errors.NoOpenQuestion)
    answered = ev.QuestionAnswered(
        callback_id=CALLBACK,
        repair_order_id=RO,
        answer="整车保修还剩14个月",
        answered_by="sup-1",
        tell_customer_by=hours(90),
        answered_at=hours(80),
    )
    command = AnswerQuestion("整车保修还剩14个月", "sup-1", hours(90), hours(80))
    given_callback(*history).when(command).then(answered)
    late = AnswerQuestion("整车保修还剩14个月", "sup-1", hours(110), hours(80))
    given_callback(*history).when(late).then_refused(errors.AnswerDeadlineInvalid)
    given_callback(*history, answered).when(command).then_refused(errors.NoOpenQuestion)
    told = ev.AnswerGiven(callback_id=CALLBACK, repair_order_id=RO, agent="cs-1", on_time=True, told_at=hours(85))
    given_callback(*history, answered).when(TellAnswer("cs-1", hours(85))).then(told)
    given_callback(*history, answered, told).when(TellAnswer("cs-1", hours(86))).then_refused(errors.NoOpenQuestion)


def test_a_callback_without_a_question_has_nothing_to_answer() -> None:
    history = [OPENED, *reached_events(60)]
    command = AnswerQuestion("x", "sup-1", hours(90), hours(80))
    given_callback(*history).when(command).then_refused(errors.NoOpenQuestion)


# --- the second follow-up --------------------------------------------------------------------


def test_the_second_callback_opens_from_the_first_and_schedules_nothing_further() -> None:
    scheduled = reached_events(60)[-1]
    assert isinstance(scheduled, ev.SecondFollowUpScheduled)
    second_id = scheduled.second_callback_id
    command = OpenCallback(
        callback_id=second_id,
        repair_order_id=RO,
        kind="second",
        file_id=FILE,
        contact=USER,
        vehicle=CAR,
        basis_at=hours(60),
        do_not_call=False,
        opened_at=hours(60),
        first_callback_id=CALLBACK,
    )
    state = given_callback().when(command).decided()[0]
    assert isinstance(state, ev.CallbackOpened)
    assert state.window == scheduled.window
    assert state.window.due_at <= hours(60) + timedelta(days=7)
    opened = state
    reached = given_callback(opened).when(attempt("reached", 90, HAPPY)).decided()
    assert not any(isinstance(e, ev.SecondFollowUpScheduled) for e in reached)
    given_callback(opened).when(attempt("unreachable", 70)).then_refused(errors.CallbackNotDue)


# --- cancellation and the overdue timer ------------------------------------------------------


def test_do_not_call_set_later_cancels_the_open_callback() -> None:
    cancelled = ev.CallbackCancelled(
        callback_id=CALLBACK,
        repair_order_id=RO,
        kind="first",
        reason="do_not_call",
        cancelled_by="cs-1",
        cancelled_at=hours(10),
    )
    state = given_callback(OPENED).when(CancelCallback("do_not_call", "cs-1", hours(10))).then(cancelled)
    assert state.status == CANCELLED
    given_callback(OPENED, cancelled).when(attempt("reached", 60, HAPPY)).then_refused(errors.CallbackClosed)


def test_the_hard_limit_marks_an_unreached_callback_overdue_once() -> None:
    given_callback(OPENED).when(MarkOverdue(hours(95))).then()
    overdue = ev.CallbackOverdue(
        callback_id=CALLBACK,
        repair_order_id=RO,
        kind="first",
        hard_limit_at=hours(96),
        attempts=3,
        overdue_at=hours(96),
    )
    history = [OPENED, *three_unanswered()]
    state = given_callback(*history).when(MarkOverdue(hours(96))).then(overdue)
    assert state.overdue
    assert state.status == OPEN  # still to be called, late
    given_callback(*history, overdue).when(MarkOverdue(hours(97))).then()
    given_callback(OPENED, *reached_events(60)).when(MarkOverdue(hours(96))).then()
    given_callback().when(MarkOverdue(hours(96))).then()
