"""Running a command against a stream: load it, fold it, decide, append with the loaded
version, and decide again on a concurrent append (deciding is pure, so running it again is safe).

A `StateCache` per store keeps the folded state of recently used streams, so a command does
not read and fold the whole stream again (see `StateCache` for why it stays correct).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from events.connection import Connection
from events.decider import Decider, fold
from events.envelope import Envelope, Metadata, NewEvent, Tenant
from events.errors import ConcurrencyConflict, DomainError, NotFound
from events.store import EventStore

S = TypeVar("S")
C = TypeVar("C")


@dataclass(frozen=True)
class Outcome(Generic[S]):
    """What a command did: the recorded events and the state after them."""

    state: S
    version: int
    recorded: list[Envelope[Any]]


@dataclass(frozen=True, slots=True)
class Folded(Generic[S]):
    """A stream's state after its first `version` events, and whose stream it is."""

    decider: Decider[Any, S]
    state: S
    version: int
    tenant: Tenant | None  # None: the stream does not exist (version 0)


class StateCache:
    """The folded state of recently used streams, least recently used dropped first.

    Only states the log has committed go in: after an append that committed, or a read outside
    a caller's transaction (whose later rollback could unmake what it read). A stream's events
    never change once written, so an entry stays a true state of the stream — just perhaps not
    its latest, if another writer (another replica) appended since. `execute` therefore uses
    an entry either as the start of a read of the events after it, or, when it appends, as the
    expected version: the append's version check, in the same statement, proves the entry
    current; if it was not, the conflict drops the entry and the command runs again on a read.
    A refusal or a no-op writes nothing to check, so `execute` confirms those on a read.

    States are shared between commands, so they must not be mutated (`evolve` returns a new
    state, as the `Decider` shape says).
    """

    def __init__(self, maxsize: int = 4096) -> None:
        self.maxsize = maxsize
        self._entries: dict[tuple[int, str], Folded[Any]] = {}

    def get(self, decider: Decider[Any, S], stream_id: str) -> Folded[S] | None:
        key = (id(decider), stream_id)
        entry = self._entries.pop(key, None)
        if entry is None or entry.decider is not decider:  # an id reused by another decider
            return None
        self._entries[key] = entry  # now the most recently used
        return entry

    def put(self, decider: Decider[Any, S], stream_id: str, state: S, version: int, tenant: Tenant | None) -> None:
        key = (id(decider), stream_id)
        self._entries.pop(key, None)
        self._entries[key] = Folded(decider, state, version, tenant)
        if len(self._entries) > self.maxsize:
            del self._entries[next(iter(self._entries))]

    def discard(self, decider: Decider[Any, S], stream_id: str) -> None:
        self._entries.pop((id(decider), stream_id), None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


# One cache per store: a state belongs to one database. Size from EVENTS_STATE_CACHE_SIZE
# (streams; 0 turns caching off), or set per store with `set_state_cache`.
_CACHES: WeakKeyDictionary[EventStore, StateCache | None] = WeakKeyDictionary()


def state_cache(store: EventStore) -> StateCache | None:
    """The store's state cache (None: off)."""
    try:
        return _CACHES[store]
    except KeyError:
        size = int(os.environ.get("EVENTS_STATE_CACHE_SIZE", "4096"))
        return _CACHES.setdefault(store, StateCache(size) if size > 0 else None)


def clear_state_caches() -> None:
    """Forget every store's cached states (after an erasure: folded states may hold what was erased)."""
    for cache in list(_CACHES.values()):
        if cache is not None:
            cache.clear()


def set_state_cache(store: EventStore, cache: StateCache | None) -> None:
    """Use `cache` for `store`'s streams; None turns caching off."""
    _CACHES[store] = cache


async def _read_state(
    store: EventStore, decider: Decider[Any, S], stream_id: str, conn: Connection | None, cached: Folded[S] | None
) -> tuple[S, int, Tenant | None]:
    """State, version and tenant of the stream now: the events after `cached` (all of them
    without it) folded onto it."""
    state, version, tenant = (
        (cached.state, cached.version, cached.tenant) if cached else (decider.initial_state, 0, None)
    )
    history = await store.read_stream(stream_id, after_version=version, conn=conn)
    if history:
        tenant = tenant or history[0].tenant
        version = history[-1].stream_version
        for envelope in history:
            state = decider.evolve(state, envelope.event)
    return state, version, tenant


async def load(
    store: EventStore, decider: Decider[Any, S], stream_id: str, tenant: Tenant, *, must_exist: bool = True
) -> tuple[S, int]:
    """The current state and version of a stream, as `tenant` may see it: another tenant's
    stream does not exist for the caller (`NotFound`), exactly like a missing one."""
    cache = state_cache(store)
    state, version, owner = await _read_state(
        store, decider, stream_id, None, cache.get(decider, stream_id) if cache is not None else None
    )
    if cache is not None and version:
        cache.put(decider, stream_id, state, version, owner)
    if owner != tenant:
        if must_exist:
            raise NotFound(f"{stream_id} does not exist")
        return decider.initial_state, 0
    return state, version


@asynccontextmanager
async def _transaction(store: EventStore, conn: Connection | None, atomic: bool) -> AsyncIterator[Connection | None]:
    if conn is not None:
        async with conn.transaction():  # a savepoint inside the caller's transaction
            yield conn
    elif atomic:
        async with store.transaction() as own:
            yield own
    else:
        # Read, then one append statement that re-checks the version it read: atomic by
        # itself, so no BEGIN/COMMIT round trips are needed. None: the store's statements take
        # a connection of their own (the same one, kept between them; see `EventStore._connection`).
        yield None


AfterAppend = Callable[[Connection, list[Envelope[Any]]], Awaitable[None]]


async def execute(
    store: EventStore,
    decider: Decider[C, S],
    stream_id: str,
    command: C,
    metadata: Metadata,
    *,
    expected_version: int | None = None,
    must_exist: bool = False,
    after_append: AfterAppend | None = None,
    attempts: int = 5,
    conn: Connection | None = None,
) -> Outcome[S]:
    """Run `command` against `stream_id` and record what it decides.

    `expected_version` (from a client's If-Match) turns a concurrent change into a
    `ConcurrencyConflict` for the client; without it the command is re-decided on the fresh
    state, up to `attempts` times. `after_append` runs in the same transaction (timers, local
    read models), so either everything is written or nothing is. With `conn` (a policy inside
    a consumer's transaction) the command runs in a savepoint of that transaction, so its
    effect commits together with the consumer's inbox row.

    With the store's `StateCache` on, a stream this process wrote or read lately is not read
    again: the append's own version check confirms the cached state (see `StateCache`).
    """
    cache = state_cache(store)
    attempt, trust_cache = 0, conn is None
    while True:
        cached = cache.get(decider, stream_id) if cache is not None else None
        # A cached state needs no read when the append checks its version anyway. Not in a
        # caller's transaction: a conflict there would cost the caller a savepoint's work.
        trusted = trust_cache and cached is not None and expected_version in (None, cached.version)
        try:
            async with _transaction(store, conn, atomic=after_append is not None) as tx:
                if trusted and cached is not None:
                    state, version, tenant = cached.state, cached.version, cached.tenant
                else:
                    state, version, tenant = await _read_state(store, decider, stream_id, tx, cached)
                _check(stream_id, tenant, metadata.tenant, must_exist, expected_version, version)
                try:
                    decided = decider.decide(state, command)
                except DomainError:
                    if not trusted:
                        raise
                    decided = []
                if trusted and not decided:
                    # A refusal or a no-op judged on a state others may have moved on from
                    # writes nothing that would check it: judge the latest state instead.
                    trusted = False
                    state, version, tenant = await _read_state(store, decider, stream_id, tx, cached)
                    _check(stream_id, tenant, metadata.tenant, must_exist, expected_version, version)
                    decided = decider.decide(state, command)
                new_state = fold(decider, decided, state)
                new_events = [NewEvent(event, metadata) for event in decided]
                recorded = await store.append(stream_id, version, new_events, conn=tx)
                if after_append is not None and recorded:
                    assert tx is not None  # after_append makes the command atomic
                    await after_append(tx, recorded)
            if cache is not None and conn is None and (version or recorded):  # committed: a state to start from
                cache.put(decider, stream_id, new_state, version + len(recorded), tenant or metadata.tenant)
            return Outcome(new_state, version + len(recorded), recorded)
        except ConcurrencyConflict:
            # The transaction is rolled back; deciding again on the fresh state is safe.
            if cache is not None:
                cache.discard(decider, stream_id)
            if trusted and expected_version is None:
                trust_cache = False  # the cached state was behind: read, and do not count it
                continue
            attempt += 1
            if expected_version is not None or attempt >= attempts:
                raise


def _check(
    stream_id: str,
    owner: Tenant | None,
    tenant: Tenant,
    must_exist: bool,
    expected_version: int | None,
    version: int,
) -> None:
    if (must_exist and owner is None) or (owner is not None and owner != tenant):
        raise NotFound(f"{stream_id} does not exist")
    if expected_version is not None and expected_version != version:
        raise ConcurrencyConflict(stream_id, expected_version, version)
