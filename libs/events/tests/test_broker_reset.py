"""A broker that loses its data (the local broker keeps nothing across a restart): the relay
notices the new cluster id and republishes the whole log; consumers' inboxes keep their
effects exactly once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
from aiokafka.errors import KafkaError
from kafka_helpers import EFFECTS_TABLE, record_effect, running
from test_projections import CounterTotals, totals

from events.catalog.testing import CounterIncremented, CounterOpened
from events.consumer import Consumer
from events.envelope import Metadata, NewEvent, Tenant
from events.local import LocalBroker
from events.projection import KafkaProjector
from events.relay import Relay
from events.store import EventStore
from events.testing import eventually, kafka_for_tests

META = Metadata(tenant=Tenant("group-a", "site-1"), actor="tester", correlation_id="c-1")


async def test_relay_republishes_everything_to_a_broker_that_lost_its_data(pool: asyncpg.Pool) -> None:
    await pool.execute(EFFECTS_TABLE)
    store = EventStore(pool)
    for n in range(5):
        await store.append(f"counter-{n}", 0, [NewEvent(CounterOpened(counter_id=str(n), label="x"), META)])
    first_broker = LocalBroker()
    kafka = kafka_for_tests(bootstrap_servers=first_broker.start(), partitions=2)
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


async def test_a_relay_that_has_not_yet_noticed_the_reset_cannot_make_a_projection_skip_events(
    pool: asyncpg.Pool,
) -> None:
    """The relay checks the cluster id every few seconds; until it does, its producer (which
    reconnects to the new broker on the same address without an error) writes the newest
    events into the empty log *before* the republish of the older ones. A projection that keeps
    per-stream versions, reading the new log from its start, saw the newest version first and
    skipped every older one when the republish brought them (tests/test_restarts.py lost
    booking's parts pre-check this way). Records are fenced by the cluster their relay had
    verified: one from a relay that believed it wrote elsewhere waits for its republish."""
    await pool.execute(CounterTotals.ddl)
    store = EventStore(pool)
    opened = NewEvent(CounterOpened(counter_id="c", label="x"), META)
    await store.append("counter-c", 0, [opened, *_increments(1, 2)])
    first_broker = LocalBroker()
    kafka = kafka_for_tests(bootstrap_servers=first_broker.start(), partitions=2)
    # A relay whose next cluster check is far away: it trusts the cluster it verified at first.
    relay = Relay(store, kafka, cluster_check_interval=3600)
    second_broker = LocalBroker(port=first_broker.port)
    try:
        assert await eventually(relay.step, until=lambda sent: sent > 0, what="the first round") == 3
        first_broker.stop()  # before the projection read any of it
        second_broker.start()
        await store.append("counter-c", 3, _increments(3))
        # The stale relay writes the newest event into the new broker's empty log.
        assert await eventually(_step_through_reconnects(relay), until=bool, what="the stale round") == 1
        projector = KafkaProjector(pool, CounterTotals(), kafka, [kafka.topic("sample")])
        async with running(projector.run):
            # The projection reads the new log (only the stray record is in it) ...
            await eventually(lambda: _consumed(projector), until=lambda n: n >= 1, what="the stray record read")
            relay.cluster_check_interval = 0  # ... then the relay notices and republishes everything.
            await eventually(relay.step, until=lambda sent: sent == 4, what="the republish")
            await eventually(lambda: _consumed(projector), until=lambda n: n >= 5, what="the republish read")
        assert await totals(pool) == {"c": 1 + 2 + 3}
    finally:
        await relay.close()
        second_broker.stop()
        first_broker.stop()


def _increments(*amounts: int) -> list[NewEvent]:
    return [NewEvent(CounterIncremented(counter_id="c", amount=a, reason="r"), META) for a in amounts]


def _step_through_reconnects(relay: Relay) -> Callable[[], Awaitable[int]]:
    """One relay round, as the running relay does it: a failed round (the producer meeting the
    restarted broker) closes the producer and counts as nothing published."""

    async def step() -> int:
        try:
            return await relay.step()
        except (KafkaError, TimeoutError, OSError):
            await relay.close()
            return 0

    return step


async def _consumed(projector: KafkaProjector) -> int:
    """Records the projector's group has read past (its positions summed)."""
    consumer = projector.consumer
    kafka = consumer._consumer if consumer is not None else None
    if kafka is None:
        return 0
    return sum([await kafka.position(tp) for tp in kafka.assignment()])
