"""Read models built from events, disposable: drop one and rebuild it from the events.

A `Projection` names the event types it handles, the tables it owns, and how to apply one
event. A projector feeds it, applying a page of events per transaction together with its
checkpoint, so a crash never applies an event twice or skips one:

- `LogProjector` reads this service's own event log (commit-safe order, checkpoint = log position);
- `KafkaProjector` reads other services' topics. Each stream's last applied version is kept,
  so a republished or redelivered event is recognised and skipped; a rebuild starts a new
  consumer-group generation that reads the topics from the beginning.

Both report lag: how far behind the log they are, and how old the newest applied event was
when it was applied (append → read-model latency).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import asyncpg

from events.connection import Connection
from events.consumer import Consumer
from events.envelope import Envelope, LogPosition, StoredEvent
from events.kafka import KafkaSettings
from events.store import EventStore
from events.views import Views
from events.wakeup import follow


class Projection(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def handles(self) -> Collection[str]:
        """Event types it applies; others are skipped (but still advance the checkpoint)."""

    @property
    def tables(self) -> Sequence[str]:
        """Tables it owns: emptied by a rebuild."""

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None: ...


def views_of(projection: Projection) -> Views:
    """The projection's views (`events.views`), if it reads any: those types reach it as views."""
    return Views(getattr(projection, "views", ()))


async def apply_page(projection: Projection, conn: Connection, envelopes: Sequence[Envelope[Any]]) -> None:
    """Apply a page of events: in one go if the projection folds pages (`events.rows`), else
    one event at a time."""
    whole_page = getattr(projection, "apply_page", None)
    if whole_page is not None:
        await whole_page(conn, envelopes)
        return
    for envelope in envelopes:
        await projection.apply(conn, envelope)


@dataclass(frozen=True)
class Lag:
    events_behind: int | None  # None: unknown (a Kafka-fed projection cannot see the publisher's head)
    seconds_behind: float
    last_apply_lag_ms: float | None
    events_applied: int


async def _state(pool: asyncpg.Pool | Connection, name: str) -> asyncpg.Record:
    # Read first: an INSERT, even one that conflicts, would take a transaction id.
    row = await pool.fetchrow("SELECT * FROM projection_state WHERE projection = $1", name)
    if row is None:
        await pool.execute("INSERT INTO projection_state (projection) VALUES ($1) ON CONFLICT DO NOTHING", name)
        row = await pool.fetchrow("SELECT * FROM projection_state WHERE projection = $1", name)
    assert row is not None
    return row


async def _record_progress(
    conn: Connection, name: str, newest: datetime, applied: int, position: LogPosition | None = None
) -> None:
    lag_ms = (datetime.now(UTC) - newest).total_seconds() * 1000
    await conn.execute(
        """UPDATE projection_state SET events_applied = events_applied + $2, last_recorded_at = $3,
               last_lag_ms = $4, updated_at = now(),
               tx_id = coalesce($5, tx_id), position = coalesce($6, position)
           WHERE projection = $1""",
        name,
        applied,
        newest,
        lag_ms,
        position.tx_id if position else None,
        position.position if position else None,
    )


async def _truncate(conn: Connection, projection: Projection) -> None:
    for table in projection.tables:
        # Identities restart too: a rebuilt read model is the same, row for row.
        await conn.execute(f'TRUNCATE "{table}" RESTART IDENTITY')
    await conn.execute("DELETE FROM projection_streams WHERE projection = $1", projection.name)


# One writer at a time per read model, whoever feeds it: a transaction-scoped advisory lock on
# the projection's name (a row lock would take a transaction id and hold back the log horizon).
# The same statement keeps the planner off sequential scans for the rest of the transaction: a
# page reads its rows by key, and a read model emptied for a rebuild has no statistics until
# autovacuum analyzes it, and the planner then guesses a page's few hundred keys match the whole
# table (bench/results/design-notes.md).
_NO_SEQSCAN = "set_config('enable_seqscan', 'off', true)"
_ONE_WRITER = f"SELECT pg_advisory_xact_lock(hashtext($1)), {_NO_SEQSCAN}"
_ONE_WRITER_IF_FREE = f"SELECT pg_try_advisory_xact_lock(hashtext($1)), {_NO_SEQSCAN}"
# A log projector's rounds outside the lock, reading ahead of the stored checkpoint, last this
# long at most before a round under it: how long a checkpoint moved by a rebuild on another
# replica can go unseen, and how far skipped pages may run ahead of the stored checkpoint.
_LOCKED_ROUND_EVERY = 1.0


class LogProjector:
    """Feeds a projection from this service's own event log."""

    def __init__(self, store: EventStore, projection: Projection, *, page_size: int = 2000) -> None:
        self.store = store
        self.projection = projection
        self.views = views_of(projection)
        self.page_size = page_size
        # Where this projector's reading got to: the stored checkpoint as of its last round under
        # the lock, or past it by pages with nothing to apply. None: read the stored one.
        self._read_to: LogPosition | None = None
        self._locked_at = 0.0  # time.monotonic() of the last round under the lock

    async def step(self, *, wait: bool = False) -> int:
        """Apply the next page of the log; return the number of events read. Only the events
        the projection handles are decoded: the others only move the checkpoint.

        Replicas of a service each run the projector; a transaction-scoped advisory lock per
        projection lets one apply a page while the others skip the round (or, with `wait`, wait
        for it: `catch_up` and `rebuild` must not take another replica's turn for the end), and
        the checkpoint is read under that lock, so no page is applied twice. (A row lock would
        take a transaction id and hold back the very log horizon the page is read below.)

        Most rounds find nothing, or only events of types the projection does not handle (an
        append wakes every reader of the log, and each looks again while the appends' horizon
        settles). Those rounds are one statement, a page read after where this projector got
        to, outside any transaction; skipped pages move the stored checkpoint with the next
        page applied, or with the round under the lock that comes at least every
        `_LOCKED_ROUND_EVERY` seconds (which also finds a checkpoint another replica moved)."""
        read_to = self._read_to
        if wait or read_to is None or time.monotonic() - self._locked_at >= _LOCKED_ROUND_EVERY:
            return await self._step_locked(wait)
        page = await self.store.read_log_stored(read_to, self.page_size)
        if not page:
            return 0
        handles = self.projection.handles
        if any(stored.event_type in handles for stored in page):
            return await self._step_locked(wait, read_ahead=(read_to, page))
        self._read_to = page[-1].log_position
        return len(page)

    async def _step_locked(self, wait: bool, read_ahead: tuple[LogPosition, list[StoredEvent]] | None = None) -> int:
        """A round under the projection's lock, from the stored checkpoint (with `read_ahead`,
        a page already read after a position: used if that is still the checkpoint)."""
        async with self.store.transaction() as conn:
            if wait:
                await conn.execute(_ONE_WRITER, self.projection.name)
            elif not await conn.fetchval(_ONE_WRITER_IF_FREE, self.projection.name):
                return 0
            state = await _state(conn, self.projection.name)
            after = LogPosition(state["tx_id"], state["position"])
            if read_ahead is not None and read_ahead[0] == after:
                page = read_ahead[1]
            else:
                page = await self.store.read_log_stored(after, self.page_size)
            if page:
                handles = self.projection.handles
                handled = [self.store.decode(stored, self.views) for stored in page if stored.event_type in handles]
                if handled:
                    await apply_page(self.projection, conn, handled)
                last = page[-1]
                await _record_progress(conn, self.projection.name, last.recorded_at, len(page), last.log_position)
        # Only once committed: a page that failed is read again from the stored checkpoint.
        self._locked_at = time.monotonic()
        self._read_to = page[-1].log_position if page else after
        return len(page)

    async def catch_up(self) -> int:
        total = 0
        while read := await self.step(wait=True):
            total += read
        return total

    async def rebuild(self) -> int:
        """Empty the read model and replay the whole log into it; return events read."""
        self._read_to = None
        async with self.store.transaction() as conn:
            await _state(conn, self.projection.name)
            await _truncate(conn, self.projection)
            await conn.execute(
                """UPDATE projection_state SET tx_id = 0, position = 0, events_applied = 0,
                   last_recorded_at = NULL, last_lag_ms = NULL WHERE projection = $1""",
                self.projection.name,
            )
        return await self.catch_up()

    async def lag(self) -> Lag:
        state = await _state(self.store.pool, self.projection.name)
        row = await self.store.pool.fetchrow(
            """SELECT count(*) AS behind, min(recorded_at) AS oldest FROM events
               WHERE (tx_id, position) > ($1::text::xid8, $2)
                 AND tx_id < pg_snapshot_xmin(pg_current_snapshot())""",
            str(state["tx_id"]),
            state["position"],
        )
        assert row is not None  # an aggregate query always returns a row
        oldest = row["oldest"]
        seconds = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        return Lag(row["behind"], seconds, state["last_lag_ms"], state["events_applied"])

    async def run(self, stop: asyncio.Event) -> None:
        await follow(
            self.store.signal,
            stop,
            self.step,
            page_size=self.page_size,
            read_to=lambda: self._read_to.tx_id if self._read_to is not None else 0,
        )


class KafkaProjector:
    """Feeds a projection from Kafka topics, skipping anything already applied per stream."""

    def __init__(
        self, pool: asyncpg.Pool, projection: Projection, settings: KafkaSettings, topics: Collection[str]
    ) -> None:
        self.pool = pool
        self.projection = projection
        self.settings = settings
        self.topics = list(topics)
        self.views = views_of(projection)
        self.consumer: Consumer | None = None

    async def apply_once(self, conn: Connection, envelope: Envelope[Any]) -> bool:
        """Apply `envelope` unless this stream's version was already applied; True if applied."""
        return await self.apply_page_once(conn, [envelope]) == 1

    async def apply_page_once(self, conn: Connection, envelopes: Sequence[Envelope[Any]]) -> int:
        """Apply the events of the page whose stream versions were not applied yet (the others
        are repeats: a republish or a redelivery); return how many were applied."""
        name = self.projection.name
        # One writer at a time per read model. The consumer handles partitions concurrently (and
        # replicas own different ones), and a fold reads rows, changes them and writes them whole:
        # two events about one card from two topics (the car handed over, its work order opened)
        # would each write the row they read, and the later commit would undo the other's change.
        # Taken first, before any stream lock, so that no two transactions wait on each other.
        await conn.execute(_ONE_WRITER, name)
        rows = await conn.fetch(
            """SELECT stream_id, version FROM projection_streams
               WHERE projection = $1 AND stream_id = ANY($2) FOR UPDATE""",
            name,
            sorted({e.stream_id for e in envelopes}),  # one lock order for every page: no deadlock
        )
        applied: dict[str, int] = {row["stream_id"]: row["version"] for row in rows}
        fresh = []
        for envelope in envelopes:
            if envelope.stream_version > applied.get(envelope.stream_id, 0):
                applied[envelope.stream_id] = envelope.stream_version
                fresh.append(envelope)
        if not fresh:
            return 0
        await apply_page(self.projection, conn, fresh)
        streams = sorted({e.stream_id for e in fresh})
        await conn.execute(
            """INSERT INTO projection_streams (projection, stream_id, version)
               SELECT $1, stream, version FROM unnest($2::text[], $3::int[]) AS s(stream, version)
               ON CONFLICT (projection, stream_id) DO UPDATE SET version = EXCLUDED.version""",
            name,
            streams,
            [applied[stream] for stream in streams],
        )
        await _record_progress(conn, name, fresh[-1].recorded_at, len(fresh))
        return len(fresh)

    async def run(self, stop: asyncio.Event) -> None:
        await (await self.open_consumer()).run(stop)

    async def open_consumer(self) -> Consumer:
        """The consumer of this generation (not started): `run` runs it; the operator's
        `dealerflow dead-letters … redrive` re-drives its letters."""
        state = await _state(self.pool, self.projection.name)
        self.consumer = Consumer(
            f"{self.projection.name}.g{state['generation']}",
            self.topics,
            self.projection.handles,
            self._handle,
            self.pool,
            self.settings,
            dedupe=False,
            page_handler=self._handle_page,
            views=self.views,
        )
        return self.consumer

    async def _handle(self, conn: Connection, envelope: Envelope[Any]) -> None:
        await self.apply_once(conn, envelope)

    async def _handle_page(self, conn: Connection, envelopes: Sequence[Envelope[Any]]) -> None:
        await self.apply_page_once(conn, envelopes)

    async def rebuild(self) -> None:
        """Empty the read model and start a new generation: the next `run` replays the topics.
        Stop the running projector first."""
        async with self.pool.acquire() as conn, conn.transaction():
            await _state(conn, self.projection.name)
            await _truncate(conn, self.projection)
            await conn.execute(
                """UPDATE projection_state SET generation = generation + 1, events_applied = 0,
                   last_recorded_at = NULL, last_lag_ms = NULL WHERE projection = $1""",
                self.projection.name,
            )

    async def lag(self) -> Lag:
        state = await _state(self.pool, self.projection.name)
        last_lag_ms = state["last_lag_ms"]
        seconds = last_lag_ms / 1000 if last_lag_ms is not None else 0.0
        return Lag(None, seconds, last_lag_ms, state["events_applied"])
