"""Properties of the Complaint (issue 6): whatever people and timers ask, in whatever order and at
whatever pace, after every step (docs/domain.md §7, seed 004)

- no step is skipped: each of the 7 is entered only from the one before it (or, after a decision
  the customer did not agree to or an unsatisfied follow-up, from the step it goes back to);
- a complaint closes only on a follow-up at which the customer said they were satisfied (step 7),
  after a remedy was carried out (step 6), in the same decision, and every satisfied follow-up
  closes it; nothing is recorded on it afterwards, and the report tells what happened;
- a serious complaint (accident, injury, safety) is escalated to the service manager at once: in
  the decision that opens it, at the time of receipt; only a receipt makes a complaint serious,
  and a serious complaint stays a complaint (24-hour SLA) whatever reclassification is asked;
- the SLA deadline follows the class: 24 hours from receipt for a complaint, the end of the 3rd
  working day after the local date of receipt for a general grievance, counted again from receipt
  at every reclassification;
- the SLA timer breaches a complaint only past its deadline and before any remedy was carried out
  (the event's contract), at most once per deadline, always with an escalation; a timer past the
  deadline of a complaint still waiting for its remedy does breach it.

The expected deadlines are a hand-made table, not `sla.resolve_by`; the rest is kept from the
events alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from domain_helpers import CALENDAR, LISTEN, RECEIVE, SHANGHAI, act, confirm, decide, explain, follow_up, manager
from hypothesis import event as label
from hypothesis import given
from hypothesis import strategies as st

from complaints.domain.commands import ComplaintCommand, ReclassifyComplaint, RecordFollowUpOverdue, RecordSlaBreach
from complaints.domain.complaint import complaint
from complaints.domain.state import BEFORE_REDO, Complaint
from events.catalog import complaints as ev
from events.catalog.complaints_values import KINDS, REDO_STEPS
from events.contract import Event
from events.testing.properties import PROPERTY, run_commands


def _local(day: int, hour: int, minute: int = 0, month: int = 5) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=SHANGHAI)


# When the complaint is received, and the end of the 3rd working day after that local date, by
# hand on the shared calendar (Monday to Friday, Labour Day 1 May off, Asia/Shanghai).
GRIEVANCE_DUE: dict[datetime, datetime] = {
    _local(6, 10): _local(10, 0),  # Monday: Tue, Wed, Thu
    _local(30, 16, month=4): _local(7, 0),  # Tuesday 30 April: Labour Day off; Thu 2, Fri 3, Mon 6
    _local(3, 23, 30): _local(9, 0),  # Friday night: Mon, Tue, Wed
    _local(4, 9): _local(9, 0),  # Saturday: Mon, Tue, Wed
    datetime(2024, 5, 6, 23, 30, tzinfo=UTC): _local(11, 0),  # Tuesday 07:30 in Shanghai: Wed, Thu, Fri
}


def expected_deadline(kind: str, received_at: datetime) -> datetime:
    return received_at + timedelta(hours=24) if kind == "complaint" else GRIEVANCE_DUE[received_at]


# A command given the time it is asked at and the complaint as it stands (for the timer that
# fires exactly at the deadline in force).
Build = Callable[[datetime, Complaint], ComplaintCommand]


def _received(kind: str, serious: tuple[str, ...]) -> Callable[[datetime], Build]:
    """A receipt: always dated at the run's time of receipt (the deadline table's key)."""
    return lambda received_at: (
        lambda t, s: replace(RECEIVE, kind=kind, serious_reasons=serious, received_at=received_at)
    )


def _listened(words: str) -> Build:
    return lambda t, s: replace(LISTEN, restated_words=words, listened_at=t)


def _confirmed() -> Build:
    return lambda t, s: replace(confirm(), confirmed_at=t)


def _decided(cost: int, approved: bool) -> Build:
    authorised = manager() if approved else None
    return lambda t, s: decide(cost=cost, decided_at=t, remedy_due=t + timedelta(hours=2), authorised_by=authorised)


def _explained(agreed: bool) -> Build:
    return lambda t, s: replace(explain(agreed=agreed, response="too little"), explained_at=t)


def _acted() -> Build:
    return lambda t, s: replace(act(), acted_at=t)


def _followed_up(satisfied: bool, back_to: str | None, summary: bool = True) -> Build:
    def build(t: datetime, s: Complaint) -> ComplaintCommand:
        command = replace(follow_up(satisfied, back_to), followed_up_at=t)
        return command if summary else replace(command, report_summary=" ")

    return build


def _reclassified(kind: str) -> Build:
    return lambda t, s: ReclassifyComplaint(kind, "new facts", "cs-1", t, CALENDAR)


def _timer_now() -> Build:
    return lambda t, s: RecordSlaBreach(t)


def _timer_at_deadline() -> Build:
    """The durable timer, fired at the deadline in force once it has passed."""
    return lambda t, s: RecordSlaBreach(s.resolve_by if s.resolve_by and s.resolve_by <= t else t)


def _follow_up_timer() -> Build:
    return lambda t, s: RecordFollowUpOverdue(t)


# "The step the complaint waits for, done properly" (a happy customer) or "done, but the customer
# is not happy" (the decision not agreed, the follow-up not satisfied): without them random runs
# seldom get past the first steps.
_HAPPY_NEXT: dict[str, Build] = {
    "received": _listened("You waited three hours."),
    "listened": _confirmed(),
    "facts_confirmed": _decided(20_000, approved=False),
    "decided": _explained(agreed=True),
    "explained": _acted(),
    "acted": _followed_up(satisfied=True, back_to=None),
}
_UNHAPPY_NEXT: dict[str, Build] = _HAPPY_NEXT | {
    "decided": _explained(agreed=False),
    "acted": _followed_up(satisfied=False, back_to="act"),
}
HAPPY, UNHAPPY = "next", "next, unhappy"

_ANY: st.SearchStrategy[Build] = st.one_of(
    st.builds(_listened, st.sampled_from(["", "You waited three hours."])),
    st.just(_confirmed()),
    st.builds(_decided, st.sampled_from([0, 20_000, 80_000]), st.booleans()),
    st.builds(_explained, st.booleans()),
    st.just(_acted()),
    st.builds(_followed_up, st.booleans(), st.sampled_from([None, *REDO_STEPS]), st.booleans()),
    st.builds(_reclassified, st.sampled_from(KINDS)),
    st.builds(_reclassified, st.sampled_from(KINDS)),
    st.just(_timer_now()),
    st.just(_timer_at_deadline()),
    st.just(_follow_up_timer()),
)
# Half the time the next step (mostly with a happy customer), half the time anything at all.
_STEPS: st.SearchStrategy[Build | str] = st.one_of(st.sampled_from([HAPPY, HAPPY, UNHAPPY]), _ANY)
# Minutes between one command and the next: a run spans hours or days, so that both deadlines pass.
_GAPS = st.sampled_from([5, 30, 90, 240, 600, 1440])


@dataclass(frozen=True)
class Step:
    build: Build | str
    at: datetime


@dataclass
class Books:
    """The complaint as docs/domain.md §7 and seed 004 describe it, from the events alone."""

    received_at: datetime | None = None
    kind: str = ""
    serious: bool = False
    step: str = ""
    resolve_by: datetime | None = None
    first_acted_at: datetime | None = None  # step 6 done at least once: the SLA clock stopped
    breached: set[datetime] = field(default_factory=set)
    escalated: bool = False
    closed: bool = False
    sent: list[ComplaintCommand] = field(default_factory=list)

    def command(self, step: Step, state: Complaint) -> ComplaintCommand:
        build = step.build
        if build in (HAPPY, UNHAPPY):
            build = (_HAPPY_NEXT if build == HAPPY else _UNHAPPY_NEXT).get(state.step, _timer_now())
        assert not isinstance(build, str)
        command = build(step.at, state)
        self.sent.append(command)
        return command

    def check(self, history: Sequence[Event], decided: Sequence[Event], state: Complaint) -> None:
        assert not self.closed or not decided, f"{[type(e).__name__ for e in decided]} after closing"
        self._timer_kept_its_promise(decided)
        for index, event in enumerate(decided):
            self._advance(event, decided[index - 1] if index else None, decided[index + 1 :])
        if self.received_at is not None:
            assert self.resolve_by == expected_deadline(self.kind, self.received_at), "deadline not the class's"
            assert (state.kind, state.resolve_by, state.escalated) == (self.kind, self.resolve_by, self.escalated)
            assert bool(state.serious_reasons) == self.serious, "serious or not, but not from the receipt"
            assert state.step == self.step, "the complaint's step is not the one its events lead to"
        if self.serious:
            assert self.kind == "complaint", "a serious complaint became a general grievance"

    def _timer_kept_its_promise(self, decided: Sequence[Event]) -> None:
        """A timer past the deadline in force breaches a complaint still waiting for its remedy,
        unless that deadline was breached already (`books` is still the state before `decided`)."""
        command = self.sent[-1]
        if not isinstance(command, RecordSlaBreach) or self.resolve_by is None:
            return
        due = command.at >= self.resolve_by and self.first_acted_at is None and self.resolve_by not in self.breached
        breached = any(isinstance(e, ev.ComplaintSlaBreached) for e in decided)
        assert breached == due, f"the timer at {command.at} {'missed' if due else 'made'} a breach"

    def _advance(self, event: Event, before: Event | None, after: Sequence[Event]) -> None:
        match event:
            case ev.ComplaintOpened():
                assert self.received_at is None, "opened twice"
                self.received_at, self.kind, self.step = event.received_at, event.kind, "received"
                self.resolve_by, self.serious = event.resolve_by, bool(event.serious_reasons)
                if self.serious:
                    assert event.kind == "complaint", "a serious matter opened as a general grievance"
                    escalation = next(iter(after), None)
                    assert isinstance(escalation, ev.ComplaintEscalated), "a serious complaint not escalated"
                    assert (escalation.reason, escalation.to_role) == ("serious", "service_manager")
                    assert escalation.escalated_at == event.received_at, "a serious complaint escalated late"
                else:
                    assert not after, "a plain complaint opened with more than its opening"
            case ev.ComplaintEscalated():
                if event.reason == "serious":
                    assert isinstance(before, ev.ComplaintOpened), "escalated as serious, but not at once"
                    assert before.serious_reasons, "escalated as serious, but it is not"
                else:
                    assert event.reason == "sla_breach"
                    assert isinstance(before, ev.ComplaintSlaBreached), "escalated for a breach not recorded"
                    assert event.escalated_at == before.breached_at
                self.escalated = True
            case ev.ComplaintReclassified():
                assert event.previous_kind == self.kind != event.kind, "a reclassification that changes no class"
                self.kind, self.resolve_by = event.kind, event.resolve_by
            case ev.ComplaintSlaBreached():
                assert self.resolve_by is not None
                assert event.resolve_by == self.resolve_by, "breached a deadline not in force"
                assert event.breached_at >= self.resolve_by, "breached before the deadline"
                assert self.first_acted_at is None, "breached after a remedy was carried out"
                assert self.resolve_by not in self.breached, f"the deadline {self.resolve_by} breached twice"
                assert (event.kind, event.step) == (self.kind, self.step)
                assert isinstance(next(iter(after), None), ev.ComplaintEscalated), "a breach nobody was told of"
                self.breached.add(self.resolve_by)
            case ev.ComplaintActionTaken():
                assert self.step == "explained", f"a remedy carried out at step {self.step!r}"
                self.step, self.first_acted_at = "acted", self.first_acted_at or event.acted_at
            case ev.ComplaintFollowedUp():
                assert self.step == "acted"
                if event.satisfied:
                    assert isinstance(next(iter(after), None), ev.ComplaintClosed), "a satisfied customer, not closed"
                    self.step = "followed_up"
                else:
                    assert not after, "an unhappy customer's complaint went on in the same decision"
                    assert event.back_to is not None
                    self.step = BEFORE_REDO[event.back_to]
            case ev.ComplaintClosed():
                self._closed(event, before)
            case ev.ComplaintListened():
                assert self.step == "received", f"listened to at step {self.step!r}"
                self.step = "listened"
            case ev.ComplaintFactsConfirmed():
                assert self.step == "listened", f"facts confirmed at step {self.step!r}"
                self.step = "facts_confirmed"
            case ev.ComplaintDecisionMade():
                assert self.step == "facts_confirmed", f"decided at step {self.step!r}"
                self.step = "decided"
            case ev.ComplaintDecisionExplained():
                assert self.step == "decided", f"explained at step {self.step!r}"
                self.step = "explained" if event.agreed else "listened"

    def _closed(self, event: ev.ComplaintClosed, before: Event | None) -> None:
        assert isinstance(before, ev.ComplaintFollowedUp), "closed without a follow-up"
        assert before.satisfied, "closed without a satisfied customer"
        assert self.step == "followed_up", "closed out of step"
        assert self.first_acted_at is not None, "closed before the remedy"
        report = event.report
        assert (report.kind, report.resolve_by, report.received_at) == (self.kind, self.resolve_by, self.received_at)
        assert report.resolved_at == self.first_acted_at
        assert report.within_sla == (self.first_acted_at <= report.resolve_by)
        assert (report.sla_breached, report.escalated) == (bool(self.breached), self.escalated)
        assert bool(report.serious_reasons) == self.serious
        self.step, self.closed = "closed", True


@PROPERTY
@given(
    st.sampled_from(sorted(GRIEVANCE_DUE)),
    st.sampled_from(KINDS),
    st.sampled_from([(), (), ("safety",), ("accident", "injury")]),
    st.lists(st.tuples(_STEPS, _GAPS), min_size=15, max_size=45),
)
def test_complaints_close_on_satisfaction_escalate_serious_ones_and_keep_the_deadline_of_their_class(
    received_at: datetime, kind: str, serious: tuple[str, ...], plan: list[tuple[Build | str, int]]
) -> None:
    books = Books()
    receipt = _received(kind, serious)(received_at)
    # A serious matter received as a grievance is refused; the receipt as a complaint comes next.
    steps = [Step(receipt, received_at), Step(_received("complaint", serious)(received_at), received_at)]
    at = received_at
    for build, gap in plan:
        at += timedelta(minutes=gap)
        steps.append(Step(build, at))
    outcome = run_commands(complaint, steps, books.check, build=books.command)
    label(f"reached {books.step}")
    label(f"breaches: {len(books.breached)}")
    label(f"reclassified: {bool(outcome.recorded(ev.ComplaintReclassified))}")
