"""A broker that loses its data (the local broker keeps nothing across a restart): the relay
notices the new cluster id and republishes the whole log; consumers' inboxes keep their
effects exactly once."""

from __future__ import annotations

import asyncpg
from kafka_helpers import EFFECTS_TABLE, record_effect, running

from events.catalog.testing import CounterOpened
from events.consumer import Consumer
from events.envelope import Metadata, NewEvent, Tenant
from events.kafka import KafkaSettings
from events.local import LocalBroker
from events.relay import Relay
from events.store import EventStore
from events.testing import eventually

META = Metadata(tenant=Tenant("group-a", "site-1"), actor="tester", correlation_id="c-1")


async def test_relay_republishes_everything_to_a_broker_that_lost_its_data(pool: asyncpg.Pool) -> None:
    await pool.execute(EFFECTS_TABLE)
    store = EventStore(pool)
    for n in range(5):
        await store.append(f"counter-{n}", 0, [NewEvent(CounterOpened(counter_id=str(n), label="x"), META)])
    first_broker = LocalBroker()
    kafka = KafkaSettings(bootstrap_servers=first_broker.start(), partitions=2)
    relay = Relay(store, kafka)
    try:
        # The log horizon is server-wide: another suite's open transaction may hold a round back.
        assert await eventually(relay.step, until=lambda sent: sent > 0, what="the first round") == 5
        await relay.close()
    finally:
        first_broker.stop()

    # The broker comes back on the same address, empty, with a new cluster id.
    second_broker = LocalBroker(port=first_broker.port)
    second_broker.start()
    try:
        consumer = Consumer(
            "counter-watch", [kafka.topic("sample")], {"sample.CounterOpened"}, record_effect, pool, kafka
        )
        async with running(relay.run, consumer.run):
            rows = await eventually(
                lambda: pool.fetch("SELECT stream_id FROM effects"), until=lambda r: len(r) == 5, what="republished"
            )
        assert sorted(r["stream_id"] for r in rows) == [f"counter-{n}" for n in range(5)]
        checkpoint = await pool.fetchrow("SELECT cluster_id FROM log_checkpoints WHERE reader = 'relay'")
        assert checkpoint is not None
        assert checkpoint["cluster_id"] == second_broker.cluster_id
    finally:
        second_broker.stop()
