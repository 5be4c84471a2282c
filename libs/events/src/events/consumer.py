"""The consumer runtime: reacts to other services' events, each effect exactly once.

Every record is handled in one database transaction together with its inbox row, so a
redelivered event (the relay publishes at least once; a rebalance replays uncommitted
offsets) has no second effect. A handler that keeps failing is retried a bounded number of
times, then the record goes to the consumer's dead-letter topic (and `dead_letters` table,
for re-drive) with its error, and the partition moves on. A record that cannot be decoded is
dead-lettered at once: retrying cannot fix it.

Partitions are processed concurrently, each in offset order. Fetching, offsets and partition
assignment are the consumer group's (`events.consumer_group`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import Any
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from opentelemetry import trace

from events.connection import Connection
from events.consumer_group import Ahead, Fetch, SharedGroup
from events.contract import REGISTRY, Registry
from events.envelope import Envelope
from events.errors import ConcurrencyConflict, EventsError
from events.kafka import KafkaSettings, RecordDecoder, event_type_of, from_record, header_map
from events.log_pages import collection_paused
from events.tracing import context_from, tracer
from events.views import Views

log = logging.getLogger(__name__)

Handler = Callable[[Connection, Envelope[Any]], Awaitable[None]]
PageHandler = Callable[[Connection, Sequence[Envelope[Any]]], Awaitable[None]]
_LINKED = 32  # traces a page's span links to, at most
# A fetch of at least this many records (a backlog: a rebuild, a catch-up) is handled as one page;
# fewer (live traffic) record by record, each with its own span in its cause's trace.
_PAGE_FROM = 50
# Records a paging consumer takes per fetch at most (the client's default is 500, spread over the
# partitions): a rebuild's transactions, and the statements each costs, are per page, and a
# card's events of one day (a large site logs ~5,000 events a day) fall into one page, so its
# row is written once, not once per page (bench/results/design-notes.md).
PAGE_RECORDS = 10_000


_MAX_CONFLICTS = 50  # concurrent changes to one stream in a row before a record is a dead letter


class Consumer:
    """One consumer group: `handler` for every event whose type is in `handles`.

    Events of other types on the same topics are skipped without a database round trip.
    """

    def __init__(
        self,
        name: str,
        topics: Collection[str],
        handles: Collection[str],
        handler: Handler,
        pool: asyncpg.Pool,
        settings: KafkaSettings,
        *,
        registry: Registry = REGISTRY,
        max_attempts: int = 5,
        first_backoff: float = 0.05,
        dedupe: bool = True,
        page_handler: PageHandler | None = None,
        views: Views | None = None,
    ) -> None:
        self.name = name
        self.topics = list(topics)
        self.handles = frozenset(handles)
        self.handler = handler
        self.pool = pool
        self.settings = settings
        self.registry = registry
        self.decoder = RecordDecoder(registry, views)  # `views`: the types the handler reads a view of
        self.max_attempts = max_attempts
        self.first_backoff = first_backoff
        # Off only for handlers that recognise repeats themselves (projections keep per-stream versions).
        self.dedupe = dedupe
        # Without an inbox, a handler that folds pages (a projection) takes a fetch's backlog, all
        # its partitions, in one transaction (it is one writer per read model anyway, and each
        # stream's events stay in order: a stream is one partition); if that page fails, each
        # partition's backlog is a page, and a page that fails is handled one by one.
        self.page_handler = page_handler if not dedupe else None
        self._overrides: dict[str, Any] = {} if self.page_handler is None else {"max_poll_records": PAGE_RECORDS}
        self.dead_letter_topic = settings.dead_letter_topic(name)
        self.handled = 0
        self.pages = 0  # backlogs handled as one page
        self.dead_lettered = 0
        self.retried = 0  # failed attempts tried again (not a stream's contention: that re-decides)
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        # Partitions this replica owns now (readiness: a consumer with none is not serving yet).
        self.assigned: set[TopicPartition] = set()

    async def run(self, stop: asyncio.Event, *, started: asyncio.Event | None = None) -> None:
        """Run as a consumer group of its own (a service's consumers share one)."""
        await SharedGroup(self.name, [self], self.settings, **self._overrides).run(stop, started=started)

    def attach(self, kafka: AIOKafkaConsumer, producer: AIOKafkaProducer) -> None:
        """The group member that fetches for this consumer, and the producer of its dead letters."""
        self._consumer, self._producer = kafka, producer

    def detach(self) -> None:
        self._consumer = self._producer = None

    async def lag(self) -> int:
        """Records on this replica's partitions not yet handled (the broker's high-water mark
        as last fetched, less our position): 0 when caught up or not yet assigned."""
        consumer = self._consumer
        if consumer is None:
            return 0
        behind = 0
        for tp in list(self.assigned):
            highwater = consumer.highwater(tp)
            if highwater is not None:
                behind += max(highwater - await consumer.position(tp), 0)
        return behind

    def page_of(self, batches: Fetch) -> list[ConsumerRecord[Any, Any]] | None:
        """The fetch's records, if they are handled as one page (a paging consumer's backlog)."""
        if self.page_handler is None:
            return None
        records = [record for partition in batches.values() for record in partition]
        return records if len(records) >= _PAGE_FROM else None

    async def decode_ahead(self, batches: Fetch) -> Ahead | None:
        """The fetch's page decoded before its turn, while the previous fetch is being handled
        (`RecordDecoder.page_in_slices`); None if it is not a page or does not decode (it is
        then handled as it would be without)."""
        records = self.page_of(batches)
        if records is None:
            return None
        try:
            envelopes = await self.decoder.page_in_slices([(r.value, r.headers) for r in records], self.handles)
        except (EventsError, KeyError, ValueError):
            return None
        return Ahead(records, envelopes)

    async def handle_fetch(self, batches: Fetch, ahead: Ahead | None = None) -> None:
        records, envelopes = ahead if ahead is not None else (self.page_of(batches), None)
        if records is not None:
            if await self._handle_page(records, envelopes):
                return
            if len(batches) == 1:  # that was the partition's page: one by one now
                for record in records:
                    await self.handle(record)
                return
        await asyncio.gather(*(self._handle_partition(tp, records) for tp, records in batches.items()))

    async def _handle_partition(self, tp: TopicPartition, records: list[ConsumerRecord[Any, Any]]) -> None:
        """A partition's records (after the fetch's page failed): as a page if they are a
        backlog (a poison among another partition's records leaves this one's a page), else
        one by one."""
        if self.page_handler is not None and len(records) >= _PAGE_FROM and await self._handle_page(records):
            return
        for record in records:
            await self.handle(record)

    async def handle(self, record: ConsumerRecord[Any, Any]) -> None:
        """Handle one record: exactly one effect, or a dead letter."""
        try:
            decoded = self.decoder.page([(record.value, record.headers)], self.handles)
        except (EventsError, KeyError, ValueError) as error:
            await self._dead_letter(record, f"undecodable: {error!r}", attempts=1)
            return
        if not decoded:  # a type this consumer does not handle
            return
        envelope = decoded[0]
        with tracer.start_as_current_span(
            f"handle {envelope.event_type}",
            context=context_from(envelope.metadata.traceparent, envelope.metadata.tracestate),
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.consumer.group.name": self.name,
                "messaging.message.id": str(envelope.event_id),
            },
        ):
            delay, attempt, conflicts = self.first_backoff, 0, 0
            while True:
                try:
                    await self._handle_once(envelope)
                    return
                except ConcurrencyConflict as error:
                    # Contention, not poison: another partition's handler changed the same stream
                    # first. A fresh transaction decides again; only endless contention is a letter.
                    conflicts += 1
                    if conflicts == _MAX_CONFLICTS:
                        await self._dead_letter(record, f"{type(error).__name__}: {error}", conflicts)
                        return
                    await asyncio.sleep(random.uniform(0, min(delay * conflicts, 1.0)))  # jittered back-off
                except Exception as error:
                    attempt += 1
                    if attempt == self.max_attempts:
                        await self._dead_letter(record, f"{type(error).__name__}: {error}", attempt)
                        return
                    log.warning("%s: %s failed (attempt %d): %r", self.name, envelope.event_id, attempt, error)
                    self.retried += 1
                    await asyncio.sleep(delay)  # back-off between retries
                    delay *= 2

    async def _handle_page(
        self, records: list[ConsumerRecord[Any, Any]], envelopes: list[Envelope[Any]] | None = None
    ) -> bool:
        """The records' events (`envelopes`, if decoded ahead) in one transaction; False
        (nothing done) if any record cannot be decoded or the page fails: the caller then
        handles them one by one."""
        # The page's envelopes live until its transaction ends; with the cyclic collector paused
        # until then they are freed by reference counting, never walked (a quarter of a rebuild's
        # decoding went to collections walking the live page).
        with collection_paused():
            if envelopes is None:
                try:
                    envelopes = self.decoder.page(((r.value, r.headers) for r in records), self.handles)
                except (EventsError, KeyError, ValueError):
                    return False
            return not envelopes or await self._apply_page(envelopes)

    async def _apply_page(self, envelopes: list[Envelope[Any]]) -> bool:
        assert self.page_handler is not None
        causes = (trace.get_current_span(context_from(e.metadata.traceparent)) for e in envelopes[:_LINKED])
        links = [trace.Link(c.get_span_context()) for c in causes if c.get_span_context().is_valid]
        with tracer.start_as_current_span(
            f"handle page of {len(envelopes)}",
            kind=trace.SpanKind.CONSUMER,
            links=links,
            attributes={"messaging.consumer.group.name": self.name, "messaging.batch.message_count": len(envelopes)},
        ):
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    await self.page_handler(conn, envelopes)
            except Exception as error:
                log.info("%s: a page of %d failed (%r); one by one now", self.name, len(envelopes), error)
                return False
        self.handled += len(envelopes)
        self.pages += 1
        return True

    async def _handle_once(self, envelope: Envelope[Any]) -> None:
        if not self.dedupe:
            async with self.pool.acquire() as conn, conn.transaction():
                await self.handler(conn, envelope)
            self.handled += 1
            return
        async with self.pool.acquire() as conn, conn.transaction():
            # The inbox row first: a concurrent delivery of the same event waits here until this
            # one commits (then finds the row and does nothing) or rolls back (then takes over).
            first = await conn.fetchval(
                "INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1",
                self.name,
                envelope.event_id,
            )
            if not first:
                return
            await self.handler(conn, envelope)
        self.handled += 1

    async def redrive(self, dead_letter_id: int) -> bool:
        """Handle a dead-lettered record again (after the fix that makes it pass). The inbox
        still guards against a second effect. True if handled now; the error stays recorded
        and the letter stays open if it fails again."""
        row = await self.pool.fetchrow(
            "SELECT * FROM dead_letters WHERE id = $1 AND consumer = $2 AND redriven_at IS NULL",
            dead_letter_id,
            self.name,
        )
        if row is None:
            return False
        envelope = from_record(row["value"], json.loads(row["headers"]), self.registry)
        views = self.decoder.views
        if envelope.event_type in views:  # the handler reads its view, as it would have at first
            envelope = envelope._replace(event=views.narrow(envelope.event))
        await self._handle_once(envelope)
        await self.pool.execute("UPDATE dead_letters SET redriven_at = now() WHERE id = $1", dead_letter_id)
        return True

    async def _dead_letter(self, record: ConsumerRecord[Any, Any], error: str, attempts: int) -> None:
        headers = header_map(record.headers)
        log.error(
            "%s: dead-lettering %s[%d]@%d: %s",
            self.name,
            record.topic,
            record.partition,
            record.offset,
            error,
        )
        extra = {
            "dlq_consumer": self.name,
            "dlq_topic": record.topic,
            "dlq_partition": str(record.partition),
            "dlq_offset": str(record.offset),
            "dlq_attempts": str(attempts),
            "dlq_error": error[:2000],
        }
        assert self._producer is not None
        await self._producer.send_and_wait(
            self.dead_letter_topic,
            record.value,
            key=record.key,
            headers=list(record.headers) + [(k, v.encode()) for k, v in extra.items()],
        )
        await self.pool.execute(
            """INSERT INTO dead_letters (consumer, topic, partition, "offset", event_id, event_type,
                                         key, value, headers, error, attempts)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
            self.name,
            record.topic,
            record.partition,
            record.offset,
            _uuid_or_none(headers.get("ce_id")),
            event_type_of(headers),
            record.key,
            record.value,
            json.dumps(headers),
            error,
            attempts,
        )
        self.dead_lettered += 1


def _uuid_or_none(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None
