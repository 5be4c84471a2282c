"""Proposal, stream `proposal-<proposal_id>`: an appointment proposal in the site's contact
queue (docs/reminders.md). Queued once from `followup.AppointmentProposed`; the customer's
answer is recorded by an agent or through the reminder's link: book now, later (back in the
queue on the day named: a durable timer), not interested, opt out. An appointment booked with
the proposal converts it, whatever was answered before (a customer who said no may call in);
its car's arrival completes the conversion counted per reason in CSI/VOC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from events.catalog import followup_proposals as ev
from events.catalog.reception_values import Contact, VehicleIdentity
from events.contract import Event
from events.decider import Decider
from events.rules import MissingInformation, require_code
from followup.domain import errors
from followup.domain.proposal_commands import (
    AnswerProposal,
    BookProposal,
    MarkProposalArrived,
    ProposalCommand,
    QueueProposal,
    ReturnProposal,
)

NEW, OPEN, LATER, ACCEPTED, DECLINED, OPTED_OUT, BOOKED = (
    "new",
    "open",
    "later",
    "accepted",
    "declined",
    "opted_out",
    "booked",
)
AFTER_ANSWER = {ev.BOOK_NOW: ACCEPTED, ev.LATER: LATER, ev.NOT_INTERESTED: DECLINED, ev.OPT_OUT: OPTED_OUT}
CLOSED = frozenset({DECLINED, OPTED_OUT, BOOKED})


@dataclass(frozen=True)
class Proposal:
    proposal_id: UUID | None = None
    file_id: UUID | None = None
    reason: str = ""
    contact: Contact | None = None
    vehicle: VehicleIdentity | None = None
    status: str = NEW
    call_again_at: datetime | None = None
    appointment_id: UUID | None = None
    arrived: bool = False


INITIAL = Proposal()


def evolve(state: Proposal, event: Event) -> Proposal:
    match event:
        case ev.ProposalQueued():
            return replace(
                state,
                proposal_id=event.proposal_id,
                file_id=event.file_id,
                reason=event.reason,
                contact=event.contact,
                vehicle=event.vehicle,
                status=OPEN,
            )
        case ev.ProposalAnswered():
            return replace(state, status=AFTER_ANSWER[event.answer], call_again_at=event.call_again_at)
        case ev.ProposalDueAgain():
            return replace(state, status=OPEN, call_again_at=None)
        case ev.ProposalBooked():
            return replace(state, status=BOOKED, appointment_id=event.appointment_id, call_again_at=None)
        case ev.ProposalArrived():
            return replace(state, arrived=True)
    return state


def queue(state: Proposal, command: QueueProposal) -> Sequence[Event]:
    if state.status != NEW:
        return []  # a redelivered proposal queues nothing twice
    proposed = command.proposed
    return [
        ev.ProposalQueued(
            proposal_id=proposed.proposal_id,
            file_id=proposed.file_id,
            reason=proposed.reason,
            contact=proposed.contact,
            vehicle=proposed.vehicle,
            due_on=proposed.suggested_date or proposed.contact_from,
            contact_from=proposed.contact_from,
            campaign_id=proposed.campaign_id,
            repair_order_id=proposed.repair_order_id,
            phone_allowed=proposed.phone_allowed,
            queued_at=command.queued_at,
        )
    ]


def _known(state: Proposal) -> tuple[UUID, UUID]:
    if state.proposal_id is None or state.file_id is None:
        raise errors.NoProposal("no such proposal in the contact queue")
    return state.proposal_id, state.file_id


def answer(state: Proposal, command: AnswerProposal) -> Sequence[Event]:
    proposal_id, file_id = _known(state)
    if state.status in CLOSED:
        raise errors.ProposalClosed(f"the proposal is {state.status}: no further answer is recorded")
    given = require_code(command.answer, ev.ANSWERS, "answer")
    call_again_at = None
    if given == ev.LATER:
        if command.call_again_on is None or command.call_again_at is None:
            raise MissingInformation("'later' names the day to call the customer again")
        if command.call_again_on <= command.today:
            raise errors.CallAgainNotAhead("the day to call again is after today")
        call_again_at = command.call_again_at
    return [
        ev.ProposalAnswered(
            proposal_id=proposal_id,
            file_id=file_id,
            reason=state.reason,
            answer=given,
            via=require_code(command.via, ev.ANSWER_CHANNELS, "answer channel"),
            answered_by=command.answered_by,
            call_again_at=call_again_at,
            note=command.note.strip(),
            answered_at=command.answered_at,
        )
    ]


def come_back(state: Proposal, command: ReturnProposal) -> Sequence[Event]:
    """Only a proposal still waiting for its day (a timer left behind by a booking is moot)."""
    if state.status != LATER or state.call_again_at is None or state.proposal_id is None or state.file_id is None:
        return []
    return [
        ev.ProposalDueAgain(
            proposal_id=state.proposal_id, file_id=state.file_id, reason=state.reason, due_at=state.call_again_at
        )
    ]


def book(state: Proposal, command: BookProposal) -> Sequence[Event]:
    proposal_id, file_id = _known(state)
    if state.status == BOOKED:
        return []  # the first appointment booked converts it; a redelivery changes nothing
    return [
        ev.ProposalBooked(
            proposal_id=proposal_id,
            file_id=file_id,
            reason=state.reason,
            appointment_id=command.appointment_id,
            slot_start=command.slot_start,
            booked_at=command.booked_at,
        )
    ]


def arrive(state: Proposal, command: MarkProposalArrived) -> Sequence[Event]:
    proposal_id, file_id = _known(state)
    if state.arrived or state.appointment_id != command.appointment_id:
        return []
    return [
        ev.ProposalArrived(
            proposal_id=proposal_id,
            file_id=file_id,
            reason=state.reason,
            appointment_id=command.appointment_id,
            arrived_at=command.arrived_at,
        )
    ]


def decide(state: Proposal, command: ProposalCommand) -> Sequence[Event]:
    match command:
        case QueueProposal():
            return queue(state, command)
        case AnswerProposal():
            return answer(state, command)
        case ReturnProposal():
            return come_back(state, command)
        case BookProposal():
            return book(state, command)
        case MarkProposalArrived():
            return arrive(state, command)


proposal: Decider[ProposalCommand, Proposal] = Decider(INITIAL, decide, evolve)
