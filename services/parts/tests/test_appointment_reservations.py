"""Parts holds what an appointment's jobs need from booking on, gives it back on cancellation,
and hands it to the RO's lines when the car's repair order is signed; an arrived car that gets
no repair order (an exit slip, or none signed before the hold ends) gives it back too —
booking's and reception's events published through the real broker by stand-in stores."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from events.catalog import booking
from events.catalog.booking_values import Contact, RequestedJob, RequestedPart, VehicleIdentity
from events.catalog.reception import ExitSlipIssued, RepairOrderSigned, VehicleCheckedIn
from events.catalog.reception_values import Contact as RoContact
from events.catalog.reception_values import RepairLine, RepairPart
from events.catalog.reception_values import VehicleIdentity as RoVehicle
from events.clock import ManualClock
from events.envelope import Metadata, Tenant
from events.identity import PARTS_CLERK, Identity
from events.kafka import KafkaSettings
from events.testing import consumers_assigned, eventually, kafka_for_tests
from events.testing.identity import identity_headers
from events.testing.publishing import Publisher
from parts.app import create_app
from parts.policies import ARRIVED_HOLD

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
CLERK = identity_headers(Identity("c", "Zhao Min", GROUP, frozenset({PARTS_CLERK}), frozenset({SITE})))
NOW = datetime.now(UTC)
META = Metadata(Tenant(GROUP, SITE), "advisor-1", "corr-1")


@pytest.fixture
def kafka(bootstrap_servers: str, topic_prefix: str) -> KafkaSettings:
    return kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")


@pytest.fixture
async def parts(database: str, kafka: KafkaSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(database_url=database, kafka=kafka)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://p") as client:
        await consumers_assigned(app)
        await client.post(
            f"/sites/{SITE}/stock/SP-0W20/receipts", json={"quantity": 5, "unit_cost": 9000}, headers=CLERK
        )
        yield client


def booked(appointment_id: uuid.UUID) -> booking.AppointmentBooked:
    oil = RequestedPart(part_number="SP-0W20", description="oil 4 L", quantity=2)
    return booking.AppointmentBooked(
        appointment_id=appointment_id,
        kind="passive",
        reason="maintenance",
        channel="phone",
        customer=Contact(name="Sun Li", phone="13700000001"),
        vehicle=VehicleIdentity(vin="LFV2A21K8G3000002", plate="京C11111"),
        vehicle_user=Contact(name="Sun Li", phone="13700000001"),
        requested_jobs=(RequestedJob(job_id=uuid.uuid4(), description="service", estimated_minutes=60, parts=(oil,)),),
        advisor_id="advisor-1",
        slot_start=NOW + timedelta(days=1),
        estimated_minutes=60,
        booked_at=NOW,
    )


async def stock(parts: httpx.AsyncClient) -> dict[str, Any]:
    body: dict[str, Any] = (await parts.get(f"/sites/{SITE}/stock/SP-0W20", headers=CLERK)).json()
    return body


async def test_an_appointment_holds_its_parts_until_it_is_cancelled(
    parts: httpx.AsyncClient, postgres_url: str, kafka: KafkaSettings
) -> None:
    appointment = uuid.uuid4()
    booking_service = Publisher(postgres_url, kafka)
    await booking_service.publish(META, (f"appointment-{appointment}", booked(appointment)))
    held = await eventually(lambda: stock(parts), until=lambda s: s["reserved"] == 2, what="held for the appointment")
    assert held["reservations"][0]["appointment_id"] == str(appointment)

    cancelled = booking.AppointmentCancelled(
        appointment_id=appointment,
        slot_start=NOW + timedelta(days=1),
        requested_by="customer",
        reason="travel",
        cancelled_at=NOW + timedelta(minutes=5),
    )
    await booking_service.publish(META, (f"appointment-{appointment}", cancelled))
    freed = await eventually(lambda: stock(parts), until=lambda s: s["reserved"] == 0, what="given back")
    assert freed["reservations"] == []


async def test_the_signed_repair_order_takes_over_the_appointments_parts(
    parts: httpx.AsyncClient, postgres_url: str, kafka: KafkaSettings
) -> None:
    appointment, ro, line_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    booking_service, reception = Publisher(postgres_url, kafka), Publisher(postgres_url, kafka)
    await booking_service.publish(META, (f"appointment-{appointment}", booked(appointment)))
    await eventually(lambda: stock(parts), until=lambda s: s["reserved"] == 2, what="held for the appointment")

    line = RepairLine(
        line_id=line_id,
        labour_operation="10K",
        description="service",
        labour_minutes=60,
        labour_price=8000,
        pay_type="CUSTOMER_PAY",
        parts=(RepairPart(part_number="SP-0W20", description="oil", quantity=2, unit_price=16800),),
    )
    signed = RepairOrderSigned(
        repair_order_id=ro,
        appointment_id=appointment,
        vehicle=RoVehicle(vin="LFV2A21K8G3000002", plate="京C11111"),
        priority="appointment",
        customer_waiting=True,
        lines=(line,),
        promised_at=NOW + timedelta(hours=2),
        signature_ref="sig",
        signed_at=NOW + timedelta(days=1),
    )
    await reception.publish(META, (f"repair_order-{ro}", signed))

    def moved(s: dict[str, Any]) -> bool:
        return [(r["line_id"], r["held"]) for r in s["reservations"]] == [(str(line_id), 2)]

    after = await eventually(lambda: stock(parts), until=moved, what="the line holds the parts")
    assert after["reserved"] == 2, "held once, not twice"

    # booking's event arriving again (or late) holds nothing more: the appointment is closed.
    # A marker behind it on the same stream (so the same partition, in order) shows it was seen.
    marker = uuid.uuid4()
    late = Publisher(postgres_url, kafka)
    await late.publish(
        META, (f"appointment-{appointment}", booked(appointment)), (f"appointment-{appointment}", booked(marker))
    )
    final = await eventually(lambda: stock(parts), until=lambda s: s["reserved"] == 4, what="the marker held")
    assert {r["appointment_id"] for r in final["reservations"]} == {None, str(marker)}


def arrived(appointment_id: uuid.UUID, at: datetime) -> booking.VehicleArrived:
    person = Contact(name="Sun Li", phone="13700000001")
    return booking.VehicleArrived(
        appointment_id=appointment_id,
        customer=person,
        vehicle=VehicleIdentity(vin="LFV2A21K8G3000002", plate="京C11111"),
        vehicle_user=person,
        advisor_id="advisor-1",
        slot_start=at,
        arrived_at=at,
        priority="appointment",
        early_minutes=0,
        late_minutes=0,
    )


async def test_an_arrived_car_sent_off_with_an_exit_slip_gives_the_parts_back(
    parts: httpx.AsyncClient, postgres_url: str, kafka: KafkaSettings
) -> None:
    appointment, ro = uuid.uuid4(), uuid.uuid4()
    booking_service, reception = Publisher(postgres_url, kafka), Publisher(postgres_url, kafka)
    await booking_service.publish(
        META,
        (f"appointment-{appointment}", booked(appointment)),
        (f"appointment-{appointment}", arrived(appointment, NOW)),
    )
    await eventually(lambda: stock(parts), until=lambda s: s["reserved"] == 2, what="held for the appointment")

    person = RoContact(name="Sun Li", phone="13700000001")
    vehicle = RoVehicle(vin="LFV2A21K8G3000002", plate="京C11111")
    checked_in = VehicleCheckedIn(
        repair_order_id=ro,
        arrival_kind="appointment",
        priority="appointment",
        appointment_id=appointment,
        customer=person,
        vehicle=vehicle,
        vehicle_user=person,
        service_advisor="advisor-1",
        arrived_at=NOW,
        greeted_at=NOW,
        customer_waiting=True,
        contact_phone="13700000001",
    )
    exit_slip = ExitSlipIssued(
        repair_order_id=ro,
        exit_kind="repair_declined",
        advice="brake pads at 3 mm: replace within 1,000 km",
        diagnosis_fee=0,
        currency="CNY",
        vehicle=vehicle,
        issued_at=NOW + timedelta(minutes=40),
    )
    await reception.publish(META, (f"repair_order-{ro}", checked_in), (f"repair_order-{ro}", exit_slip))
    freed = await eventually(lambda: stock(parts), until=lambda s: s["reserved"] == 0, what="given back")
    assert (freed["reservations"], freed["available"]) == ([], 5)


async def test_an_arrived_car_with_no_repair_order_signed_gives_the_parts_back_when_the_hold_ends(
    database: str, postgres_url: str, kafka: KafkaSettings
) -> None:
    clock = ManualClock(NOW)
    app = create_app(database_url=database, kafka=kafka, clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://p") as parts:
        await consumers_assigned(app)
        await parts.post(
            f"/sites/{SITE}/stock/SP-0W20/receipts", json={"quantity": 5, "unit_cost": 9000}, headers=CLERK
        )
        appointment = uuid.uuid4()
        booking_service = Publisher(postgres_url, kafka)
        await booking_service.publish(
            META,
            (f"appointment-{appointment}", booked(appointment)),
            (f"appointment-{appointment}", arrived(appointment, NOW)),
        )

        async def hold_ends() -> Any:
            conn = await asyncpg.connect(database)
            try:
                return await conn.fetchval("SELECT due_at FROM timers WHERE kind = 'parts.arrived_hold_ends'")
            finally:
                await conn.close()

        due = await eventually(hold_ends, until=lambda at: at is not None, what="the hold's clock started")
        assert due == NOW + ARRIVED_HOLD
        assert (await stock(parts))["reserved"] == 2, "still held while the car may yet get its repair order"

        clock.advance(ARRIVED_HOLD + timedelta(minutes=1))
        freed = await eventually(lambda: stock(parts), until=lambda s: s["reserved"] == 0, what="given back")
        assert freed["reservations"] == []
