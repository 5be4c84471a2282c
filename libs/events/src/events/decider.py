"""The shape of every aggregate, and the one function that runs a command against a stream.

An aggregate is three pure things (the "decider"): an initial state, `decide(state, command)`
returning the events the command causes (or raising a `DomainError`), and `evolve(state,
event)` returning the next state. No I/O: business rules are unit-tested without a database.

`execute` is the I/O around it: load the stream, fold it, decide, append with the loaded
version, and re-run on a concurrent append (deciding is pure, so re-running is safe).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from events.connection import Connection
from events.contract import Event
from events.envelope import Envelope, Metadata, NewEvent, Tenant
from events.errors import ConcurrencyConflict, EventsError
from events.store import EventStore

S = TypeVar("S")
C = TypeVar("C", contravariant=True)

# The version a person last saw of the stream their request changes (HTTP `If-Match`, set by
# `events.http`). It applies to a command on an existing stream run on its own (not inside a
# policy's, a timer's or a multi-stream transaction): a change made in between is a conflict.
REQUESTED_VERSION: ContextVar[int | None] = ContextVar("requested_version", default=None)


class DomainError(EventsError):
    """A business rule refused a command. Subclasses set `code`; HTTP maps it to 409.

    Raise with a message that tells the user what rule was broken and what to do instead."""

    code = "domain_rule"


class NotFound(EventsError):
    """The stream does not exist (or belongs to another tenant, which is the same to the caller)."""

    code = "not_found"


class Decider(Protocol[C, S]):
    initial_state: S

    def decide(self, state: S, command: C) -> Sequence[Event]: ...

    def evolve(self, state: S, event: Event) -> S: ...


def fold(decider: Decider[Any, S], events: Sequence[Event], state: S | None = None) -> S:
    """The state after `events`, starting from `state` (or the initial state)."""
    current = decider.initial_state if state is None else state
    for event in events:
        current = decider.evolve(current, event)
    return current


@dataclass(frozen=True)
class Outcome(Generic[S]):
    """What a command did: the recorded events and the state after them."""

    state: S
    version: int
    recorded: list[Envelope[Any]]


async def load(
    store: EventStore, decider: Decider[Any, S], stream_id: str, tenant: Tenant, *, must_exist: bool = True
) -> tuple[S, int]:
    """The current state and version of a stream, as `tenant` may see it: another tenant's
    stream does not exist for the caller (`NotFound`), exactly like a missing one."""
    history = await store.read_stream(stream_id)
    if history and history[0].tenant != tenant:
        history = []
    if must_exist and not history:
        raise NotFound(f"{stream_id} does not exist")
    return fold(decider, [e.event for e in history]), (history[-1].stream_version if history else 0)


@asynccontextmanager
async def _transaction(store: EventStore, conn: Connection | None, atomic: bool) -> AsyncIterator[Connection]:
    if conn is not None:
        async with conn.transaction():  # a savepoint inside the caller's transaction
            yield conn
    elif atomic:
        async with store.transaction() as own:
            yield own
    else:
        # Read, then one append statement that re-checks the version it read: atomic by
        # itself, so no BEGIN/COMMIT round trips are needed.
        async with store.pool.acquire() as own:
            yield own


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
    """
    if expected_version is None and must_exist and conn is None:
        expected_version = REQUESTED_VERSION.get()
    for attempt in range(attempts):
        try:
            async with _transaction(store, conn, atomic=after_append is not None) as tx:
                history = await store.read_stream(stream_id, conn=tx)
                if (must_exist and not history) or (history and history[0].tenant != metadata.tenant):
                    raise NotFound(f"{stream_id} does not exist")
                version = history[-1].stream_version if history else 0
                if expected_version is not None and expected_version != version:
                    raise ConcurrencyConflict(stream_id, expected_version, version)
                state = fold(decider, [e.event for e in history])
                decided = decider.decide(state, command)
                new_state = fold(decider, decided, state)
                new_events = [NewEvent(event, metadata) for event in decided]
                recorded = await store.append(stream_id, version, new_events, conn=tx)
                if after_append is not None and recorded:
                    await after_append(tx, recorded)
                return Outcome(new_state, version + len(recorded), recorded)
        except ConcurrencyConflict:
            # The transaction is rolled back; deciding again on the fresh state is safe.
            if expected_version is not None or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")  # the loop either returns or raises
