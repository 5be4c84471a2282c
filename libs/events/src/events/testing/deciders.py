"""given / when / then for any decider (`events.decider.Decider`), for pure domain tests.

`given = scenario(work_order)`, then `given(*history).when(command).then(*expected)` asserts
the command decides exactly those events (and returns the state after them), and
`.then_refused(ErrorType)` asserts it is refused with that error's code and a message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pytest

from events.contract import Event
from events.decider import Decider, fold
from events.errors import DomainError

S = TypeVar("S")


@dataclass(frozen=True)
class When(Generic[S]):
    decider: Decider[Any, S]
    history: Sequence[Event]
    command: object

    def decided(self) -> list[Event]:
        return list(self.decider.decide(fold(self.decider, self.history), self.command))

    def then(self, *expected: Event) -> S:
        """Assert the command decides exactly `expected`; return the state after them."""
        state = fold(self.decider, self.history)
        decided = list(self.decider.decide(state, self.command))
        assert decided == list(expected)
        return fold(self.decider, decided, state)

    def then_refused(self, error: type[DomainError]) -> DomainError:
        state = fold(self.decider, self.history)
        with pytest.raises(error) as refused:
            self.decider.decide(state, self.command)  # raising means no events are produced
        assert refused.value.code == error.code
        assert str(refused.value)  # the user is told which rule was broken
        return refused.value


@dataclass(frozen=True)
class Given(Generic[S]):
    decider: Decider[Any, S]
    history: Sequence[Event]

    def when(self, command: object) -> When[S]:
        return When(self.decider, self.history, command)


def scenario(decider: Decider[Any, S]) -> Callable[..., Given[S]]:
    """`given` bound to one aggregate: `given = scenario(work_order)`."""

    def given(*events: Event) -> Given[S]:
        return Given(decider, events)

    return given
