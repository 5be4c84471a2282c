"""Property: whatever people and timers ask, in whatever order, a complaint never reaches a
later step without passing every earlier one (docs/domain.md §7: no step is skipped)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from domain_helpers import (
    CALENDAR,
    LISTEN,
    RECEIVE,
    T0,
    act,
    confirm,
    decide,
    explain,
    follow_up,
    manager,
)
from hypothesis import event as count_as
from hypothesis import given as for_all
from hypothesis import settings
from hypothesis import strategies as st

from complaints.domain.commands import ComplaintCommand, ReclassifyComplaint, RecordSlaBreach
from complaints.domain.complaint import complaint
from complaints.domain.state import BEFORE_REDO
from events.catalog import complaints as ev
from events.catalog.complaints_values import KINDS, REDO_STEPS
from events.contract import Event
from events.decider import fold
from events.errors import DomainError

# A command dated `at`: every generated command comes 40 minutes after the one before, so a
# run of 40 commands spans a day and the 24-hour SLA timer can fire in between.
Build = Callable[[datetime], ComplaintCommand]


def _received(kind: str, serious: tuple[str, ...]) -> Build:
    return lambda t: replace(RECEIVE, kind=kind, serious_reasons=serious, received_at=t)


def _listened(words: str) -> Build:
    return lambda t: replace(LISTEN, restated_words=words, listened_at=t)


def _decided(cost: int, approved: bool) -> Build:
    authorised = manager() if approved else None
    return lambda t: decide(cost=cost, decided_at=t, remedy_due=t + timedelta(hours=2), authorised_by=authorised)


def _explained(agreed: bool) -> Build:
    return lambda t: replace(explain(agreed=agreed, response="too little"), explained_at=t)


def _followed_up(satisfied: bool, back_to: str | None) -> Build:
    return lambda t: replace(follow_up(satisfied, back_to), followed_up_at=t)


def _reclassified(kind: str) -> Build:
    return lambda t: ReclassifyComplaint(kind, "new facts", "cs-1", t, CALENDAR)


# "The step the complaint waits for, done properly": without it random runs seldom get far.
_PROPER_NEXT: dict[str, Build] = {
    "": _received("complaint", ()),
    "received": _listened("You waited three hours."),
    "listened": lambda t: replace(confirm(), confirmed_at=t),
    "facts_confirmed": _decided(20_000, approved=False),
    "decided": _explained(agreed=True),
    "explained": lambda t: replace(act(), acted_at=t),
    "acted": _followed_up(satisfied=True, back_to=None),
}
NEXT = "next"

_ANY_COMMAND: st.SearchStrategy[Build] = st.one_of(
    st.builds(_received, st.sampled_from(KINDS), st.sampled_from([(), ("safety",)])),
    st.builds(_listened, st.sampled_from(["", "You waited three hours."])),
    st.just(lambda t: replace(confirm(), confirmed_at=t)),
    st.builds(_decided, st.sampled_from([0, 20_000, 80_000]), st.booleans()),
    st.builds(_explained, st.booleans()),
    st.just(lambda t: replace(act(), acted_at=t)),
    st.builds(_followed_up, st.booleans(), st.sampled_from([None, *REDO_STEPS])),
    st.builds(_reclassified, st.sampled_from(KINDS)),
    st.just(RecordSlaBreach),
)
# Half the time the proper next step, half the time anything at all.
_COMMANDS: st.SearchStrategy[Build | str] = st.one_of(st.just(NEXT), _ANY_COMMAND)

# The 7 steps as an independent table: the event, the step it needs, the step it leads to.
_STEP_EVENTS: dict[type[Event], tuple[str, str]] = {
    ev.ComplaintListened: ("received", "listened"),
    ev.ComplaintFactsConfirmed: ("listened", "facts_confirmed"),
    ev.ComplaintDecisionMade: ("facts_confirmed", "decided"),
    ev.ComplaintActionTaken: ("explained", "acted"),
    ev.ComplaintClosed: ("followed_up", "closed"),
}


def _walk(events: list[Event]) -> str:
    """Replays the history against the table above and returns the step reached; fails on a
    step entered from anywhere but the step before it."""
    step = ""
    for event in events:
        if isinstance(event, ev.ComplaintOpened):
            assert step == "", "a complaint is opened once"
            step = "received"
        elif type(event) in _STEP_EVENTS:
            needs, leads_to = _STEP_EVENTS[type(event)]
            assert step == needs, f"{type(event).__name__} after step {step!r}, not {needs!r}"
            step = leads_to
        elif isinstance(event, ev.ComplaintDecisionExplained):
            assert step == "decided"
            step = "explained" if event.agreed else "listened"
        elif isinstance(event, ev.ComplaintFollowedUp):
            assert step == "acted"
            step = "followed_up" if event.back_to is None else BEFORE_REDO[event.back_to]
        elif isinstance(event, ev.ComplaintSlaBreached):
            assert step in ("received", "listened", "facts_confirmed", "decided", "explained")
        else:
            assert step not in ("", "closed"), f"{type(event).__name__} outside an open complaint"
    return step


@settings(max_examples=200, deadline=None)
@for_all(st.lists(_COMMANDS, min_size=15, max_size=40))
def test_no_command_sequence_skips_a_step(builds: list[Build | str]) -> None:
    history: list[Event] = []
    state = complaint.initial_state
    for index, build in enumerate(builds):
        if build == NEXT:
            build = _PROPER_NEXT.get(state.step, RecordSlaBreach)
        assert not isinstance(build, str)
        try:
            decided = complaint.decide(state, build(T0 + timedelta(minutes=40 * index)))
        except DomainError:
            continue  # a refusal records nothing
        history += decided
        state = fold(complaint, decided, state)
    reached = _walk(history)
    assert reached == fold(complaint, history).step
    count_as(f"reached {reached or 'nothing'}")  # --hypothesis-show-statistics: how far the runs get
    if any(isinstance(e, ev.ComplaintClosed) for e in history):
        kinds = {type(e) for e in history}
        assert {ev.ComplaintListened, ev.ComplaintFactsConfirmed, ev.ComplaintDecisionMade} <= kinds
        assert {ev.ComplaintDecisionExplained, ev.ComplaintActionTaken, ev.ComplaintFollowedUp} <= kinds
