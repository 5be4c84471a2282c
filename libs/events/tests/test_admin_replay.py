"""`dealerflow replay`: the relay's checkpoint moved back to just before a position; the relay,
running or idle, republishes from there and never writes over the moved checkpoint."""

from __future__ import annotations

import asyncpg
import pytest
from test_projections import META, seed

from events.admin import replay
from events.catalog.testing import CounterOpened
from events.envelope import LogPosition, NewEvent
from events.relay import Relay
from events.store import START, EventStore
from events.testing import kafka_for_tests, log_settled


async def _positions(pool: asyncpg.Pool) -> list[int]:
    rows = await pool.fetch("SELECT position FROM events ORDER BY tx_id, position")
    return [r["position"] for r in rows]


async def test_replay_moves_the_relays_checkpoint_back_and_the_relay_republishes_from_there(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    store = EventStore(pool)
    await seed(store, counters=2, increments=4)  # 10 events
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=2)
    relay = Relay(store, kafka, cluster_check_interval=0.0)
    try:
        assert await relay.step() == 10
        positions = await _positions(pool)

        planned = await replay.plan(relay, str(positions[6]))
        assert planned.events == 4
        assert planned.first_position == positions[6]
        assert planned.moved_to < planned.checkpoint
        assert await relay.checkpoint() == planned.checkpoint, "planning changes nothing"
        await replay.replay(relay, planned)
        assert await relay.checkpoint() == planned.moved_to

        # The relay led all along and keeps its own idea of the checkpoint: it finds the move.
        assert await relay.step() == 4
        assert await relay.backlog() == 0
        assert (await replay.plan(relay, "start")).moved_to == START
    finally:
        await relay.close()


async def test_a_page_in_flight_does_not_undo_a_replay(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    store = EventStore(pool)
    await seed(store, counters=1, increments=2)  # 3 events
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=1)
    relay = Relay(store, kafka)
    try:
        assert await relay.step() == 3
        await store.append("counter-9", 0, [NewEvent(CounterOpened(counter_id="c9", label="x"), META)])
        await log_settled(pool)
        page = await relay.pending()
        assert page is not None
        await relay.publish(page)
        await replay.replay(relay, await replay.plan(relay, "start"))  # while the page is out
        await relay.mark(page)
        assert await relay.checkpoint() == START, "the operator's move stands"
        assert await relay.step() == 4, "and the relay republishes from it"
    finally:
        await relay.close()


async def test_replay_refuses_to_skip_unpublished_events_and_unknown_positions(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    store = EventStore(pool)
    await seed(store, counters=1, increments=2)
    relay = Relay(store, kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}."))
    positions = await _positions(pool)
    with pytest.raises(replay.BadPosition, match="skip events"):
        await replay.plan(relay, str(positions[-1]))  # nothing was published yet
    with pytest.raises(replay.BadPosition, match="no event at position"):
        await replay.plan(relay, "999999")
    with pytest.raises(replay.BadPosition, match="start"):
        await replay.plan(relay, "yesterday")
    assert await relay.checkpoint() == LogPosition()
