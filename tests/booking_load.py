"""Advisors booking as fast as they are answered, through the gateway — the load that the fault
tests put a service, the database or the broker through — and what must hold afterwards."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from dealership import CAPACITY, CUSTOMER, Person, login

from events.kafka import KafkaSettings
from events.testing import eventually
from events.testing.system import RunningSystem

GROUP = "group-faults"
CLIENTS = 4


@dataclass
class Load:
    """Advisors booking one slot after another until told to stop."""

    advisor: Person
    accepted: set[str] = field(default_factory=set)  # the gateway answered 201
    retried: int = 0  # requests answered with a retryable error, then sent again
    unavailable: set[str] = field(default_factory=set)  # the codes of the 503 answers
    unexpected: list[str] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    _slots: Iterator[tuple[str, str]] = field(init=False)

    def __post_init__(self) -> None:
        first = (datetime.now(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        self._slots = (
            ((first + timedelta(days=day, hours=hour)).isoformat(), advisor)
            for day in itertools.count()
            for hour in range(23)
            for advisor in ("advisor-li", "advisor-ma")  # CAPACITY's advisors
        )

    async def client(self) -> None:
        while not self.stop.is_set():
            slot, advisor = next(self._slots)
            await self.book(str(uuid.uuid4()), slot, advisor)

    async def book(self, appointment_id: str, slot: str, advisor: str) -> None:
        body = {
            "appointment_id": appointment_id,
            "reason": "maintenance",
            "customer": CUSTOMER,
            "vehicle": {"vin": "LFV2A21K8G3045678", "plate": "沪B88888"},
            "requested_jobs": [
                {
                    "description": "oil service",
                    "estimated_minutes": 30,
                    "parts": [{"part_number": "OIL-FILTER", "description": "oil filter", "quantity": 1}],
                }
            ],
            "advisor_id": advisor,
            "slot_start": slot,
        }
        for attempt in range(200):
            try:
                response = await self.advisor.post("appointments", body)
            except httpx.TransportError:  # the gateway itself is never killed here; still, retry
                response = None
            if response is not None and response.status_code == 201:
                self.accepted.add(appointment_id)
                return
            retryable = response is None or response.status_code in (502, 503, 504)
            if response is not None and response.status_code == 503:
                self.unavailable.add(response.json()["error"]["code"])
            # A retry of a booking whose first answer was lost finds it already booked.
            settled = response is not None and attempt > 0 and response.status_code == 409
            if settled:
                return
            if not retryable:
                self.unexpected.append(f"{response.status_code} {response.text}" if response else "?")
                return
            self.retried += 1
            await asyncio.sleep(0.1)  # a client's back-off before retrying, not a synchronisation
        self.unexpected.append(f"gave up on {appointment_id}")


@dataclass
class Desk:
    """One site's people and the load its advisors put on it."""

    site: str
    clerk: Person
    load: Load

    async def more_accepted(self, count: int) -> None:
        goal = len(self.load.accepted) + count
        await eventually(
            _value(lambda: len(self.load.accepted)),
            until=lambda n: n >= goal,
            what=f"{count} more bookings",
            timeout=90,  # a restarted server or service on a busy 2-core machine
        )


async def open_desk(gateway: httpx.AsyncClient) -> Desk:
    site = str(uuid.uuid4())
    dispatcher = await login(gateway, GROUP, site, "dispatcher")
    clerk = await login(gateway, GROUP, site, "parts_clerk")
    advisor = await login(gateway, GROUP, site, "advisor", "advisor-li")
    await dispatcher.ok("PUT", "capacity", CAPACITY)
    await clerk.ok("POST", "stock/OIL-FILTER/receipts", {"quantity": 10_000, "unit_cost": 2500}, status=201)
    return Desk(site, clerk, Load(advisor))


class UnderLoad:
    """`async with UnderLoad(desk.load) as load:` the advisors book throughout the block."""

    def __init__(self, load: Load) -> None:
        self.load = load
        self.clients: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> Load:
        self.clients = [asyncio.create_task(self.load.client()) for _ in range(CLIENTS)]
        return self.load

    async def __aexit__(self, *exc: object) -> None:
        self.load.stop.set()
        await asyncio.gather(*self.clients)


async def nothing_lost_nothing_twice(system: RunningSystem, desk: Desk) -> dict[str, int]:
    """Every accepted booking once in booking's store; parts' hold and the board's card once each."""
    assert desk.load.unexpected == [], desk.load.unexpected
    booked = await _booked_appointments(system.database("booking"), desk.site)
    assert all(count == 1 for count in booked.values()), {k: v for k, v in booked.items() if v != 1}
    assert desk.load.accepted <= set(booked), "an accepted booking is missing from the store"
    clerk = desk.clerk
    await clerk.until("stock/OIL-FILTER", lambda s: s["reserved"] >= len(booked), "parts' reservations", 90)
    assert (await clerk.ok("GET", "stock/OIL-FILTER"))["reserved"] == len(booked)
    await eventually(
        lambda: _board_cards(system.database("reception"), desk.site),
        until=lambda cards: cards == set(booked),
        what="one board card per appointment",
        timeout=90,
    )
    # Booking's parts pre-check (fed by parts' topic) shows each appointment's hold, once.
    await eventually(
        lambda: _appointment_holds(system.database("booking"), desk.site),
        until=lambda held: held == {appointment: 1 for appointment in booked},
        what="booking's parts pre-check holding one part per appointment",
        timeout=90,
    )
    # The gateway's integration feed (what outside systems read) has every booking too.
    await eventually(
        lambda: _feed_appointments(system.database("gateway"), desk.site),
        until=lambda fed: fed == set(booked),
        what="the integration feed holding every booking",
        timeout=90,
    )
    return booked


def _value(read: Any) -> Any:
    async def probe() -> Any:
        return read()

    return probe


async def _booked_appointments(database: str, site: str) -> dict[str, int]:
    conn = await asyncpg.connect(database)
    try:
        rows = await conn.fetch(
            """SELECT data->>'appointment_id' AS id, count(*) AS n FROM events
               WHERE event_type = 'booking.AppointmentBooked' AND site_id = $1 GROUP BY 1""",
            site,
        )
    finally:
        await conn.close()
    return {row["id"]: row["n"] for row in rows}


async def _feed_appointments(database: str, site: str) -> set[str]:
    conn = await asyncpg.connect(database)
    try:
        rows = await conn.fetch(
            """SELECT data->>'appointment_id' FROM integration_feed
               WHERE event_type = 'booking.AppointmentBooked' AND site_id = $1""",
            site,
        )
    finally:
        await conn.close()
    return {row[0] for row in rows}


async def _board_cards(database: str, site: str) -> set[str]:
    conn = await asyncpg.connect(database)
    try:
        rows = await conn.fetch("SELECT appointment_id::text FROM advisor_board WHERE site_id = $1", site)
    finally:
        await conn.close()
    return {row[0] for row in rows}


async def _appointment_holds(database: str, site: str) -> dict[str, int]:
    conn = await asyncpg.connect(database)
    try:
        rows = await conn.fetch("SELECT appointment_id::text, reserved FROM appointment_parts WHERE site_id = $1", site)
    finally:
        await conn.close()
    return {row[0]: row[1] for row in rows}


async def _read_models(database: str, tables: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    conn = await asyncpg.connect(database)
    try:
        return {t: sorted(tuple(r) for r in await conn.fetch(f"SELECT * FROM {t}")) for t in tables}
    finally:
        await conn.close()


async def rebuild_matches(system: RunningSystem, service: str) -> None:
    """Stop the service, keep its read models, rebuild them from zero, start it: the same rows."""
    from importlib import import_module

    system.kill(service)
    create_app = import_module(f"{service}.app").create_app
    app = create_app(
        database_url=system.database(service),
        kafka=KafkaSettings.from_env(topic_prefix=f"e2e{system.run_id}."),
    )
    runtime = app.state.runtime
    await runtime.start(background=False)
    try:
        tables = [t for p in runtime.projectors for t in p.projection.tables]
        before = await _read_models(system.database(service), tables)
        for projector in runtime.projectors:
            await projector.rebuild()  # the log-fed replay now; the Kafka-fed ones when it starts
    finally:
        await runtime.stop()
    await system.restart(service)
    try:
        await eventually(
            lambda: _read_models(system.database(service), tables),
            until=lambda now: now == before,
            what=f"{service}'s read models rebuilt",
            timeout=90,
        )
    except AssertionError:
        now = await _read_models(system.database(service), tables)
        differences = {
            table: {
                "only before": sorted(set(rows) - set(now[table]))[:5],
                "only now": sorted(set(now[table]) - set(rows))[:5],
            }
            for table, rows in before.items()
            if rows != now[table]
        }
        raise AssertionError(f"{service}'s rebuilt read models differ: {differences}") from None
