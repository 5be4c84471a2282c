"""Appointment (STAR ServiceAppointment), stream `appointment-<uuid>` (docs/domain.md §1; seeds 000
and 003).

Life: booked → (reminder, confirmations, reschedules, preparation) → arrived, or cancelled,
or no-show. The end states are final: a cancelled appointment is not confirmed, a no-show does
not arrive, an arrived car is not rescheduled; a new visit is a new appointment.

Decisions written down:
- Workshop capacity is checked by SiteCapacity (`ReserveSlot`, `MoveReservation`) before the
  appointment is booked or moved; this aggregate keeps the customer's side of the promise.
- A timer that fires too late (the reminder after a cancellation, or after the slot began) is
  not an error: it decides nothing, so a durable timer never dead-letters on a moot reminder.
- A car that arrives more than `NO_SHOW_GRACE` late is received without appointment priority.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

from booking.domain.appointment_commands import (
    AppointmentCommand,
    BookAppointment,
    CancelAppointment,
    CheckArrivalConfirmation,
    ConfirmAppointment,
    MarkNoShow,
    RecordArrival,
    RecordPreparation,
    RequestConfirmation,
    RescheduleAppointment,
)
from booking.domain.appointment_state import (
    BOOKED,
    INITIAL,
    NO_SHOW_GRACE,
    AlreadyBooked,
    AlreadyConfirmed,
    Appointment,
    DuplicateJob,
    DuplicateRecommendation,
    EstimateTooShort,
    NoJobs,
    NoShowTooEarly,
    PartsCheckIncomplete,
    evolve,
    require_waiting,
)
from booking.domain.errors import (
    MissingInformation,
    NothingToChange,
    TimeOutOfOrder,
    require_code,
    require_future,
    require_not_negative,
    require_positive,
    require_text,
)
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
from events.catalog.booking_values import (
    ACTIVE_REASONS,
    APPOINTMENT_KINDS,
    BOOKING_CHANNELS,
    CONFIRMATION_CHANNELS,
    CONFIRMATION_KINDS,
    PASSIVE_REASONS,
    REFERENCED_REASONS,
    REQUESTED_BY,
    RequestedJob,
)
from events.contract import Event
from events.decider import Decider


def stream_id(appointment_id: UUID) -> str:
    return f"appointment-{appointment_id}"


def _check_estimate(jobs: Sequence[RequestedJob], estimated_minutes: int) -> int:
    """The estimated duration covers the jobs (seed 003: "确定所需维修时间"); a margin is fine."""
    require_positive(estimated_minutes, "the estimated duration")
    needed = sum(job.estimated_minutes for job in jobs)
    if estimated_minutes < needed:
        raise EstimateTooShort(f"the requested jobs take {needed} minutes; {estimated_minutes} were estimated")
    return estimated_minutes


def _check_jobs(jobs: Sequence[RequestedJob]) -> None:
    if not jobs:
        raise NoJobs("ask the customer's needs: an appointment has at least one requested job")
    ids = [job.job_id for job in jobs]
    if len(set(ids)) != len(ids):
        raise DuplicateJob("each requested job appears once")


def _check_reason(command: BookAppointment) -> str | None:
    kind = require_code(command.kind, APPOINTMENT_KINDS, "appointment kind")
    require_code(command.reason, ACTIVE_REASONS if kind == "active" else PASSIVE_REASONS, f"{kind} reason")
    reference = (command.reference or "").strip() or None
    if command.reason in REFERENCED_REASONS and reference is None:
        raise MissingInformation(f"a {command.reason} appointment names the {command.reason} it comes from")
    return reference


def book(state: Appointment, command: BookAppointment) -> Sequence[Event]:
    if state.booked is not None:
        raise AlreadyBooked(f"appointment {command.appointment_id} is already booked; reschedule it instead")
    reference = _check_reason(command)
    _check_jobs(command.requested_jobs)
    require_future(command.slot_start, command.booked_at, "the slot")
    return [
        AppointmentBooked(
            appointment_id=command.appointment_id,
            kind=command.kind,
            reason=command.reason,
            reference=reference,
            channel=require_code(command.channel, BOOKING_CHANNELS, "booking channel"),
            customer=command.customer,
            vehicle=command.vehicle,
            mileage_km=require_not_negative(command.mileage_km, "the mileage"),
            vehicle_user=command.vehicle_user,
            requested_jobs=command.requested_jobs,
            customer_words=command.customer_words.strip(),
            advisor_id=require_text(command.advisor_id, "the advisor"),
            slot_start=command.slot_start,
            estimated_minutes=_check_estimate(command.requested_jobs, command.estimated_minutes),
            booked_at=command.booked_at,
            menu_id=command.menu_id,
            proposal_id=command.proposal_id,
        )
    ]


def request_confirmation(state: Appointment, command: RequestConfirmation) -> Sequence[Event]:
    """The reminder is moot once the appointment ended, the slot began, or it already fired."""
    if state.status != BOOKED or state.reminded:
        return []
    waiting = require_waiting(state, "remind the customer")  # booked and waiting: never refuses
    if command.requested_at >= waiting.slot_start:
        return []
    return [
        ConfirmationRequested(
            appointment_id=waiting.booking.appointment_id,
            slot_start=waiting.slot_start,
            advisor_id=waiting.advisor_id,
            # Calls go to whoever uses the car, who may not be the owner (seed 000).
            contact=waiting.booking.vehicle_user,
            requested_at=command.requested_at,
            link=command.link,
        )
    ]


def check_arrival_confirmation(state: Appointment, command: CheckArrivalConfirmation) -> Sequence[Event]:
    """The customer is expected to confirm about half an hour before (seed 003: "等待客户提前半小时
    确认"); without it the advisor calls. Moot, like the reminder, once the appointment ended,
    the customer confirmed, the slot began or it was already noticed."""
    if state.status != BOOKED or state.overdue or "before_arrival" in state.confirmations:
        return []
    waiting = require_waiting(state, "check its confirmation")  # booked and waiting: never refuses
    if command.checked_at >= waiting.slot_start:
        return []
    return [
        ArrivalConfirmationOverdue(
            appointment_id=waiting.booking.appointment_id,
            slot_start=waiting.slot_start,
            advisor_id=waiting.advisor_id,
            contact=waiting.booking.vehicle_user,
            day_before_confirmed="day_before" in state.confirmations,
            noticed_at=command.checked_at,
        )
    ]


def confirm(state: Appointment, command: ConfirmAppointment) -> Sequence[Event]:
    waiting = require_waiting(state, "confirm it")
    kind = require_code(command.confirmation, CONFIRMATION_KINDS, "confirmation")
    if kind in state.confirmations:
        raise AlreadyConfirmed(f"the {kind} confirmation is already recorded for this slot")
    if command.confirmed_at >= waiting.slot_start:
        raise TimeOutOfOrder("the slot has begun: record the arrival or, after the grace period, a no-show")
    return [
        AppointmentConfirmed(
            appointment_id=waiting.booking.appointment_id,
            confirmation=kind,
            channel=require_code(command.channel, CONFIRMATION_CHANNELS, "confirmation channel"),
            slot_start=waiting.slot_start,
            confirmed_at=command.confirmed_at,
        )
    ]


def reschedule(state: Appointment, command: RescheduleAppointment) -> Sequence[Event]:
    waiting = require_waiting(state, "reschedule it")
    require_future(command.slot_start, command.rescheduled_at, "the new slot")
    advisor = require_text(command.advisor_id or waiting.advisor_id, "the advisor")
    minutes = state.estimated_minutes if command.estimated_minutes is None else command.estimated_minutes
    _check_estimate(waiting.booking.requested_jobs, minutes)
    if (command.slot_start, advisor, minutes) == (waiting.slot_start, waiting.advisor_id, state.estimated_minutes):
        raise NothingToChange("the appointment already has this slot, advisor and duration")
    return [
        AppointmentRescheduled(
            appointment_id=waiting.booking.appointment_id,
            previous_slot_start=waiting.slot_start,
            slot_start=command.slot_start,
            advisor_id=advisor,
            estimated_minutes=minutes,
            requested_by=require_code(command.requested_by, REQUESTED_BY, "requested by"),
            reason=require_text(command.reason, "the reason for the new slot"),
            rescheduled_at=command.rescheduled_at,
        )
    ]


def cancel(state: Appointment, command: CancelAppointment) -> Sequence[Event]:
    waiting = require_waiting(state, "cancel it")
    return [
        AppointmentCancelled(
            appointment_id=waiting.booking.appointment_id,
            slot_start=waiting.slot_start,
            requested_by=require_code(command.requested_by, REQUESTED_BY, "requested by"),
            reason=require_text(command.reason, "the reason for cancelling"),
            cancelled_at=command.cancelled_at,
        )
    ]


def mark_no_show(state: Appointment, command: MarkNoShow) -> Sequence[Event]:
    """seed 003 asks us to record no-shows; only once the car is really overdue."""
    waiting = require_waiting(state, "record a no-show")
    deadline = waiting.slot_start + NO_SHOW_GRACE
    if command.recorded_at < deadline:
        raise NoShowTooEarly(
            f"the car is expected at {waiting.slot_start.isoformat()}; a no-show can be recorded from "
            f"{deadline.isoformat()} ({NO_SHOW_GRACE // timedelta(minutes=1)} minutes of grace)"
        )
    return [
        AppointmentNoShow(
            appointment_id=waiting.booking.appointment_id,
            slot_start=waiting.slot_start,
            advisor_id=waiting.advisor_id,
            confirmed=state.confirmed,
            recorded_at=command.recorded_at,
        )
    ]


def record_arrival(state: Appointment, command: RecordArrival) -> Sequence[Event]:
    """Appointment cars get priority and the board's "appointment" mark (seed 000:
    "将'预约车'的牌子…挂在车上"), unless they come after the grace period."""
    waiting = require_waiting(state, "record its arrival")
    booking = waiting.booking
    if command.arrived_at < booking.booked_at:
        raise TimeOutOfOrder("the car cannot arrive before the appointment was booked")
    offset = (command.arrived_at - waiting.slot_start) // timedelta(minutes=1)
    late = max(offset, 0)
    return [
        VehicleArrived(
            appointment_id=booking.appointment_id,
            customer=booking.customer,
            vehicle=booking.vehicle,
            vehicle_user=booking.vehicle_user,
            advisor_id=waiting.advisor_id,
            slot_start=waiting.slot_start,
            arrived_at=command.arrived_at,
            priority="normal" if command.arrived_at - waiting.slot_start > NO_SHOW_GRACE else "appointment",
            early_minutes=max(-offset, 0),
            late_minutes=late,
            requested_jobs=booking.requested_jobs,
        )
    ]


def _check_parts(jobs: Sequence[RequestedJob], command: RecordPreparation) -> bool:
    """Every requested part is pre-checked in the quantity the jobs need (seed 003: "备件准备");
    returns whether all of them are on hand."""
    needed: Counter[str] = Counter()
    for job in jobs:
        for part in job.parts:
            needed[part.part_number.strip().upper()] += part.quantity
    checked: Counter[str] = Counter()
    for check in command.parts_checked:
        checked[check.part_number.strip().upper()] += check.quantity
    missing = [f"{number} x{quantity}" for number, quantity in needed.items() if checked[number] < quantity]
    if missing:
        raise PartsCheckIncomplete(f"pre-check every requested part; not checked: {', '.join(missing)}")
    return all(check.available for check in command.parts_checked)


def record_preparation(state: Appointment, command: RecordPreparation) -> Sequence[Event]:
    """A later preparation replaces the earlier one (new history, new answers, new pre-check)."""
    waiting = require_waiting(state, "prepare for it")
    findings = [r.finding_id for r in command.recommendations]
    if len(set(findings)) != len(findings):
        raise DuplicateRecommendation("each declined recommendation is offered once")
    parts_ready = _check_parts(waiting.booking.requested_jobs, command)
    return [
        AppointmentPrepared(
            appointment_id=waiting.booking.appointment_id,
            history_summary=require_text(
                command.history_summary, "the service history summary ('first visit' if none)"
            ),
            last_service_on=command.last_service_on,
            last_service_km=require_not_negative(command.last_service_km, "the mileage at the last service"),
            recommendations=command.recommendations,
            parts_checked=command.parts_checked,
            parts_ready=parts_ready,
            prepared_by=require_text(command.prepared_by, "who prepared the visit"),
            prepared_at=command.prepared_at,
        )
    ]


# --- the decider --------------------------------------------------------------------------


def decide(state: Appointment, command: AppointmentCommand) -> Sequence[Event]:
    match command:
        case BookAppointment():
            return book(state, command)
        case RequestConfirmation():
            return request_confirmation(state, command)
        case CheckArrivalConfirmation():
            return check_arrival_confirmation(state, command)
        case ConfirmAppointment():
            return confirm(state, command)
        case RescheduleAppointment():
            return reschedule(state, command)
        case CancelAppointment():
            return cancel(state, command)
        case MarkNoShow():
            return mark_no_show(state, command)
        case RecordArrival():
            return record_arrival(state, command)
        case RecordPreparation():
            return record_preparation(state, command)


appointment: Decider[AppointmentCommand, Appointment] = Decider(INITIAL, decide, evolve)
