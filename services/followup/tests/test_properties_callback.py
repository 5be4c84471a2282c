"""Properties of the Callback (issue 6): whatever the agents and timers do, in any order and at
any time, for a customer who may have asked not to be called (docs/domain.md §6, seed 004):

- a do-not-call customer is never called, texted or counted: the callback is skipped;
- an outbound call is never made before the window opens (at most a day early), the attempts
  are counted one by one, and an unreachable customer is given up only after 3 unanswered calls;
- the overdue mark comes once, only past the hard limit of a callback still open;
- a second follow-up is scheduled only when the first callback is completed, due within 7 days;
- a callback is completed only with a recorded call;
- nothing is recorded on a callback once it has ended.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from domain_helpers import HAPPY, OPEN_FIRST, T0, hours
from hypothesis import event as label
from hypothesis import given
from hypothesis import strategies as st

from events.catalog import followup as ev
from events.contract import Event
from events.testing.properties import PROPERTY, run_commands
from followup.domain.callback import callback
from followup.domain.callback_state import Callback
from followup.domain.commands import CallbackCommand, CancelCallback, GiveUp, MarkOverdue, RecordAttempt
from followup.domain.schedule import first_callback_window

WINDOW = first_callback_window(T0)
AT_LEAST = 3  # unanswered calls before an unreachable customer is given up (docs/domain.md §6)
OUTCOMES = ("reached", "unreachable", "unreachable", "call_me_later", "refused", "hung_up")


Build = Callable[[datetime], CallbackCommand]


def _attempt(outcome: str, direction: str, later: int) -> Build:
    def build(at: datetime) -> CallbackCommand:
        answers = HAPPY if outcome == "reached" else None
        call_me_later_at = at + timedelta(hours=later) if outcome == "call_me_later" else None
        return RecordAttempt("cs-1", outcome, at, direction, call_me_later_at, answers)

    return build


directions = st.sampled_from(["outbound"] * 4 + ["inbound"])
calls: st.SearchStrategy[Build] = st.one_of(
    *[st.builds(_attempt, st.sampled_from(OUTCOMES), directions, st.integers(-1, 5))] * 4,
    st.just(lambda at: GiveUp("cs-1", at)),
    st.just(lambda at: MarkOverdue(at)),
)
# The customer asking mid-way not to be called ends a run: one step in fifteen.
cancel: st.SearchStrategy[Build] = st.just(lambda at: CancelCallback("do_not_call", "cs-1", at))
commands = st.integers(0, 14).flatmap(lambda n: cancel if n == 0 else calls)
# Starting 4 hours before the window opens; each step up to 8 hours after the last, or a little before.
gaps = st.floats(min_value=-1, max_value=8, allow_nan=False)
ENDINGS = (ev.CallbackCompleted, ev.CallbackRefused, ev.CallbackUnreachable, ev.CallbackCancelled, ev.CallbackSkipped)


@PROPERTY
@given(st.sampled_from([False, False, False, True]), st.lists(st.tuples(commands, gaps), min_size=3, max_size=25))
def test_callbacks_keep_to_the_window_the_attempts_and_the_do_not_call_list(
    do_not_call: bool, plan: list[tuple[Build, float]]
) -> None:
    ended: list[Event] = []
    attempts = {"all": 0, "unreachable": 0}

    def invariant(history: Sequence[Event], decided: Sequence[Event], state: Callback) -> None:
        for event in decided:
            assert not ended or isinstance(event, ev.SecondFollowUpScheduled), f"{type(event).__name__} after the end"
            match event:
                case ev.AttemptRecorded():
                    assert not do_not_call, "a do-not-call customer was called"
                    attempts["all"] += 1
                    attempts["unreachable"] += event.outcome == "unreachable"
                    assert (event.attempt, event.unreachable_attempts) == (attempts["all"], attempts["unreachable"])
                    if event.direction == "outbound":
                        assert event.attempted_at >= WINDOW.opens_at, "called before the window opened"
                case ev.SmsQueued() | ev.CallRecorded():
                    assert not do_not_call, "a do-not-call customer was contacted"
                case ev.CallbackUnreachable():
                    assert attempts["unreachable"] >= AT_LEAST, "given up too soon"
                    assert event.attempts == attempts["unreachable"], "the unanswered calls miscounted"
                case ev.CallbackCompleted():
                    assert any(isinstance(e, ev.CallRecorded) for e in history), "completed without a recorded call"
                    assert state.call_recorded
                case ev.CallbackOverdue():
                    assert event.overdue_at >= WINDOW.hard_limit_at
                    assert sum(isinstance(e, ev.CallbackOverdue) for e in history) == 1, "overdue twice"
                case ev.SecondFollowUpScheduled():
                    (completed,) = [e for e in decided if isinstance(e, ev.CallbackCompleted)]
                    assert event.second_due_by <= completed.completed_at + timedelta(days=7)
                    assert event.window.opens_at > completed.completed_at, "the second call before the first ended"
            if isinstance(event, ENDINGS):
                ended.append(event)

    opened = replace(OPEN_FIRST, do_not_call=do_not_call)
    at, timed = hours(44), []
    for build, gap in plan:
        at += timedelta(hours=gap)
        timed.append(build(at))
    result = run_commands(callback, [opened, *timed], invariant)
    if do_not_call:
        assert [type(e) for e in result.history] == [ev.CallbackSkipped]
    label(f"ended {type(ended[0]).__name__ if ended else 'open'}")
