"""The event store's contract: optimistic concurrency, stream reads, nothing half-written."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from events.catalog.testing import CounterIncremented, CounterOpened
from events.envelope import Metadata, NewEvent, Tenant
from events.errors import ConcurrencyConflict
from events.store import EventStore

META = Metadata(tenant=Tenant("group-a", "site-1"), actor="tester", correlation_id="c-1")


def opened(counter: str = "c1") -> NewEvent:
    return NewEvent(CounterOpened(counter_id=counter, label="front desk"), META)


def incremented(amount: int, counter: str = "c1") -> NewEvent:
    return NewEvent(CounterIncremented(counter_id=counter, amount=amount, reason="test"), META)


async def test_append_and_read_back_typed_events(pool: asyncpg.Pool) -> None:
    store = EventStore(pool)
    recorded = await store.append("counter-1", 0, [opened(), incremented(2), incremented(3)])
    assert [e.stream_version for e in recorded] == [1, 2, 3]

    events = await store.read_stream("counter-1")
    assert [type(e.event) for e in events] == [CounterOpened, CounterIncremented, CounterIncremented]
    assert events[2].event == CounterIncremented(counter_id="c1", amount=3, reason="test")
    assert events[0].tenant == Tenant("group-a", "site-1")
    assert [e.event_id for e in events] == [e.event_id for e in recorded]
    assert await store.read_stream("counter-1", after_version=2) == events[2:]
    assert await store.read_stream("counter-unknown") == []


async def test_two_writers_at_the_same_expected_version_exactly_one_wins(pool: asyncpg.Pool) -> None:
    store = EventStore(pool)
    await store.append("counter-1", 0, [opened()])

    async def write(amount: int) -> str:
        try:
            async with store.transaction() as conn:
                await store.append("counter-1", 1, [incremented(amount), incremented(amount)], conn=conn)
                # Hold the transaction open so both writers are in flight at once.
                await conn.execute("SELECT pg_sleep(0.2)")
            return "won"
        except ConcurrencyConflict:
            return "conflict"

    results = await asyncio.gather(write(10), write(20))
    assert sorted(results) == ["conflict", "won"]
    events = await store.read_stream("counter-1")
    assert [e.stream_version for e in events] == [1, 2, 3]
    amounts = {e.event.amount for e in events[1:]}
    assert len(amounts) == 1, "the loser's events must not be half-written"


async def test_stale_or_future_expected_version_is_refused(pool: asyncpg.Pool) -> None:
    store = EventStore(pool)
    await store.append("counter-1", 0, [opened(), incremented(1)])
    with pytest.raises(ConcurrencyConflict) as stale:
        await store.append("counter-1", 1, [incremented(5)])
    assert stale.value.actual == 2
    with pytest.raises(ConcurrencyConflict) as ahead:
        await store.append("counter-1", 7, [incremented(5)])
    assert ahead.value.actual == 2
    with pytest.raises(ConcurrencyConflict):
        await store.append("counter-2", 3, [opened("c2")])
    assert len(await store.read_stream("counter-1")) == 2
    assert await store.read_stream("counter-2") == []


async def test_one_append_belongs_to_one_tenant(pool: asyncpg.Pool) -> None:
    store = EventStore(pool)
    other = NewEvent(CounterOpened(counter_id="x", label="y"), Metadata(Tenant("group-b", "s"), "t", "c"))
    with pytest.raises(ValueError, match="one dealer group"):
        await store.append("counter-1", 0, [opened(), other])
    assert await store.read_stream("counter-1") == []
