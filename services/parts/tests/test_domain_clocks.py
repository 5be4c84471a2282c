"""The hold on an arrived appointment car's parts (docs/flow.md, "Parts held are given back"):
its clock starts at the arrival, whichever of booking's arrival and reception's check-in comes
first. Event in, clock changes out — no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from events.catalog.booking import VehicleArrived
from events.catalog.booking_values import Contact as BookingContact
from events.catalog.booking_values import VehicleIdentity as BookingVehicle
from events.catalog.reception import VehicleCheckedIn
from events.catalog.reception_values import Contact, VehicleIdentity
from events.clocks import StartClock
from parts.domain.clocks import arrived_hold

APPOINTMENT = uuid4()
ARRIVED = datetime(2024, 5, 7, 9, 20, tzinfo=UTC)
LATER = ARRIVED + timedelta(hours=3)  # when the event was read: the hold still runs from the arrival
HOLD = StartClock(
    f"parts:arrived-hold:{APPOINTMENT}",
    "parts.arrived_hold_ends",
    ARRIVED + timedelta(hours=12),  # the working day the car came in
    {"appointment_id": str(APPOINTMENT)},
)


def checked_in(appointment_id: UUID | None = APPOINTMENT) -> VehicleCheckedIn:
    person = Contact(name="Wang Wei", phone="13800000001")
    return VehicleCheckedIn(
        repair_order_id=uuid4(),
        arrival_kind="appointment" if appointment_id else "walk_in",
        priority="appointment" if appointment_id else "normal",
        appointment_id=appointment_id,
        customer=person,
        vehicle=VehicleIdentity(vin="LFV2A21K8G3000002", plate="京C11111"),
        vehicle_user=person,
        service_advisor="advisor-1",
        arrived_at=ARRIVED,
        greeted_at=ARRIVED + timedelta(minutes=2),
        customer_waiting=True,
        contact_phone="13800000001",
    )


def test_booking_s_arrival_starts_the_hold() -> None:
    person = BookingContact(name="Wang Wei", phone="13800000001")
    arrived = VehicleArrived(
        appointment_id=APPOINTMENT,
        customer=person,
        vehicle=BookingVehicle(vin="LFV2A21K8G3000002", plate="京C11111"),
        vehicle_user=person,
        advisor_id="advisor-1",
        slot_start=ARRIVED,
        arrived_at=ARRIVED,
        priority="appointment",
        early_minutes=0,
        late_minutes=0,
    )
    assert arrived_hold(arrived, LATER) == [HOLD]


def test_an_appointment_car_s_check_in_starts_the_same_hold() -> None:
    assert arrived_hold(checked_in(), LATER) == [HOLD]


def test_a_walk_in_holds_nothing() -> None:
    assert arrived_hold(checked_in(appointment_id=None), LATER) == []
