"""Properties of the Campaign (issue 6): whatever the agents call and write, to whom, in any
order and at any time, after every step (docs/domain.md §6 "campaigns and events: notify customers
2 weeks ahead by phone, then by letter within 2 days"; seed 002 §3.6)

- only the campaign's customers are called or written to, and only once it is planned; a
  do-not-call customer is never called (the letter only);
- a customer who refused on the phone gets nothing more, neither a call nor a letter; a refusal
  makes no letter due, any other call makes it due 2 days later;
- the on-time marks are right: a call by two weeks before the start, a letter within 2 days of
  the customer's last call (never called: of the phone deadline);
- a reached customer who wants to come, and every reached customer of a recall, becomes an
  appointment proposal for the campaign's start, once per customer and never otherwise.

The expectations are kept from the events and a table of the campaign, not read from the state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from domain_helpers import CAR, FILE, USER
from hypothesis import event as label
from hypothesis import given
from hypothesis import strategies as st

from events.catalog import followup_campaigns as ev
from events.catalog import followup_files
from events.catalog.followup_values import CAMPAIGN_KINDS, CampaignTarget
from events.catalog.reception_values import Contact
from events.contract import Event
from events.testing.properties import PROPERTY, run_commands
from followup.domain.campaign import Campaign, campaign
from followup.domain.commands import CampaignCommand, PlanCampaign, RecordCampaignCall, RecordCampaignLetter

CAMPAIGN = uuid4()
QUIET, OTHER, STRANGER = uuid4(), uuid4(), uuid4()
PLANNED_AT = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
STARTS = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
PHONE_BY = datetime(2024, 6, 17, 9, 0, tzinfo=UTC)  # two weeks before the start
TARGETS = (
    CampaignTarget(file_id=FILE, contact=USER, vehicle=CAR),
    CampaignTarget(file_id=QUIET, contact=Contact(name="赵女士", phone="13900000003"), vehicle=CAR, do_not_call=True),
    CampaignTarget(file_id=OTHER, contact=Contact(name="钱先生", phone="13900000004"), vehicle=CAR),
)
BY_FILE = {target.file_id: target for target in TARGETS}
customers = st.sampled_from([FILE, FILE, FILE, OTHER, OTHER, OTHER, QUIET, STRANGER])

# A command given the time it is asked at.
Build = Callable[[datetime], CampaignCommand]


def _planned(kind: str) -> Build:
    return lambda t: PlanCampaign(CAMPAIGN, kind, "免费检测周", STARTS, (*TARGETS, TARGETS[0]), "cs-lead", t)


def _called(file_id: UUID, outcome: str, wants: bool) -> Build:
    return lambda t: RecordCampaignCall(file_id, outcome, "cs-1", t, wants_appointment=wants)


def _written(file_id: UUID, kind: str) -> Build:
    return lambda t: RecordCampaignLetter(file_id, kind, "cs-1", t)


commands: st.SearchStrategy[Build] = st.one_of(
    st.builds(_planned, st.sampled_from(CAMPAIGN_KINDS)),
    *[
        st.builds(
            _called,
            customers,
            st.sampled_from(["reached", "reached", "unreachable", "refused", "busy"]),
            st.booleans(),
        )
    ]
    * 3,
    *[st.builds(_written, customers, st.sampled_from(["notice", "invitation", "flyer"]))] * 2,
)
# Hours between one command and the next: a run spans the weeks before and after the phone deadline.
gaps = st.sampled_from([1, 6, 24, 36, 72])


@dataclass
class Books:
    kind: str | None = None
    last_call: dict[UUID, ev.CampaignCallLogged] = field(default_factory=dict)
    refused: set[UUID] = field(default_factory=set)
    proposed: set[UUID] = field(default_factory=set)
    sent: list[CampaignCommand] = field(default_factory=list)

    def command(self, step: CampaignCommand, state: Campaign) -> CampaignCommand:
        """Remembers the command, for the check after it."""
        self.sent.append(step)
        return step

    def check(self, history: Sequence[Event], decided: Sequence[Event], state: Campaign) -> None:
        command = self.sent[-1]
        proposed_before = isinstance(command, RecordCampaignCall) and command.file_id in self.proposed
        for index, event in enumerate(decided):
            match event:
                case ev.CampaignPlanned():
                    assert self.kind is None, "planned twice"
                    assert event.phone_by == PHONE_BY, "the phone deadline is not two weeks before the start"
                    assert sorted(t.file_id for t in event.targets) == sorted(BY_FILE), "a customer lost or twice"
                    self.kind = event.kind
                case ev.CampaignCallLogged():
                    self._called(event)
                case ev.CampaignLetterLogged():
                    self._written(event)
                case followup_files.AppointmentProposed():
                    self._proposed(event, decided[index - 1] if index else None, command)
        if isinstance(command, RecordCampaignCall) and decided:
            wanted = command.outcome == "reached" and (command.wants_appointment or self.kind == "recall")
            proposed = any(isinstance(e, followup_files.AppointmentProposed) for e in decided)
            assert proposed == (wanted and not proposed_before), "a proposal missed"

    def _target(self, file_id: UUID) -> CampaignTarget:
        assert self.kind is not None, "a customer notified of a campaign never planned"
        assert file_id in BY_FILE, "a customer not on the campaign's list notified"
        assert file_id not in self.refused, "a customer who refused was notified again"
        return BY_FILE[file_id]

    def _called(self, event: ev.CampaignCallLogged) -> None:
        target = self._target(event.file_id)
        assert not target.do_not_call, "a do-not-call customer was called"
        assert event.on_time == (event.called_at <= PHONE_BY), "the call's on-time mark is wrong"
        if event.outcome == "refused":
            assert event.letter_due_by is None, "a letter due to a customer who refused"
            self.refused.add(event.file_id)
        else:
            assert event.letter_due_by == event.called_at + timedelta(days=2), "the letter is not due in 2 days"
        self.last_call[event.file_id] = event

    def _written(self, event: ev.CampaignLetterLogged) -> None:
        self._target(event.file_id)
        call = self.last_call.get(event.file_id)
        due = call.letter_due_by if call is not None else PHONE_BY + timedelta(days=2)
        assert due is not None
        assert event.on_time == (event.sent_at <= due), "the letter's on-time mark is wrong"

    def _proposed(
        self, event: followup_files.AppointmentProposed, before: Event | None, command: CampaignCommand
    ) -> None:
        assert isinstance(before, ev.CampaignCallLogged), "a proposal without the call"
        assert before.outcome == "reached", "a proposal for a customer not reached"
        assert isinstance(command, RecordCampaignCall)
        assert command.wants_appointment or self.kind == "recall", "a proposal nobody asked for"
        assert event.file_id == before.file_id not in self.proposed, "a customer proposed twice"
        target = BY_FILE[event.file_id]
        assert (event.contact, event.vehicle, event.campaign_id) == (target.contact, target.vehicle, CAMPAIGN)
        assert event.reason == ("recall" if self.kind == "recall" else "campaign")
        assert event.suggested_date == STARTS.date(), "not proposed for the campaign's start"
        self.proposed.add(event.file_id)


@PROPERTY
@given(
    st.sampled_from(CAMPAIGN_KINDS),
    st.sampled_from([True, True, True, False]),
    st.lists(st.tuples(commands, gaps), min_size=8, max_size=30),
)
def test_a_campaign_notifies_its_customers_by_phone_then_letter_and_proposes_those_who_come(
    kind: str, planned_first: bool, plan: list[tuple[Build, int]]
) -> None:
    books = Books()
    at, steps = PLANNED_AT, [_planned(kind)(PLANNED_AT)] if planned_first else []
    for build, gap in plan:
        at += timedelta(hours=gap)
        steps.append(build(at))
    outcome = run_commands(campaign, steps, books.check, build=books.command)
    label(f"calls: {min(len(outcome.recorded(ev.CampaignCallLogged)), 5)}")
    label(f"proposals: {len(books.proposed)}")
    label(f"refused: {len(books.refused)}")
