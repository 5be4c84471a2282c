"""Commands of the Appointment aggregate (stream `appointment-<uuid>`, STAR ServiceAppointment).

Value objects with exactly the published shape (contacts, vehicle, requested jobs, offered
recommendations, part checks) are the catalog's own models, so a malformed one is an input
error before the domain sees it. Code-list strings that are plain fields here (kind, reason,
channel, ...) are checked by the domain and refused with `invalid_code`. Every time comes in
on the command: the handler reads the clock, the domain never does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from events.catalog.booking_values import Contact, OfferedRecommendation, PartCheck, RequestedJob, VehicleIdentity


@dataclass(frozen=True)
class BookAppointment:
    """Take an appointment (seed 003's steps: identify the car, ask the mileage, the needs and
    the last service, name the advisor and the date, estimate the time).

    `kind` passive (the customer asks) or active (the dealer proposes), with a `reason` from the
    kind's list; campaigns and recalls name theirs in `reference`. `vehicle_user` is who drives
    the car and takes our calls (the caller may not be the owner). `estimated_minutes` covers the
    requested jobs and may add a margin; `menu_id` names the catalogue's service menu
    the jobs came from, when one was picked."""

    appointment_id: UUID
    kind: str
    reason: str
    customer: Contact
    vehicle: VehicleIdentity
    vehicle_user: Contact
    requested_jobs: tuple[RequestedJob, ...]
    advisor_id: str
    slot_start: datetime
    estimated_minutes: int
    booked_at: datetime
    mileage_km: int | None = None
    channel: str = "phone"
    reference: str | None = None
    customer_words: str = ""
    menu_id: str | None = None
    proposal_id: UUID | None = None


@dataclass(frozen=True)
class RequestConfirmation:
    """The day-before reminder fired (a durable timer): re-confirm with the car's user; `link` the
    customer's appointment link the message carries (minted by the handler: it holds the secret)."""

    requested_at: datetime
    link: str | None = None


@dataclass(frozen=True)
class CheckArrivalConfirmation:
    """Half an hour before the slot (a durable timer): has the customer confirmed they come?"""

    checked_at: datetime


@dataclass(frozen=True)
class ConfirmAppointment:
    """Record a confirmation: `day_before` (our re-confirmation the day before) or
    `before_arrival` (the customer's own, about half an hour before the slot)."""

    confirmation: str
    channel: str
    confirmed_at: datetime


@dataclass(frozen=True)
class RescheduleAppointment:
    """Move the appointment to another slot (and possibly advisor or duration)."""

    slot_start: datetime
    requested_by: str
    reason: str
    rescheduled_at: datetime
    advisor_id: str | None = None
    estimated_minutes: int | None = None


@dataclass(frozen=True)
class CancelAppointment:
    requested_by: str
    reason: str
    cancelled_at: datetime


@dataclass(frozen=True)
class MarkNoShow:
    """The car did not come; allowed only once the slot start and the grace period have passed."""

    recorded_at: datetime


@dataclass(frozen=True)
class RecordArrival:
    """The booked car is at the door: reception takes it as an appointment."""

    arrived_at: datetime


@dataclass(frozen=True)
class RecordPreparation:
    """The advisor's preparation (seed 003 "接车前准备"): the service history, the declined
    recommendations of the last visit offered again with the customer's answer, and the parts
    pre-check of every requested part."""

    history_summary: str
    prepared_by: str
    prepared_at: datetime
    last_service_on: date | None = None
    last_service_km: int | None = None
    recommendations: tuple[OfferedRecommendation, ...] = ()
    parts_checked: tuple[PartCheck, ...] = ()


AppointmentCommand = (
    BookAppointment
    | RequestConfirmation
    | CheckArrivalConfirmation
    | ConfirmAppointment
    | RescheduleAppointment
    | CancelAppointment
    | MarkNoShow
    | RecordArrival
    | RecordPreparation
)
