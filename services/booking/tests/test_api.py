"""The booking service over HTTP, on a real PostgreSQL and broker: capacity, booking without
overbooking, confirmations and their clocks, arrival, the customer database, and preparation
fed by reception's and parts' published events — and the refusals people meet on the way."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from booking.app import create_app
from events.catalog.parts import PartsReserved, PartsShortageDetected
from events.catalog.reception import AdditionalWorkDeclined, InvoiceSettled, RepairOrderSigned, VehicleDelivered
from events.catalog.reception_values import (
    Consent,
    HealthRecordItem,
    MaintenanceRecord,
    PayTypeTotal,
    Recommendation,
    RepairLine,
    VehicleIdentity,
)
from events.clock import ManualClock
from events.contract import Event
from events.envelope import Metadata, Tenant
from events.identity import (
    ADVISOR,
    DISPATCHER,
    TECHNICIAN,
    Identity,
)
from events.testing import consumers_assigned, eventually, kafka_for_tests
from events.testing.identity import identity_headers
from events.testing.publishing import Publisher

GROUP_A, GROUP_B = str(uuid.uuid4()), str(uuid.uuid4())
SITE, OTHER_SITE, SITE_B = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2031, 5, 5, 10, 0, tzinfo=SHANGHAI)  # a Monday morning
DAY = date(2031, 5, 7)  # the Wednesday the cars come
SLOT = datetime(2031, 5, 7, 9, 0, tzinfo=SHANGHAI)
VIN = "LFV2A21K8G3000001"


def as_(role: str, user: str | None = None, group: str = GROUP_A, site: str = SITE) -> dict[str, str]:
    identity = Identity(user or f"{role}-1", "Chen Jie", group, frozenset({role}), frozenset({site}))
    return identity_headers(identity)


SA = as_(ADVISOR, "sa-li")
CAPACITY = {
    "timezone": "Asia/Shanghai",
    "opens_at": "08:00",
    "closes_at": "18:00",
    "slot_minutes": 60,
    "open_weekdays": [1, 2, 3, 4, 5, 6, 7],
    "advisors": ["sa-li", "sa-zhang"],
    "receptions_per_advisor": 1,
    "technicians": 2,
    "bays": 2,
    "workshop_minutes_per_slot": 120,
}


@dataclass
class Booking:
    http: httpx.AsyncClient
    clock: ManualClock
    publisher: Publisher
    app: Any

    async def publish(self, *events: tuple[str, Event]) -> None:
        """Publish other services' events through the broker, as those services would."""
        await self.publisher.publish(Metadata(Tenant(GROUP_A, SITE), "someone", str(uuid.uuid4())), *events)

    async def recorded(self, stream: str) -> list[str]:
        return [e.event_type for e in await self.app.state.runtime.store.read_stream(stream)]

    async def book(self, headers: dict[str, str] = SA, **changes: Any) -> httpx.Response:
        return await self.http.post(f"/sites/{SITE}/appointments", json=booking_body(**changes), headers=headers)

    async def day_list(self, until: Any, advisor: str | None = None) -> list[dict[str, Any]]:
        async def probe() -> list[dict[str, Any]]:
            params = {"date": DAY.isoformat(), **({"advisor": advisor} if advisor else {})}
            response = await self.http.get(f"/sites/{SITE}/appointment-lists", params=params, headers=SA)
            rows: list[dict[str, Any]] = response.json()["appointments"]
            return rows

        return await eventually(probe, until=until, what="the appointment list")


@pytest.fixture
async def booking(
    database: str, postgres_url: str, bootstrap_servers: str, topic_prefix: str
) -> AsyncIterator[Booking]:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    clock = ManualClock(START)
    app = create_app(clock=clock, database_url=database, kafka=kafka)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://b") as http:
        await consumers_assigned(app)
        capacity = await http.put(f"/sites/{SITE}/capacity", json=CAPACITY, headers=as_(DISPATCHER))
        assert capacity.status_code == 200, capacity.text
        yield Booking(http, clock, Publisher(postgres_url, kafka), app)


def booking_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reason": "maintenance",
        "customer": {"name": "Wang Lei", "phone": "13900000001"},
        "vehicle_user": {"name": "Wang Fang", "phone": "13900000002"},
        "vehicle": {"vin": VIN.lower(), "plate": "京A12345", "model": "Sagitar"},
        "mileage_km": 9800,
        "requested_jobs": [
            {
                "description": "10,000 km service",
                "labour_operation": "10K",
                "estimated_minutes": 60,
                "parts": [{"part_number": "90915-YZZE1", "description": "oil filter", "quantity": 1}],
            }
        ],
        "customer_words": "the usual service, and the brakes squeak",
        "advisor_id": "sa-li",
        "slot_start": SLOT.isoformat(),
    }
    return {**body, **changes}


async def test_book_confirm_and_arrive(booking: Booking) -> None:
    booked = await booking.book()
    assert booked.status_code == 201, booked.text
    appointment = booked.json()
    assert (appointment["status"], appointment["vehicle"]["vin"], appointment["estimated_minutes"]) == (
        "booked",
        VIN,
        60,
    )
    base = f"/sites/{SITE}/appointments/{appointment['appointment_id']}"

    day_before = await booking.http.post(f"{base}/confirm", json={"confirmation": "day_before"}, headers=SA)
    assert day_before.json()["status"] == "confirmed", day_before.text
    booking.clock.set(SLOT - timedelta(minutes=40))
    own = await booking.http.post(
        f"{base}/confirm", json={"confirmation": "before_arrival", "channel": "wechat"}, headers=SA
    )
    assert own.json()["confirmations"] == ["day_before", "before_arrival"]
    booking.clock.set(SLOT - timedelta(minutes=10))
    arrived = await booking.http.post(f"{base}/arrival", headers=SA)
    assert arrived.status_code == 200, arrived.text
    assert arrived.json()["status"] == "arrived"

    too_late = await booking.http.post(f"{base}/cancel", json={"requested_by": "customer", "reason": "x"}, headers=SA)
    assert too_late.status_code == 409
    assert too_late.json()["error"]["code"] == "already_arrived"

    (row,) = await booking.day_list(until=lambda rows: bool(rows) and rows[0]["status"] == "arrived")
    assert (row["priority"], row["user_name"], row["plate"]) == ("appointment", "Wang Fang", "京A12345")
    recorded = await booking.recorded(f"appointment-{appointment['appointment_id']}")
    assert recorded[0] == "booking.AppointmentBooked"
    assert recorded[-1] == "booking.VehicleArrived"
    capacity = (await booking.http.get(f"/sites/{SITE}/capacity", headers=SA)).json()
    assert capacity["reservations"] == 1, "an arrived car keeps its workshop time"


async def test_overbooking_is_refused_and_writes_nothing(booking: Booking) -> None:
    first = await booking.book()
    assert first.status_code == 201, first.text
    refused_id = str(uuid.uuid4())
    refused = await booking.book(appointment_id=refused_id)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "capacity_exceeded"
    assert "sa-li" in refused.json()["error"]["message"]

    assert (await booking.http.get(f"/sites/{SITE}/appointments/{refused_id}", headers=SA)).status_code == 404
    assert await booking.recorded(f"appointment-{refused_id}") == []
    capacity = (await booking.http.get(f"/sites/{SITE}/capacity", headers=SA)).json()
    assert (capacity["reservations"], capacity["version"]) == (1, 2)
    free = await booking.http.get(
        f"/sites/{SITE}/free-slots", params={"date": DAY.isoformat(), "minutes": 60, "advisor": "sa-li"}, headers=SA
    )
    assert SLOT.isoformat() not in [slot["start"] for slot in free.json()]
    assert free.json()[0]["start"] == SLOT.replace(hour=8).isoformat()

    # A reschedule into a full slot keeps the old one.
    other = await booking.book(advisor_id="sa-zhang", slot_start=(SLOT + timedelta(hours=1)).isoformat())
    moved = await booking.http.post(
        f"/sites/{SITE}/appointments/{other.json()['appointment_id']}/reschedule",
        json={"slot_start": SLOT.isoformat(), "advisor_id": "sa-li", "requested_by": "customer", "reason": "earlier"},
        headers=SA,
    )
    assert moved.status_code == 409
    assert moved.json()["error"]["code"] == "capacity_exceeded"
    kept = await booking.http.get(f"/sites/{SITE}/appointments/{other.json()['appointment_id']}", headers=SA)
    assert (kept.json()["slot_start"], kept.json()["advisor_id"]) == (
        (SLOT + timedelta(hours=1)).isoformat(),
        "sa-zhang",
    )


async def test_bad_input_unknown_ids_roles_and_scope(booking: Booking) -> None:
    invalid = await booking.book(
        slot_start="2031-05-07T09:00:00", requested_jobs=[], vehicle={"vin": "X", "plate": "p"}
    )
    assert invalid.status_code == 422
    fields = {f["field"] for f in invalid.json()["error"]["fields"]}
    assert {"body.slot_start", "body.requested_jobs", "body.vehicle.vin"} <= fields
    unexpected = await booking.book(colour="red")
    assert unexpected.status_code == 422
    assert (await booking.http.get(f"/sites/{SITE}/appointments/{uuid.uuid4()}", headers=SA)).status_code == 404
    assert (await booking.book(headers=as_(TECHNICIAN))).status_code == 403

    booked = (await booking.book()).json()
    path = f"appointments/{booked['appointment_id']}"
    other_site = as_(ADVISOR, site=OTHER_SITE)
    assert (await booking.http.get(f"/sites/{SITE}/{path}", headers=other_site)).status_code == 403
    other_group = as_(ADVISOR, group=GROUP_B, site=SITE_B)
    assert (await booking.http.get(f"/sites/{SITE}/{path}", headers=other_group)).status_code == 403
    assert (await booking.http.get(f"/sites/{SITE_B}/{path}", headers=other_group)).status_code == 404
    assert (await booking.http.get(f"/sites/{SITE_B}/{path}/preparation", headers=other_group)).status_code == 404
    await booking.day_list(until=lambda rows: len(rows) == 1)
    foreign_list = await booking.http.get(
        f"/sites/{SITE_B}/appointment-lists", params={"date": DAY.isoformat()}, headers=other_group
    )
    assert foreign_list.json()["appointments"] == []


async def test_the_day_before_reminder_fires_once_and_a_missing_confirmation_is_flagged(booking: Booking) -> None:
    kept = (await booking.book()).json()["appointment_id"]
    cancelled = (await booking.book(advisor_id="sa-zhang")).json()["appointment_id"]
    cancel = await booking.http.post(
        f"/sites/{SITE}/appointments/{cancelled}/cancel",
        json={"requested_by": "customer", "reason": "sold"},
        headers=SA,
    )
    assert cancel.json()["status"] == "cancelled"

    booking.clock.set(SLOT - timedelta(days=1) + timedelta(minutes=1))
    await eventually(
        lambda: booking.recorded(f"appointment-{kept}"),
        until=lambda types: "booking.ConfirmationRequested" in types,
        what="the day-before reminder",
    )
    booking.clock.set(SLOT - timedelta(minutes=29))
    types = await eventually(
        lambda: booking.recorded(f"appointment-{kept}"),
        until=lambda types: "booking.ArrivalConfirmationOverdue" in types,
        what="the missing confirmation flagged",
    )
    assert types.count("booking.ConfirmationRequested") == 1, "the reminder fires exactly once"
    assert await booking.recorded(f"appointment-{cancelled}") == [
        "booking.AppointmentBooked",
        "booking.AppointmentCancelled",
    ], "a cancelled appointment's clocks were stopped"
    (row,) = await booking.day_list(until=lambda rows: bool(rows) and rows[0]["confirmation_overdue"], advisor="sa-li")
    assert row["status"] == "booked"


async def test_customers_and_vehicles_are_found_by_phone_and_vin(booking: Booking) -> None:
    registered = await booking.http.post(
        f"/sites/{SITE}/customers", json={"name": "Wang Lei", "phones": ["139 0000 0001"]}, headers=SA
    )
    assert registered.status_code == 201, registered.text
    customer = registered.json()["customer_id"]
    car = {"vin": VIN.lower(), "plate": "京a12345", "model": "Sagitar", "year": 2030}
    vehicle = await booking.http.post(f"/sites/{SITE}/customers/{customer}/vehicles", json=car, headers=SA)
    assert vehicle.status_code == 201, vehicle.text
    again = await booking.http.post(f"/sites/{SITE}/customers/{customer}/vehicles", json=car, headers=SA)
    assert again.json()["error"]["code"] == "vehicle_already_registered"

    found = await eventually(
        lambda: booking.http.get(f"/sites/{SITE}/vehicles", params={"vin": VIN}, headers=SA),
        until=lambda r: bool(r.json()),
        what="the vehicle found by VIN",
    )
    assert (found.json()[0]["customer_id"], found.json()[0]["plate"]) == (customer, "京A12345")
    by_phone = await booking.http.get(f"/sites/{SITE}/customers", params={"phone": "139 0000 0001"}, headers=SA)
    assert [c["customer_id"] for c in by_phone.json()] == [customer]


def declined(ro: uuid.UUID, finding: uuid.UUID) -> AdditionalWorkDeclined:
    pads = RepairLine(
        line_id=uuid.uuid4(),
        labour_operation="BRK-PAD",
        description="front brake pads",
        labour_minutes=60,
        labour_price=20000,
        pay_type="CUSTOMER_PAY",
    )
    return AdditionalWorkDeclined(
        repair_order_id=ro,
        vehicle=VehicleIdentity(vin=VIN, plate="京A12345"),
        recommendation=Recommendation(
            finding_id=finding,
            description="front brake pads at 3 mm",
            safety_critical=True,
            labour_minutes=60,
            labour_price=20000,
            parts_price=36000,
            lines=(pads,),
        ),
        customer_reason="next time",
        safety_explained=True,
        consent=Consent(kind="phone", recorded_by="sa-li", at=START - timedelta(days=90), reference="call-1"),
        declined_at=START - timedelta(days=90),
    )


async def test_preparation_offers_what_the_car_declined_before_with_history_and_parts(booking: Booking) -> None:
    earlier, finding, appointment = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    delivered = VehicleDelivered(
        repair_order_id=earlier,
        vehicle=VehicleIdentity(vin=VIN, plate="京A12345"),
        customer={"name": "Wang Lei", "phone": "13900000001"},
        vehicle_user={"name": "Wang Fang", "phone": "13900000002"},
        mileage_km=5012,
        promised_at=START - timedelta(days=90),
        original_promised_at=START - timedelta(days=90),
        on_time=True,
        work_explained=True,
        old_parts_shown=True,
        old_parts_returned=False,
        delivered_at=START - timedelta(days=90),
    )
    on = (START - timedelta(days=90)).date()
    service = HealthRecordItem(labour_operation="5K", description="5,000 km service", labour_minutes=40)
    settled = InvoiceSettled(
        repair_order_id=earlier,
        invoice_number="INV-0001",
        payment_method="card",
        currency="CNY",
        totals=(PayTypeTotal(pay_type="CUSTOMER_PAY", labour=8000, parts=20300, total=28300),),
        labour_total=8000,
        parts_total=20300,
        total=28300,
        customer_pay_total=28300,
        health_record=MaintenanceRecord(
            plate="京A12345",
            vin=VIN,
            repair_date=on,
            mileage_km=5012,
            fault_description="maintenance",
            settlement_date=on,
            settlement_number="INV-0001",
            items=(service,),
            parts=(),
        ),
        settled_at=START - timedelta(days=90),
    )
    stream = f"repair_order-{earlier}"
    await booking.publish((stream, declined(earlier, finding)), (stream, settled), (stream, delivered))
    assert (await booking.book(appointment_id=str(appointment))).status_code == 201
    reserved = PartsReserved(
        part_number="90915-YZZE1",
        reservation_id=uuid.uuid4(),
        appointment_id=appointment,
        quantity=1,
        reserved_at=START,
    )
    await booking.publish((f"stock-{SITE}:90915-YZZE1", reserved))

    view_path = f"/sites/{SITE}/appointments/{appointment}/preparation"

    async def view() -> dict[str, Any]:
        body: dict[str, Any] = (await booking.http.get(view_path, headers=SA)).json()
        return body

    ready = await eventually(
        view,
        until=lambda v: bool(v["recommendations"]) and bool(v["history"]) and v["parts_ready"],
        what="the preparation view fed by reception and parts",
    )
    (offer,) = ready["recommendations"]
    assert (offer["finding_id"], offer["safety_critical"], offer["price"]) == (str(finding), True, 56000)
    (visit,) = ready["history"]
    assert (visit["on"], visit["mileage_km"], visit["work_done"]) == (on.isoformat(), 5012, ["5,000 km service"])
    assert ready["history_summary"].startswith("1 earlier visit(s)")
    assert ready["parts_check"] == [{"part_number": "90915-YZZE1", "quantity": 1, "available": True}]

    prepared = await booking.http.post(
        view_path, json={"answers": [{"finding_id": str(finding), "response": "accepted"}]}, headers=SA
    )
    assert prepared.status_code == 201, prepared.text
    assert (prepared.json()["prepared"], prepared.json()["parts_ready"]) == (True, True)
    recorded = (await view())["recorded"]
    assert recorded["recommendations"][0]["response"] == "accepted"
    assert recorded["last_service_km"] == 5012
    unknown = await booking.http.post(
        view_path, json={"answers": [{"finding_id": str(uuid.uuid4()), "response": "declined"}]}, headers=SA
    )
    assert unknown.json()["error"]["code"] == "unknown_recommendation"

    # A shortage shows in the pre-check; a later visit that does the work ends the offer.
    short = PartsShortageDetected(
        part_number="90915-YZZE1",
        reservation_id=uuid.uuid4(),
        appointment_id=appointment,
        missing_quantity=1,
        cause="insufficient_stock",
        detected_at=START,
    )
    later = uuid.uuid4()
    signed = RepairOrderSigned(
        repair_order_id=later,
        vehicle=VehicleIdentity(vin=VIN, plate="京A12345"),
        priority="appointment",
        customer_waiting=True,
        lines=declined(later, finding).recommendation.lines,
        promised_at=START + timedelta(hours=2),
        signature_ref="sig-2",
        signed_at=START,
    )
    await booking.publish((f"stock-{SITE}:90915-YZZE1", short), (f"repair_order-{later}", signed))
    after = await eventually(
        view, until=lambda v: not v["recommendations"] and not v["parts_ready"], what="work done, part short"
    )
    assert after["parts_check"][0]["available"] is False


async def test_capacity_is_set_idempotently_and_only_by_planners(booking: Booking) -> None:
    again = await booking.http.put(f"/sites/{SITE}/capacity", json=CAPACITY, headers=as_(DISPATCHER))
    assert again.status_code == 200
    assert again.json()["version"] == 1, "the same plan again records nothing"
    assert (await booking.http.put(f"/sites/{SITE}/capacity", json=CAPACITY, headers=SA)).status_code == 403
    await booking.book()
    fewer = await booking.http.put(
        f"/sites/{SITE}/capacity", json={**CAPACITY, "advisors": ["sa-zhang"]}, headers=as_(DISPATCHER)
    )
    assert fewer.status_code == 409
    assert fewer.json()["error"]["code"] == "capacity_below_bookings"
    bad = await booking.http.put(
        f"/sites/{SITE}/capacity", json={**CAPACITY, "slot_minutes": 0}, headers=as_(DISPATCHER)
    )
    assert bad.status_code == 422
    assert (again.json()["opens_at"], again.json()["advisors"]) == ("08:00", ["sa-li", "sa-zhang"])


async def test_a_rescheduled_appointment_gets_new_clocks_for_its_new_slot(booking: Booking) -> None:
    appointment = (await booking.book()).json()["appointment_id"]
    new_slot = SLOT + timedelta(days=1, hours=2)
    moved = await booking.http.post(
        f"/sites/{SITE}/appointments/{appointment}/reschedule",
        json={"slot_start": new_slot.isoformat(), "requested_by": "customer", "reason": "travels on Wednesday"},
        headers=SA,
    )
    assert moved.status_code == 200, moved.text
    rows = await booking.app.state.runtime.pool.fetch(
        "SELECT kind, due_at, cancelled_at IS NOT NULL AS stopped FROM timers WHERE timer_id LIKE '%' || $1 || '%'",
        appointment,
    )
    clocks = {(r["kind"], r["due_at"], r["stopped"]) for r in rows}
    assert clocks == {
        ("booking.confirm-day-before", SLOT - timedelta(days=1), True),
        ("booking.expect-confirmation", SLOT - timedelta(minutes=30), True),
        ("booking.confirm-day-before", new_slot - timedelta(days=1), False),
        ("booking.expect-confirmation", new_slot - timedelta(minutes=30), False),
    }
    booking.clock.set(new_slot - timedelta(hours=23))
    await eventually(
        lambda: booking.app.state.runtime.store.read_stream(f"appointment-{appointment}"),
        until=lambda history: history[-1].event_type == "booking.ConfirmationRequested",
        what="the reminder for the new slot",
    )
    history = await booking.app.state.runtime.store.read_stream(f"appointment-{appointment}")
    assert history[-1].event.slot_start == new_slot
