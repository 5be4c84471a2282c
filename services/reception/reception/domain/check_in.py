"""Check-in: the customer is greeted and the car received; the visit (`repair_order-<uuid>`)
starts here (docs/domain.md §1-2; seeds 000, 003).

An appointment car's arrival is booking's record, not the desk's: reception checks the car in
only once booking has recorded its arrival, and takes the arrival time and the priority from
it (a car that came after the grace period lost its appointment priority at booking). Anyone
else's arrival is recorded at the desk by whoever met the car. Greeting time is the interval
from that arrival to the check-in, where the advisor greets the customer (seeds: 1-3 minutes).

A check-in is safe to send again (docs/decisions/0006-check-in-from-booking.md): an appointment
has one visit, whose id is derived from the appointment, and a walk-in's visit is named by the
client (its `repair_order_id` or `Idempotency-Key`). A check-in that lands on a visit already
checked in records nothing more when it is the same check-in, and is refused when it is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID, uuid5

from events.catalog.reception import VehicleCheckedIn
from events.catalog.reception_values import ARRIVAL_KINDS, COURTESY_TRANSPORTS, PRIORITY_ARRIVALS
from events.contract import Event
from reception.domain import errors
from reception.domain.errors import require_code, require_text
from reception.domain.repair_order_commands import BookedAppointment, CheckIn
from reception.domain.repair_order_state import RepairOrder

# The namespace of visit ids derived from what names them (RFC 4122 name-based ids): the same
# appointment or client key at the same site always names the same visit, and nothing else does.
_VISITS = UUID("6f1c2a7e-53b4-4f0e-9a55-2f0d8e1c4b7a")


def appointment_visit_id(group_id: str, site_id: str, appointment_id: UUID) -> UUID:
    """The one visit of an appointment."""
    return uuid5(_VISITS, f"appointment/{group_id}/{site_id}/{appointment_id}")


def keyed_visit_id(group_id: str, site_id: str, user_id: str, key: str) -> UUID:
    """The visit a client's `Idempotency-Key` names. Keys are the caller's own: another user's
    same key names another visit, so no one learns of a visit through a guessed key."""
    return uuid5(_VISITS, f"key/{group_id}/{site_id}/{user_id}/{key}")


def check_in(state: RepairOrder, command: CheckIn) -> Sequence[Event]:
    if state.checked_in is not None:
        return _again(state.checked_in, command)
    priority, arrived_at = _arrival(command)
    _check_courtesy(command)
    if command.greeted_at < arrived_at:
        raise errors.TimeOutOfOrder("the customer is greeted after the car arrived, not before")
    contact_phone = _contact_phone(command)
    if not command.customer_waiting and contact_phone is None:
        # seed 003: "如果客户不在公司等候,应明确随时可以取得联系的方式".
        raise errors.ContactRequired("the customer leaves the car: record a number where they can be reached")
    return [
        VehicleCheckedIn(
            repair_order_id=command.repair_order_id,
            arrival_kind=command.arrival_kind,
            priority=priority,
            appointment_id=command.appointment_id,
            customer=command.customer,
            vehicle=command.vehicle,
            vehicle_user=command.vehicle_user,
            service_advisor=require_text(command.service_advisor, "the service advisor"),
            currency=command.currency,
            arrived_at=arrived_at,
            greeted_at=command.greeted_at,
            customer_waiting=command.customer_waiting,
            # A waiting customer is in the lounge; progress calls still go to the car's user.
            contact_phone=contact_phone or command.vehicle_user.phone,
            courtesy_offered=command.courtesy_offered,
            courtesy_accepted=command.courtesy_accepted,
        )
    ]


def _arrival(command: CheckIn) -> tuple[str, datetime]:
    """The board's priority mark and the arrival time. A first visit and a tow-in are treated
    like an appointment (seed 000: "第一次进厂视同预约"; docs/domain.md §1)."""
    kind = require_code(command.arrival_kind, ARRIVAL_KINDS, "arrival kind")
    if kind == "appointment" and command.appointment_id is None:
        raise errors.AppointmentMismatch("an appointment arrival names its appointment")
    if kind == "walk_in" and command.appointment_id is not None:
        raise errors.AppointmentMismatch("a walk-in has no appointment; check the car in as an appointment")
    if command.appointment_id is None:
        if command.arrived_at is None:
            raise errors.MissingInformation("record when the car arrived: greeting time is measured from it")
        return ("appointment" if kind in PRIORITY_ARRIVALS else "normal"), command.arrived_at
    if command.arrived_at is not None:
        raise errors.AppointmentMismatch("booking records an appointment car's arrival; do not type another time")
    arrived_at, booked_priority = _booked_arrival(command.appointment_id, command.booking)
    return (booked_priority if kind == "appointment" else "appointment"), arrived_at


def _booked_arrival(appointment_id: UUID, booking: BookedAppointment | None) -> tuple[datetime, str]:
    if booking is None or booking.appointment_id != appointment_id:
        raise errors.AppointmentNotFound(f"booking has no appointment {appointment_id} at this site")
    if booking.status == "cancelled":
        raise errors.AppointmentCancelled("the appointment was cancelled; check the car in as a walk-in")
    if booking.status != "arrived" or booking.arrived_at is None or booking.priority is None:
        raise errors.ArrivalNotRecorded(
            "booking has not recorded this car's arrival: record it there, then check the car in "
            "(if it was recorded a moment ago, try again shortly)"
        )
    return booking.arrived_at, booking.priority


def _check_courtesy(command: CheckIn) -> None:
    for offer in command.courtesy_offered:
        require_code(offer, COURTESY_TRANSPORTS, "courtesy transport")
    accepted = command.courtesy_accepted
    if accepted is None:
        return
    if accepted not in command.courtesy_offered:
        raise errors.InvalidCourtesyTransport(f"{accepted} was not offered to the customer")
    if command.customer_waiting:
        # seed 003: replacement transport is for customers who leave the car.
        raise errors.InvalidCourtesyTransport("a customer waiting in the lounge does not take a shuttle or loaner")


def _contact_phone(command: CheckIn) -> str | None:
    return (command.contact_phone or "").strip() or None


def _again(visit: VehicleCheckedIn, command: CheckIn) -> Sequence[Event]:
    """A check-in that lands on a visit already checked in: the appointment's car is here
    already (whatever the second desk typed), or a client's retry of the same request."""
    if command.appointment_id is not None and command.appointment_id == visit.appointment_id:
        return []
    if visit.appointment_id is None and _same_request(visit, command):
        return []
    raise errors.CheckInReused(
        f"visit {visit.repair_order_id} was checked in with other details; "
        "a retry repeats its request, a new check-in takes a new repair_order_id or Idempotency-Key"
    )


def _same_request(visit: VehicleCheckedIn, command: CheckIn) -> bool:
    """Everything the desk sent, compared with what the first check-in recorded (the greeting
    time is the retry's own)."""
    contact = _contact_phone(command) or command.vehicle_user.phone
    return (
        visit.arrival_kind,
        visit.customer,
        visit.vehicle,
        visit.vehicle_user,
        visit.service_advisor,
        visit.currency,
        visit.arrived_at,
        visit.customer_waiting,
        visit.contact_phone,
        visit.courtesy_offered,
        visit.courtesy_accepted,
    ) == (
        command.arrival_kind,
        command.customer,
        command.vehicle,
        command.vehicle_user,
        command.service_advisor.strip(),
        command.currency,
        command.arrived_at,
        command.customer_waiting,
        contact,
        command.courtesy_offered,
        command.courtesy_accepted,
    )
