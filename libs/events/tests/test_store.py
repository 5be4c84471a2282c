"""The event store's contract: optimistic concurrency, stream reads, nothing half-written."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import asyncpg
import pytest

from events.catalog.testing import CounterIncremented, CounterOpened
from events.envelope import Metadata, NewEvent, Tenant
from events.errors import ConcurrencyConflict, InvalidEventPayload
from events.store import EventStore
from events.testing import log_settled

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


async def test_the_log_decodes_what_the_stream_read_decodes(pool: asyncpg.Pool) -> None:
    """`read_log` takes the timestamps as ISO text and builds its tuples by hand: the same
    envelopes as `read_stream`, whatever the session's time zone and the timestamps' offsets."""
    store = EventStore(pool)
    other = Metadata(Tenant("group-b", "site-2"), "someone", "c-2", causation_id="e-1", traceparent="00-ab-cd-01")
    whole_second = datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    await store.append("counter-1", 0, [opened(), incremented(2)])
    await store.append(
        "counter-2", 0, [NewEvent(CounterOpened(counter_id="c2", label="x"), other, occurred_at=whole_second)]
    )
    await store.append("counter-1", 2, [incremented(3)])
    await pool.execute(
        "ALTER DATABASE " + await pool.fetchval("SELECT current_database()") + " SET TimeZone = 'Asia/Kolkata'"
    )
    await pool.expire_connections()
    await log_settled(pool)  # the horizon is server-wide: another suite's transaction may hold it back

    log = await store.read_log()
    streams = await store.read_stream("counter-1") + await store.read_stream("counter-2")
    assert sorted(log, key=lambda e: e.position or 0) == sorted(streams, key=lambda e: e.position or 0)
    assert [e.metadata for e in log] == [META, META, other, META]
    assert log[2].occurred_at == whole_second
    assert log[2].occurred_at.tzinfo is UTC
    assert [e.stream_id for e in await store.read_log_stored()] == ["counter-1", "counter-1", "counter-2", "counter-1"]
    assert [store.decode(s) for s in await store.read_log_stored()] == log


async def test_the_log_reports_an_invalid_stored_payload(pool: asyncpg.Pool) -> None:
    store = EventStore(pool)
    await store.append("counter-1", 0, [opened(), incremented(2)])
    await pool.execute("""UPDATE events SET data = '{"counter_id": "c1"}' WHERE stream_version = 2""")
    await log_settled(pool)
    with pytest.raises(InvalidEventPayload, match="amount"):
        await store.read_log()


async def test_standalone_statements_hand_their_connection_back_to_the_pool(database: str) -> None:
    """The store keeps a connection from one statement to the next only within one round of
    the event loop: with a single pooled connection, other users and tasks still get it."""
    small = await asyncpg.create_pool(database, min_size=1, max_size=1)
    assert small is not None
    try:
        store = EventStore(small)

        async def writer(stream: str) -> None:
            await store.append(stream, 0, [opened()])
            with pytest.raises(ConcurrencyConflict):
                await store.append(stream, 0, [opened()])  # a refused statement leaves it usable
            for version in range(1, 4):
                await store.append(stream, version, [incremented(version)])
                assert len(await store.read_stream(stream)) == version + 1

        async with asyncio.timeout(10):
            await asyncio.gather(writer("counter-1"), writer("counter-2"))
            async with small.acquire() as conn:
                assert await conn.fetchval("SELECT count(*) FROM events") == 8
    finally:
        await small.close()


async def test_a_page_read_ahead_is_taken_only_when_it_is_what_a_read_now_returns(pool: asyncpg.Pool) -> None:
    """A full page has the next one read ahead. That one is taken when full (nothing can sort
    before rows that were final when it was read); a short one is read again, so a reader sees
    what was appended meanwhile."""
    store = EventStore(pool)
    for stream in range(5):
        await store.append(f"counter-{stream}", 0, [opened(), incremented(1), incremented(2), incremented(3)])
    await log_settled(pool)  # the horizon is server-wide: another suite's transaction may hold it back
    first = await store.read_log(limit=8)  # the next 8 are read ahead: all there is, a full page
    second = await store.read_log(first[-1].log_position, limit=8)  # taken; the last 4 are read ahead: short
    await store.append("counter-9", 0, [opened(), incremented(1), incremented(2), incremented(3)])
    await log_settled(pool)
    third = await store.read_log(second[-1].log_position, limit=8)  # read again: it has counter-9 too
    fourth = await store.read_log(third[-1].log_position, limit=8)
    pages = [first, second, third, fourth]
    assert [len(page) for page in pages] == [8, 8, 8, 0]
    assert [e.stream_id for page in pages for e in page] == [
        f"counter-{s}" for s in (0, 1, 2, 3, 4, 9) for _ in range(4)
    ]
