"""Outbox relay to Kafka and the consumer runtime: order, at-least-once publishing,
exactly-once effects, dead letters."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from kafka_helpers import EFFECTS_TABLE, record_effect, running

from events.catalog.testing import CounterIncremented, CounterOpened, CounterPoisoned
from events.connection import Connection
from events.consumer import Consumer
from events.envelope import Envelope, Metadata, NewEvent, Tenant
from events.kafka import KafkaSettings
from events.relay import Relay
from events.store import START, EventStore
from events.testing import eventually, kafka_for_tests

META = Metadata(tenant=Tenant("group-a", "site-1"), actor="tester", correlation_id="c-1")
HANDLES = {"sample.CounterOpened", "sample.CounterIncremented", "sample.CounterPoisoned"}


def settings(bootstrap_servers: str, prefix: str) -> KafkaSettings:
    return kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{prefix}.", partitions=3)


async def effects(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return await pool.fetch("SELECT event_id, stream_id, version FROM effects ORDER BY id")


async def append_counters(store: EventStore, counters: int, increments: int) -> None:
    for c in range(counters):
        await store.append(f"counter-{c}", 0, [NewEvent(CounterOpened(counter_id=str(c), label="x"), META)])
        for i in range(increments):
            event = CounterIncremented(counter_id=str(c), amount=i, reason="test")
            await store.append(f"counter-{c}", i + 1, [NewEvent(event, META)])


async def test_relay_publishes_the_log_and_the_consumer_handles_each_event_once_in_stream_order(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    await pool.execute(EFFECTS_TABLE)
    store = EventStore(pool)
    kafka = settings(bootstrap_servers, topic_prefix)
    await append_counters(store, counters=5, increments=9)
    relay = Relay(store, kafka)
    consumer = Consumer("counter-watch", [kafka.topic("sample")], HANDLES, record_effect, pool, kafka)

    async with running(relay.run, consumer.run):
        rows = await eventually(lambda: effects(pool), until=lambda r: len(r) >= 50, what="50 effects")

    assert len({r["event_id"] for r in rows}) == 50
    for c in range(5):
        versions = [r["version"] for r in rows if r["stream_id"] == f"counter-{c}"]
        assert versions == list(range(1, 11)), f"counter-{c} out of order: {versions}"
    assert await relay.backlog() == 0


async def test_relay_crash_between_publish_and_mark_republishes_and_the_inbox_absorbs_it(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    await pool.execute(EFFECTS_TABLE)
    store = EventStore(pool)
    kafka = settings(bootstrap_servers, topic_prefix)
    await append_counters(store, counters=2, increments=4)

    crashed = Relay(store, kafka)
    # The log horizon is server-wide: another suite's open transaction may hold the page back.
    page = await eventually(crashed.pending, until=lambda p: p is not None and len(p.events) == 10, what="a page")
    assert page is not None
    await crashed.publish(page)  # published ... and the process dies before `mark`
    await crashed.close()
    assert await crashed.checkpoint() == START, "nothing was marked published"

    restarted = Relay(store, kafka)
    consumer = Consumer("counter-watch", [kafka.topic("sample")], HANDLES, record_effect, pool, kafka)
    async with running(restarted.run, consumer.run):
        await eventually(restarted.backlog, until=lambda n: n == 0, what="relay caught up")
        # 20 records for 10 events: wait until the consumer has read past all of them.
        await eventually(lambda: _inbox_size(pool), until=lambda n: n == 10, what="inbox filled")
        await eventually(lambda: _committed(consumer, kafka), until=lambda n: n >= 20, what="offsets committed")

    rows = await effects(pool)
    assert len(rows) == 10, "the second delivery of each event must have no effect"
    assert consumer.handled == 10


async def test_poison_message_is_dead_lettered_after_bounded_retries_and_the_partition_moves_on(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    await pool.execute(EFFECTS_TABLE)
    store = EventStore(pool)
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=1)
    await store.append("counter-p", 0, [NewEvent(CounterOpened(counter_id="p", label="x"), META)])
    await store.append("counter-p", 1, [NewEvent(CounterPoisoned(counter_id="p"), META)])
    await store.append("counter-p", 2, [NewEvent(CounterIncremented(counter_id="p", amount=1, reason="r"), META)])
    relay = Relay(store, kafka)
    consumer = Consumer("counter-watch", [kafka.topic("sample")], HANDLES, record_effect, pool, kafka, max_attempts=3)

    async with running(relay.run, consumer.run):
        rows = await eventually(lambda: effects(pool), until=lambda r: len(r) == 2, what="two good events")
        dead = await eventually(
            lambda: pool.fetch("SELECT * FROM dead_letters"), until=lambda r: len(r) == 1, what="dead letter"
        )
        dlq = await _read_one(kafka, kafka.dead_letter_topic("counter-watch"))

    assert [r["version"] for r in rows] == [1, 3], "the event after the poison one was still handled"
    assert dead[0]["attempts"] == 3
    assert dead[0]["event_type"] == "sample.CounterPoisoned"
    assert "cannot handle poisoned counter p" in dead[0]["error"]
    assert dlq["dlq_error"].startswith("RuntimeError: cannot handle poisoned counter p")
    assert dlq["dlq_attempts"] == "3"
    assert dlq["ce_type"] == "com.dealerflow.sample.CounterPoisoned"


async def test_undecodable_record_is_dead_lettered_at_once(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=1)
    topic = kafka.topic("sample")
    await kafka.ensure_topics(topic)
    producer = kafka.producer()
    await producer.start()
    headers = [
        ("ce_type", b"com.dealerflow.sample.CounterOpened"),
        ("ce_dataschema", b"https://schemas.dealerflow.dev/sample/CounterOpened/v1.json"),
        ("ce_id", b"0b8e1ef8-8b5e-4e0c-9d6c-1d1f0a9a8c11"),
    ]
    await producer.send_and_wait(topic, b'{"counter_id": 5}', key=b"counter-x", headers=headers)
    await producer.stop()
    consumer = Consumer("counter-watch", [topic], HANDLES, record_effect, pool, kafka, max_attempts=5)
    async with running(consumer.run):
        dead = await eventually(
            lambda: pool.fetch("SELECT * FROM dead_letters"), until=lambda r: len(r) == 1, what="dead letter"
        )
    assert dead[0]["attempts"] == 1, "an undecodable record is not retried"
    assert "undecodable" in dead[0]["error"]


async def _inbox_size(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM inbox"))


async def _committed(consumer: Consumer, kafka: KafkaSettings) -> int:
    """Total offsets the consumer group has committed on the sample topic."""
    assert consumer._consumer is not None
    total = 0
    for tp in consumer._consumer.assignment():
        total += await consumer._consumer.committed(tp) or 0
    return total


async def _read_one(kafka: KafkaSettings, topic: str) -> dict[str, Any]:
    reader = kafka.consumer(None, topic)
    await reader.start()
    try:
        record = await asyncio.wait_for(reader.getone(), timeout=20)
        return {k: v.decode() for k, v in record.headers}
    finally:
        await reader.stop()


async def test_a_dead_letter_is_redriven_after_the_fix(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    await pool.execute(EFFECTS_TABLE)
    store = EventStore(pool)
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=1)
    await store.append("counter-p", 0, [NewEvent(CounterPoisoned(counter_id="p"), META)])
    fixed = False

    async def handler(conn: Connection, envelope: Envelope[Any]) -> None:
        if not fixed:
            raise RuntimeError("bug in the handler")
        await conn.execute(
            "INSERT INTO effects (event_id, stream_id, version) VALUES ($1, $2, $3)",
            envelope.event_id,
            envelope.stream_id,
            envelope.stream_version,
        )

    consumer = Consumer("counter-watch", [kafka.topic("sample")], HANDLES, handler, pool, kafka, max_attempts=2)
    async with running(Relay(store, kafka).run, consumer.run):
        dead = await eventually(
            lambda: pool.fetch("SELECT id FROM dead_letters"), until=lambda r: len(r) == 1, what="dead letter"
        )
    assert await effects(pool) == []

    fixed = True  # the fix is deployed
    assert await consumer.redrive(dead[0]["id"])
    assert not await consumer.redrive(dead[0]["id"]), "a letter is re-driven once"
    assert len(await effects(pool)) == 1
