"""Parts reacts to the customer's signature: every part of every signed line is reserved for
that line, and gives back what a removed line or a delivered car no longer needs — published
by a separate reception store and relay, through the real broker."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from events.catalog.reception import RepairLineRemoved, RepairOrderSigned, VehicleDelivered
from events.catalog.reception_values import Consent, Contact, RepairLine, RepairPart, VehicleIdentity
from events.envelope import Metadata, Tenant
from events.identity import PARTS_CLERK, Identity
from events.testing import consumers_assigned, eventually, kafka_for_tests
from events.testing.identity import identity_headers
from events.testing.publishing import Publisher
from parts.app import create_app

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
CLERK = identity_headers(Identity("c", "Zhao Min", GROUP, frozenset({PARTS_CLERK}), frozenset({SITE})))


@pytest.fixture
async def parts(database: str, bootstrap_servers: str, topic_prefix: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        database_url=database,
        kafka=kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}."),
    )
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://p") as client:
        await consumers_assigned(app)
        yield client


def signed(repair_order_id: uuid.UUID, line_id: uuid.UUID) -> RepairOrderSigned:
    now = datetime.now(UTC)
    oil = RepairPart(part_number="SP-5W30-4L", description="engine oil 4 L", quantity=1, unit_price=16800)
    filter_ = RepairPart(part_number="90915-YZZE1", description="oil filter", quantity=1, unit_price=3200)
    own_wipers = RepairPart(
        part_number="WIPER-X", description="wipers", quantity=2, unit_price=0, customer_supplied=True
    )
    line = RepairLine(
        line_id=line_id,
        labour_operation="10K",
        description="10,000 km service",
        labour_minutes=40,
        labour_price=8000,
        pay_type="CUSTOMER_PAY",
        parts=(oil, filter_, own_wipers),
    )
    return RepairOrderSigned(
        repair_order_id=repair_order_id,
        vehicle=VehicleIdentity(vin="LFV2A21K0A3000001", plate="京A12345"),
        priority="appointment",
        customer_waiting=True,
        lines=(line,),
        promised_at=now + timedelta(hours=2),
        signature_ref="sig-1",
        signed_at=now,
    )


async def test_signed_lines_reserve_their_parts_and_shortages_are_recorded(
    parts: httpx.AsyncClient, postgres_url: str, bootstrap_servers: str, topic_prefix: str
) -> None:
    await parts.post(f"/sites/{SITE}/stock/SP-5W30-4L/receipts", json={"quantity": 5, "unit_cost": 9000}, headers=CLERK)
    ro, line = uuid.uuid4(), uuid.uuid4()

    reception = Publisher(
        postgres_url, kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    )
    await reception.publish(
        Metadata(Tenant(GROUP, SITE), "advisor-1", "corr-1"), (f"repair_order-{ro}", signed(ro, line))
    )

    async def stock(part: str) -> dict[str, Any]:
        body: dict[str, Any] = (await parts.get(f"/sites/{SITE}/stock/{part}", headers=CLERK)).json()
        return body

    oil = await eventually(lambda: stock("SP-5W30-4L"), until=lambda s: s["reserved"] == 1, what="oil reserved")
    assert oil["reservations"][0]["repair_order_id"] == str(ro)
    assert oil["reservations"][0]["line_id"] == str(line)
    filter_ = await stock("90915-YZZE1")
    assert (filter_["reserved"], filter_["backordered"]) == (0, 1), "no filter on the shelf: a shortage"
    assert (await stock("WIPER-X"))["reservations"] == [], "customer-supplied parts are not reserved"


async def test_a_removed_line_gives_back_its_parts_and_its_back_order(
    parts: httpx.AsyncClient, postgres_url: str, bootstrap_servers: str, topic_prefix: str
) -> None:
    await parts.post(f"/sites/{SITE}/stock/SP-5W30-4L/receipts", json={"quantity": 5, "unit_cost": 9000}, headers=CLERK)
    ro, line = uuid.uuid4(), uuid.uuid4()
    reception = Publisher(
        postgres_url, kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    )
    meta = Metadata(Tenant(GROUP, SITE), "advisor-1", "corr-2")
    await reception.publish(meta, (f"repair_order-{ro}", signed(ro, line)))
    await eventually(lambda: stock(parts, "90915-YZZE1"), until=lambda s: s["backordered"] >= 1, what="the shortage")

    now = datetime.now(UTC)
    removed = RepairLineRemoved(
        repair_order_id=ro,
        line_id=line,
        reason="the customer will service the car elsewhere",
        consent=Consent(kind="phone", recorded_by="advisor-1", at=now, reference="rec-7"),
        removed_at=now,
    )
    await reception.publish(meta, (f"repair_order-{ro}", removed))

    oil = await eventually(
        lambda: stock(parts, "SP-5W30-4L"), until=lambda s: s["reservations"] == [], what="the oil given back"
    )
    assert (oil["on_hand"], oil["reserved"], oil["available"]) == (5, 0, 5)
    filter_ = await eventually(
        lambda: stock(parts, "90915-YZZE1"), until=lambda s: s["reservations"] == [], what="the wait cancelled"
    )
    assert filter_["backordered"] == 0


async def test_delivery_releases_what_was_never_issued_and_leaves_the_issued_parts_out(
    parts: httpx.AsyncClient, postgres_url: str, bootstrap_servers: str, topic_prefix: str
) -> None:
    await parts.post(f"/sites/{SITE}/stock/BRAKE-PAD/receipts", json={"quantity": 6, "unit_cost": 21000}, headers=CLERK)
    ro, pads_line, disc_line = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    pads = RepairPart(part_number="BRAKE-PAD", description="front pads", quantity=4, unit_price=36000)
    discs = RepairPart(part_number="BRAKE-DISC-X", description="front discs", quantity=2, unit_price=52000)
    lines = tuple(
        RepairLine(
            line_id=line_id,
            labour_operation=operation,
            description=operation,
            labour_minutes=60,
            labour_price=12000,
            pay_type="CUSTOMER_PAY",
            parts=(part,),
        )
        for line_id, operation, part in ((pads_line, "PADS", pads), (disc_line, "DISCS", discs))
    )
    now = datetime.now(UTC)
    order = signed(ro, pads_line).model_copy(update={"lines": lines})
    reception = Publisher(
        postgres_url, kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    )
    meta = Metadata(Tenant(GROUP, SITE), "advisor-1", "corr-3")
    await reception.publish(meta, (f"repair_order-{ro}", order))
    await eventually(lambda: stock(parts, "BRAKE-PAD"), until=lambda s: s["reserved"] == 4, what="pads held")
    # Two pads fitted; the other two stay on the shelf, held; the discs never came.
    issue = {"repair_order_id": str(ro), "line_id": str(pads_line), "quantity": 2}
    assert (await parts.post(f"/sites/{SITE}/stock/BRAKE-PAD/issues", json=issue, headers=CLERK)).status_code == 201

    person = Contact(name="Li Wei", phone="13800000000")
    delivered = VehicleDelivered(
        repair_order_id=ro,
        vehicle=order.vehicle,
        customer=person,
        vehicle_user=person,
        mileage_km=42000,
        promised_at=order.promised_at,
        original_promised_at=order.promised_at,
        on_time=True,
        work_explained=True,
        old_parts_shown=True,
        old_parts_returned=False,
        delivered_at=now,
    )
    await reception.publish(meta, (f"repair_order-{ro}", delivered))

    pads_after = await eventually(
        lambda: stock(parts, "BRAKE-PAD"), until=lambda s: s["reserved"] == 0, what="unissued pads given back"
    )
    assert (pads_after["on_hand"], pads_after["available"]) == (4, 4), "the two fitted pads stay issued"
    discs_after = await eventually(
        lambda: stock(parts, "BRAKE-DISC-X"), until=lambda s: s["backordered"] == 0, what="disc wait cancelled"
    )
    assert discs_after["reservations"] == []


async def stock(parts: httpx.AsyncClient, part: str) -> dict[str, Any]:
    body: dict[str, Any] = (await parts.get(f"/sites/{SITE}/stock/{part}", headers=CLERK)).json()
    return body
