"""Durable timers: the SLA clocks (72 h callback, 24 h complaint, progress check at 75 %, …).

A timer is a row with a due time, written in the same transaction as the events that start
the clock (so it exists exactly when they do). When the clock passes the due time, the
timer's handler runs in one transaction with marking the row fired; rows are claimed with
`FOR UPDATE SKIP LOCKED`, so any number of replicas can run timers and each fires once,
also across restarts.

Which event starts, moves or stops which clock is a service's pure rule (`events.clocks`);
`keeping` applies a rule's changes after an append, `keep` in a consumer's transaction.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from events.clock import Clock, ManualClock
from events.clocks import ClockChange, ClockRule, StartClock
from events.commands import AfterAppend
from events.connection import Connection
from events.envelope import Envelope, Tenant

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueTimer:
    timer_id: str
    kind: str
    due_at: datetime
    payload: dict[str, Any]
    tenant: Tenant


TimerHandler = Callable[[Connection, DueTimer], Awaitable[None]]
# Settles the alert a fired clock raised (the alert is the service's own row, under the timer's id).
AlertResolver = Callable[[Connection, str, datetime], Awaitable[None]]


async def schedule(
    conn: Connection | asyncpg.Pool,
    timer_id: str,
    kind: str,
    due_at: datetime,
    tenant: Tenant,
    payload: dict[str, Any] | None = None,
) -> None:
    """Start a clock. Scheduling an id that exists moves its due time (if it has not fired)."""
    await conn.execute(
        """INSERT INTO timers (timer_id, kind, due_at, payload, group_id, site_id)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (timer_id) DO UPDATE SET due_at = EXCLUDED.due_at, payload = EXCLUDED.payload
           WHERE timers.fired_at IS NULL AND timers.cancelled_at IS NULL""",
        timer_id,
        kind,
        due_at,
        json.dumps(payload or {}),
        tenant.group_id,
        tenant.site_id,
    )


async def cancel(conn: Connection | asyncpg.Pool, timer_id: str, at: datetime) -> bool:
    """Stop a clock that has not fired; True if it was pending."""
    result = await conn.execute(
        """UPDATE timers SET cancelled_at = $2
           WHERE timer_id = $1 AND fired_at IS NULL AND cancelled_at IS NULL""",
        timer_id,
        at,
    )
    return bool(result.endswith(" 1"))


async def apply(
    conn: Connection,
    tenant: Tenant,
    changes: Sequence[ClockChange],
    *,
    resolve_alert: AlertResolver | None = None,
) -> None:
    """Start and stop the clocks a rule decided, in the order it decided them."""
    for change in changes:
        if isinstance(change, StartClock):
            await schedule(conn, change.timer_id, change.kind, change.due_at, tenant, dict(change.payload))
            continue
        await cancel(conn, change.timer_id, change.at)
        if change.resolves_alert:
            if resolve_alert is None:
                raise ValueError(f"stopping {change.timer_id} settles its alert: keep the rule with a resolve_alert")
            await resolve_alert(conn, change.timer_id, change.at)


async def keep(
    conn: Connection,
    envelope: Envelope[Any],
    rule: ClockRule,
    *,
    clock: Clock | None = None,
    resolve_alert: AlertResolver | None = None,
) -> None:
    """Keep the clocks `rule` decides for one event, in `conn`'s transaction (a policy reacting to
    a received event). The rule is given the service's `clock`'s time when there is one, else the
    time the event was recorded."""
    at = clock.now() if clock is not None else envelope.recorded_at
    await apply(conn, envelope.tenant, rule(envelope.event, at), resolve_alert=resolve_alert)


def keeping(rule: ClockRule, *, clock: Clock | None = None, resolve_alert: AlertResolver | None = None) -> AfterAppend:
    """The `after_append` of `events.commands.execute` that keeps `rule`'s clocks for every
    recorded event, so a clock exists exactly when the events that start it do (see `keep`)."""

    async def after_append(conn: Connection, recorded: list[Envelope[Any]]) -> None:
        for envelope in recorded:
            await keep(conn, envelope, rule, clock=clock, resolve_alert=resolve_alert)

    return after_append


class TimerRunner:
    """Fires due timers of the kinds it has handlers for."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        clock: Clock,
        handlers: dict[str, TimerHandler],
        *,
        batch: int = 100,
        idle_interval: float = 1.0,
    ) -> None:
        self.pool = pool
        self.clock = clock
        self.handlers = handlers
        self.batch = batch
        self.idle_interval = idle_interval
        self.fired = 0

    async def fire_due(self) -> int:
        """Fire every timer due by now; return how many fired."""
        total = 0
        while True:
            claimed, fired = await self._fire_batch()
            total += fired
            if claimed < self.batch or fired == 0:
                return total

    async def _fire_batch(self) -> tuple[int, int]:
        """Claim a batch of due timers and fire them; (claimed, fired)."""
        now = self.clock.now()
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                """SELECT timer_id, kind, due_at, payload, group_id, site_id FROM timers
                   WHERE due_at <= $1 AND fired_at IS NULL AND cancelled_at IS NULL AND kind = ANY($2)
                   ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED""",
                now,
                list(self.handlers),
                self.batch,
            )
            fired = 0
            for row in rows:
                timer = DueTimer(
                    row["timer_id"],
                    row["kind"],
                    row["due_at"],
                    json.loads(row["payload"]),
                    Tenant(row["group_id"], row["site_id"]),
                )
                # A savepoint per timer: one failing handler does not stop the others.
                try:
                    async with conn.transaction():
                        await self.handlers[timer.kind](conn, timer)
                        await conn.execute("UPDATE timers SET fired_at = $2 WHERE timer_id = $1", timer.timer_id, now)
                except Exception:
                    log.exception("timer %s (%s) failed; it stays pending and is retried", timer.timer_id, timer.kind)
                    continue
                fired += 1
        self.fired += fired
        return len(rows), fired

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if isinstance(self.clock, ManualClock):
                self.clock.changed.clear()  # before looking: a move during the look wakes us again
            try:
                await self.fire_due()
            except (asyncpg.PostgresError, OSError) as error:
                log.warning("timers: %r; retrying", error)
            await self._sleep(stop)

    async def _sleep(self, stop: asyncio.Event) -> None:
        waits = [asyncio.ensure_future(stop.wait())]
        if isinstance(self.clock, ManualClock):
            waits.append(asyncio.ensure_future(self.clock.changed.wait()))
        _, pending = await asyncio.wait(waits, timeout=self.idle_interval, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
