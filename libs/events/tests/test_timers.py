"""Durable timers fire exactly once when the injected clock passes their due time, also
across a restart and with several runners competing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
from kafka_helpers import running

from events.clock import ManualClock
from events.connection import Connection
from events.envelope import Tenant
from events.testing import eventually
from events.timers import DueTimer, TimerRunner, cancel, schedule

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TENANT = Tenant("group-a", "site-1")
FIRINGS = "CREATE TABLE firings (timer_id text NOT NULL, fired_at timestamptz NOT NULL)"


async def note_firing(conn: Connection, timer: DueTimer) -> None:
    await conn.execute("INSERT INTO firings VALUES ($1, now())", timer.timer_id)


async def firings(pool: asyncpg.Pool) -> list[str]:
    return [r["timer_id"] for r in await pool.fetch("SELECT timer_id FROM firings ORDER BY timer_id")]


async def test_a_timer_fires_once_when_the_clock_passes_its_due_time(pool: asyncpg.Pool) -> None:
    await pool.execute(FIRINGS)
    clock = ManualClock(T0)
    await schedule(pool, "callback-72h:ro-1", "callback_due", T0 + timedelta(hours=72), TENANT, {"ro": "ro-1"})
    runner = TimerRunner(pool, clock, {"callback_due": note_firing})

    assert await runner.fire_due() == 0
    clock.advance(timedelta(hours=71, minutes=59))
    assert await runner.fire_due() == 0
    clock.advance(timedelta(minutes=1))
    assert await runner.fire_due() == 1
    clock.advance(timedelta(days=5))
    assert await runner.fire_due() == 0
    assert await firings(pool) == ["callback-72h:ro-1"]


async def test_a_timer_fires_once_across_a_restart_and_competing_runners(pool: asyncpg.Pool) -> None:
    await pool.execute(FIRINGS)
    clock = ManualClock(T0)
    for n in range(150):
        await schedule(pool, f"t-{n:03}", "sla", T0 + timedelta(minutes=n), TENANT)
    first = TimerRunner(pool, clock, {"sla": note_firing}, batch=20)
    clock.advance(timedelta(minutes=49, seconds=30))
    assert await first.fire_due() == 50

    # "Restart": new runners on the same database, two of them racing for the same rows.
    clock.advance(timedelta(hours=3))
    a = TimerRunner(pool, clock, {"sla": note_firing}, batch=7)
    b = TimerRunner(pool, clock, {"sla": note_firing}, batch=7)
    fired = await asyncio.gather(a.fire_due(), b.fire_due())
    assert sum(fired) == 100
    assert await firings(pool) == [f"t-{n:03}" for n in range(150)]


async def test_a_running_runner_wakes_when_the_clock_jumps(pool: asyncpg.Pool) -> None:
    await pool.execute(FIRINGS)
    clock = ManualClock(T0)
    await schedule(pool, "complaint-24h:c-1", "complaint_sla", T0 + timedelta(hours=24), TENANT)
    runner = TimerRunner(pool, clock, {"complaint_sla": note_firing}, idle_interval=60)
    async with running(runner.run):
        clock.advance(timedelta(hours=25))
        await eventually(lambda: firings(pool), what="the timer fired", timeout=10)
    assert await firings(pool) == ["complaint-24h:c-1"]


async def test_cancelled_and_rescheduled_timers(pool: asyncpg.Pool) -> None:
    await pool.execute(FIRINGS)
    clock = ManualClock(T0)
    await schedule(pool, "a", "sla", T0 + timedelta(hours=1), TENANT)
    await schedule(pool, "b", "sla", T0 + timedelta(hours=1), TENANT)
    assert await cancel(pool, "a", T0)
    assert not await cancel(pool, "a", T0), "cancelling twice is a no-op"
    await schedule(pool, "b", "sla", T0 + timedelta(hours=5), TENANT)  # moved
    runner = TimerRunner(pool, clock, {"sla": note_firing})
    clock.advance(timedelta(hours=2))
    assert await runner.fire_due() == 0
    clock.advance(timedelta(hours=3))
    assert await runner.fire_due() == 1
    assert await firings(pool) == ["b"]


async def test_a_failing_handler_leaves_its_timer_pending_and_others_fire(pool: asyncpg.Pool) -> None:
    await pool.execute(FIRINGS)
    clock = ManualClock(T0)
    attempts: list[str] = []

    async def flaky(conn: Connection, timer: DueTimer) -> None:
        attempts.append(timer.timer_id)
        if timer.timer_id == "bad" and attempts.count("bad") == 1:
            await conn.execute("INSERT INTO firings VALUES ('half-written', now())")
            raise RuntimeError("downstream unavailable")
        await note_firing(conn, timer)

    await schedule(pool, "bad", "sla", T0, TENANT)
    await schedule(pool, "good", "sla", T0, TENANT)
    runner = TimerRunner(pool, clock, {"sla": flaky})
    assert await runner.fire_due() == 1
    assert await firings(pool) == ["good"], "the failed handler's writes were rolled back"
    assert await runner.fire_due() == 1
    assert await firings(pool) == ["bad", "good"]
