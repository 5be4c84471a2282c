"""The PostgreSQL event store: append with optimistic concurrency, read a stream, read the
global log in commit-safe order (decision 0001). How the log's pages are read fast — read
ahead, decoded in one unrolled loop — is `events.log_pages`.

Every method takes an optional connection so a handler can append and update its own tables
in one transaction; without one, the store uses its pool and its own transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, nullcontext
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from events.appended import AppendedEvents
from events.connection import Connection
from events.contract import REGISTRY, Event, Registry
from events.envelope import Envelope, LogPosition, Metadata, NewEvent, StoredEvent, Tenant
from events.errors import ConcurrencyConflict
from events.log_pages import LogPages, collection_paused, decode_page, stored_page, timestamp
from events.personal_data import PersonalDataKeys, has_personal_data, sealed_json, subjects_of
from events.views import View, Views
from events.wakeup import LogSignal

START = LogPosition()

_CHECK = """
WITH head AS (
    SELECT stream_version, tx_id FROM events
    WHERE stream_id = $1 ORDER BY stream_version DESC LIMIT 1
)"""
_GUARD = """
WHERE coalesce((SELECT stream_version FROM head), 0) = $2
  AND coalesce((SELECT tx_id FROM head), '0'::xid8) <= pg_current_xact_id()
RETURNING position, stream_version, recorded_at, tx_id::text::bigint AS tx_id"""
_INSERT = """
INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data,
                    group_id, site_id, actor, correlation_id, causation_id, traceparent, tracestate, occurred_at)"""

# One round trip per append, whatever the number of events. The WHERE clause is the
# concurrency check: the stream must be at the expected version, and its last event must come
# from a transaction no later than ours, or the log's (tx_id, position) order would put our
# event before its predecessor. Two writers that both pass the check race on the
# (stream_id, stream_version) unique index: the loser gets a unique violation.
_APPEND_ONE = f"""{_CHECK}{_INSERT}
SELECT $1, $2 + 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14{_GUARD}"""

_APPEND_MANY = f"""{_CHECK}{_INSERT}
SELECT $1, $2 + e.ord, e.event_id, e.event_type, e.schema_version, e.data,
       $7, $8, $9, $10, $11, $12, $13, e.occurred_at
FROM unnest($3::uuid[], $4::text[], $5::int2[], $6::jsonb[], $14::timestamptz[])
     WITH ORDINALITY AS e(event_id, event_type, schema_version, data, occurred_at, ord){_GUARD}"""

# Read in this order; `_envelope` takes the columns by position (the replay hot path).
_COLUMNS = """position, tx_id::text::bigint, stream_id, stream_version, event_id, event_type, schema_version,
              data, group_id, site_id, actor, correlation_id, causation_id, traceparent, tracestate,
              occurred_at, recorded_at"""
# The log's pages take the timestamps as ISO text (UTC): asyncpg builds a binary timestamptz
# through a timedelta and an addition; `datetime.fromisoformat` is cheaper (bench/results/design-notes.md).

_READ_STREAM = f"""
SELECT {_COLUMNS} FROM events
WHERE stream_id = $1 AND stream_version > $2
ORDER BY stream_version
"""

_LOG_HEAD = """
SELECT tx_id::text::bigint, position FROM events
WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY events.tx_id DESC, events.position DESC LIMIT 1
"""


class EventStore:
    def __init__(self, pool: asyncpg.Pool, registry: Registry = REGISTRY) -> None:
        self.pool = pool
        self.registry = registry
        self._tenants: dict[tuple[str, str], Tenant] = {}  # shared, immutable: fewer objects on replay
        self._kept: list[PoolConnectionProxy] = []  # see `_connection`
        self._returning = False
        self._releasing: set[asyncio.Future[None]] = set()
        self._pages = LogPages(pool)  # the global log's pages, read ahead for readers catching up
        # Customers' personal fields are sealed at append and opened on read (events.personal_data).
        self.personal_data = PersonalDataKeys.of(pool)
        self.signal = LogSignal.of(pool)  # wakes the relay and the log projectors on an append
        self.appended = AppendedEvents.of(pool)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A connection in a transaction: append events and write your own tables atomically."""
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[PoolConnectionProxy]:
        """A pooled connection for statements outside a transaction. Done with, it is kept until
        the event loop's next round rather than released: a task that carries straight on (a
        writer's next append, a command's append after its read) takes it back without the
        pool's acquire and release — a proxy, a future, a shielded task and a queue hand-off
        each, about an eighth of an append's client CPU. Nothing is held past that round."""
        conn = self._kept.pop() if self._kept else await self.pool.acquire()
        try:
            yield conn
        except asyncpg.PostgresError:  # the server refused a statement: the connection is sound
            await self._done_with(conn)
            raise
        except BaseException:  # cancelled mid-statement, or a broken connection: the pool sorts it out
            await self.pool.release(conn)
            raise
        await self._done_with(conn)

    async def _done_with(self, conn: PoolConnectionProxy) -> None:
        if conn.is_closed() or conn.is_in_transaction():
            await self.pool.release(conn)
            return
        self._kept.append(conn)
        if not self._returning:
            self._returning = True
            asyncio.get_running_loop().call_soon(self._release_kept)

    def _release_kept(self) -> None:
        self._returning = False
        kept, self._kept = self._kept, []
        for conn in kept:
            task = asyncio.ensure_future(self.pool.release(conn))
            self._releasing.add(task)
            task.add_done_callback(self._releasing.discard)

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        conn: Connection | None = None,
    ) -> list[Envelope[Any]]:
        """Append `events` to `stream_id`, which must be at `expected_version` (0: new stream).

        Raises `ConcurrencyConflict` and writes nothing if the stream is elsewhere. Within a
        caller's transaction the conflict aborts that transaction: roll it back.
        """
        if not events:
            return []
        metadata = events[0].metadata
        if any(e.metadata != metadata for e in events):
            raise ValueError("all events of one append share one metadata (one dealer group and site, one cause)")
        common = (
            metadata.tenant.group_id,
            metadata.tenant.site_id,
            metadata.actor,
            metadata.correlation_id,
            metadata.causation_id,
            metadata.traceparent,
            metadata.tracestate,
        )
        payloads = await self._payloads(events)
        if len(events) == 1:
            one = events[0]
            sql = _APPEND_ONE
            args: tuple[Any, ...] = (
                stream_id,
                expected_version,
                one.event_id,
                one.event.event_type,
                one.event.schema_version,
                payloads[0],
                *common,
                one.occurred_at,
            )
        else:
            sql = _APPEND_MANY
            args = (
                stream_id,
                expected_version,
                [e.event_id for e in events],
                [e.event.event_type for e in events],
                [e.event.schema_version for e in events],
                payloads,
                *common,
                [e.occurred_at for e in events],
            )
        async with nullcontext(conn) if conn is not None else self._connection() as executor:
            try:
                rows = await executor.fetch(sql, *args)
            except asyncpg.UniqueViolationError:
                raise ConcurrencyConflict(stream_id, expected_version, None) from None
            if not rows:
                actual = await executor.fetchval(
                    "SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = $1", stream_id
                )
                raise ConcurrencyConflict(stream_id, expected_version, actual)
        self.signal.appended(rows[-1]["tx_id"])
        self.appended.count += len(rows)
        return [
            Envelope(
                event=new.event,
                event_id=new.event_id,
                stream_id=stream_id,
                stream_version=row["stream_version"],
                metadata=new.metadata,
                occurred_at=new.occurred_at,
                recorded_at=row["recorded_at"],
                position=row["position"],
                tx_id=row["tx_id"],
            )
            for new, row in zip(events, rows, strict=True)
        ]

    async def _payloads(self, events: Sequence[NewEvent]) -> list[str]:
        """Each event's JSON as stored: personal fields sealed under their subjects' keys (one key
        look-up for the whole append, none for the many contracts without personal data)."""
        personal = [has_personal_data(type(e.event)) for e in events]
        if not any(personal):
            return [e.event.model_dump_json() for e in events]
        subjects = set().union(*(subjects_of(e.event) for e, p in zip(events, personal, strict=True) if p))
        keys = await self.personal_data.for_sealing(subjects)
        return [
            sealed_json(e.event, keys) if p else e.event.model_dump_json()
            for e, p in zip(events, personal, strict=True)
        ]

    async def _revealed(self, rows: list[Any], conn: Connection | None = None) -> list[Any]:
        """Rows with their personal data opened (or erased): one key look-up for the page, and
        none when no row holds a token — the common case costs a substring test per row."""
        texts = await self.personal_data.reveal_all([row[7] for row in rows], conn)
        if texts is None:
            return rows
        return [row if row[7] == text else (*row[:7], text, *row[8:]) for row, text in zip(rows, texts, strict=True)]

    async def read_stream(
        self,
        stream_id: str,
        *,
        after_version: int = 0,
        conn: Connection | None = None,
    ) -> list[Envelope[Any]]:
        """The stream's events in version order (empty if the stream does not exist)."""
        async with nullcontext(conn) if conn is not None else self._connection() as executor:
            rows = await self._revealed(await executor.fetch(_READ_STREAM, stream_id, after_version), executor)
        with collection_paused():
            return [self._envelope(row) for row in rows]

    async def read_log(self, after: LogPosition = START, limit: int = 1000) -> list[Envelope[Any]]:
        """The next committed events of the global log after `after`, in commit-safe order.

        An event whose transaction is still open is not returned yet, nor is anything after it:
        the reader waits behind the oldest open transaction rather than skip past it. The next
        page starts after the last envelope's `log_position`.
        """
        rows = await self._revealed(await self._pages.rows(after, limit))
        with collection_paused():
            try:
                return decode_page(rows, self.registry, self._tenants)
            except ValueError:  # an invalid payload or an odd timestamp: let the careful path say which
                return [self._envelope(stored) for stored in stored_page(rows)]

    async def read_log_stored(self, after: LogPosition = START, limit: int = 1000) -> list[StoredEvent]:
        """`read_log` without decoding: for passing events on as they are stored."""
        rows = await self._revealed(await self._pages.rows(after, limit))
        with collection_paused():
            return list(stored_page(rows))

    async def log_head(self) -> LogPosition:
        """The last position a reader of the global log can reach now."""
        row = await self.pool.fetchrow(_LOG_HEAD)
        return LogPosition(row[0], row[1]) if row else START

    def decode(self, stored: StoredEvent, views: Views | None = None) -> Envelope[Any]:
        """The typed envelope of an event read undecoded (with `views`, the reader's view of it
        if it has one)."""
        if views and stored.event_type in views:
            return self._envelope(stored, views.decode)
        return self._envelope(stored)

    def _envelope(
        self, row: asyncpg.Record | StoredEvent, decode: Callable[[str, int, str], Event | View] | None = None
    ) -> Envelope[Any]:
        (_, _, stream_id, version, event_id, event_type, schema_version, data, group_id, site_id, actor,
         correlation_id, causation_id, traceparent, tracestate, occurred_at, recorded_at) = row  # fmt: skip
        tenant = self._tenants.get((group_id, site_id))
        if tenant is None:
            tenant = self._tenants.setdefault((group_id, site_id), Tenant(group_id, site_id))
        return Envelope(
            (decode or self.registry.decode)(event_type, schema_version, data),
            event_id,
            stream_id,
            version,
            Metadata(tenant, actor, correlation_id, causation_id, traceparent, tracestate),
            timestamp(occurred_at),
            timestamp(recorded_at),
            row[0],
            row[1],
        )
