"""`dealerflow rebuild`: a read model rebuilt into shadow tables while the live one keeps serving,
compared with the live one at the same log position, and swapped in only when asked.

The bulk of the rebuild runs beside the live projector. The last step holds the projection's
lock (the one every projector takes per page, so the live one waits): it brings the shadow to
exactly where the live read model is, compares, and swaps in the same transaction. Where the
live model is:

- fed from the service's own log (`LogProjector`): its checkpoint, a log position. The shadow
  applies the log up to that position and no further.
- fed from other services' topics (`KafkaProjector`): the version of each stream it applied
  (`projection_streams`). The shadow reads the topics from the beginning and applies each
  stream's events up to the live version, holding back the newer ones until the last step.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from events.admin.shadow import Comparison, Shadow
from events.connection import Connection
from events.envelope import Envelope, LogPosition
from events.kafka import RecordDecoder
from events.projection import KafkaProjector, LogProjector, Projection, apply_page, views_of
from events.store import START, EventStore

Progress = Callable[[int, int], None]  # (read so far, to read in all)

# One writer per read model: the lock every projector takes for a page (events.projection).
_PROJECTION_LOCK = "SELECT pg_advisory_xact_lock(hashtext($1))"


class Swap(Enum):
    NEVER = "never"  # compare and report only
    IF_EQUAL = "if-equal"
    ALWAYS = "always"  # the operator read the differences and wants the rebuilt one


class LiveMovedBack(Exception):
    """The live read model went behind the shadow while it was built (rebuilt meanwhile)."""


@dataclass(frozen=True)
class Outcome:
    projection: str
    comparison: Comparison
    swapped: bool
    events_read: int


def projection_names(projectors: Sequence[LogProjector | KafkaProjector]) -> list[str]:
    return [p.projection.name for p in projectors]


async def rebuild(
    projector: LogProjector | KafkaProjector,
    swap: Swap,
    progress: Progress = lambda done, total: None,
    *,
    keep_shadow: bool = False,
) -> Outcome:
    """Rebuild `projector`'s read model in a shadow, compare, and swap as `swap` says."""
    feed: _LogFeed | _TopicFeed
    if isinstance(projector, LogProjector):
        pool, feed = projector.store.pool, _LogFeed(projector.store, projector.projection)
    else:
        pool, feed = projector.pool, _TopicFeed(projector)
    shadow = Shadow(projector.projection, fed_from_topics=isinstance(projector, KafkaProjector))
    async with pool.acquire() as conn:
        await shadow.create(conn)
    try:
        await feed.bulk(shadow, progress)
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(_PROJECTION_LOCK, projector.projection.name)
            await feed.finish(conn, shadow)
            comparison = await shadow.compare(conn)
            swapped = swap is Swap.ALWAYS or (swap is Swap.IF_EQUAL and comparison.equal)
            if swapped:
                await shadow.swap(conn)
        return Outcome(projector.projection.name, comparison, swapped, feed.read)
    finally:
        if not keep_shadow:
            async with pool.acquire() as conn:
                await shadow.drop(conn)


async def _live_checkpoint(conn: Connection | asyncpg.Pool, name: str) -> LogPosition:
    row = await conn.fetchrow("SELECT tx_id, position FROM projection_state WHERE projection = $1", name)
    return LogPosition(row["tx_id"], row["position"]) if row else START


class _LogFeed:
    """The service's own log, up to the live projector's checkpoint."""

    def __init__(self, store: EventStore, projection: Projection, page_size: int = 2000) -> None:
        self.store = store
        self.projection = projection
        self.views = views_of(projection)
        self.page_size = page_size
        self.built_to = START
        self.read = 0

    async def bulk(self, shadow: Shadow, progress: Progress) -> None:
        until = await _live_checkpoint(self.store.pool, self.projection.name)
        total = await self.store.pool.fetchval(
            "SELECT count(*) FROM events WHERE (tx_id, position) <= ($1::text::xid8, $2)",
            str(until.tx_id),
            until.position,
        )
        progress(0, total)
        while self.built_to < until:
            async with self.store.transaction() as conn:
                await shadow.use(conn)
                await self._page(conn, until)
            progress(self.read, total)

    async def finish(self, conn: Connection, shadow: Shadow) -> None:
        until = await _live_checkpoint(conn, self.projection.name)
        if until < self.built_to:
            raise LiveMovedBack(f"{self.projection.name} went back to {until} while the shadow reached {self.built_to}")
        await shadow.use(conn)
        while self.built_to < until:
            await self._page(conn, until)

    async def _page(self, conn: Connection, until: LogPosition) -> None:
        page = [e for e in await self.store.read_log_stored(self.built_to, self.page_size) if e.log_position <= until]
        if not page:  # the live checkpoint is below the horizon: only a vanished log ends here
            raise LiveMovedBack(f"the log ends before {self.projection.name}'s checkpoint {until}")
        handled = [self.store.decode(e, self.views) for e in page if e.event_type in self.projection.handles]
        if handled:
            await apply_page(self.projection, conn, handled)
        self.built_to = page[-1].log_position
        self.read += len(page)


class _TopicFeed:
    """Other services' topics from the beginning, each stream up to the live versions."""

    def __init__(self, projector: KafkaProjector) -> None:
        self.projector = projector
        self.decoder = RecordDecoder(views=views_of(projector.projection))
        self.held: dict[str, list[Envelope[Any]]] = defaultdict(list)  # newer than the live versions
        self.ends: dict[TopicPartition, int] = {}
        self.read = 0

    async def _live_versions(self, conn: Connection | asyncpg.Pool) -> dict[str, int]:
        rows = await conn.fetch(
            "SELECT stream_id, version FROM projection_streams WHERE projection = $1", self.projector.projection.name
        )
        return {r["stream_id"]: r["version"] for r in rows}

    async def bulk(self, shadow: Shadow, progress: Progress) -> None:
        live = await self._live_versions(self.projector.pool)
        consumer = await self._consumer()
        try:
            partitions = list(consumer.assignment())
            await consumer.seek_to_beginning(*partitions)
            starts = {tp: await consumer.position(tp) for tp in partitions}
            async for page in self._pages(consumer, partitions):
                ready = self._ready(page, live)
                if ready:
                    async with self.projector.pool.acquire() as conn, conn.transaction():
                        await shadow.use(conn)
                        await self.projector.apply_page_once(conn, ready)
                progress(self.read, sum(self.ends[tp] - starts[tp] for tp in self.ends))
        finally:
            await consumer.stop()

    async def finish(self, conn: Connection, shadow: Shadow) -> None:
        """Under the lock: what the live projector applied since `bulk` began (held back, or
        published after the topics' ends as `bulk` saw them)."""
        live = await self._live_versions(conn)
        consumer = await self._consumer()
        try:
            partitions = list(consumer.assignment())
            for tp in partitions:
                consumer.seek(tp, self.ends.get(tp, 0))
            pages = [page async for page in self._pages(consumer, partitions)]
        finally:
            await consumer.stop()
        held, self.held = self.held, defaultdict(list)
        ready = self._ready([e for envelopes in held.values() for e in envelopes], live)
        for page in pages:
            ready += self._ready(page, live)
        if ready:
            await shadow.use(conn)
            await self.projector.apply_page_once(conn, ready)

    def _ready(self, page: list[Envelope[Any]], live: dict[str, int]) -> list[Envelope[Any]]:
        """The events the live read model has applied; the others are held back."""
        ready = []
        for envelope in page:
            if envelope.stream_version <= live.get(envelope.stream_id, 0):
                ready.append(envelope)
            else:
                self.held[envelope.stream_id].append(envelope)
        return ready

    async def _consumer(self) -> AIOKafkaConsumer:
        """A reader of every partition of the topics, outside any consumer group."""
        settings = self.projector.settings
        consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, enable_auto_commit=False)
        await consumer.start()
        try:
            await consumer.topics()  # fetches the cluster's metadata: the topics' partitions
            partitions = [
                TopicPartition(topic, p)
                for topic in self.projector.topics
                for p in sorted(consumer.partitions_for_topic(topic) or ())
            ]
            consumer.assign(partitions)
        except BaseException:
            await consumer.stop()
            raise
        return consumer

    async def _pages(
        self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition]
    ) -> AsyncIterator[list[Envelope[Any]]]:
        """Decoded pages of the handled events, each partition up to its end as first fetched
        (`self.ends`). The end comes from the fetches' high watermarks, not ListOffsets: the
        local broker answers that with 1 for any partition that has records."""
        handles = self.projector.projection.handles
        self.ends = {}
        open_partitions = set(partitions)
        while open_partitions:
            fetched = await consumer.getmany(*open_partitions, timeout_ms=500, max_records=5000)
            for tp in partitions:
                highwater = consumer.highwater(tp)
                if tp not in self.ends and highwater is not None:
                    self.ends[tp] = highwater
            records = []
            for tp, batch in fetched.items():
                records += [(r.value, r.headers) for r in batch if r.offset < self.ends[tp]]
            for tp in list(open_partitions):
                if tp in self.ends and await consumer.position(tp) >= self.ends[tp]:
                    open_partitions.discard(tp)
            self.read += len(records)
            yield self._decoded(records, handles)

    def _decoded(self, records: list[Any], handles: Collection[str]) -> list[Envelope[Any]]:
        try:
            return self.decoder.page(records, handles)
        except Exception:  # a record the live consumer dead-lettered as undecodable: skip it here too
            envelopes = []
            for record in records:
                try:
                    envelopes += self.decoder.page([record], handles)
                except Exception:  # the live model never applied it either
                    continue
            return envelopes
