"""The PostgreSQL event store: append with optimistic concurrency, read a stream, read the
global log in commit-safe order.

Every method takes an optional connection so a handler can append and update its own tables
in one transaction; without one, the store uses its pool and its own transaction.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg

from events.connection import Connection
from events.contract import REGISTRY, Registry
from events.envelope import Envelope, Metadata, NewEvent
from events.errors import ConcurrencyConflict

Executor = Connection | asyncpg.Pool


@dataclass(frozen=True, slots=True, order=True)
class LogPosition:
    """A place in the global log: (transaction id, position), the log's sort key."""

    tx_id: int = 0
    position: int = 0


START = LogPosition()

# One round trip per append, whatever the number of events. The WHERE clause is the
# concurrency check: the stream must be at the expected version, and its last event must come
# from a transaction no later than ours, or the log's (tx_id, position) order would put our
# event before its predecessor. Two writers that both pass the check race on the
# (stream_id, stream_version) unique index: the loser gets a unique violation.
_APPEND = """
WITH head AS (
    SELECT stream_version, tx_id FROM events
    WHERE stream_id = $1 ORDER BY stream_version DESC LIMIT 1
)
INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version,
                    data, metadata, group_id, site_id, occurred_at)
SELECT $1, $2 + e.ord, e.event_id, e.event_type, e.schema_version,
       e.data, e.metadata, $9, $10, e.occurred_at
FROM unnest($3::uuid[], $4::text[], $5::int2[], $6::jsonb[], $7::jsonb[], $8::timestamptz[])
     WITH ORDINALITY AS e(event_id, event_type, schema_version, data, metadata, occurred_at, ord)
WHERE coalesce((SELECT stream_version FROM head), 0) = $2
  AND coalesce((SELECT tx_id FROM head), '0'::xid8) <= pg_current_xact_id()
RETURNING position, stream_version, recorded_at
"""

_COLUMNS = """position, tx_id::text::bigint AS tx, stream_id, stream_version, event_id, event_type,
              schema_version, data, metadata, occurred_at, recorded_at"""

_READ_STREAM = f"""
SELECT {_COLUMNS} FROM events
WHERE stream_id = $1 AND stream_version > $2
ORDER BY stream_version
"""

# Only rows below the oldest running transaction: everything there has committed (or aborted
# and is invisible), so nothing can appear later behind the reader's checkpoint.
_READ_LOG = f"""
SELECT {_COLUMNS} FROM events
WHERE (tx_id, position) > ($1::text::xid8, $2)
  AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY tx_id, position
LIMIT $3
"""

_LOG_HEAD = """
SELECT tx_id::text::bigint AS tx, position FROM events
WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY tx_id DESC, position DESC LIMIT 1
"""


class EventStore:
    def __init__(self, pool: asyncpg.Pool, registry: Registry = REGISTRY) -> None:
        self.pool = pool
        self.registry = registry

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A connection in a transaction: append events and write your own tables atomically."""
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn

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
        tenant = events[0].metadata.tenant
        if any(e.metadata.tenant != tenant for e in events):
            raise ValueError("all events of one append must belong to one dealer group and site")
        args = (
            stream_id,
            expected_version,
            [e.event_id for e in events],
            [e.event.event_type for e in events],
            [e.event.schema_version for e in events],
            [e.event.model_dump_json() for e in events],
            [json.dumps(e.metadata.to_json()) for e in events],
            [e.occurred_at for e in events],
            tenant.group_id,
            tenant.site_id,
        )
        executor: Executor = conn if conn is not None else self.pool
        try:
            rows = await executor.fetch(_APPEND, *args)
        except asyncpg.UniqueViolationError:
            raise ConcurrencyConflict(stream_id, expected_version, None) from None
        if not rows:
            actual = await executor.fetchval(
                "SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = $1", stream_id
            )
            raise ConcurrencyConflict(stream_id, expected_version, actual)
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
            )
            for new, row in zip(events, rows, strict=True)
        ]

    async def read_stream(
        self,
        stream_id: str,
        *,
        after_version: int = 0,
        conn: Connection | None = None,
    ) -> list[Envelope[Any]]:
        """The stream's events in version order (empty if the stream does not exist)."""
        executor: Executor = conn if conn is not None else self.pool
        rows = await executor.fetch(_READ_STREAM, stream_id, after_version)
        return [self._envelope(row) for row in rows]

    async def read_log(self, after: LogPosition = START, limit: int = 1000) -> list[tuple[LogPosition, Envelope[Any]]]:
        """The next committed events of the global log after `after`, in commit-safe order.

        An event whose transaction is still open is not returned yet, nor is anything after it:
        the reader waits behind the oldest open transaction rather than skip past it.
        """
        rows = await self.pool.fetch(_READ_LOG, str(after.tx_id), after.position, limit)
        return [(LogPosition(row["tx"], row["position"]), self._envelope(row)) for row in rows]

    async def log_head(self) -> LogPosition:
        """The last position a reader of the global log can reach now."""
        row = await self.pool.fetchrow(_LOG_HEAD)
        return LogPosition(row["tx"], row["position"]) if row else START

    def _envelope(self, row: asyncpg.Record) -> Envelope[Any]:
        return Envelope(
            event=self.registry.decode(row["event_type"], row["schema_version"], row["data"]),
            event_id=row["event_id"],
            stream_id=row["stream_id"],
            stream_version=row["stream_version"],
            metadata=Metadata.from_json(json.loads(row["metadata"])),
            occurred_at=row["occurred_at"],
            recorded_at=row["recorded_at"],
            position=row["position"],
        )
