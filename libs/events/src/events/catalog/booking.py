"""Published events of the booking service: site capacity, appointments (passive and active),
confirmations, reschedules, cancellations, no-shows, arrivals and preparation, and the customer
and vehicle registry (docs/domain.md §1; seeds 000 and 003).

Streams: `capacity-<site_id>` (SiteCapacity), `appointment-<uuid>` (STAR ServiceAppointment),
`customer-<uuid>` (the customer with their vehicles). Every appointment event carries
`appointment_id`; group and site travel in the envelope. Labour time is `int` minutes; times
are timezone-aware.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, field_validator, model_validator

from events.catalog.booking_values import (
    ACTIVE_REASONS,
    APPOINTMENT_KINDS,
    BOOKING_CHANNELS,
    CONFIRMATION_CHANNELS,
    CONFIRMATION_KINDS,
    CONTACT_CHANNELS,
    PASSIVE_REASONS,
    PRIORITIES,
    RELEASE_REASONS,
    REQUESTED_BY,
    Contact,
    OfferedRecommendation,
    PartCheck,
    RequestedJob,
    SlotAllocation,
    VehicleIdentity,
    check_code,
    check_timezone,
    check_vin,
)
from events.contract import Event
from events.personal_fields import PERSONAL, PersonalData

# --- SiteCapacity (`capacity-<site_id>`) ---------------------------------------------------


# Free text in the customer's words may name or reach them: theirs, like their contact details.
CUSTOMERS_OWN_WORDS = PersonalData(subject="customer")


class _CapacityEvent(Event):
    """Abstract base: every capacity event concerns one site's workshop."""

    site_id: UUID


class CapacitySet(_CapacityEvent, type="booking.CapacitySet", version=1):
    """The site's bookable capacity was set or changed: opening hours and slot length (local
    time in `timezone`), the advisors taking appointments and how many receptions each can do
    per slot, technicians and bays, and the workshop minutes bookable per slot."""

    timezone: str
    opens_at: time
    closes_at: time
    slot_minutes: int = Field(gt=0)
    open_weekdays: tuple[int, ...] = Field(min_length=1)
    advisors: tuple[str, ...] = Field(min_length=1)
    receptions_per_advisor: int = Field(gt=0)
    technicians: int = Field(gt=0)
    bays: int = Field(gt=0)
    workshop_minutes_per_slot: int = Field(gt=0)
    set_at: AwareDatetime

    @field_validator("timezone")
    @classmethod
    def timezone_is_known(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("open_weekdays")
    @classmethod
    def weekdays_are_iso(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(day < 1 or day > 7 for day in value):
            raise ValueError("open weekdays are ISO weekday numbers, 1 (Monday) to 7 (Sunday)")
        return value


class SlotReserved(_CapacityEvent, type="booking.SlotReserved", version=1):
    """Workshop minutes and one of the advisor's receptions were reserved for an appointment.
    The car arrives in `slot_start`; `allocations` are the minutes taken from that slot and the
    following ones of the same day."""

    appointment_id: UUID
    advisor_id: str = Field(min_length=1)
    slot_start: AwareDatetime
    minutes: int = Field(gt=0)
    allocations: tuple[SlotAllocation, ...] = Field(min_length=1)
    reserved_at: AwareDatetime

    @model_validator(mode="after")
    def allocations_add_up(self) -> SlotReserved:
        if sum(a.minutes for a in self.allocations) != self.minutes:
            raise ValueError("the allocations add up to the reserved minutes")
        return self


class SlotReleased(_CapacityEvent, type="booking.SlotReleased", version=1):
    """A reservation was given back: the appointment was cancelled, moved or a no-show."""

    appointment_id: UUID
    slot_start: AwareDatetime
    minutes: int = Field(gt=0)
    reason: str
    released_at: AwareDatetime

    @field_validator("reason")
    @classmethod
    def reason_is_known(cls, value: str) -> str:
        return check_code(value, RELEASE_REASONS, "release reason")


# --- Appointment (`appointment-<uuid>`, STAR ServiceAppointment) ---------------------------


class _AppointmentEvent(Event):
    """Abstract base: every appointment event carries `appointment_id`."""

    appointment_id: UUID


class AppointmentBooked(_AppointmentEvent, type="booking.AppointmentBooked", version=1):
    """An appointment was taken: who, which car, what work (with parts, for parts to reserve),
    which advisor and slot, and the estimated duration."""

    kind: str
    reason: str
    reference: str | None = None
    channel: str
    customer: Contact
    vehicle: VehicleIdentity
    mileage_km: int | None = Field(default=None, ge=0)
    vehicle_user: Contact
    requested_jobs: tuple[RequestedJob, ...] = Field(min_length=1)
    customer_words: Annotated[str, CUSTOMERS_OWN_WORDS] = ""
    advisor_id: str = Field(min_length=1)
    slot_start: AwareDatetime
    estimated_minutes: int = Field(gt=0)
    booked_at: AwareDatetime
    # The catalogue's service menu the requested jobs came from (issue 19), when one was picked.
    menu_id: str | None = None
    # followup's appointment proposal this booking answers (its contact queue counts the conversion).
    proposal_id: UUID | None = None

    @field_validator("kind")
    @classmethod
    def kind_is_known(cls, value: str) -> str:
        return check_code(value, APPOINTMENT_KINDS, "appointment kind")

    @field_validator("channel")
    @classmethod
    def channel_is_known(cls, value: str) -> str:
        return check_code(value, BOOKING_CHANNELS, "booking channel")

    @model_validator(mode="after")
    def reason_fits_kind(self) -> AppointmentBooked:
        allowed = ACTIVE_REASONS if self.kind == "active" else PASSIVE_REASONS
        check_code(self.reason, allowed, f"{self.kind} appointment reason")
        return self


class ConfirmationRequested(_AppointmentEvent, type="booking.ConfirmationRequested", version=1):
    """The day-before reminder fired: the appointment is to be re-confirmed with the car's user."""

    slot_start: AwareDatetime
    advisor_id: str
    contact: Contact
    requested_at: AwareDatetime
    # The customer's link to confirm, cancel or move it on the portal (booking.appointment_links);
    # it expires at the slot start. None: sent before links existed, or without one.
    link: str | None = None


class ArrivalConfirmationOverdue(_AppointmentEvent, type="booking.ArrivalConfirmationOverdue", version=1):
    """The customer's own confirmation, expected about half an hour before the slot, has not
    come: the advisor calls the car's user (`contact`) and may hold the slot for a late car."""

    slot_start: AwareDatetime
    advisor_id: str
    contact: Contact
    day_before_confirmed: bool
    noticed_at: AwareDatetime


class AppointmentConfirmed(_AppointmentEvent, type="booking.AppointmentConfirmed", version=1):
    """The customer confirmed: the day-before re-confirmation or their own confirmation about
    half an hour before the slot (`confirmation`)."""

    confirmation: str
    channel: str
    slot_start: AwareDatetime
    confirmed_at: AwareDatetime

    @field_validator("confirmation")
    @classmethod
    def confirmation_is_known(cls, value: str) -> str:
        return check_code(value, CONFIRMATION_KINDS, "confirmation")

    @field_validator("channel")
    @classmethod
    def channel_is_known(cls, value: str) -> str:
        return check_code(value, CONFIRMATION_CHANNELS, "confirmation channel")


class AppointmentRescheduled(_AppointmentEvent, type="booking.AppointmentRescheduled", version=1):
    """The appointment moved to another slot (and possibly advisor); earlier confirmations no
    longer hold."""

    previous_slot_start: AwareDatetime
    slot_start: AwareDatetime
    advisor_id: str = Field(min_length=1)
    estimated_minutes: int = Field(gt=0)
    requested_by: str
    reason: str
    rescheduled_at: AwareDatetime

    @field_validator("requested_by")
    @classmethod
    def requested_by_is_known(cls, value: str) -> str:
        return check_code(value, REQUESTED_BY, "requested by")


class AppointmentCancelled(_AppointmentEvent, type="booking.AppointmentCancelled", version=1):
    """The appointment was cancelled by the customer or the dealer before the car arrived."""

    slot_start: AwareDatetime
    requested_by: str
    reason: str
    cancelled_at: AwareDatetime

    @field_validator("requested_by")
    @classmethod
    def requested_by_is_known(cls, value: str) -> str:
        return check_code(value, REQUESTED_BY, "requested by")


class AppointmentNoShow(_AppointmentEvent, type="booking.AppointmentNoShow", version=1):
    """The car did not come: recorded after the slot start and its grace period had passed."""

    slot_start: AwareDatetime
    advisor_id: str
    confirmed: bool
    recorded_at: AwareDatetime


class VehicleArrived(_AppointmentEvent, type="booking.VehicleArrived", version=1):
    """The booked car arrived: reception may check it in as an appointment. `priority` is
    "appointment" (the board's mark) unless the car came later than the grace period."""

    customer: Contact
    vehicle: VehicleIdentity
    vehicle_user: Contact
    advisor_id: str
    slot_start: AwareDatetime
    arrived_at: AwareDatetime
    priority: str
    early_minutes: int = Field(ge=0)
    late_minutes: int = Field(ge=0)
    requested_jobs: tuple[RequestedJob, ...] = ()

    @field_validator("priority")
    @classmethod
    def priority_is_known(cls, value: str) -> str:
        return check_code(value, PRIORITIES, "priority")

    @model_validator(mode="after")
    def early_or_late(self) -> VehicleArrived:
        if self.early_minutes and self.late_minutes:
            raise ValueError("a car is early or late, not both")
        return self


class AppointmentPrepared(_AppointmentEvent, type="booking.AppointmentPrepared", version=1):
    """The advisor prepared the visit: service history, declined recommendations offered again
    (with the customer's answer), and the parts pre-check of the requested jobs."""

    history_summary: str
    last_service_on: date | None = None
    last_service_km: int | None = Field(default=None, ge=0)
    recommendations: tuple[OfferedRecommendation, ...] = ()
    parts_checked: tuple[PartCheck, ...] = ()
    parts_ready: bool
    prepared_by: str = Field(min_length=1)
    prepared_at: AwareDatetime


# --- CustomerVehicle (`customer-<uuid>`) ---------------------------------------------------


class _CustomerEvent(Event):
    customer_id: UUID


class CustomerRegistered(_CustomerEvent, type="booking.CustomerRegistered", version=1):
    """A customer was added to the customer database, with how they wish to be contacted."""

    name: Annotated[str, PERSONAL] = Field(min_length=1)
    phones: Annotated[tuple[str, ...], PERSONAL] = Field(min_length=1)
    preferred_contact: str
    do_not_call: bool
    registered_at: AwareDatetime

    @field_validator("preferred_contact")
    @classmethod
    def preferred_contact_is_known(cls, value: str) -> str:
        return check_code(value, CONTACT_CHANNELS, "contact channel")


class VehicleRegistered(_CustomerEvent, type="booking.VehicleRegistered", version=1):
    """A vehicle was registered to the customer; `vehicle_user` when someone else drives it."""

    vehicle_id: UUID
    vin: str
    plate: str = Field(min_length=1)
    model: str = Field(min_length=1)
    year: int
    vehicle_user: Contact | None = None
    registered_at: AwareDatetime

    @field_validator("vin")
    @classmethod
    def vin_is_valid(cls, value: str) -> str:
        return check_vin(value)


class CustomerContactUpdated(_CustomerEvent, type="booking.CustomerContactUpdated", version=1):
    """The customer's contact details changed; the event carries all of them as they are now."""

    name: Annotated[str, PERSONAL] = Field(min_length=1)
    phones: Annotated[tuple[str, ...], PERSONAL] = Field(min_length=1)
    preferred_contact: str
    do_not_call: bool
    updated_at: AwareDatetime

    @field_validator("preferred_contact")
    @classmethod
    def preferred_contact_is_known(cls, value: str) -> str:
        return check_code(value, CONTACT_CHANNELS, "contact channel")
