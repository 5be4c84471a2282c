"""The decider's state cache: a cached state is only ever a start, so commands stay correct when
other writers (replicas, with caches of their own) append behind its back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest

from events.commands import StateCache, execute, load, set_state_cache, state_cache
from events.connection import Connection
from events.contract import Event
from events.decider import Decider
from events.envelope import Envelope, Metadata, Tenant
from events.errors import ConcurrencyConflict, DomainError, NotFound
from events.store import EventStore

TENANT = Tenant("group-a", "site-1")
META = Metadata(tenant=TENANT, actor="tester", correlation_id="c-1")


class GateOpened(Event, type="cachetest.GateOpened"):
    pass


class GateClosed(Event, type="cachetest.GateClosed"):
    pass


class GatePassed(Event, type="cachetest.GatePassed"):
    pass


@dataclass(frozen=True)
class Gate:
    open: bool = False
    passes: int = 0


def _decide(state: Gate, command: str) -> Sequence[Event]:
    """Open and close are no-ops when already so; passing a closed gate is refused."""
    if command == "open":
        return [] if state.open else [GateOpened()]
    if command == "close":
        return [GateClosed()] if state.open else []
    if not state.open:
        raise DomainError("the gate is closed")
    return [GatePassed()]


def _evolve(state: Gate, event: Event) -> Gate:
    if isinstance(event, GateOpened):
        return Gate(True, state.passes)
    if isinstance(event, GateClosed):
        return Gate(False, state.passes)
    return Gate(state.open, state.passes + 1)


GATE: Decider[str, Gate] = Decider(Gate(), _decide, _evolve)


class CountingStore(EventStore):
    reads = 0

    async def read_stream(
        self, stream_id: str, *, after_version: int = 0, conn: Connection | None = None
    ) -> list[Envelope[Any]]:
        self.reads += 1
        return await super().read_stream(stream_id, after_version=after_version, conn=conn)


async def test_a_cached_stream_is_not_read_again(pool: asyncpg.Pool) -> None:
    store = CountingStore(pool)
    for command in ("open", "pass", "pass"):
        await execute(store, GATE, "gate-1", command, META)
    assert store.reads == 1  # the first command only: the stream was new
    assert await load(store, GATE, "gate-1", TENANT) == (Gate(True, 2), 3)
    assert store.reads == 2  # load reads the events after the cached version: none


async def test_a_replica_sees_what_another_appended_since_it_cached(pool: asyncpg.Pool) -> None:
    a, b = EventStore(pool), EventStore(pool)  # two replicas, a cache each
    await execute(a, GATE, "gate-1", "open", META)
    await execute(b, GATE, "gate-1", "pass", META)
    assert await load(a, GATE, "gate-1", TENANT) == (Gate(True, 1), 2)
    await execute(b, GATE, "gate-1", "pass", META)

    # a's cache is at version 2, the stream at 3: the append's check catches it, and that
    # retry is not one of the caller's attempts.
    outcome = await execute(a, GATE, "gate-1", "pass", META, attempts=1)
    assert (outcome.state, outcome.version) == (Gate(True, 3), 4)
    cache = state_cache(a)
    assert cache is not None
    cached = cache.get(GATE, "gate-1")
    assert cached is not None
    assert (cached.state, cached.version) == (Gate(True, 3), 4)


async def test_a_refusal_on_a_stale_state_is_judged_again_on_the_latest(pool: asyncpg.Pool) -> None:
    a, b = EventStore(pool), EventStore(pool)
    await execute(a, GATE, "gate-1", "open", META)
    await execute(a, GATE, "gate-1", "close", META)  # a's cache: closed, version 2
    await execute(b, GATE, "gate-1", "open", META)
    outcome = await execute(a, GATE, "gate-1", "pass", META)
    assert (outcome.state, outcome.version) == (Gate(True, 1), 4)


async def test_a_no_op_on_a_stale_state_is_judged_again_on_the_latest(pool: asyncpg.Pool) -> None:
    a, b = EventStore(pool), EventStore(pool)
    await execute(a, GATE, "gate-1", "open", META)
    await execute(a, GATE, "gate-1", "close", META)  # a's cache: closed, version 2
    await execute(b, GATE, "gate-1", "open", META)
    outcome = await execute(a, GATE, "gate-1", "close", META)  # not a no-op: the gate is open
    assert [type(e.event) for e in outcome.recorded] == [GateClosed]
    assert (outcome.state, outcome.version) == (Gate(False, 0), 4)


async def test_a_conflict_with_an_expected_version_raises_and_drops_the_entry(pool: asyncpg.Pool) -> None:
    a, b = EventStore(pool), EventStore(pool)
    await execute(a, GATE, "gate-1", "open", META)
    await execute(b, GATE, "gate-1", "pass", META)
    with pytest.raises(ConcurrencyConflict) as conflict:
        await execute(a, GATE, "gate-1", "pass", META, expected_version=1)
    assert (conflict.value.expected, conflict.value.actual) == (1, 2)
    cache = state_cache(a)
    assert cache is not None
    assert cache.get(GATE, "gate-1") is None
    outcome = await execute(a, GATE, "gate-1", "pass", META, expected_version=2)
    assert (outcome.state, outcome.version) == (Gate(True, 2), 3)


async def test_a_rolled_back_transaction_leaves_no_state_behind(pool: asyncpg.Pool) -> None:
    a, b = EventStore(pool), EventStore(pool)
    await execute(a, GATE, "gate-1", "open", META)
    async with a.pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await execute(a, GATE, "gate-1", "pass", META, conn=conn)
        await transaction.rollback()  # the caller gives up
    await execute(b, GATE, "gate-1", "close", META)  # version 2 is a different event now
    with pytest.raises(DomainError):
        await execute(a, GATE, "gate-1", "pass", META)


async def test_another_tenant_gets_not_found_from_a_cached_stream(pool: asyncpg.Pool) -> None:
    store = EventStore(pool)
    await execute(store, GATE, "gate-1", "open", META)
    other = Metadata(tenant=Tenant("group-b", "site-1"), actor="tester", correlation_id="c-2")
    with pytest.raises(NotFound):
        await execute(store, GATE, "gate-1", "pass", other)
    assert await load(store, GATE, "gate-1", other.tenant, must_exist=False) == (Gate(), 0)


async def test_the_cache_can_be_turned_off(pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    store = CountingStore(pool)
    set_state_cache(store, None)
    for command in ("open", "pass", "pass"):
        await execute(store, GATE, "gate-1", command, META)
    assert store.reads == 3
    assert state_cache(store) is None

    monkeypatch.setenv("EVENTS_STATE_CACHE_SIZE", "0")
    assert state_cache(EventStore(pool)) is None


def test_the_least_recently_used_stream_goes_first() -> None:
    cache = StateCache(maxsize=2)
    cache.put(GATE, "gate-1", Gate(), 1, TENANT)
    cache.put(GATE, "gate-2", Gate(), 1, TENANT)
    assert cache.get(GATE, "gate-1") is not None  # now gate-2 is the least recently used
    cache.put(GATE, "gate-3", Gate(), 1, TENANT)
    assert [cache.get(GATE, s) is not None for s in ("gate-1", "gate-2", "gate-3")] == [True, False, True]
    assert cache.get(Decider(Gate(), _decide, _evolve), "gate-1") is None  # another decider's state is another state
    assert len(cache) == 2
