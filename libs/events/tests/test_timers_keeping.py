"""The one adapter between a service's pure timer rule and the durable timers: the changes a
rule decides for each recorded event are applied in the transaction of the append, with the
event's tenant, at the time the rule is given."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from events.clock import ManualClock
from events.clocks import ClockChange, StartClock, StopClock
from events.connection import Connection
from events.envelope import Envelope, Metadata, Tenant
from events.timers import DueTimer, TimerRunner, keep, keeping

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
RECORDED = T0 + timedelta(seconds=3)
TENANT = Tenant("group-a", "site-1")


@dataclass(frozen=True)
class Promised:
    job: str
    due_at: datetime


@dataclass(frozen=True)
class Finished:
    job: str


def watch_rule(event: Any, at: datetime) -> list[ClockChange]:
    """A promise starts (or moves) the job's clock, finishing stops it and settles its alert."""
    match event:
        case Promised():
            return [StartClock(f"watch:{event.job}", "watch", event.due_at, {"job": event.job})]
        case Finished():
            return [StopClock(f"watch:{event.job}", at, resolves_alert=True)]
    return []


def recorded(*events: Any, tenant: Tenant = TENANT) -> list[Envelope[Any]]:
    metadata = Metadata(tenant, "advisor", "corr-1")
    return [Envelope(event, uuid4(), "job-1", n, metadata, T0, RECORDED) for n, event in enumerate(events, 1)]


async def timer(pool: asyncpg.Pool, timer_id: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await pool.fetchrow(
        "SELECT kind, due_at, payload, group_id, site_id, cancelled_at FROM timers WHERE timer_id = $1", timer_id
    )
    return row


def test_the_clock_vocabulary_imports_nothing_of_the_store() -> None:
    store = ("asyncpg", "events.store", "events.timers")
    probe = f"import sys, events.clocks; print(sorted(m for m in {store!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


async def test_keeping_starts_moves_and_stops_the_clocks_the_rule_decides(pool: asyncpg.Pool) -> None:
    resolved: list[tuple[str, datetime]] = []

    async def resolve(conn: Connection, alert_id: str, at: datetime) -> None:
        resolved.append((alert_id, at))

    after_append = keeping(watch_rule, resolve_alert=resolve)
    async with pool.acquire() as conn, conn.transaction():
        await after_append(conn, recorded(Promised("oil", T0 + timedelta(hours=2))))
    row = await timer(pool, "watch:oil")
    assert row is not None
    assert (row["kind"], row["due_at"], json.loads(row["payload"])) == (
        "watch",
        T0 + timedelta(hours=2),
        {"job": "oil"},
    )
    assert (row["group_id"], row["site_id"]) == TENANT
    assert row["cancelled_at"] is None

    async with pool.acquire() as conn, conn.transaction():
        await after_append(conn, recorded(Promised("oil", T0 + timedelta(hours=5)), Finished("oil")))
    row = await timer(pool, "watch:oil")
    assert row is not None
    assert row["due_at"] == T0 + timedelta(hours=5), "a second start moves the clock"
    assert row["cancelled_at"] == RECORDED, "stopped at the time the event was recorded"
    assert resolved == [("watch:oil", RECORDED)]


async def test_with_the_services_clock_the_rule_is_given_its_time_not_the_recorded_one(pool: asyncpg.Pool) -> None:
    clock = ManualClock(T0 + timedelta(days=3))
    seen: list[datetime] = []

    def rule(event: Any, at: datetime) -> list[ClockChange]:
        seen.append(at)
        return [StopClock("watch:any", at)]

    async with pool.acquire() as conn, conn.transaction():
        await keeping(rule)(conn, recorded(Finished("a")))
        await keeping(rule, clock=clock)(conn, recorded(Finished("a")))
    assert seen == [RECORDED, T0 + timedelta(days=3)]


async def test_a_clock_stopped_after_it_fired_still_settles_the_alert_it_raised(pool: asyncpg.Pool) -> None:
    """The alert exists precisely because the clock fired, so stopping finds nothing to cancel
    and must settle the alert all the same."""
    await pool.execute("CREATE TABLE alerts (alert_id text PRIMARY KEY, resolved_at timestamptz)")

    async def raise_alert(conn: Connection, due: DueTimer) -> None:
        await conn.execute("INSERT INTO alerts VALUES ($1, NULL)", due.timer_id)

    async def resolve(conn: Connection, alert_id: str, at: datetime) -> None:
        await conn.execute("UPDATE alerts SET resolved_at = $2 WHERE alert_id = $1", alert_id, at)

    clock = ManualClock(T0)
    async with pool.acquire() as conn, conn.transaction():
        await keeping(watch_rule)(conn, recorded(Promised("oil", T0 + timedelta(hours=1))))
    clock.advance(timedelta(hours=2))
    assert await TimerRunner(pool, clock, {"watch": raise_alert}).fire_due() == 1

    async with pool.acquire() as conn, conn.transaction():
        await keeping(watch_rule, resolve_alert=resolve)(conn, recorded(Finished("oil")))
    assert await pool.fetchval("SELECT resolved_at FROM alerts WHERE alert_id = 'watch:oil'") == RECORDED


async def test_a_rule_that_settles_alerts_needs_a_resolver(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        with pytest.raises(ValueError, match="resolve_alert"):
            await keeping(watch_rule)(conn, recorded(Finished("oil")))


async def test_keep_applies_a_rule_to_one_received_event_inside_a_consumers_transaction(pool: asyncpg.Pool) -> None:
    other = Tenant("group-b", "site-9")
    async with pool.acquire() as conn, conn.transaction():
        (received,) = recorded(Promised("tyres", T0 + timedelta(hours=12)), tenant=other)
        await keep(conn, received, watch_rule)
    row = await timer(pool, "watch:tyres")
    assert row is not None
    assert (row["group_id"], row["site_id"], row["due_at"]) == ("group-b", "site-9", T0 + timedelta(hours=12))
