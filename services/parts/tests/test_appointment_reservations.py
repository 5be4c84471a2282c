"""Parts holds what an appointment's jobs need from booking on, gives it back on cancellation,
and hands it to the RO's lines when the car's repair order is signed — booking's and
reception's events published through the real broker by stand-in stores."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from events.catalog import booking
from events.catalog.booking_values import Contact, RequestedJob, RequestedPart, VehicleIdentity
from events.catalog.reception import RepairOrderSigned
from events.catalog.reception_values import RepairLine, RepairPart
from events.catalog.reception_values import VehicleIdentity as RoVehicle
from events.envelope import Metadata, Tenant
from events.identity import PARTS_CLERK, Identity
from events.kafka import KafkaSettings
from events.testing import consumers_assigned, eventually
from events.testing.identity import identity_headers
from events.testing.publishing import Publisher
from parts.app import create_app

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
CLERK = identity_headers(Identity("c", "Zhao Min", GROUP, frozenset({PARTS_CLERK}), frozenset({SITE})))
NOW = datetime.now(UTC)
META = Metadata(Tenant(GROUP, SITE), "advisor-1", "corr-1")


@pytest.fixture
def kafka(bootstrap_servers: str, topic_prefix: str) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")


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
