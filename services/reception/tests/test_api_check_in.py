"""Check-in over HTTP, on a real PostgreSQL and broker: an appointment car is checked in from
what booking recorded of it (its arrival and priority), a check-in sent again never opens a
second visit, and the greeting is measured from the car's arrival."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from events.catalog.booking import AppointmentBooked, AppointmentCancelled, VehicleArrived
from events.catalog.booking_values import Contact, RequestedJob, VehicleIdentity
from events.envelope import Metadata, Tenant
from events.identity import ADVISOR, Identity
from events.kafka import KafkaSettings
from events.testing import consumers_assigned, eventually, kafka_for_tests
from events.testing.identity import identity_headers
from events.testing.publishing import Publisher
from reception.app import create_app

GROUP, SITE, OTHER_SITE = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
CUSTOMER = Contact(name="Zhao Min", phone="13700000003")
VEHICLE = VehicleIdentity(vin="LSVAU2180N2000123", plate="粤B23456", model="Lavida")


def as_advisor(user: str = "advisor-1") -> dict[str, str]:
    return identity_headers(Identity(user, "Li Na", GROUP, frozenset({ADVISOR}), frozenset({SITE, OTHER_SITE})))


ADVISOR_1 = as_advisor()


@pytest.fixture
def kafka(bootstrap_servers: str, topic_prefix: str) -> KafkaSettings:
    return kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")


@pytest.fixture
def booking(postgres_url: str, kafka: KafkaSettings) -> Publisher:
    """Publishes booking's events, as the booking service would."""
    return Publisher(postgres_url, kafka)


@pytest.fixture
async def api(database: str, kafka: KafkaSettings) -> AsyncIterator[httpx.AsyncClient]:
    # Patience for booking's record: long enough for the broker here, short enough for a refusal.
    app = create_app(database_url=database, kafka=kafka, booking_patience=5.0)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://r") as client:
        await consumers_assigned(app)
        yield client


async def book_and_arrive(
    booking: Publisher, *, late_minutes: int = 0, arrive: bool = True, site: str = SITE
) -> tuple[str, datetime]:
    """An appointment booked at `site` whose car came `late_minutes` after its slot (priority
    "normal" after the 15-minute grace period), four minutes ago: its id and arrival time."""
    appointment = uuid.uuid4()
    arrived_at = datetime.now(UTC) - timedelta(minutes=4)
    slot = arrived_at - timedelta(minutes=late_minutes)
    job = RequestedJob(job_id=uuid.uuid4(), description="30,000 km service", estimated_minutes=60)
    booked = AppointmentBooked(
        appointment_id=appointment, kind="passive", reason="maintenance", channel="phone", customer=CUSTOMER,
        vehicle=VEHICLE, vehicle_user=CUSTOMER, requested_jobs=(job,), advisor_id="advisor-1", slot_start=slot,
        estimated_minutes=60, booked_at=slot - timedelta(days=1),
    )  # fmt: skip
    arrived = VehicleArrived(
        appointment_id=appointment, customer=CUSTOMER, vehicle=VEHICLE, vehicle_user=CUSTOMER, advisor_id="advisor-1",
        slot_start=slot, arrived_at=arrived_at, priority="normal" if late_minutes > 15 else "appointment",
        early_minutes=0, late_minutes=late_minutes, requested_jobs=(job,),
    )  # fmt: skip
    stream = f"appointment-{appointment}"
    events = ((stream, booked), (stream, arrived)) if arrive else ((stream, booked),)
    await booking.publish(Metadata(Tenant(GROUP, site), "advisor-1", str(uuid.uuid4())), *events)
    return str(appointment), arrived_at


def appointment_check_in(appointment: str, **changes: Any) -> dict[str, Any]:
    return {
        "arrival_kind": "appointment",
        "appointment_id": appointment,
        "customer": {"name": CUSTOMER.name, "phone": CUSTOMER.phone},
        "vehicle": {"vin": VEHICLE.vin, "plate": VEHICLE.plate, "model": VEHICLE.model},
        "customer_waiting": True,
        **changes,
    }


def walk_in(**changes: Any) -> dict[str, Any]:
    arrived = (datetime.now(UTC) - timedelta(minutes=3)).replace(microsecond=0)
    return {
        "arrival_kind": "walk_in",
        "customer": {"name": "Wang Wei", "phone": "13800000001"},
        "vehicle": {"vin": "LFV3A23C0J3000001", "plate": "京A12345", "model": "Audi A4L"},
        "customer_waiting": False,
        "contact_phone": "13800000001",
        "arrived_at": arrived.isoformat(),
        **changes,
    }


async def check_in(
    api: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str] = ADVISOR_1, site: str = SITE
) -> httpx.Response:
    return await api.post(f"/sites/{site}/repair-orders", json=body, headers=headers)


def refused(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


# --- the appointment as booking recorded it ---------------------------------------------------


async def test_a_check_in_right_after_booking_recorded_the_arrival_takes_bookings_arrival_and_priority(
    api: httpx.AsyncClient, booking: Publisher
) -> None:
    """The car came 20 minutes late: booking gave it normal priority, whatever the advisor calls
    the arrival. Sent as soon as booking has published, before reception could have heard."""
    appointment, arrived_at = await book_and_arrive(booking, late_minutes=20)
    response = await check_in(api, appointment_check_in(appointment))
    assert response.status_code == 201, response.text
    visit = response.json()
    assert (visit["arrival_kind"], visit["priority"]) == ("appointment", "normal")
    assert datetime.fromisoformat(visit["arrived_at"]) == arrived_at
    assert visit["greeting_seconds"] >= 4 * 60  # from booking's arrival, four minutes ago, to now


async def test_an_appointment_checked_in_twice_has_one_repair_order(api: httpx.AsyncClient, booking: Publisher) -> None:
    appointment, _ = await book_and_arrive(booking)
    first = await check_in(api, appointment_check_in(appointment))
    assert first.status_code == 201, first.text
    again = await check_in(api, appointment_check_in(appointment, customer_waiting=False, contact_phone="137"))
    assert again.status_code == 200, again.text
    assert again.json()["repair_order_id"] == first.json()["repair_order_id"]
    by_another = await check_in(api, appointment_check_in(appointment), headers=as_advisor("advisor-2"))
    assert (by_another.status_code, by_another.json()["repair_order_id"]) == (200, first.json()["repair_order_id"])

    async def visits() -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = (await api.get(f"/sites/{SITE}/repair-orders", headers=ADVISOR_1)).json()
        return [row for row in rows if row["plate"] == VEHICLE.plate]

    rows = await eventually(visits, until=lambda rows: len(rows) >= 1, what="the visit in the list")
    assert [row["repair_order_id"] for row in rows] == [first.json()["repair_order_id"]]


async def test_an_appointment_unknown_at_this_site_is_not_found(api: httpx.AsyncClient, booking: Publisher) -> None:
    unknown = await check_in(api, appointment_check_in(str(uuid.uuid4())))
    assert refused(unknown) == (404, "appointment_not_found")
    elsewhere, _ = await book_and_arrive(booking, site=OTHER_SITE)
    at_other_site = await check_in(api, appointment_check_in(elsewhere))
    assert refused(at_other_site) == (404, "appointment_not_found")
    # Where it was booked, the same appointment is checked in.
    assert (await check_in(api, appointment_check_in(elsewhere), site=OTHER_SITE)).status_code == 201


async def test_an_appointment_whose_arrival_booking_has_not_recorded_is_refused_for_now(
    api: httpx.AsyncClient, booking: Publisher
) -> None:
    appointment, _ = await book_and_arrive(booking, arrive=False)
    not_yet = await check_in(api, appointment_check_in(appointment))
    assert refused(not_yet) == (409, "arrival_not_recorded")
    stream = f"appointment-{appointment}"
    cancelled = AppointmentCancelled(
        appointment_id=uuid.UUID(appointment), slot_start=datetime.now(UTC), requested_by="customer",
        reason="travelling", cancelled_at=datetime.now(UTC),
    )  # fmt: skip
    await booking.publish(Metadata(Tenant(GROUP, SITE), "advisor-1", str(uuid.uuid4())), (stream, cancelled))
    answer = await eventually(
        lambda: check_in(api, appointment_check_in(appointment)),
        until=lambda r: r.status_code != 409 or r.json()["error"]["code"] != "arrival_not_recorded",
        what="the cancellation heard",
    )
    assert refused(answer) == (409, "appointment_cancelled")


async def test_an_appointment_cars_arrival_is_bookings_not_typed(api: httpx.AsyncClient, booking: Publisher) -> None:
    appointment, _ = await book_and_arrive(booking)
    typed = await check_in(api, appointment_check_in(appointment, arrived_at=datetime.now(UTC).isoformat()))
    assert refused(typed) == (409, "appointment_mismatch")


# --- walk-ins: the greeter's arrival, and retries made safe by the client ---------------------


async def test_a_walk_in_is_greeted_from_the_arrival_the_greeter_recorded(api: httpx.AsyncClient) -> None:
    body = walk_in()
    visit = (await check_in(api, body)).json()
    assert datetime.fromisoformat(visit["arrived_at"]) == datetime.fromisoformat(body["arrived_at"])
    assert 3 * 60 <= visit["greeting_seconds"] < 10 * 60
    ro = visit["repair_order_id"]

    async def row() -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = (await api.get(f"/sites/{SITE}/repair-orders", headers=ADVISOR_1)).json()
        return [r for r in rows if r["repair_order_id"] == ro]

    listed = await eventually(row, until=bool, what="the walk-in in the list")
    assert listed[0]["greeted_at"] == visit["greeted_at"]


async def test_a_walk_ins_arrival_is_recorded_and_not_in_the_future(api: httpx.AsyncClient) -> None:
    missing = await check_in(api, {k: v for k, v in walk_in().items() if k != "arrived_at"})
    assert missing.status_code == 422
    assert "body.arrived_at" in {e["field"] for e in missing.json()["error"]["fields"]}
    future = await check_in(api, walk_in(arrived_at=(datetime.now(UTC) + timedelta(minutes=5)).isoformat()))
    assert refused(future) == (409, "time_out_of_order")


async def test_a_walk_in_with_its_own_repair_order_id_is_checked_in_once(api: httpx.AsyncClient) -> None:
    body = walk_in(repair_order_id=str(uuid.uuid4()))
    first = await check_in(api, body)
    assert (first.status_code, first.json()["repair_order_id"]) == (201, body["repair_order_id"])
    again = await check_in(api, body)
    assert (again.status_code, again.json()["repair_order_id"]) == (200, body["repair_order_id"])
    other = await check_in(api, {**body, "customer_waiting": True})
    assert refused(other) == (409, "idempotency_key_reused")


async def test_a_walk_in_retried_with_its_idempotency_key_is_checked_in_once(api: httpx.AsyncClient) -> None:
    body, key = walk_in(), {"Idempotency-Key": f"tablet-7:{uuid.uuid4()}"}
    first = await check_in(api, body, {**ADVISOR_1, **key})
    assert first.status_code == 201, first.text
    again = await check_in(api, body, {**ADVISOR_1, **key})
    assert (again.status_code, again.json()["repair_order_id"]) == (200, first.json()["repair_order_id"])
    reused = await check_in(api, {**body, "customer_waiting": True}, {**ADVISOR_1, **key})
    assert refused(reused) == (409, "idempotency_key_reused")
    # Another user's key is theirs: the same text names another visit.
    theirs = await check_in(api, body, {**as_advisor("advisor-2"), **key})
    assert theirs.status_code == 201
    assert theirs.json()["repair_order_id"] != first.json()["repair_order_id"]
    both = await check_in(api, walk_in(repair_order_id=str(uuid.uuid4())), {**ADVISOR_1, **key})
    assert both.status_code == 422
