"""Published events of followup's contact queue: an appointment proposal as the CS agents work
it, the customer's answer, and what became of it (docs/reminders.md); and the failed messages
a person must follow up by phone.

Streams:
- `proposal-<proposal_id>`: `ProposalQueued` (from `followup.AppointmentProposed`, once), then
  `ProposalAnswered` (by an agent on the phone or by the customer through the reminder's link),
  `ProposalDueAgain` (a "call me later" whose day came), `ProposalBooked` (booking's
  `AppointmentBooked` named the proposal) and `ProposalArrived` (the booked car came). The
  conversion per reason in CSI/VOC is counted from these: proposed, answered, booked, arrived.
- `failed_message-<message_id>`: `FailedMessageHandled`: someone reached the customer another
  way after `notifications.MessageFailed`.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import AwareDatetime, Field, field_validator

from events.catalog.followup_values import PROPOSAL_REASONS, check_code
from events.catalog.reception_values import Contact, VehicleIdentity
from events.contract import Event

# The customer's answer to a proposal. `book_now`: an appointment is booked with the proposal;
# `later`: call again on a day the customer names; `opt_out`: no more marketing messages.
ANSWERS = ("book_now", "later", "not_interested", "opt_out")
BOOK_NOW, LATER, NOT_INTERESTED, OPT_OUT = ANSWERS
# Who recorded the answer: an agent on the phone, or the customer through the reminder's link.
ANSWER_CHANNELS = ("agent", "link")
# The link's purpose (`events.links`): the reminder message carries it.
LINK_PURPOSE = "proposal"


class _ProposalEvent(Event):
    proposal_id: UUID
    file_id: UUID
    reason: str

    @field_validator("reason")
    @classmethod
    def reason_is_known(cls, value: str) -> str:
        return check_code(value, PROPOSAL_REASONS, "proposal reason")


class ProposalQueued(_ProposalEvent, type="followup.ProposalQueued", version=1):
    """In the site's contact queue from `due_on` (the suggested date, else the day to start
    calling). `phone_allowed` False: a do-not-call customer's safety proposal, written to."""

    contact: Contact
    vehicle: VehicleIdentity
    due_on: date | None = None
    contact_from: date | None = None
    campaign_id: UUID | None = None
    repair_order_id: UUID | None = None
    phone_allowed: bool = True
    queued_at: AwareDatetime


class ProposalAnswered(_ProposalEvent, type="followup.ProposalAnswered", version=1):
    """The customer's answer. `later` names `call_again_at` (the start of the day they named,
    at the site): the proposal comes back in the queue then."""

    answer: str
    via: str
    answered_by: str
    call_again_at: AwareDatetime | None = None
    note: str = ""
    answered_at: AwareDatetime

    @field_validator("answer")
    @classmethod
    def answer_is_known(cls, value: str) -> str:
        return check_code(value, ANSWERS, "answer")

    @field_validator("via")
    @classmethod
    def via_is_known(cls, value: str) -> str:
        return check_code(value, ANSWER_CHANNELS, "answer channel")


class ProposalDueAgain(_ProposalEvent, type="followup.ProposalDueAgain", version=1):
    """The day the customer asked to be called again came: back in the queue."""

    due_at: AwareDatetime


class ProposalBooked(_ProposalEvent, type="followup.ProposalBooked", version=1):
    """An appointment was booked with this proposal (booking.AppointmentBooked.proposal_id)."""

    appointment_id: UUID
    slot_start: AwareDatetime
    booked_at: AwareDatetime


class ProposalArrived(_ProposalEvent, type="followup.ProposalArrived", version=1):
    """The car booked from this proposal arrived (booking.VehicleArrived)."""

    appointment_id: UUID
    arrived_at: AwareDatetime


class FailedMessageHandled(Event, type="followup.FailedMessageHandled", version=1):
    """A person followed up a message that did not reach the customer (e.g. called them)."""

    message_id: UUID
    handled_by: str = Field(min_length=1)
    note: str = ""
    handled_at: AwareDatetime


def proposal_stream(proposal_id: UUID) -> str:
    return f"proposal-{proposal_id}"


def failed_message_stream(message_id: UUID) -> str:
    return f"failed_message-{message_id}"
