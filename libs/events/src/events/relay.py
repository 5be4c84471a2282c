"""The outbox relay: publishes the service's event log to Kafka, in order, at least once.

The event log *is* the outbox: an event and its "outbox entry" are the same row, written in
the command's transaction (docs/decisions/0002-log-as-outbox.md). The relay reads the log in
commit-safe order after its checkpoint, sends a page of records (`send()` for all, then
await every acknowledgement), and only then moves the checkpoint. A crash between the two
republishes the page; consumers' inboxes make that harmless.

One relay per database is active at a time (a PostgreSQL advisory lock); more replicas wait.
A different broker cluster id than the one last published to means the broker lost its data
(the local broker keeps nothing across restarts): the relay recreates the topics and
republishes the whole log.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from opentelemetry import trace

from events.clock import sleep_unless
from events.connection import Connection
from events.envelope import LogPosition, StoredEvent
from events.kafka import KafkaSettings, to_record
from events.store import START, EventStore
from events.tracing import context_from, current_trace_headers, tracer
from events.wakeup import follow

log = logging.getLogger(__name__)

_LEADER_LOCK = 7_210_402


@dataclass(frozen=True)
class Page:
    events: list[StoredEvent]
    after: LogPosition | None = None  # the checkpoint it was read after (None: not known)

    @property
    def last(self) -> LogPosition:
        return self.events[-1].log_position


class Relay:
    def __init__(
        self,
        store: EventStore,
        settings: KafkaSettings,
        *,
        name: str = "relay",
        page_size: int = 1000,
        topic_for: Callable[[StoredEvent], str] | None = None,
        cluster_check_interval: float = 5.0,
        cluster_id: Callable[[], Awaitable[str]] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.name = name
        self.page_size = page_size
        # Every service publishes to its own topic; the service is the first part of the type.
        self.topic_for = topic_for or (lambda stored: settings.topic(stored.event_type.split(".", 1)[0]))
        self.published = 0
        self._producer: AIOKafkaProducer | None = None
        self.cluster_check_interval = cluster_check_interval
        self._ask_cluster_id = cluster_id or settings.cluster_id
        self._cluster_id: str | None = None
        self._cluster_checked_at = 0.0
        self._known_topics: set[str] = set()
        # The checkpoint as this relay last moved it: while it leads, no one else moves it, so
        # a round need not read it back (most rounds find nothing: one statement, not two).
        self._marked: LogPosition | None = None

    # --- the three steps of one round -------------------------------------------------------

    async def pending(self) -> Page | None:
        """The next page of the log after the checkpoint, or None if nothing is pending."""
        after = self._marked if self._marked is not None else await self.checkpoint()
        events = await self.store.read_log_stored(after, self.page_size)
        return Page(events, after) if events else None

    async def publish(self, page: Page) -> None:
        """Send every event of the page and wait until the broker has acknowledged all of them."""
        producer = await self._ensure_producer()
        await self._ensure_topics({self.topic_for(e) for e in page.events})
        futures = []
        for stored in page.events:
            topic = self.topic_for(stored)
            if stored.traceparent is None:  # not part of a trace: no span to join
                key, value, headers = to_record(stored, cluster=self._cluster_id)
                futures.append(await producer.send(topic, value, key=key, headers=headers))
                continue
            with tracer.start_as_current_span(
                f"publish {stored.event_type}",
                context=context_from(stored.traceparent, stored.tracestate),
                kind=trace.SpanKind.PRODUCER,
                attributes={"messaging.system": "kafka", "messaging.message.id": str(stored.event_id)},
            ):
                traceparent, tracestate = current_trace_headers()
                key, value, headers = to_record(
                    stored, traceparent=traceparent, tracestate=tracestate, cluster=self._cluster_id
                )
                futures.append(await producer.send(topic, value, key=key, headers=headers))
        await asyncio.gather(*futures)

    async def mark(self, page: Page) -> None:
        """Move the checkpoint past the page: its events will not be published again. Unless
        an operator moved it meanwhile (`dealerflow replay`): then it stays where they put it."""
        after = page.after
        moved = await self.store.pool.fetchval(
            """INSERT INTO log_checkpoints (reader, tx_id, position, cluster_id) VALUES ($1, $2, $3, $4)
               ON CONFLICT (reader) DO UPDATE
               SET tx_id = $2, position = $3, cluster_id = $4, updated_at = now()
               WHERE $5::bigint IS NULL
                  OR (log_checkpoints.tx_id, log_checkpoints.position) = ($5::bigint, $6::bigint)
               RETURNING true""",
            self.name,
            page.last.tx_id,
            page.last.position,
            self._cluster_id,
            after.tx_id if after is not None else None,
            after.position if after is not None else None,
        )
        self._marked = page.last if moved else None
        self.published += len(page.events)

    async def step(self) -> int:
        """One round: publish what is pending; return how many events were published."""
        await self._check_cluster()
        page = await self.pending()
        if page is None:
            return 0
        await self.publish(page)
        await self.mark(page)
        return len(page.events)

    # --- running ----------------------------------------------------------------------------

    async def checkpoint(self) -> LogPosition:
        row = await self.store.pool.fetchrow("SELECT tx_id, position FROM log_checkpoints WHERE reader = $1", self.name)
        return LogPosition(row["tx_id"], row["position"]) if row else START

    async def backlog(self) -> int:
        """Events committed but not yet published (for metrics and readiness)."""
        after = await self.checkpoint()
        value = await self.store.pool.fetchval(
            """SELECT count(*) FROM events WHERE (tx_id, position) > ($1::text::xid8, $2)
               AND tx_id < pg_snapshot_xmin(pg_current_snapshot())""",
            str(after.tx_id),
            after.position,
        )
        return int(value)

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set, as the single active relay of this database."""
        async with self.store.pool.acquire() as leader:
            while not await self._lead(leader):
                if await sleep_unless(stop, 1.0):
                    return
            try:
                await self._run_as_leader(stop)
            finally:
                await leader.execute("SELECT pg_advisory_unlock($1)", _LEADER_LOCK)
                await self.close()

    async def _run_as_leader(self, stop: asyncio.Event) -> None:
        backoff = 0.1

        async def step() -> int:
            nonlocal backoff
            try:
                published = await self.step()
            except (TimeoutError, KafkaError, OSError) as error:
                log.warning("relay %s: publishing failed (%s); retrying in %.1fs", self.name, error, backoff)
                await self.close()  # a fresh producer: do not trust one that saw the broker fail
                await sleep_unless(stop, backoff)
                backoff = min(backoff * 2, 5.0)
                return 0
            backoff = 0.1
            return published

        await follow(self.store.signal, stop, step, page_size=self.page_size, read_to=self._read_to)

    def _read_to(self) -> int:
        return self._marked.tx_id if self._marked is not None else 0

    async def _lead(self, conn: Connection) -> bool:
        return bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", _LEADER_LOCK))

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self.settings.producer()
            await producer.start()
            self._producer = producer
        return self._producer

    async def _ensure_topics(self, topics: set[str]) -> None:
        missing = topics - self._known_topics
        if missing:
            partitions = await self.settings.ensure_topics(*missing)
            for topic, count in sorted(partitions.items()):
                if count != self.settings.partitions:  # a client's metadata request created it first
                    log.warning(
                        "relay %s: topic %s has %d partitions, not %d",
                        self.name,
                        topic,
                        count,
                        self.settings.partitions,
                    )
            self._known_topics |= missing

    async def _check_cluster(self) -> None:
        """On connecting, and every `cluster_check_interval` after: is this still the broker
        cluster we published to? A silent broker wipe shows no producer errors (the local
        broker keeps acknowledging), so the relay asks rather than waits for a failure."""
        now = time.monotonic()
        if self._cluster_id is not None and now - self._cluster_checked_at < self.cluster_check_interval:
            return
        cluster_id = await self._ask_cluster_id()
        self._cluster_checked_at = now
        row = await self.store.pool.fetchrow(
            "SELECT cluster_id, tx_id, position FROM log_checkpoints WHERE reader = $1", self.name
        )
        known = row["cluster_id"] if row is not None else None
        if row is not None and self._marked is not None and (row["tx_id"], row["position"]) != self._marked:
            self._marked = None  # an operator moved the checkpoint (`dealerflow replay`): read it again
        if known is not None and known != cluster_id:
            log.warning(
                "relay %s: broker cluster changed (%s -> %s); republishing the log", self.name, known, cluster_id
            )
            await self.store.pool.execute(
                "UPDATE log_checkpoints SET tx_id = 0, position = 0, cluster_id = $2 WHERE reader = $1",
                self.name,
                cluster_id,
            )
            await self.close()  # its metadata describes topics that are gone
        self._cluster_id = cluster_id

    async def close(self) -> None:
        self._cluster_id = None  # compare again on reconnecting: the broker may be a new one
        self._marked = None  # and read the checkpoint again: another relay may lead meanwhile
        self._known_topics.clear()
        if self._producer is not None:
            producer, self._producer = self._producer, None
            await producer.stop()
