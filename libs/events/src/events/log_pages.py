"""The global log's pages, read and decoded fast: the replay hot path behind
`EventStore.read_log` (a rebuild or a relay catching up reads millions of events).

- `LogPages.rows`: a page in one statement (`events_log_page`, migrations 0003 and 0004), the next
  one read ahead on another connection while this one is decoded (bench/results/backbone.md,
  workload 3, and docs/decisions/0010-the-command-and-replay-paths.md).
- `decode_page`: a page's envelopes in one unrolled loop; `stored_page`: the same, undecoded.
- `collection_paused`: the cyclic collector waits while a page is built.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any

import asyncpg

from events.connection import Connection
from events.contract import Registry
from events.envelope import Envelope, LogPosition, Metadata, StoredEvent, Tenant

# A page of the log, in the store's column order and then `same_metadata`, in one statement: the
# function (migrations 0003, 0004) sets what the read needs for its own run only, reads below the
# oldest running transaction, and sends a run of events' shared metadata once (see `stored_page`).
_READ_LOG = "SELECT * FROM events_log_page($1::text::xid8, $2, $3)"


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


class LogPages:
    """Pages of one database's log, with the next page read ahead for a reader catching up."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        # Pages read ahead and not yet taken, by (after, limit).
        self._ahead: dict[tuple[LogPosition, int], asyncio.Task[list[asyncpg.Record]]] = {}

    async def rows(self, after: LogPosition, limit: int) -> list[asyncpg.Record]:
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


def decode_page(rows: list[Any], registry: Registry, tenants: dict[tuple[str, str], Tenant]) -> list[Envelope[Any]]:
    """`_envelope` for a page of the log, unrolled (the replay hot path). The tuples are built
    with `tuple.__new__`, which is all a NamedTuple's own `__new__` does after a Python-level
    call; the current version's JSON validator is called directly; consecutive events of one
    append share their metadata (an append has one), which the page sends once, so they
    share one `Metadata`: fewer objects to build, for the collector to walk and to free. For
    the same reason an envelope carries its log position (`tx_id` and `position`) instead of
    coming paired with one."""
    new, iso, validators, decode = tuple.__new__, datetime.fromisoformat, registry.json_validators, None
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
            decode = decode or registry.decode
            event = decode(event_type, schema_version, data)
        if not same_metadata:  # else the previous row's, sent once (events_log_page)
            tenant = tenants.get((group_id, site_id))
            if tenant is None:
                tenant = tenants.setdefault((group_id, site_id), Tenant(group_id, site_id))
            metadata = new(Metadata, (tenant, actor, correlation_id, causation_id, traceparent, tracestate))
        occurred, recorded = iso(occurred_at), iso(recorded_at)
        append(new(Envelope, (event, event_id, stream_id, version, metadata, occurred, recorded, position, tx_id)))
    return page


_READ_AHEAD_PAGES = 4  # pages read ahead and not yet taken, for all of a store's readers


async def _fetch_log_rows(
    conn: Connection, after: LogPosition, limit: int, sent: asyncio.Event | None = None
) -> list[asyncpg.Record]:
    query = conn.fetch(_READ_LOG, str(after.tx_id), after.position, limit)
    if sent is not None:
        sent.set()  # its waiter runs once `query` has sent the statement (before it first waits)
    return await query


def stored_page(rows: list[Any]) -> Iterator[StoredEvent]:
    """A page of the log as stored events: the metadata a row shares with the previous one
    (sent once, `same_metadata`) filled in again."""
    metadata: tuple[Any, ...] = ()
    for row in rows:
        if not row[17]:
            metadata = tuple(row[8:15])
        yield StoredEvent._make((*row[:8], *metadata, timestamp(row[15]), timestamp(row[16])))


def _ignore_outcome(task: asyncio.Task[Any]) -> None:
    """A read ahead that nobody takes may fail (the pool closing): no one's error."""
    if not task.cancelled():
        task.exception()


# What asyncpg returns for PostgreSQL's infinite timestamps (naive, as asyncpg has them).
_INFINITE = {"infinity": datetime.max, "-infinity": datetime.min}


def timestamp(value: datetime | str) -> datetime:
    """A timestamp as the log's pages carry it (ISO text in UTC) or as asyncpg decodes it."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        if value in _INFINITE:
            return _INFINITE[value]
        raise
