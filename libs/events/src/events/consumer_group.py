"""A service's consumers in one Kafka consumer group.

Each `Consumer` is one handler with its own inbox, retries, dead-letter topic and re-drive. A
service has several (one per reaction, and the erasure one). As groups of their own, each
fetched, heartbeated and committed on its own, and a record was fetched once per consumer that
reads its topic. (A long-polling fetch covers every partition of its group's topics, so
sharing groups costs the broker nothing at rest; under load it saves it work:
bench/results/design-notes.md.)

`SharedGroup` runs them as members of one group instead: one fetch, one heartbeat, one offset
commit for all of them. Each record of a fetch goes to every consumer of its topic, which
handles it exactly as it would alone (its own transaction and inbox row, its own dead letters),
and the group commits the fetch's offsets only after every consumer is done with it. A
consumer's failure stays its own: a poison record goes to that consumer's dead letters and the
others go on.

A broker that comes back empty (the local one keeps nothing across restarts) has a new cluster
id, and the relays republish every log from the start. The group compares the cluster id with
the one it last read from (kept in `consumer_clusters`) whenever partitions are assigned and
every 30 s, and on a new one reads its partitions from the beginning: offsets handled
or committed before the restart point into the old log and would skip republished events.

While a fetch is being handled, the next one is fetched and decoded (a projection's page, in
slices that let the transaction in flight go on): in a catch-up, decoding overlaps the
database's work on the page before. Only decoding goes ahead; fetches are handled, and their
offsets committed, one after the other.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, NamedTuple, Protocol

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import KafkaError

from events.envelope import Envelope
from events.kafka import KafkaSettings, cluster_of

log = logging.getLogger(__name__)

Fetch = dict[TopicPartition, list[ConsumerRecord[Any, Any]]]  # a fetch's records, by partition


class Ahead(NamedTuple):
    """A fetch's page, decoded ahead of its turn."""

    records: list[ConsumerRecord[Any, Any]]
    envelopes: list[Envelope[Any]]


class Member(Protocol):
    """What the group needs of a member: `events.consumer.Consumer`, or a handler of raw records
    such as the gateway's integration feed."""

    name: str
    topics: list[str]
    assigned: set[TopicPartition]  # the partitions of its topics this replica owns now

    @property
    def pool(self) -> asyncpg.Pool: ...  # where the group keeps the cluster it reads

    @property
    def dead_letter_topic(self) -> str | None: ...

    def attach(self, kafka: AIOKafkaConsumer, producer: AIOKafkaProducer) -> None: ...

    def detach(self) -> None: ...

    async def decode_ahead(self, batches: Fetch) -> Ahead | None: ...

    async def handle_fetch(self, batches: Fetch, ahead: Ahead | None = None) -> None: ...


class SharedGroup:
    def __init__(
        self,
        name: str,
        consumers: Sequence[Member],
        settings: KafkaSettings,
        *,
        # A restarted broker knows no group, so its members rejoin and the check on assignment
        # finds it; the periodic one is the fallback, and each costs the broker a connection.
        cluster_check_interval: float = 30.0,
        cluster_id: Callable[[], Awaitable[str]] | None = None,
        **overrides: Any,
    ) -> None:
        self.name = name
        self.consumers = list(consumers)
        self.settings = settings
        self.overrides = overrides  # the Kafka consumer's settings (a projection fetches more per poll)
        self.topics = sorted({topic for consumer in self.consumers for topic in consumer.topics})
        self.cluster_check_interval = cluster_check_interval
        self._cluster_id = cluster_id or settings.cluster_id
        self._cluster: str | None = None  # the cluster read from, once checked
        self._cluster_checked_at = 0.0
        self._kafka: AIOKafkaConsumer | None = None
        self._done: dict[TopicPartition, int] = {}
        self._resets = 0  # times the partitions were read from the beginning of a new log
        # The fetch being handled (the next one is decoded meanwhile: `Consumer.decode_ahead`).
        self._handling: asyncio.Task[None] | None = None

    async def run(self, stop: asyncio.Event, *, started: asyncio.Event | None = None) -> None:
        letters = [c.dead_letter_topic for c in self.consumers if c.dead_letter_topic is not None]
        await self.settings.ensure_topics(*self.topics, *letters)
        kafka = self._kafka = self.settings.consumer(self.name, *self.topics, **self.overrides)
        producer = self.settings.producer()  # for every consumer's dead letters
        await producer.start()
        for consumer in self.consumers:
            consumer.attach(kafka, producer)
        kafka.subscribe(self.topics, listener=_Assignments(self))
        await kafka.start()
        if started is not None:
            started.set()
        try:
            while not stop.is_set():
                if time.monotonic() - self._cluster_checked_at >= self.cluster_check_interval:
                    await self._finish()  # its offsets are in the log checked
                    await self.check_cluster()
                batches = await kafka.getmany(timeout_ms=0 if self._handling else 200)
                handled = await self._fenced(batches)
                if handled is None:  # fetched before a reset to the beginning, or to be fetched again
                    continue
                # Which log these records are from: a seek to the beginning drops what was fetched
                # before it, so they come after every reset so far.
                resets = self._resets
                shares = self._shares(handled)
                ahead = {c: await c.decode_ahead(share) for c, share in shares} if self._handling else {}
                await self._finish()
                if batches:
                    self._handling = asyncio.create_task(self._handle_fetch(batches, shares, ahead, resets))
            await self._finish()
        finally:
            if self._handling is not None:  # the loop failed or was cancelled: so is the fetch in flight
                self._handling.cancel()
                await asyncio.gather(self._handling, return_exceptions=True)
                self._handling = None
            await self.commit()
            await kafka.stop()
            await producer.stop()
            for consumer in self.consumers:
                consumer.detach()

    async def _finish(self) -> None:
        """Wait for the fetch in flight, if any, and commit its offsets."""
        handling, self._handling = self._handling, None
        if handling is not None:
            # Committed after every fetch, not lazily: with commits held back for a second,
            # tests/test_restarts.py once saw a projection miss republished events after the
            # broker restarted empty, most likely offsets still pending at the restart being
            # committed to the new broker at old-log positions.
            await handling
            await self.commit()

    async def _fenced(self, batches: Fetch) -> Fetch | None:
        """The records of the fetch to handle: those its relays published to the cluster this
        group reads (`events.kafka.CLUSTER_HEADER`). A record that names another cluster means
        either that this group has not yet noticed a new cluster (then it reads from the
        beginning: None) or that a relay wrote to this one before it noticed (a stray, set
        aside: the relay republishes it in stream order once it has). None too if the cluster
        cannot be asked now: the fetch is sought back and read again."""
        current = self._cluster.encode() if self._cluster is not None else None
        strangers = {
            cluster
            for records in batches.values()
            for record in records
            if (cluster := cluster_of(record.headers)) is not None and cluster != current
        }
        if not strangers:
            return batches
        await self._finish()
        resets = self._resets
        if not await self.check_cluster(again=True):
            kafka = self._kafka
            assert kafka is not None
            for tp, records in batches.items():
                kafka.seek(tp, records[0].offset)
            return None
        if self._resets != resets:
            return None
        current = self._cluster.encode() if self._cluster is not None else None
        kept = {tp: [r for r in records if cluster_of(r.headers) in (None, current)] for tp, records in batches.items()}
        log.warning(
            "%s: set aside %d records published to a cluster before their relay verified it (%s); "
            "they come again when it republishes",
            self.name,
            sum(len(records) for records in batches.values()) - sum(len(records) for records in kept.values()),
            ", ".join(sorted(c.decode(errors="replace") for c in strangers)),
        )
        # Offsets move past the set-aside records with the rest (`_handle_fetch` reads `batches`).
        return {tp: records for tp, records in kept.items() if records}

    def _shares(self, batches: Fetch) -> list[tuple[Member, Fetch]]:
        """Each consumer's part of the fetch: its topics' partitions (none: not there)."""
        shares = [
            (consumer, {tp: records for tp, records in batches.items() if tp.topic in consumer.topics})
            for consumer in self.consumers
        ]
        return [(consumer, share) for consumer, share in shares if share]

    async def _handle_fetch(
        self, batches: Fetch, shares: list[tuple[Member, Fetch]], ahead: dict[Member, Ahead | None], resets: int
    ) -> None:
        """Hand each consumer its share; then the fetch's offsets are done, unless the group
        was reset to the beginning of a new log since it was fetched (`resets`): they point
        into the old one."""
        # Consumers are independent handlers: they take the fetch at the same time, each its
        # own topics' partitions, and the offsets move once all of them are done.
        try:
            # A task group: if one fails (its database gone), the others stop too, before the
            # group leaves the broker and takes their producer (gather would leave them running).
            async with asyncio.TaskGroup() as tasks:
                for consumer, share in shares:
                    tasks.create_task(consumer.handle_fetch(share, ahead.get(consumer)))
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from None
        if self._resets != resets:
            return
        for tp, records in batches.items():
            self._done[tp] = records[-1].offset + 1

    async def check_cluster(self, *, again: bool = False) -> bool:
        """Read the assigned partitions from the beginning if the broker cluster is not the one
        this group last read from (see the module's docstring). `again`: compare with the stored
        one even if the cluster is the one this process saw last. False if the broker could not
        be asked (it is away: ask again next time)."""
        kafka = self._kafka
        assert kafka is not None, "checked once the group's consumer exists"
        try:
            cluster = await self._cluster_id()
        except (KafkaError, OSError) as error:
            log.warning("%s: broker cluster id unavailable (%r)", self.name, error)
            return False
        finally:
            self._cluster_checked_at = time.monotonic()
        if cluster == self._cluster and not again:
            return True
        pool = self.consumers[0].pool
        known = await pool.fetchval("SELECT cluster_id FROM consumer_clusters WHERE consumer_group = $1", self.name)
        if known is not None and known != cluster:
            assigned = kafka.assignment()
            log.warning(
                "%s: broker cluster changed (%s -> %s); reading from the beginning. Handled up to %s; "
                "the log ended at %s as last fetched; partitions per topic now %s",
                self.name,
                known,
                cluster,
                _by_partition(self._done),
                _by_partition({tp: kafka.highwater(tp) for tp in assigned}),
                {topic: len(kafka.partitions_for_topic(topic) or ()) for topic in self.topics},
            )
            self._done.clear()  # positions in the old log: never committed to the new one
            self._resets += 1  # nor those of a fetch from the old log still being handled
            if assigned:
                await kafka.seek_to_beginning(*assigned)
        await pool.execute(
            """INSERT INTO consumer_clusters (consumer_group, cluster_id) VALUES ($1, $2)
               ON CONFLICT (consumer_group) DO UPDATE SET cluster_id = $2, updated_at = now()""",
            self.name,
            cluster,
        )
        self._cluster = cluster
        return True

    async def commit(self) -> None:
        if self._done and self._kafka is not None:
            offsets, self._done = self._done, {}
            assigned = self._kafka.assignment()
            await self._kafka.commit({tp: o for tp, o in offsets.items() if tp in assigned})


def _by_partition(offsets: Mapping[TopicPartition, int | None]) -> str:
    return ", ".join(f"{tp.topic}[{tp.partition}]@{offset}" for tp, offset in sorted(offsets.items())) or "-"


class _Assignments(ConsumerRebalanceListener):  # type: ignore[misc]
    """Commits what was handled before partitions move; tells each consumer which it owns."""

    def __init__(self, group: SharedGroup) -> None:
        self.group = group

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self.group.commit()
        for consumer in self.group.consumers:
            consumer.assigned -= set(revoked)

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        for consumer in self.group.consumers:
            consumer.assigned |= {tp for tp in assigned if tp.topic in consumer.topics}
        # A rebalance follows a broker restart: ask before the first fetch from these partitions.
        await self.group.check_cluster(again=True)
