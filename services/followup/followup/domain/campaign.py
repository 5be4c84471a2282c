"""Campaign, stream `campaign-<campaign_id>`: a social event, promotion, free service or recall
announced to a list of customers (seed 002 §3.6: "提前兩周電話通知客戶,然後…在兩天內將通知函
發送給客戶").

Each customer is called by `phone_by` (two weeks before the start), then written to within 2
days of the call. Do-not-call customers are never called: they get the letter only, by
`phone_by` + 2 days. A customer who refuses on the phone gets no letter. A reached customer who
wants to come (or any reached recall customer) becomes an appointment proposal for booking.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from uuid import UUID

from events.catalog import followup_campaigns as ev
from events.catalog import followup_files
from events.catalog.followup_values import (
    CAMPAIGN_CALL_OUTCOMES,
    CAMPAIGN_KINDS,
    LETTER_KINDS,
    REACHED,
    REFUSED,
    CampaignTarget,
)
from events.contract import Event
from events.decider import Decider
from events.rules import MissingInformation, require_code, require_text
from followup.domain import errors
from followup.domain.commands import CampaignCommand, PlanCampaign, RecordCampaignCall, RecordCampaignLetter
from followup.domain.reminders import campaign_proposal
from followup.domain.schedule import CAMPAIGN_PHONE_AHEAD, campaign_phone_by, letter_due_by

RECALL = "recall"


def stream_id(campaign_id: UUID) -> str:
    return f"campaign-{campaign_id}"


@dataclass(frozen=True)
class Campaign:
    campaign_id: UUID | None = None
    kind: str = ""
    starts_at: datetime | None = None
    phone_by: datetime | None = None
    targets: Mapping[UUID, CampaignTarget] = field(default_factory=lambda: MappingProxyType({}))
    letter_due: Mapping[UUID, datetime] = field(default_factory=lambda: MappingProxyType({}))
    refused: frozenset[UUID] = frozenset()
    letters_sent: frozenset[UUID] = frozenset()
    proposals: frozenset[UUID] = frozenset()


INITIAL = Campaign()


def evolve(state: Campaign, event: Event) -> Campaign:
    match event:
        case ev.CampaignPlanned():
            return replace(
                state,
                campaign_id=event.campaign_id,
                kind=event.kind,
                starts_at=event.starts_at,
                phone_by=event.phone_by,
                targets=MappingProxyType({t.file_id: t for t in event.targets}),
            )
        case ev.CampaignCallLogged():
            if event.letter_due_by is None:
                return replace(state, refused=state.refused | {event.file_id})
            return replace(state, letter_due=MappingProxyType({**state.letter_due, event.file_id: event.letter_due_by}))
        case ev.CampaignLetterLogged():
            return replace(state, letters_sent=state.letters_sent | {event.file_id})
        case followup_files.AppointmentProposed():
            return replace(state, proposals=state.proposals | {event.proposal_id})
    return state


def plan(state: Campaign, command: PlanCampaign) -> Sequence[Event]:
    if state.campaign_id is not None:
        raise errors.CampaignAlreadyPlanned("this campaign is already planned")
    if not command.targets:
        raise MissingInformation("a campaign names the customers it notifies")
    if command.starts_at <= command.planned_at:
        raise errors.TimeOutOfOrder("a campaign is planned before it starts")
    override = command.override_reason.strip()
    if command.starts_at - command.planned_at < CAMPAIGN_PHONE_AHEAD and not override:
        raise errors.CampaignNoticeTooShort(
            "customers are phoned two weeks before a campaign starts: start it later, or a service manager "
            "overrides with a reason"
        )
    targets = tuple({t.file_id: t for t in command.targets}.values())  # each customer once
    return [
        ev.CampaignPlanned(
            campaign_id=command.campaign_id,
            kind=require_code(command.kind, CAMPAIGN_KINDS, "campaign kind"),
            title=require_text(command.title, "the campaign's title"),
            starts_at=command.starts_at,
            phone_by=campaign_phone_by(command.starts_at),
            targets=targets,
            planned_by=command.planned_by,
            planned_at=command.planned_at,
            notice_override=override if command.starts_at - command.planned_at < CAMPAIGN_PHONE_AHEAD else "",
        )
    ]


def _target(state: Campaign, file_id: UUID) -> tuple[UUID, CampaignTarget]:
    if state.campaign_id is None:
        raise errors.NoCampaign("this campaign was never planned")
    target = state.targets.get(file_id)
    if target is None:
        raise errors.NotACampaignTarget(f"customer file {file_id} is not on this campaign's list")
    if file_id in state.refused:
        raise errors.CampaignRefused("the customer refused this campaign on the phone: nothing more is sent")
    return state.campaign_id, target


def record_call(state: Campaign, command: RecordCampaignCall) -> Sequence[Event]:
    campaign_id, target = _target(state, command.file_id)
    assert state.phone_by is not None
    assert state.starts_at is not None
    if target.do_not_call:
        raise errors.DoNotCall("the customer asked not to be called: they get the campaign letter only")
    outcome = require_code(command.outcome, CAMPAIGN_CALL_OUTCOMES, "campaign call outcome")
    events: list[Event] = [
        ev.CampaignCallLogged(
            campaign_id=campaign_id,
            file_id=command.file_id,
            outcome=outcome,
            agent=require_text(command.agent, "the agent"),
            on_time=command.called_at <= state.phone_by,
            letter_due_by=None if outcome == REFUSED else letter_due_by(command.called_at),
            called_at=command.called_at,
        )
    ]
    recall = state.kind == RECALL
    if outcome == REACHED and (command.wants_appointment or recall):
        proposal = campaign_proposal(
            command.file_id,
            target.contact,
            target.vehicle,
            campaign_id,
            recall,
            state.starts_at,
            False,
            command.called_at,
        )
        if proposal is not None and proposal.proposal_id not in state.proposals:
            events.append(proposal)
    return events


def record_letter(state: Campaign, command: RecordCampaignLetter) -> Sequence[Event]:
    campaign_id, _ = _target(state, command.file_id)
    assert state.phone_by is not None
    due = state.letter_due.get(command.file_id, letter_due_by(state.phone_by))
    return [
        ev.CampaignLetterLogged(
            campaign_id=campaign_id,
            file_id=command.file_id,
            letter_kind=require_code(command.letter_kind, LETTER_KINDS, "letter kind"),
            sent_by=command.sent_by,
            on_time=command.sent_at <= due,
            sent_at=command.sent_at,
        )
    ]


def decide(state: Campaign, command: CampaignCommand) -> Sequence[Event]:
    match command:
        case PlanCampaign():
            return plan(state, command)
        case RecordCampaignCall():
            return record_call(state, command)
        case RecordCampaignLetter():
            return record_letter(state, command)


campaign: Decider[CampaignCommand, Campaign] = Decider(INITIAL, decide, evolve)
