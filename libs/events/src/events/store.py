"""The PostgreSQL event store: append with optimistic concurrency, read a stream, read the
global log in commit-safe order.

Every method takes an optional connection so a handler can append and update its own tables
in one transaction; without one, the store uses its pool and its own transaction.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, nullcontext, suppress
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from events.appended import AppendedEvents
from events.connection import Connection
from events.contract import REGISTRY, Event, Registry
from events.envelope import Envelope, LogPosition, Metadata, NewEvent, Tenant
from events.errors import ConcurrencyConflict
from events.personal_data import PersonalDataKeys, has_personal_data, sealed_json, subjects_of
from events.views import View, Views
from events.wakeup import LogSignal


class StoredEvent(NamedTuple):
    """An event as the log holds it, undecoded: what the relay publishes (its JSON as stored)."""

    position: int
    tx_id: int
    stream_id: str
    stream_version: int
    event_id: UUID
    event_type: str
    schema_version: int
    data: str
    group_id: str
    site_id: str
    actor: str
    correlation_id: str
    causation_id: str | None
    traceparent: str | None
    tracestate: str | None
    occurred_at: datetime
    recorded_at: datetime

    @property
    def log_position(self) -> LogPosition:
        return LogPosition(self.tx_id, self.position)


START = LogPosition()

# One round trip per append, whatever the number of events. The WHERE clause is the
# concurrency check: the stream must be at the expected version, and its last event must come
# from a transaction no later than ours, or the log's (tx_id, position) order would put our
# event before its predecessor. Two writers that both pass the check race on the
# (stream_id, stream_version) unique index: the loser gets a unique violation.
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
# through a timedelta and an addition, three objects and about as much client time as all the
# other columns of a row; `datetime.fromisoformat` is five times cheaper.

_READ_STREAM = f"""
SELECT {_COLUMNS} FROM events
WHERE stream_id = $1 AND stream_version > $2
ORDER BY stream_version
"""

# A page of the log, in `_COLUMNS` order and then `same_metadata`, in one statement: the
# function (migrations 0003, 0004) sets what the read needs for its own run only, reads below the
# oldest running transaction, and sends a run of events' shared metadata once (see `_stored`).
_READ_LOG = "SELECT * FROM events_log_page($1::text::xid8, $2, $3)"

_LOG_HEAD = """
SELECT tx_id::text::bigint, position FROM events
WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY events.tx_id DESC, events.position DESC LIMIT 1
"""


@contextmanager
def collection_paused() -> Iterator[None]:
    """Decoding a page allocates thousands of objects, and every 700 allocations the cyclic
    garbage collector walks the young ones again — it nearly halves replay speed. These
    objects form no cycles, so collection waits until the page is built."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class EventStore:
    def __init__(self, pool: asyncpg.Pool, registry: Registry = REGISTRY) -> None:
        self.pool = pool
        self.registry = registry
        self._tenants: dict[tuple[str, str], Tenant] = {}  # shared, immutable: fewer objects on replay
        self._kept: list[PoolConnectionProxy] = []  # see `_connection`
        self._returning = False
        self._releasing: set[asyncio.Future[None]] = set()
        # Pages of the log read ahead for readers catching up, by (after, limit): see `_log_rows`.
        self._ahead: dict[tuple[LogPosition, int], asyncio.Task[list[asyncpg.Record]]] = {}
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
        rows = await self._revealed(await self._log_rows(after, limit))
        with collection_paused():
            try:
                return self._log_envelopes(rows)
            except ValueError:  # an invalid payload or an odd timestamp: let the careful path say which
                return [self._envelope(stored) for stored in _stored(rows)]

    async def read_log_stored(self, after: LogPosition = START, limit: int = 1000) -> list[StoredEvent]:
        """`read_log` without decoding: for passing events on as they are stored."""
        rows = await self._revealed(await self._log_rows(after, limit))
        with collection_paused():
            return list(_stored(rows))

    async def _log_rows(self, after: LogPosition, limit: int) -> list[asyncpg.Record]:
        """A page of the log. A full page means the reader is behind: the next page is read
        ahead on another connection, so that the server produces it while the reader decodes
        and handles this one (the server's part of a page is as long as the decoding). Taken
        only if full too, it is then exactly what a read now would return: every row below the
        horizon it was read under is final, and sorts before any row that commits later (the
        argument that makes the log gap-safe)."""
        rows: list[asyncpg.Record] | None = None
        ahead = self._ahead.pop((after, limit), None)
        if ahead is not None:
            with suppress(Exception):  # a failed read ahead is only a wasted one
                rows = await ahead
        if rows is None or len(rows) < limit:
            async with self.pool.acquire() as conn:
                rows = await _fetch_log_rows(conn, after, limit)
        if len(rows) == limit and self.pool.get_idle_size() > 0:  # never waits for a connection
            await self._read_ahead(LogPosition(rows[-1][1], rows[-1][0]), limit)
        return rows

    async def _read_ahead(self, after: LogPosition, limit: int) -> None:
        conn = await self.pool.acquire()
        sent = asyncio.Event()

        async def read() -> list[asyncpg.Record]:
            try:
                return await _fetch_log_rows(conn, after, limit, sent)
            finally:
                sent.set()
                await self.pool.release(conn)

        task = asyncio.create_task(read())
        task.add_done_callback(_ignore_outcome)
        self._ahead[(after, limit)] = task
        while len(self._ahead) > _READ_AHEAD_PAGES:  # readers that went away: forget the oldest
            del self._ahead[next(iter(self._ahead))]
        await sent.wait()  # the statement is on its way: the server works while we decode

    def _log_envelopes(self, rows: list[Any]) -> list[Envelope[Any]]:
        """`_envelope` for a page of the log, unrolled (the replay hot path). The tuples are built
        with `tuple.__new__`, which is all a NamedTuple's own `__new__` does after a Python-level
        call; the current version's JSON validator is called directly; consecutive events of one
        append share their metadata (an append has one), which the page sends once, so they
        share one `Metadata`: fewer objects to build, for the collector to walk and to free. For
        the same reason an envelope carries its log position (`tx_id` and `position`) instead of
        coming paired with one."""
        new, iso, validators, decode = tuple.__new__, datetime.fromisoformat, self.registry.json_validators, None
        tenants = self._tenants
        # The last row's type and validator: locals, compared with the next row's (cheaper than a
        # lookup).
        last_type: str | None = None
        last_version, validate = 0, None
        metadata: Metadata | None = None
        page: list[Envelope[Any]] = []
        append = page.append
        for (position, tx_id, stream_id, version, event_id, event_type, schema_version, data, group_id, site_id,
             actor, correlation_id, causation_id, traceparent, tracestate, occurred_at, recorded_at,
             same_metadata) in rows:  # fmt: skip
            if event_type != last_type or schema_version != last_version:
                current = validators.get(event_type)
                last_type, last_version, validate = (
                    (event_type, schema_version, current[1])
                    if current is not None and current[0] == schema_version
                    else (None, 0, None)
                )
            if validate is not None:
                event = validate(data)
            else:  # an old version (upcast), or the first of its type
                decode = decode or self.registry.decode
                event = decode(event_type, schema_version, data)
            if not same_metadata:  # else the previous row's, sent once (events_log_page)
                tenant = tenants.get((group_id, site_id))
                if tenant is None:
                    tenant = tenants.setdefault((group_id, site_id), Tenant(group_id, site_id))
                metadata = new(Metadata, (tenant, actor, correlation_id, causation_id, traceparent, tracestate))
            occurred, recorded = iso(occurred_at), iso(recorded_at)
            append(new(Envelope, (event, event_id, stream_id, version, metadata, occurred, recorded, position, tx_id)))
        return page

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
            _timestamp(occurred_at),
            _timestamp(recorded_at),
            row[0],
            row[1],
        )


_READ_AHEAD_PAGES = 4  # pages read ahead and not yet taken, for all of a store's readers


async def _fetch_log_rows(
    conn: Connection, after: LogPosition, limit: int, sent: asyncio.Event | None = None
) -> list[asyncpg.Record]:
    query = conn.fetch(_READ_LOG, str(after.tx_id), after.position, limit)
    if sent is not None:
        sent.set()  # its waiter runs once `query` has sent the statement (before it first waits)
    return await query


def _stored(rows: list[Any]) -> Iterator[StoredEvent]:
    """A page of the log as stored events: the metadata a row shares with the previous one
    (sent once, `same_metadata`) filled in again."""
    metadata: tuple[Any, ...] = ()
    for row in rows:
        if not row[17]:
            metadata = tuple(row[8:15])
        yield StoredEvent._make((*row[:8], *metadata, _timestamp(row[15]), _timestamp(row[16])))


def _ignore_outcome(task: asyncio.Task[Any]) -> None:
    """A read ahead that nobody takes may fail (the pool closing): no one's error."""
    if not task.cancelled():
        task.exception()


# What asyncpg returns for PostgreSQL's infinite timestamps (naive, as asyncpg has them).
_INFINITE = {"infinity": datetime.max, "-infinity": datetime.min}


def _timestamp(value: datetime | str) -> datetime:
    """A timestamp as the log's pages carry it (ISO text in UTC) or as asyncpg decodes it."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        if value in _INFINITE:
            return _INFINITE[value]
        raise
