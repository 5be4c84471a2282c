"""What can be asked of a proposal in the contact queue. Times come with the command (the
handler reads the clock and the site's day)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from events.catalog import followup_files as ev


@dataclass(frozen=True)
class QueueProposal:
    """followup.AppointmentProposed: the proposal enters the site's contact queue."""

    proposed: ev.AppointmentProposed
    queued_at: datetime


@dataclass(frozen=True)
class AnswerProposal:
    """The customer's answer. `call_again_on` (with `later`) is a day at the site;
    `call_again_at` the start of that day there, which the handler works out; `today` the
    site's day now."""

    answer: str
    via: str
    answered_by: str
    answered_at: datetime
    today: date
    call_again_on: date | None = None
    call_again_at: datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class ReturnProposal:
    """The "call me later" timer fired."""

    at: datetime


@dataclass(frozen=True)
class BookProposal:
    """booking.AppointmentBooked named this proposal."""

    appointment_id: UUID
    slot_start: datetime
    booked_at: datetime


@dataclass(frozen=True)
class MarkProposalArrived:
    """booking.VehicleArrived for the appointment booked from this proposal."""

    appointment_id: UUID
    arrived_at: datetime


ProposalCommand = QueueProposal | AnswerProposal | ReturnProposal | BookProposal | MarkProposalArrived


@dataclass(frozen=True)
class HandleFailedMessage:
    message_id: UUID
    handled_by: str
    handled_at: datetime
    note: str = ""
