"""Appends wake the log's readers: in the same process at once, in another replica through
LISTEN/NOTIFY, and no wake-up is lost between a reader's last look and its wait."""

from __future__ import annotations

import asyncio
import time

import asyncpg
from kafka_helpers import running

from events.catalog.testing import CounterOpened
from events.database import open_pool
from events.envelope import Metadata, NewEvent, Tenant
from events.store import EventStore
from events.testing import eventually
from events.wakeup import CHANNEL, SLOWEST, LogSignal, follow

META = Metadata(tenant=Tenant("group-a", "site-1"), actor="tester", correlation_id="c-1")
NEVER = 3600.0  # a wait that only an append (or stop) can end


def opened(counter: str) -> list[NewEvent]:
    return [NewEvent(CounterOpened(counter_id=counter, label="x"), META)]


async def test_an_append_wakes_a_waiting_reader_of_the_same_process(pool: asyncpg.Pool) -> None:
    store, stop = EventStore(pool), asyncio.Event()
    signal = LogSignal.of(pool)
    assert store.signal is signal, "one signal per database, whichever store appends"
    waiting = asyncio.create_task(signal.wait(stop, signal.generation, NEVER))
    await asyncio.sleep(0)  # one turn of the loop: the new task runs up to its wait
    assert not waiting.done(), "the reader waits (only an append or stop can end it)"
    await store.append("counter-1", 0, opened("c1"))
    assert await asyncio.wait_for(waiting, 10) is True


async def test_an_append_between_a_readers_look_and_its_wait_is_not_lost(pool: asyncpg.Pool) -> None:
    store, stop, signal = EventStore(pool), asyncio.Event(), LogSignal.of(pool)
    seen = signal.generation  # the reader looks at the log…
    await store.append("counter-1", 0, opened("c1"))  # …an append lands before it waits
    assert await asyncio.wait_for(signal.wait(stop, seen, NEVER), 1) is True
    # Without an append, the wait is the reader's back-off.
    assert await signal.wait(stop, signal.generation, 0.01) is False


async def test_another_replicas_append_wakes_this_one_through_postgres(database: str) -> None:
    here, there = await open_pool(database), await open_pool(database)  # two processes' pools
    try:
        mine, theirs, stop = LogSignal.of(here), LogSignal.of(there), asyncio.Event()
        assert mine is not theirs
        async with running(mine.listen, theirs.listen):  # each replica listens, and so announces its appends
            await asyncio.wait_for(asyncio.gather(mine.listening.wait(), theirs.listening.wait()), 10)
            waiting = asyncio.create_task(mine.wait(stop, mine.generation, NEVER))
            await EventStore(there).append("counter-1", 0, opened("c1"))
            assert await asyncio.wait_for(waiting, 10) is True
    finally:
        await here.close()
        await there.close()


async def test_follow_reads_after_each_append_and_stops(pool: asyncpg.Pool) -> None:
    store, stop = EventStore(pool), asyncio.Event()
    reads: list[int] = []
    appended = asyncio.Event()

    async def step() -> int:
        count = await pool.fetchval("SELECT count(*) FROM events")
        reads.append(count)
        if count == 3:
            appended.set()
        return 0

    follower = asyncio.create_task(follow(store.signal, stop, step, page_size=100, read_to=lambda: 0))
    for n in range(3):
        await store.append(f"counter-{n}", 0, opened(f"c{n}"))
    await asyncio.wait_for(appended.wait(), 10)
    stop.set()
    await asyncio.wait_for(follower, 10)
    assert reads[-1] == 3


async def test_a_replicas_notification_carries_its_newest_transaction_and_its_own_comes_back_unheeded(
    database: str,
) -> None:
    here, there = await open_pool(database), await open_pool(database)
    try:
        mine, theirs = LogSignal.of(here), LogSignal.of(there)
        async with running(mine.listen):
            await asyncio.wait_for(mine.listening.wait(), 10)
            before = mine.generation
            # This process's own notification (its readers were woken by the append itself)…
            await here.execute("SELECT pg_notify($1, $2)", CHANNEL, f"{mine._token} 41")
            # …then another replica's, which PostgreSQL delivers after it.
            appended = await EventStore(there).append("counter-1", 0, opened("c1"))
            await theirs._notify()
            await eventually(lambda: _value(mine.newest_tx), until=lambda tx: tx == appended[0].tx_id, what="notified")
            assert mine.generation == before + 1, "only the other replica's notification woke the readers"
    finally:
        await here.close()
        await there.close()


async def _value(value: int) -> int:
    return value


async def test_a_reader_that_has_read_what_was_announced_waits_for_the_next_append(pool: asyncpg.Pool) -> None:
    store, stop = EventStore(pool), asyncio.Event()
    await store.append("counter-1", 0, opened("c1"))
    looks: list[float] = []

    async def step() -> int:
        looks.append(time.monotonic())
        return 0

    async def next_looks(read_to: int) -> list[float]:
        looks.clear()
        follower = asyncio.create_task(follow(store.signal, stop, step, page_size=100, read_to=lambda: read_to))
        await eventually(lambda: _value(len(looks)), until=lambda n: n >= 2, what="a second look", timeout=10)
        stop.set()
        await asyncio.wait_for(follower, 10)
        stop.clear()
        return looks[:2]

    # Behind the newest transaction announced: the events may still be committing, look again soon.
    first, second = await next_looks(read_to=0)
    assert second - first < SLOWEST / 2
    # Caught up: no append, so the next look is the once-a-second one (a slow machine only delays it).
    first, second = await next_looks(read_to=store.signal.newest_tx)
    assert second - first >= SLOWEST * 0.9
