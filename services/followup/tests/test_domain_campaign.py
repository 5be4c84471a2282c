"""Campaigns (seed 002 §3.6): phone two weeks ahead, letter within 2 days of the call;
do-not-call customers get the letter only; a refusal stops the letter; reached customers who
want to come, and every reached recall customer, become appointment proposals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from domain_helpers import CAR, FILE, USER, given_campaign

from events.catalog import followup_campaigns as ev
from events.catalog import followup_files
from events.catalog.followup_values import CampaignTarget
from events.catalog.reception_values import Contact
from events.rules import InvalidCode, MissingInformation
from followup.domain import errors
from followup.domain.campaign import stream_id
from followup.domain.commands import PlanCampaign, RecordCampaignCall, RecordCampaignLetter
from followup.domain.ids import proposal_id_for

CAMPAIGN = uuid4()
QUIET = uuid4()
PLANNED_AT = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
STARTS = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
PHONE_BY = STARTS - timedelta(days=14)
TARGETS = (
    CampaignTarget(file_id=FILE, contact=USER, vehicle=CAR),
    CampaignTarget(file_id=QUIET, contact=Contact(name="赵女士", phone="13900000003"), vehicle=CAR, do_not_call=True),
)


def planned(kind: str = "free_service") -> ev.CampaignPlanned:
    return ev.CampaignPlanned(
        campaign_id=CAMPAIGN,
        kind=kind,
        title="免费检测周",
        starts_at=STARTS,
        phone_by=PHONE_BY,
        targets=TARGETS,
        planned_by="cs-lead",
        planned_at=PLANNED_AT,
    )


def day(n: float) -> datetime:
    return PLANNED_AT + timedelta(days=n)


def test_a_campaign_is_planned_once_with_its_phone_deadline_two_weeks_ahead() -> None:
    assert stream_id(CAMPAIGN) == f"campaign-{CAMPAIGN}"
    command = PlanCampaign(
        CAMPAIGN, "free_service", "免费检测周", STARTS, (*TARGETS, TARGETS[0]), "cs-lead", PLANNED_AT
    )
    given_campaign().when(command).then(planned())
    given_campaign(planned()).when(command).then_refused(errors.CampaignAlreadyPlanned)
    given_campaign().when(PlanCampaign(CAMPAIGN, "party", "x", STARTS, TARGETS, "l", PLANNED_AT)).then_refused(
        InvalidCode
    )
    given_campaign().when(PlanCampaign(CAMPAIGN, "promotion", "x", STARTS, (), "l", PLANNED_AT)).then_refused(
        MissingInformation
    )
    given_campaign().when(PlanCampaign(CAMPAIGN, "promotion", "x", PLANNED_AT, TARGETS, "l", STARTS)).then_refused(
        errors.TimeOutOfOrder
    )


def test_a_phone_notice_in_time_makes_the_letter_due_within_two_days() -> None:
    call = ev.CampaignCallLogged(
        campaign_id=CAMPAIGN,
        file_id=FILE,
        outcome="reached",
        agent="cs-1",
        on_time=True,
        letter_due_by=day(3),
        called_at=day(1),
    )
    state = given_campaign(planned()).when(RecordCampaignCall(FILE, "reached", "cs-1", day(1))).then(call)
    assert state.letter_due[FILE] == day(3)
    letter = RecordCampaignLetter(FILE, "notice", "cs-1", day(2))
    on_time = ev.CampaignLetterLogged(
        campaign_id=CAMPAIGN, file_id=FILE, letter_kind="notice", sent_by="cs-1", on_time=True, sent_at=day(2)
    )
    given_campaign(planned(), call).when(letter).then(on_time)
    late = given_campaign(planned(), call).when(RecordCampaignLetter(FILE, "notice", "cs-1", day(4))).decided()
    assert isinstance(late[0], ev.CampaignLetterLogged)
    assert not late[0].on_time


def test_a_call_later_than_two_weeks_ahead_is_logged_as_late() -> None:
    events = (
        given_campaign(planned())
        .when(RecordCampaignCall(FILE, "unreachable", "cs-1", PHONE_BY + timedelta(hours=1)))
        .decided()
    )
    assert isinstance(events[0], ev.CampaignCallLogged)
    assert not events[0].on_time


def test_do_not_call_customers_are_not_called_but_written_to() -> None:
    given_campaign(planned()).when(RecordCampaignCall(QUIET, "reached", "cs-1", day(1))).then_refused(errors.DoNotCall)
    events = given_campaign(planned()).when(RecordCampaignLetter(QUIET, "notice", "cs-1", day(5))).decided()
    assert isinstance(events[0], ev.CampaignLetterLogged)
    assert events[0].on_time  # by phone_by + 2 days


def test_a_refusal_stops_the_letter_and_further_calls() -> None:
    refused = ev.CampaignCallLogged(
        campaign_id=CAMPAIGN, file_id=FILE, outcome="refused", agent="cs-1", on_time=True, called_at=day(1)
    )
    given_campaign(planned()).when(RecordCampaignCall(FILE, "refused", "cs-1", day(1))).then(refused)
    given_campaign(planned(), refused).when(RecordCampaignLetter(FILE, "notice", "cs-1", day(2))).then_refused(
        errors.CampaignRefused
    )
    given_campaign(planned(), refused).when(RecordCampaignCall(FILE, "reached", "cs-1", day(2))).then_refused(
        errors.CampaignRefused
    )


def test_only_the_campaigns_customers_and_a_planned_campaign() -> None:
    given_campaign(planned()).when(RecordCampaignCall(uuid4(), "reached", "cs-1", day(1))).then_refused(
        errors.NotACampaignTarget
    )
    given_campaign().when(RecordCampaignCall(FILE, "reached", "cs-1", day(1))).then_refused(errors.NoCampaign)


def test_a_customer_who_wants_to_come_becomes_an_appointment_proposal_once() -> None:
    command = RecordCampaignCall(FILE, "reached", "cs-1", day(1), wants_appointment=True)
    events = given_campaign(planned()).when(command).decided()
    proposal = events[-1]
    assert isinstance(proposal, followup_files.AppointmentProposed)
    assert (proposal.reason, proposal.campaign_id, proposal.suggested_date) == ("campaign", CAMPAIGN, STARTS.date())
    assert proposal.proposal_id == proposal_id_for(FILE, "campaign", CAMPAIGN)
    again = given_campaign(planned(), *events).when(command).decided()
    assert [type(e) for e in again] == [ev.CampaignCallLogged]
    not_interested = given_campaign(planned()).when(RecordCampaignCall(FILE, "reached", "cs-1", day(1))).decided()
    assert [type(e) for e in not_interested] == [ev.CampaignCallLogged]


def test_every_reached_recall_customer_is_proposed_as_a_recall() -> None:
    events = given_campaign(planned("recall")).when(RecordCampaignCall(FILE, "reached", "cs-1", day(1))).decided()
    proposal = events[-1]
    assert isinstance(proposal, followup_files.AppointmentProposed)
    assert proposal.reason == "recall"
