"""Whatever the agents do, in any order: a callback is never given up as unreachable with fewer
than 3 unanswered attempts, and never completed without a recorded call (docs/domain.md §6)."""

from __future__ import annotations

from datetime import timedelta

from domain_helpers import HAPPY, OPENED, hours
from hypothesis import event as label
from hypothesis import given, settings
from hypothesis import strategies as st

from events.catalog import followup as ev
from events.contract import Event
from events.errors import DomainError
from followup.domain.callback import callback
from followup.domain.commands import CallbackCommand, CancelCallback, GiveUp, MarkOverdue, RecordAttempt

OUTCOMES = ("reached", "unreachable", "call_me_later", "refused")


def _command(kind: str, outcome: str, later: int, at: float) -> CallbackCommand:
    when = hours(at)
    if kind == "give_up":
        return GiveUp("cs-1", when)
    if kind == "overdue":
        return MarkOverdue(when)
    if kind == "cancel":
        return CancelCallback("do_not_call", "cs-1", when)
    answers = HAPPY if outcome == "reached" else None
    call_me_later_at = when + timedelta(hours=later - 1) if outcome == "call_me_later" else None
    return RecordAttempt("cs-1", outcome, when, call_me_later_at=call_me_later_at, answers=answers)


steps = st.lists(
    st.tuples(
        st.sampled_from(("attempt",) * 6 + ("give_up", "give_up", "overdue", "cancel")),
        st.sampled_from(("unreachable",) * 4 + OUTCOMES),
        st.integers(min_value=0, max_value=5),  # 0: a "call me later" in the past
        st.floats(min_value=0, max_value=8),  # hours after the previous step
    ),
    max_size=14,
)


@settings(max_examples=200, deadline=None)
@given(steps)
def test_no_unreachable_below_three_attempts_and_no_completion_without_a_call(
    plan: list[tuple[str, str, int, float]],
) -> None:
    state = callback.evolve(callback.initial_state, OPENED)
    history: list[Event] = [OPENED]
    at = 46.0  # starts before the window opens: early calls are refused too
    for kind, outcome, later, gap in plan:
        at += gap
        try:
            decided = callback.decide(state, _command(kind, outcome, later, at))
        except DomainError:
            continue
        for decided_event in decided:
            state = callback.evolve(state, decided_event)
            history.append(decided_event)
    unanswered = 0
    for event in history:
        if isinstance(event, ev.AttemptRecorded) and event.outcome == "unreachable":
            unanswered += 1
        if isinstance(event, ev.CallbackUnreachable):
            assert unanswered >= 3
            assert event.attempts == unanswered
        if isinstance(event, ev.CallbackCompleted):
            assert any(isinstance(e, ev.CallRecorded) for e in history)
    closing = [
        e
        for e in history
        if isinstance(e, ev.CallbackCompleted | ev.CallbackRefused | ev.CallbackUnreachable | ev.CallbackCancelled)
    ]
    assert len(closing) <= 1
    assert sum(isinstance(e, ev.CallbackOverdue) for e in history) <= 1
    label(f"ended {state.status}")
    if state.status == "completed":
        assert state.call_recorded
