"""The advisor board over HTTP, on a real PostgreSQL and broker, fed by booking's, reception's and
the workshop's events as those services publish them: the day is the site's local day, a
waiting customer is marked, a delivered car leaves the board, and a car whose forecast or
passed promise says it will be late shows as late at once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from events.catalog import booking, reception, workshop
from events.catalog import booking_values as bv
from events.catalog import reception_values as rv
from events.clock import ManualClock
from events.contract import Event
from events.envelope import Metadata, Tenant
from events.identity import ADVISOR, Identity
from events.kafka import KafkaSettings
from events.testing import consumers_assigned, eventually, kafka_for_tests
from events.testing.identity import identity_headers
from events.testing.publishing import Publisher
from reception.app import create_app
from reception.board import day_bounds, turns_late_at

GROUP = str(uuid.uuid4())
SHANGHAI = ZoneInfo("Asia/Shanghai")
# 07:00 at a UTC+8 site is still yesterday in UTC: the hour the board used to show the wrong day.
NOW = datetime(2025, 3, 10, 7, 0, tzinfo=SHANGHAI)
VIN = "LFV3A23C0J3000001"

Board = dict[str, Any]


def advisor(site: str) -> dict[str, str]:
    return identity_headers(Identity("advisor-1", "Li Na", GROUP, frozenset({ADVISOR}), frozenset({site})))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def kafka(bootstrap_servers: str, topic_prefix: str) -> KafkaSettings:
    return kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")


@pytest.fixture
def services(postgres_url: str, kafka: KafkaSettings) -> Publisher:
    """Publishes booking's, reception's and the workshop's events, as those services would."""
    return Publisher(postgres_url, kafka)


@pytest.fixture
async def api(database: str, kafka: KafkaSettings, clock: ManualClock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(database_url=database, kafka=kafka, clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://r") as client:
        await consumers_assigned(app)
        yield client


async def publish(services: Publisher, site: str, *events: tuple[str, Event]) -> None:
    await services.publish(Metadata(Tenant(GROUP, site), "someone", str(uuid.uuid4())), *events)


async def board_until(
    api: httpx.AsyncClient, site: str, until: Callable[[Board], bool], what: str, query: str = ""
) -> Board:
    async def board() -> Board:
        response = await api.get(f"/sites/{site}/advisor-board{query}", headers=advisor(site))
        assert response.status_code == 200, response.text
        body: Board = response.json()
        return body

    return await eventually(board, until=until, what=what)


def plates(cards: list[dict[str, Any]]) -> set[str]:
    return {card["plate"] for card in cards}


# --- the events, as their services publish them ------------------------------------------------


def booked(plate: str, slot_start: datetime) -> tuple[str, Event]:
    appointment = uuid.uuid4()
    return f"appointment-{appointment}", booking.AppointmentBooked(
        appointment_id=appointment,
        kind="passive",
        reason="maintenance",
        channel="phone",
        customer=bv.Contact(name="Wang Wei", phone="13800000001"),
        vehicle=bv.VehicleIdentity(vin=VIN, plate=plate),
        vehicle_user=bv.Contact(name="Wang Wei", phone="13800000001"),
        requested_jobs=(bv.RequestedJob(job_id=uuid.uuid4(), description="10000 km service", estimated_minutes=60),),
        advisor_id="advisor-1",
        slot_start=slot_start,
        estimated_minutes=60,
        booked_at=NOW - timedelta(days=3),
    )


def capacity(site: str, zone: str) -> tuple[str, Event]:
    return f"capacity-{site}", booking.CapacitySet(
        site_id=uuid.UUID(site),
        timezone=zone,
        opens_at=time(8),
        closes_at=time(18),
        slot_minutes=30,
        open_weekdays=(1, 2, 3, 4, 5, 6),
        advisors=("advisor-1",),
        receptions_per_advisor=2,
        technicians=4,
        bays=4,
        workshop_minutes_per_slot=120,
        set_at=NOW - timedelta(days=30),
    )


def checked_in(ro: uuid.UUID, plate: str, waiting: bool) -> tuple[str, Event]:
    contact = rv.Contact(name="Zhao Lei", phone="13900000002")
    return f"repair_order-{ro}", reception.VehicleCheckedIn(
        repair_order_id=ro,
        arrival_kind="walk_in",
        priority="normal",
        customer=contact,
        vehicle=rv.VehicleIdentity(vin=VIN, plate=plate),
        vehicle_user=contact,
        service_advisor="advisor-1",
        arrived_at=NOW - timedelta(minutes=30),
        greeted_at=NOW - timedelta(minutes=29),
        customer_waiting=waiting,
        contact_phone="13900000002",
    )


def signed(ro: uuid.UUID, plate: str, promised_at: datetime) -> tuple[str, Event]:
    line = rv.RepairLine(
        line_id=uuid.uuid4(),
        labour_operation="SERVICE-10K",
        description="10000 km service",
        labour_minutes=60,
        labour_price=8000,
        pay_type="CUSTOMER_PAY",
    )
    return f"repair_order-{ro}", reception.RepairOrderSigned(
        repair_order_id=ro,
        vehicle=rv.VehicleIdentity(vin=VIN, plate=plate),
        priority="normal",
        customer_waiting=False,
        lines=(line,),
        promised_at=promised_at,
        signature_ref="scan-0001",
        signed_at=NOW - timedelta(minutes=20),
    )


def revised(ro: uuid.UUID, previous: datetime, promised_at: datetime) -> tuple[str, Event]:
    consent = rv.Consent(kind="phone", recorded_by="advisor-1", at=NOW, reference="call-1")
    return f"repair_order-{ro}", reception.PromisedTimeRevised(
        repair_order_id=ro,
        previous_promised_at=previous,
        promised_at=promised_at,
        reason="brake discs on back-order",
        consent=consent,
        informed_before_promise=True,
        revised_at=NOW,
    )


def delivered(ro: uuid.UUID, plate: str, promised_at: datetime) -> tuple[str, Event]:
    contact = rv.Contact(name="Zhao Lei", phone="13900000002")
    return f"repair_order-{ro}", reception.VehicleDelivered(
        repair_order_id=ro,
        vehicle=rv.VehicleIdentity(vin=VIN, plate=plate),
        customer=contact,
        vehicle_user=contact,
        mileage_km=10012,
        promised_at=promised_at,
        original_promised_at=promised_at,
        on_time=True,
        work_explained=True,
        old_parts_shown=True,
        old_parts_returned=False,
        delivered_at=NOW,
    )


def work_order_opened(ro: uuid.UUID, plate: str, promised_at: datetime) -> tuple[str, Event]:
    job = workshop.Job(job_id=uuid.uuid4(), labour_operation="SERVICE-10K", description="service", planned_minutes=60)
    return f"work_order-{ro}", workshop.WorkOrderOpened(
        repair_order_id=ro,
        vehicle=rv.VehicleIdentity(vin=VIN, plate=plate),
        priority="normal",
        customer_waiting=False,
        promised_at=promised_at,
        jobs=(job,),
        opened_at=NOW - timedelta(minutes=15),
    )


def running_late(ro: uuid.UUID, promised_at: datetime, forecast: datetime) -> tuple[str, Event]:
    return f"work_order-{ro}", workshop.JobRunningLate(
        repair_order_id=ro,
        promised_at=promised_at,
        forecast_ready_at=forecast,
        late_by_minutes=int((forecast - promised_at).total_seconds() // 60),
        job_ids=(uuid.uuid4(),),
        detected_at=NOW,
    )


def progress_check(ro: uuid.UUID, promised_at: datetime, forecast: datetime) -> tuple[str, Event]:
    return f"work_order-{ro}", workshop.ProgressCheckDue(
        repair_order_id=ro,
        check="half_time",
        promised_at=promised_at,
        forecast_ready_at=forecast,
        remaining_minutes=60,
        on_track=forecast <= promised_at,
        checked_at=NOW,
    )


# --- the day ----------------------------------------------------------------------------------


def test_a_days_bounds_are_the_sites_local_midnights() -> None:
    start, end = day_bounds(date(2025, 3, 10), SHANGHAI)
    assert (start, end) == (datetime(2025, 3, 9, 16, tzinfo=UTC), datetime(2025, 3, 10, 16, tzinfo=UTC))
    # A day that loses an hour to daylight saving time is 23 hours long.
    start, end = day_bounds(date(2025, 3, 30), ZoneInfo("Europe/Berlin"))
    assert end - start == timedelta(hours=23)


async def test_the_boards_day_is_the_sites_local_day(api: httpx.AsyncClient, services: Publisher) -> None:
    """At 07:00 in Shanghai (23:00 UTC the day before) the board shows today's 07:30 drop-off
    and this afternoon's car, not yesterday's; a site whose capacity names another time zone
    has its own day."""
    site, london = str(uuid.uuid4()), str(uuid.uuid4())
    await publish(
        services,
        site,
        booked("沪A07301", datetime(2025, 3, 10, 7, 30, tzinfo=SHANGHAI)),
        booked("沪A17001", datetime(2025, 3, 10, 17, 0, tzinfo=SHANGHAI)),
        booked("沪A10000", datetime(2025, 3, 9, 10, 0, tzinfo=SHANGHAI)),
    )
    yesterday = await board_until(api, site, lambda b: bool(b["appointments"]), "yesterday's", "?day=2025-03-09")
    assert plates(yesterday["appointments"]) == {"沪A10000"}
    today = await board_until(api, site, lambda b: len(b["appointments"]) >= 2, "today's two appointments")
    assert today["day"] == "2025-03-10"
    assert plates(today["appointments"]) == {"沪A07301", "沪A17001"}

    # London is on 2025-03-09 still (23:00 there): its evening car is today's, its 07:30 tomorrow's.
    zone = ZoneInfo("Europe/London")
    await publish(services, london, capacity(london, "Europe/London"))
    await publish(
        services,
        london,
        booked("LN09220", datetime(2025, 3, 9, 22, 0, tzinfo=zone)),
        booked("LN10073", datetime(2025, 3, 10, 7, 30, tzinfo=zone)),
    )

    def londons_evening(b: Board) -> bool:
        return b["day"] == "2025-03-09" and "LN09220" in plates(b["appointments"])

    await board_until(api, london, londons_evening, "London's own day")
    tomorrow = await board_until(
        api, london, lambda b: "LN10073" in plates(b["appointments"]), "London's tomorrow", "?day=2025-03-10"
    )
    assert plates(tomorrow["appointments"]) == {"LN10073"}
    theirs = await board_until(api, london, londons_evening, "London's own day")
    assert plates(theirs["appointments"]) == {"LN09220"}


# --- the cars in service ------------------------------------------------------------------------


async def test_a_waiting_customer_is_marked_and_a_delivered_car_leaves_the_board(
    api: httpx.AsyncClient, services: Publisher
) -> None:
    site = str(uuid.uuid4())
    waits, leaves = uuid.uuid4(), uuid.uuid4()
    promise = NOW + timedelta(hours=2)
    await publish(
        services,
        site,
        checked_in(waits, "沪B00001", waiting=True),
        signed(waits, "沪B00001", promise),
        checked_in(leaves, "沪B00002", waiting=False),
        signed(leaves, "沪B00002", promise),
    )
    board = await board_until(api, site, lambda b: len(b["cars"]) == 2, "both cars")
    waiting = {card["plate"]: card["customer_waiting"] for card in board["cars"]}
    assert waiting == {"沪B00001": True, "沪B00002": False}

    await publish(services, site, delivered(waits, "沪B00001", promise))
    board = await board_until(api, site, lambda b: "沪B00001" not in plates(b["cars"]), "the delivered car gone")
    assert plates(board["cars"]) == {"沪B00002"}, "the other car is still in for service"
    # Nor does it come back on the day it arrived (06:30 here, 22:30 UTC the day before).
    for day in ("2025-03-09", "2025-03-10"):
        board = await board_until(api, site, lambda b: True, "the board of the day", f"?day={day}")
        assert plates(board["cars"]) == {"沪B00002"}, day


async def test_a_car_shows_late_as_soon_as_its_forecast_or_the_clock_passes_the_promise(
    api: httpx.AsyncClient, services: Publisher, clock: ManualClock
) -> None:
    site = str(uuid.uuid4())
    ro, on_time = uuid.uuid4(), uuid.uuid4()
    promise = NOW + timedelta(hours=2)
    forecast = NOW + timedelta(hours=3)

    def car(board: Board, card_id: uuid.UUID = ro) -> dict[str, Any]:
        found: list[dict[str, Any]] = [c for c in board["cars"] if c["repair_order_id"] == str(card_id)]
        assert len(found) == 1, board
        return found[0]

    await publish(services, site, checked_in(ro, "沪C00001", False), signed(ro, "沪C00001", promise))
    # The workshop's topic is not ordered against reception's: its own stream opens the card if need be.
    await publish(services, site, work_order_opened(ro, "沪C00001", promise), running_late(ro, promise, forecast))
    await board_until(api, site, lambda b: bool(b["cars"]) and car(b)["late"], "late on the workshop's signal")

    # The customer agrees a new time that is still before the forecast: the car is still late.
    still_early = NOW + timedelta(hours=2, minutes=30)
    await publish(services, site, revised(ro, promise, still_early))
    board = await board_until(
        api, site, lambda b: datetime.fromisoformat(car(b)["promised_at"]) == still_early, "the revised promise"
    )
    assert car(board)["late"], "the forecast it holds is past the new promise"

    # A promise after the forecast: on time again; a check carrying the workshop's older promise
    # (the topics are not ordered against each other) is read against the board's promise.
    after = NOW + timedelta(hours=4)
    await publish(services, site, revised(ro, still_early, after))
    await board_until(api, site, lambda b: not car(b)["late"], "on time after the promise moved past the forecast")
    checked = NOW + timedelta(hours=3, minutes=30)
    await publish(services, site, progress_check(ro, still_early, checked))
    board = await board_until(
        api,
        site,
        lambda b: datetime.fromisoformat(car(b)["forecast_ready_at"]) == checked,
        "the progress check's forecast",
    )
    assert not car(board)["late"], "the forecast is before the promise in force"

    # No forecast at all, and the promise passes with the car not ready: late at once.
    await publish(services, site, checked_in(on_time, "沪C00002", False), signed(on_time, "沪C00002", promise))
    # Its promise comes with the signing, a second event: the card may show before it does.
    board = await board_until(
        api,
        site,
        lambda b: len(b["cars"]) == 2 and car(b, on_time)["promised_at"] is not None,
        "the second car with its promise",
    )
    assert datetime.fromisoformat(car(board, on_time)["promised_at"]) == promise
    assert not car(board, on_time)["late"]
    clock.set(promise + timedelta(minutes=1))
    board = await board_until(api, site, lambda b: True, "the board after the promise")
    assert car(board, on_time)["late"], "its promise has passed and it is not ready"
    assert board["cars"][0]["plate"] == "沪C00002", "late cars first"


def test_the_stream_looks_again_when_the_next_promise_passes() -> None:
    """No event happens when a promise passes: the stream sends the board again at that moment."""
    soon, later, past = (NOW + timedelta(minutes=m) for m in (10, 50, -5))

    def card(promised_at: datetime | None, late: bool = False, stage: str | None = "in_progress") -> dict[str, Any]:
        return {"promised_at": promised_at, "late": late, "stage": stage}

    cars = [card(later), card(soon), card(past, late=True), card(None), card(NOW + timedelta(minutes=1), stage="ready")]
    assert turns_late_at({"cars": cars}, NOW) == soon
    assert turns_late_at({"cars": [card(past, late=True), card(None)]}, NOW) is None
