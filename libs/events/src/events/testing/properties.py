"""Property runs for any decider (`events.decider.Decider`): a sequence of commands, valid or
not, run through decide/evolve the way `execute` would, with the aggregate's invariants checked
after every accepted step.

    outcome = run_commands(work_order, commands, invariant, history=[opened])
    outcome = run_commands(work_order, steps, invariant, build=lambda step, state: ...)

`build` turns each generated step into a command given the state it meets: a test uses it to
take "the step the aggregate waits for, done properly" half the time, so that random runs get
past the first steps of a long life instead of being refused at the door.

What every run asserts besides the invariant: a refused command raises a `DomainError` with a
code and a message and leaves the state as it was (decide is pure: it may not mutate the state
it was given), and the state built step by step equals the fold of the whole history (what a
fresh process would load). `PROPERTY` is the settings the property tests share: small enough
for every `make test`, derandomized so CI sees the same examples every run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from hypothesis import HealthCheck, Phase, settings

from events.contract import Event
from events.decider import Decider, fold
from events.errors import DomainError

S = TypeVar("S")

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    # The explain phase replays a failure hundreds of times to annotate it: minutes per failure.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Called after every accepted command: the whole history so far, the events just decided, and
# the state after them. Fails with an AssertionError naming the broken rule.
Invariant = Callable[[Sequence[Event], Sequence[Event], S], None]


@dataclass
class Outcome(Generic[S]):
    history: list[Event]
    state: S
    refusals: Counter[str] = field(default_factory=Counter)

    def recorded(self, kind: type[Event]) -> list[Any]:
        return [event for event in self.history if isinstance(event, kind)]


def run_commands(
    decider: Decider[Any, S],
    commands: Iterable[object],
    invariant: Invariant[S],
    *,
    history: Sequence[Event] = (),
    build: Callable[[Any, S], object] | None = None,
) -> Outcome[S]:
    """Run `commands` one after another from `history`; see the module's docstring."""
    events = list(history)
    state = fold(decider, events)
    refusals: Counter[str] = Counter()
    for step in commands:
        command = step if build is None else build(step, state)
        try:
            decided = list(decider.decide(state, command))
        except DomainError as refusal:
            _check_refusal(refusal)
            assert state == fold(decider, events), f"refusing {command!r} changed the state"
            refusals[refusal.code] += 1
            continue
        for event in decided:
            state = decider.evolve(state, event)
        events.extend(decided)
        invariant(events, decided, state)
    assert state == fold(decider, events), "the state built step by step is not the one a replay loads"
    return Outcome(events, state, refusals)


def _check_refusal(refusal: DomainError) -> None:
    assert refusal.code != DomainError.code, f"{type(refusal).__name__} has no code of its own"
    assert str(refusal), f"{type(refusal).__name__} tells the user nothing"
