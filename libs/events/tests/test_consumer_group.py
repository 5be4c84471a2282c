"""A service's consumers as members of one Kafka consumer group (`SharedGroup`): each still
handles every event of its types exactly once, in stream order, and a poison record is one
consumer's dead letter while the others go on."""

from __future__ import annotations

from typing import Any

import asyncpg
from kafka_helpers import running

from events.catalog.testing import CounterIncremented, CounterOpened, CounterPoisoned
from events.connection import Connection
from events.consumer import Consumer
from events.consumer_group import SharedGroup
from events.envelope import Envelope, Metadata, NewEvent, Tenant
from events.relay import Relay
from events.store import EventStore
from events.testing import eventually, kafka_for_tests

META = Metadata(tenant=Tenant("group-a", "site-1"), actor="tester", correlation_id="c-1")
SEEN = """CREATE TABLE IF NOT EXISTS seen (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer text NOT NULL, event_id uuid NOT NULL, stream_id text NOT NULL, version integer NOT NULL)"""


def recorder(name: str, *, refuse_poison: bool) -> Any:
    async def record(conn: Connection, envelope: Envelope[Any]) -> None:
        if refuse_poison and isinstance(envelope.event, CounterPoisoned):
            raise RuntimeError(f"{name} cannot handle poisoned counter {envelope.event.counter_id}")
        await conn.execute(
            "INSERT INTO seen (consumer, event_id, stream_id, version) VALUES ($1, $2, $3, $4)",
            name,
            envelope.event_id,
            envelope.stream_id,
            envelope.stream_version,
        )

    return record


async def test_consumers_sharing_a_group_each_handle_their_events_once_and_keep_their_poison_to_themselves(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    await pool.execute(SEEN)
    store = EventStore(pool)
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=3)
    for c in range(4):
        await store.append(f"counter-{c}", 0, [NewEvent(CounterOpened(counter_id=str(c), label="x"), META)])
        for i in range(1, 6):
            event = CounterIncremented(counter_id=str(c), amount=i, reason="test")
            await store.append(f"counter-{c}", i, [NewEvent(event, META)])
    await store.append("counter-0", 6, [NewEvent(CounterPoisoned(counter_id="0"), META)])
    await store.append("counter-0", 7, [NewEvent(CounterIncremented(counter_id="0", amount=9, reason="after"), META)])

    topic = kafka.topic("sample")
    every = {"sample.CounterOpened", "sample.CounterIncremented", "sample.CounterPoisoned"}
    strict = Consumer("svc.strict", [topic], every, recorder("strict", refuse_poison=True), pool, kafka, max_attempts=2)
    lenient = Consumer("svc.lenient", [topic], every, recorder("lenient", refuse_poison=False), pool, kafka)
    opened = recorder("openings", refuse_poison=False)
    openings = Consumer("svc.openings", [topic], {"sample.CounterOpened"}, opened, pool, kafka)
    group = SharedGroup("svc.consumers", [strict, lenient, openings], kafka)

    async with running(Relay(store, kafka).run, group.run):
        await eventually(lambda: _count(pool, "lenient"), until=lambda n: n == 26, what="lenient saw all")
        await eventually(lambda: _count(pool, "strict"), until=lambda n: n == 25, what="strict saw all but poison")
        await eventually(lambda: _count(pool, "openings"), until=lambda n: n == 4, what="openings")
        assert all(len(c.assigned) == 3 for c in (strict, lenient, openings)), "each owns its topic's partitions"

    rows = await pool.fetch("SELECT consumer, event_id, stream_id, version FROM seen ORDER BY id")
    for name in ("strict", "lenient", "openings"):
        mine = [r for r in rows if r["consumer"] == name]
        assert len({r["event_id"] for r in mine}) == len(mine), f"{name} handled an event twice"
        for c in range(4):
            versions = [r["version"] for r in mine if r["stream_id"] == f"counter-{c}"]
            assert versions == sorted(versions), f"{name}: counter-{c} out of order"
    strict_zero = [r["version"] for r in rows if r["consumer"] == "strict" and r["stream_id"] == "counter-0"]
    assert strict_zero == [1, 2, 3, 4, 5, 6, 8], "the poison skipped, the event after it still handled"
    dead = await pool.fetch("SELECT consumer, event_type, attempts FROM dead_letters")
    assert [(d["consumer"], d["event_type"], d["attempts"]) for d in dead] == [
        ("svc.strict", "sample.CounterPoisoned", 2)
    ]
    assert (strict.handled, lenient.handled, openings.handled) == (25, 26, 4)


async def _count(pool: asyncpg.Pool, consumer: str) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM seen WHERE consumer = $1", consumer))


async def test_a_group_reads_from_the_beginning_again_when_the_broker_cluster_is_a_new_one(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    """A broker that restarted empty has a new cluster id and the relays republish every log;
    offsets from before point into the old log. The group reads from the beginning again: at
    once while running, and on starting if it last read from another cluster."""
    await pool.execute(SEEN)
    store = EventStore(pool)
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=2)
    for c in range(5):
        await store.append(f"counter-{c}", 0, [NewEvent(CounterOpened(counter_id=str(c), label="x"), META)])
    cluster = ["cluster-a"]

    async def cluster_id() -> str:
        return cluster[0]

    def group() -> SharedGroup:
        record = recorder("all", refuse_poison=False)
        # no inbox: every record read again is recorded again, which is what this test counts
        every = Consumer(
            "svc.all", [kafka.topic("sample")], {"sample.CounterOpened"}, record, pool, kafka, dedupe=False
        )
        return SharedGroup("svc.consumers", [every], kafka, cluster_check_interval=0.2, cluster_id=cluster_id)

    def relay() -> Relay:  # it republishes on a new cluster, each record naming the cluster it verified
        return Relay(store, kafka, cluster_check_interval=0.2, cluster_id=cluster_id)

    async with running(relay().run, group().run):
        await eventually(lambda: _count(pool, "all"), until=lambda n: n == 5, what="read once")
        cluster[0] = "cluster-b"
        # Read from the beginning: the first publication's records name cluster-a and are set
        # aside (decision 0008); the republished ones are read.
        await eventually(lambda: _count(pool, "all"), until=lambda n: n == 10, what="read again from the beginning")
    assert await pool.fetchval("SELECT cluster_id FROM consumer_clusters WHERE consumer_group = 'svc.consumers'") == (
        "cluster-b"
    )

    cluster[0] = "cluster-c"  # changed while the group was away: its committed offsets are the old log's
    async with running(relay().run, group().run):
        await eventually(lambda: _count(pool, "all"), until=lambda n: n == 15, what="read again on starting")
    rows = await pool.fetch("SELECT stream_id, count(*) AS n FROM seen GROUP BY stream_id")
    assert {r["stream_id"]: r["n"] for r in rows} == {f"counter-{c}": 3 for c in range(5)}
