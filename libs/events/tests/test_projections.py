"""Read models: applied once, rebuilt from zero to the same result, lag reported."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from kafka_helpers import running

from events.catalog.testing import CounterIncremented, CounterOpened, CounterPoisoned
from events.connection import Connection
from events.envelope import Envelope, Metadata, NewEvent, Tenant
from events.projection import KafkaProjector, LogProjector
from events.relay import Relay
from events.store import EventStore
from events.testing import eventually, kafka_for_tests, log_settled

META = Metadata(tenant=Tenant("group-a", "site-1"), actor="tester", correlation_id="c-1")


class CounterTotals:
    """Per counter: its label and the sum of its increments."""

    name = "counter_totals"
    handles = frozenset({"sample.CounterOpened", "sample.CounterIncremented"})
    tables = ("counter_totals",)
    ddl = "CREATE TABLE counter_totals (counter_id text PRIMARY KEY, label text, total bigint NOT NULL)"

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event = envelope.event
        if isinstance(event, CounterOpened):
            await conn.execute("INSERT INTO counter_totals VALUES ($1, $2, 0)", event.counter_id, event.label)
        elif isinstance(event, CounterIncremented):
            await conn.execute(
                "UPDATE counter_totals SET total = total + $2 WHERE counter_id = $1",
                event.counter_id,
                event.amount,
            )


async def totals(pool: asyncpg.Pool) -> dict[str, int]:
    return {r["counter_id"]: r["total"] for r in await pool.fetch("SELECT * FROM counter_totals")}


async def seed(store: EventStore, counters: int = 4, increments: int = 5) -> dict[str, int]:
    expected = {}
    for c in range(counters):
        events = [NewEvent(CounterOpened(counter_id=f"c{c}", label="x"), META)] + [
            NewEvent(CounterIncremented(counter_id=f"c{c}", amount=c * 10 + i, reason="r"), META)
            for i in range(increments)
        ]
        await store.append(f"counter-{c}", 0, events)
        expected[f"c{c}"] = sum(c * 10 + i for i in range(increments))
    await log_settled(store.pool)  # what a projection can read now is all of it
    return expected


async def test_log_projection_catches_up_reports_lag_and_rebuilds_to_the_same_result(
    pool: asyncpg.Pool,
) -> None:
    await pool.execute(CounterTotals.ddl)
    store = EventStore(pool)
    expected = await seed(store)
    projector = LogProjector(store, CounterTotals(), page_size=7)

    before = await projector.lag()
    assert before.events_behind == 24
    assert before.seconds_behind > 0
    assert await projector.catch_up() == 24
    assert await totals(pool) == expected
    after = await projector.lag()
    assert (after.events_behind, after.seconds_behind, after.events_applied) == (0, 0.0, 24)
    assert after.last_apply_lag_ms is not None
    assert after.last_apply_lag_ms >= 0

    await pool.execute("UPDATE counter_totals SET total = -1")  # a corrupted read model
    assert await projector.rebuild() == 24
    assert await totals(pool) == expected


async def test_kafka_projection_skips_republished_events_and_rebuilds_from_the_topics(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    await pool.execute(CounterTotals.ddl)
    store = EventStore(pool)
    expected = await seed(store)
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=2)
    relay = Relay(store, kafka)
    projector = KafkaProjector(pool, CounterTotals(), kafka, [kafka.topic("sample")])

    async with running(relay.run, projector.run):
        await eventually(lambda: totals(pool), until=lambda t: t == expected, what="projection caught up")
    # Republish everything (as after a broker reset): the projection must not count twice.
    await pool.execute("UPDATE log_checkpoints SET tx_id = 0, position = 0")
    async with running(relay.run, projector.run):
        await eventually(relay.backlog, until=lambda n: n == 0, what="republished")
        await eventually(lambda: _applied_offsets(projector), until=lambda n: n >= 48, what="consumer read the repeats")
    assert await totals(pool) == expected
    assert (await projector.lag()).events_applied == 24

    await projector.rebuild()
    assert await totals(pool) == {}
    async with running(projector.run):
        await eventually(lambda: totals(pool), until=lambda t: t == expected, what="rebuilt from topics")


async def _applied_offsets(projector: KafkaProjector) -> int:
    consumer = projector.consumer
    if consumer is None or consumer._consumer is None:
        return 0
    positions = [await consumer._consumer.position(tp) for tp in consumer._consumer.assignment()]
    return sum(positions)


async def test_replicas_of_a_log_projection_never_apply_a_page_twice(pool: asyncpg.Pool) -> None:
    await pool.execute(CounterTotals.ddl)
    store = EventStore(pool)
    expected = await seed(store, counters=6, increments=20)
    replicas = [LogProjector(store, CounterTotals(), page_size=5) for _ in range(4)]

    async def catch_up(projector: LogProjector) -> None:
        await projector.catch_up()

    for _ in range(3):  # the replicas race until none finds anything left
        await asyncio.gather(*(catch_up(p) for p in replicas))
    assert await totals(pool) == expected
    assert (await replicas[0].lag()).events_applied == 6 * 21


class FailsOnce(CounterTotals):
    """A read model whose first page fails (a deadlock, a lost connection): it must be read again."""

    def __init__(self) -> None:
        self.failed = False

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        if not self.failed:
            self.failed = True
            raise RuntimeError("the first page fails")
        await super().apply(conn, envelope)


async def test_a_page_that_failed_is_read_again_and_skipped_pages_wait_for_the_round_under_the_lock(
    pool: asyncpg.Pool,
) -> None:
    await pool.execute(CounterTotals.ddl)
    store = EventStore(pool)
    expected = await seed(store, counters=2, increments=3)
    projector = LogProjector(store, FailsOnce())
    with pytest.raises(RuntimeError):
        await projector.step()
    assert await projector.step() == 8, "the next round reads the failed page again"
    assert await totals(pool) == expected
    # Events it does not handle are skipped by a round outside the lock: the stored checkpoint
    # moves with the next round under the lock, and nothing is applied twice.
    await store.append("counter-p", 0, [NewEvent(CounterPoisoned(counter_id="p"), META)])
    await log_settled(pool)
    assert await projector.step() == 1
    assert (await projector.lag()).events_applied == 8, "skipped, not yet stored"
    assert await projector.step(wait=True) == 1, "the round under the lock reads from the stored checkpoint"
    assert (await projector.lag()).events_applied == 9
    assert await totals(pool) == expected
