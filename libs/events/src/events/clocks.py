"""What a timer rule decides: which durable timers an event starts, moves or stops.

A service's timer rule (`<service>.domain.clocks`) is a pure function, an event in and a list of
clock changes out, so every SLA rule is unit-tested without a database; `events.timers.keeping`
is the one adapter that applies the changes, in the transaction that records the event. This
module imports nothing of the store: a domain package may use it and stay pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class StartClock:
    """Start the clock `timer_id`; if it is running already, move it to `due_at` (a fired or
    stopped clock stays as it was). The id is how a later event finds the clock again: once
    timers are stored under it, it must never change."""

    timer_id: str
    kind: str
    due_at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StopClock:
    """Stop the clock `timer_id` if it has not fired. `resolves_alert`: the clock's firing may
    have raised an alert that what stops the clock answers, so the alert is settled too — also
    when the clock already fired, which is exactly when the alert exists."""

    timer_id: str
    at: datetime
    resolves_alert: bool = False


ClockChange = StartClock | StopClock

# (event, at) -> changes. The event is a contract or a reader's view of one; `at` is when the
# clocks are kept: the time the event was recorded, or the service's clock where the rule
# judges against it (see `events.timers.keeping`).
ClockRule = Callable[[Any, datetime], Sequence[ClockChange]]
