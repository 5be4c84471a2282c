"""The Appointment's state, folded from its events (`evolve`), the grace period, the refusals
and the guard every decision after booking shares. Pure: no I/O, no clock."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from events.catalog.booking import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentConfirmed,
    AppointmentNoShow,
    AppointmentPrepared,
    AppointmentRescheduled,
    ArrivalConfirmationOverdue,
    ConfirmationRequested,
    VehicleArrived,
)
from events.contract import Event
from events.errors import DomainError

# How long after the slot start we still wait for the car: a car within it is late but keeps
# its appointment priority; after it the slot's workshop time went to others, so a no-show may
# be recorded and a later car is received like a walk-in. The seeds expect the customer's own
# confirmation half an hour before (seed 003: "等待客户提前半小时确认"); we wait as long after.
NO_SHOW_GRACE = timedelta(minutes=30)

# Where an appointment is in its life.
BOOKED, CANCELLED, NO_SHOW, ARRIVED = "booked", "cancelled", "no_show", "arrived"


class AlreadyBooked(DomainError):
    code = "already_booked"


class NotBooked(DomainError):
    code = "not_booked"


class CancelledAppointment(DomainError):
    code = "appointment_cancelled"


class NoShowRecorded(DomainError):
    code = "no_show_recorded"


class AlreadyArrived(DomainError):
    code = "already_arrived"


class AlreadyConfirmed(DomainError):
    code = "already_confirmed"


class NoShowTooEarly(DomainError):
    code = "no_show_too_early"


class NoJobs(DomainError):
    code = "no_jobs"


class DuplicateJob(DomainError):
    code = "duplicate_job"


class EstimateTooShort(DomainError):
    code = "estimate_too_short"


class PartsCheckIncomplete(DomainError):
    code = "parts_check_incomplete"


class DuplicateRecommendation(DomainError):
    code = "duplicate_recommendation"


@dataclass(frozen=True)
class Appointment:
    """`confirmations`, `reminded` and `overdue` concern the current slot: a reschedule clears them."""

    booked: AppointmentBooked | None = None
    status: str | None = None
    slot_start: datetime | None = None
    advisor_id: str | None = None
    estimated_minutes: int = 0
    confirmations: tuple[str, ...] = ()
    reminded: bool = False
    overdue: bool = False
    preparation: AppointmentPrepared | None = None
    arrived_at: datetime | None = None

    @property
    def appointment_id(self) -> UUID | None:
        return None if self.booked is None else self.booked.appointment_id

    @property
    def confirmed(self) -> bool:
        return bool(self.confirmations)


INITIAL = Appointment()


@dataclass(frozen=True)
class Booked:
    """An appointment that is still waiting for its car: what every later decision needs."""

    booking: AppointmentBooked
    slot_start: datetime
    advisor_id: str


def require_waiting(state: Appointment, doing: str) -> Booked:
    """Only a booked appointment whose car has not come can change; each end state says why not."""
    if state.booked is None or state.slot_start is None or state.advisor_id is None:
        raise NotBooked(f"there is no such appointment to {doing}; book it first")
    if state.status == CANCELLED:
        raise CancelledAppointment(f"the appointment was cancelled; book a new one instead of trying to {doing}")
    if state.status == NO_SHOW:
        raise NoShowRecorded(f"the car did not come and a no-show is recorded; book a new appointment to {doing}")
    if state.status == ARRIVED:
        raise AlreadyArrived(f"the car has arrived; reception has it now, it is too late to {doing}")
    return Booked(state.booked, state.slot_start, state.advisor_id)


def evolve(state: Appointment, event: Event) -> Appointment:
    match event:
        case AppointmentBooked():
            return Appointment(
                booked=event,
                status=BOOKED,
                slot_start=event.slot_start,
                advisor_id=event.advisor_id,
                estimated_minutes=event.estimated_minutes,
            )
        case ConfirmationRequested():
            return replace(state, reminded=True)
        case ArrivalConfirmationOverdue():
            return replace(state, overdue=True)
        case AppointmentConfirmed():
            return replace(state, confirmations=(*state.confirmations, event.confirmation))
        case AppointmentRescheduled():
            return replace(
                state,
                slot_start=event.slot_start,
                advisor_id=event.advisor_id,
                estimated_minutes=event.estimated_minutes,
                confirmations=(),
                reminded=False,
                overdue=False,
            )
        case AppointmentCancelled():
            return replace(state, status=CANCELLED)
        case AppointmentNoShow():
            return replace(state, status=NO_SHOW)
        case VehicleArrived():
            return replace(state, status=ARRIVED, arrived_at=event.arrived_at)
        case AppointmentPrepared():
            return replace(state, preparation=event)
        case _:
            return state
