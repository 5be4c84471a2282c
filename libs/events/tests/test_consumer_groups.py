"""Consumer groups: replicas share the partitions, a leaving replica hands its partitions
over cleanly, and a broker that cannot be reached loses nothing."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError
from kafka_helpers import EFFECTS_TABLE, record_effect, running

from events.catalog.testing import CounterIncremented, CounterOpened
from events.consumer import Consumer
from events.envelope import Metadata, NewEvent, Tenant
from events.local import free_port
from events.relay import Relay
from events.store import START, EventStore
from events.testing import eventually, kafka_for_tests

META = Metadata(tenant=Tenant("group-a", "site-1"), actor="tester", correlation_id="c-1")
HANDLES = {"sample.CounterOpened", "sample.CounterIncremented"}


async def append_batch(store: EventStore, streams: range, version: int) -> None:
    for s in streams:
        event = (
            CounterOpened(counter_id=str(s), label="x")
            if version == 0
            else CounterIncremented(counter_id=str(s), amount=version, reason="r")
        )
        await store.append(f"counter-{s}", version, [NewEvent(event, META)])


async def test_replicas_share_partitions_and_a_leaving_replica_loses_nothing(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    await pool.execute(EFFECTS_TABLE)
    store = EventStore(pool)
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=4)
    topic = [kafka.topic("sample")]
    first = Consumer("counter-watch", topic, HANDLES, record_effect, pool, kafka)
    second = Consumer("counter-watch", topic, HANDLES, record_effect, pool, kafka)
    count = lambda: pool.fetchval("SELECT count(*) FROM effects")  # noqa: E731

    await append_batch(store, range(20), 0)
    async with running(Relay(store, kafka).run, first.run):
        await eventually(count, until=lambda n: n == 20, what="first batch")
        second_stop = asyncio.Event()
        second_task = asyncio.create_task(second.run(second_stop))
        await eventually(
            lambda: _assigned(first), until=lambda n: 0 < n < 4, what="rebalance to two replicas", timeout=30
        )
        await append_batch(store, range(20), 1)
        await eventually(count, until=lambda n: n == 40, what="second batch")
        second_stop.set()  # the second replica leaves cleanly, committing what it did
        await asyncio.wait_for(second_task, timeout=30)
        await append_batch(store, range(20), 2)
        await eventually(count, until=lambda n: n == 60, what="third batch after the replica left", timeout=40)

    assert first.handled + second.handled == 60
    assert second.handled > 0, "the second replica took part"
    rows = await pool.fetch("SELECT stream_id, array_agg(version ORDER BY id) AS v FROM effects GROUP BY 1")
    assert all(list(r["v"]) == [1, 2, 3] for r in rows), "each stream handled once, in order"


async def _assigned(consumer: Consumer) -> int:
    return len(consumer._consumer.assignment()) if consumer._consumer else 0


async def test_an_unreachable_broker_is_a_clear_error_and_nothing_is_lost(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    store = EventStore(pool)
    await append_batch(store, range(3), 0)
    nowhere = kafka_for_tests(bootstrap_servers=f"127.0.0.1:{free_port()}", topic_prefix=f"{topic_prefix}.")
    relay = Relay(store, nowhere)
    with pytest.raises(KafkaConnectionError):
        await relay.step()
    await relay.close()
    assert await relay.checkpoint() == START, "nothing was marked published"

    reachable = Relay(store, kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}."))
    # The log horizon is server-wide: another suite's open transaction may hold a round back.
    assert await eventually(reachable.step, until=lambda sent: sent > 0, what="the relay's round") == 3
    assert await reachable.backlog() == 0
    await reachable.close()
