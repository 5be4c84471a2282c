"""The integration feed: every public event once, in a gap-safe order.

Ingest: one consumer group (`gateway.integration-feed`) reads every public topic and inserts
each record with `ON CONFLICT (event_id) DO NOTHING` — the table is its own inbox, so a
redelivery (the relay publishes at least once; a rebalance replays uncommitted offsets) has no
second effect; offsets are committed only after the rows are.

Order: a row's `position` is not given at insert (positions handed out at insert become visible
out of order; decision 0001) but by the sequencer, which numbers rows whose transaction is below
the server-wide horizon in `(tx_id, id)` order, under a transaction-scoped advisory lock, from
the highest position so far. Numbering transactions are serialised and each commits its whole
range at once, so readers of `position > N` never miss a row that appears later.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from events.clock import sleep_unless
from events.connection import Connection
from events.consumer_group import Ahead, Fetch, SharedGroup
from events.kafka import KafkaSettings, event_type_of, header_map

log = logging.getLogger(__name__)

CONSUMER_GROUP = "gateway.integration-feed"
_SEQUENCER_LOCK = 7_210_511  # any constant: one numbering transaction at a time per database


@dataclass(frozen=True)
class FeedEvent:
    position: int
    event_id: str
    event_type: str
    group_id: str
    site_id: str
    occurred_at: datetime
    headers: dict[str, str]
    data: dict[str, Any]


def feed_row(record: ConsumerRecord[Any, Any]) -> tuple[Any, ...] | None:
    """The row a Kafka record becomes, or None for a record that is not one of our events."""
    headers = header_map(record.headers)
    event_type = event_type_of(headers)
    try:
        if event_type is None:
            raise KeyError("ce_type")
        data = json.loads(record.value)
        return (
            headers["ce_id"],
            event_type,
            headers["ce_groupid"],
            headers["ce_siteid"],
            datetime.fromisoformat(headers["ce_time"]),
            json.dumps(headers),
            json.dumps(data),
        )
    except (KeyError, ValueError) as error:
        log.warning("integration feed: skipping %s[%d]@%d: %r", record.topic, record.partition, record.offset, error)
        return None


class FeedIngest:
    """The consumer group that fills `integration_feed` from every public topic: a member of a
    `SharedGroup`, which reads a broker that lost its data from the beginning and sets aside the
    records a relay wrote before it noticed (decision 0008)."""

    name = CONSUMER_GROUP
    dead_letter_topic = None  # a record that is not one of our events is skipped, not a letter

    def __init__(self, pool: asyncpg.Pool, kafka: KafkaSettings, services: Sequence[str]) -> None:
        self.pool = pool
        self.kafka = kafka
        self.topics = [kafka.topic(s) for s in services]
        self.assigned: set[TopicPartition] = set()
        self.ingested = 0

    async def run(self, stop: asyncio.Event) -> None:
        await SharedGroup(CONSUMER_GROUP, [self], self.kafka).run(stop)

    def attach(self, kafka: AIOKafkaConsumer, producer: AIOKafkaProducer) -> None:
        """Nothing to keep: the feed neither dead-letters nor reports lag."""

    def detach(self) -> None:
        """See `attach`."""

    async def decode_ahead(self, batches: Fetch) -> Ahead | None:
        return None  # rows are cheap to build: nothing to decode ahead

    async def handle_fetch(self, batches: Fetch, ahead: Ahead | None = None) -> None:
        await self.insert([row for records in batches.values() for r in records if (row := feed_row(r)) is not None])

    async def insert(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.executemany(
                """INSERT INTO integration_feed (event_id, event_type, group_id, site_id, occurred_at, headers, data)
                   VALUES ($1::uuid, $2, $3, $4, $5, $6::jsonb, $7::jsonb)
                   ON CONFLICT (event_id) DO NOTHING""",
                rows,
            )
        self.ingested += len(rows)


async def sequence(pool: asyncpg.Pool, *, limit: int = 5000) -> int:
    """Give positions to rows whose transactions have ended; the number of rows numbered (0 if
    another process is numbering right now — it will number these too)."""
    async with pool.acquire() as conn, conn.transaction():
        if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _SEQUENCER_LOCK):
            return 0
        result: str = await conn.execute(
            """WITH last AS (SELECT coalesce(max(position), 0) AS position FROM integration_feed),
                    next AS (
                        SELECT id, row_number() OVER (ORDER BY tx_id, id) AS n
                        FROM (SELECT id, tx_id FROM integration_feed
                              WHERE position IS NULL AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
                              ORDER BY tx_id, id LIMIT $1) AS ready)
               UPDATE integration_feed f SET position = last.position + next.n
               FROM next, last WHERE f.id = next.id""",
            limit,
        )
        return int(result.split()[-1])


async def run_sequencer(pool: asyncpg.Pool, stop: asyncio.Event, interval: float = 0.2) -> None:
    while not stop.is_set():
        numbered = await sequence(pool)
        if numbered == 0:
            await sleep_unless(stop, interval)


async def head(pool: asyncpg.Pool) -> int:
    """The highest position given so far (a new subscription starts after it)."""
    return int(await pool.fetchval("SELECT coalesce(max(position), 0) FROM integration_feed"))


async def position_at(pool: asyncpg.Pool, group_id: str, since: datetime) -> int:
    """The position to read after to get the group's events from time `since` on: just before
    the first of them (events are ordered by commit, so their times are nearly, not strictly,
    in order; a reader from a time also filters by time)."""
    first = await pool.fetchval(
        """SELECT min(position) FROM integration_feed
           WHERE group_id = $1 AND occurred_at >= $2 AND position IS NOT NULL""",
        group_id,
        since,
    )
    return int(first) - 1 if first is not None else await head(pool)


async def read(
    conn: asyncpg.Pool | Connection,
    *,
    group_id: str,
    after: int,
    limit: int,
    site_ids: Sequence[str] = (),
    type_likes: Sequence[str] = ("%",),
    since: datetime | None = None,
    until: int | None = None,
) -> list[FeedEvent]:
    """The group's next events after `after` (up to `until`), in feed order; `site_ids`
    empty = every site."""
    rows = await conn.fetch(
        """SELECT position, event_id, event_type, group_id, site_id, occurred_at, headers, data
           FROM integration_feed
           WHERE group_id = $1 AND position > $2 AND position IS NOT NULL
             AND (cardinality($4::text[]) = 0 OR site_id = ANY($4::text[]))
             AND event_type LIKE ANY($5::text[])
             AND ($6::timestamptz IS NULL OR occurred_at >= $6)
             AND ($7::bigint IS NULL OR position <= $7)
           ORDER BY position LIMIT $3""",
        group_id,
        after,
        limit,
        list(site_ids),
        list(type_likes),
        since,
        until,
    )
    return [
        FeedEvent(
            position=r["position"],
            event_id=str(r["event_id"]),
            event_type=r["event_type"],
            group_id=r["group_id"],
            site_id=r["site_id"],
            occurred_at=r["occurred_at"],
            headers=json.loads(r["headers"]),
            data=json.loads(r["data"]),
        )
        for r in rows
    ]
