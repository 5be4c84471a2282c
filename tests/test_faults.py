"""Faults under load: `kill -9` of each service in turn while advisors keep booking.

The load is advisors booking appointments through the gateway as fast as they are answered;
a client whose request fails (503 while a service is down) retries the same command with the
same id, as a front end does. Afterwards:
- every booking the gateway accepted is in booking's store exactly once, and nothing is twice;
- every consumer's effect happened exactly once: parts holds one oil filter per appointment,
  the advisor board has one card per appointment (neither saw a redelivery twice);
- no read model diverges from a rebuild from zero.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from dealership import CAPACITY, CUSTOMER, Person, login, running

from events.kafka import KafkaSettings
from events.testing import eventually
from events.testing.system import RunningSystem

GROUP = "group-faults"
SERVICES = ["booking", "parts", "reception"]
CLIENTS = 4


@pytest.fixture(scope="module")
def system() -> Iterator[RunningSystem]:
    with running(SERVICES) as started:
        yield started


@pytest.fixture
async def gateway(system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.gateway_url, timeout=30) as client:
        yield client


@dataclass
class Load:
    """Advisors booking one slot after another until told to stop."""

    advisor: Person
    accepted: set[str] = field(default_factory=set)  # the gateway answered 201
    retried: int = 0  # requests answered with a retryable error, then sent again
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


async def test_kill_9_of_each_service_under_load_loses_nothing_and_doubles_nothing(
    system: RunningSystem, gateway: httpx.AsyncClient
) -> None:
    site = str(uuid.uuid4())
    dispatcher = await login(gateway, GROUP, site, "dispatcher")
    clerk = await login(gateway, GROUP, site, "parts_clerk")
    advisor = await login(gateway, GROUP, site, "advisor", "advisor-li")
    await dispatcher.ok("PUT", "capacity", CAPACITY)
    await clerk.ok("POST", "stock/OIL-FILTER/receipts", {"quantity": 10_000, "unit_cost": 2500}, status=201)

    load = Load(advisor)
    clients = [asyncio.create_task(load.client()) for _ in range(CLIENTS)]
    try:
        for victim in SERVICES:
            await _more_accepted(load, 15)
            system.kill(victim)
            if victim == "booking":  # its clients see retryable errors while it is down
                await eventually(_value(lambda: load.retried), until=bool, what="a retried request", timeout=30)
            await system.restart(victim)
        await _more_accepted(load, 15)
    finally:
        load.stop.set()
        await asyncio.gather(*clients)
    assert load.unexpected == []

    booked = await _booked_appointments(system.database("booking"))
    assert all(count == 1 for count in booked.values()), {k: v for k, v in booked.items() if v != 1}
    assert load.accepted <= set(booked), "an accepted booking is missing from the store"

    # Each consumer's effect once per appointment: one oil filter held, one card on the board.
    await clerk.until("stock/OIL-FILTER", lambda s: s["reserved"] >= len(booked), "parts' reservations", 90)
    assert (await clerk.ok("GET", "stock/OIL-FILTER"))["reserved"] == len(booked)
    cards = await _board_cards(system.database("reception"), site)
    assert cards == set(booked)

    for service in ("booking", "parts", "reception"):
        await _rebuild_matches(system, service)


async def _more_accepted(load: Load, count: int) -> None:
    goal = len(load.accepted) + count
    await eventually(_value(lambda: len(load.accepted)), until=lambda n: n >= goal, what=f"{count} more bookings")


def _value(read: Any) -> Any:
    async def probe() -> Any:
        return read()

    return probe


async def _booked_appointments(database: str) -> dict[str, int]:
    conn = await asyncpg.connect(database)
    try:
        rows = await conn.fetch(
            """SELECT data->>'appointment_id' AS id, count(*) AS n FROM events
               WHERE event_type = 'booking.AppointmentBooked' GROUP BY 1"""
        )
    finally:
        await conn.close()
    return {row["id"]: row["n"] for row in rows}


async def _board_cards(database: str, site: str) -> set[str]:
    conn = await asyncpg.connect(database)
    try:
        rows = await conn.fetch("SELECT appointment_id::text FROM advisor_board WHERE site_id = $1", site)
    finally:
        await conn.close()
    return {row[0] for row in rows}


async def _read_models(database: str, tables: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    conn = await asyncpg.connect(database)
    try:
        return {t: sorted(tuple(r) for r in await conn.fetch(f"SELECT * FROM {t}")) for t in tables}
    finally:
        await conn.close()


async def _rebuild_matches(system: RunningSystem, service: str) -> None:
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
    await eventually(
        lambda: _read_models(system.database(service), tables),
        until=lambda now: now == before,
        what=f"{service}'s read models rebuilt",
        timeout=90,
    )
