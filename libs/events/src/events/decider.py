"""The shape of every aggregate: three pure things, the "decider" — an initial state,
`decide(state, command)` returning the events the command causes (or raising a `DomainError`),
and `evolve(state, event)` returning the next state. No I/O: business rules are unit-tested
without a database, and a domain module that imports this imports nothing of the store.

The I/O around a decider (load the stream, decide, append, re-decide on a conflict) is
`events.commands.execute`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from events.contract import Event

S = TypeVar("S")
C = TypeVar("C")


@dataclass(frozen=True, slots=True, eq=False)
class Decider(Generic[C, S]):
    """An aggregate: `repair_order = Decider(INITIAL, decide, evolve)`. States are shared (the
    state cache hands one to many commands), so `evolve` returns a new state, never mutates.
    Compared by identity: each aggregate has one decider, a module-level value."""

    initial_state: S
    decide: Callable[[S, C], Sequence[Event]]
    evolve: Callable[[S, Event], S]


def fold(decider: Decider[Any, S], events: Sequence[Event], state: S | None = None) -> S:
    """The state after `events`, starting from `state` (or the initial state)."""
    current = decider.initial_state if state is None else state
    for event in events:
        current = decider.evolve(current, event)
    return current
