"""Contracts of a small sample domain, used by the backbone's own tests and benchmarks.

They are published like any other contract so the relay, consumers and benchmarks can be
exercised end to end without depending on a real service's catalogue."""

from __future__ import annotations

from events.contract import Event, upcaster


class CounterOpened(Event, type="sample.CounterOpened", version=1):
    counter_id: str
    label: str


class CounterIncremented(Event, type="sample.CounterIncremented", version=2):
    """v2 added `reason`; v1 events are upcast with the reason "unspecified"."""

    counter_id: str
    amount: int
    reason: str


@upcaster("sample.CounterIncremented", from_version=1)
def _add_reason(data: dict[str, object]) -> dict[str, object]:
    return {**data, "reason": "unspecified"}


class CounterPoisoned(Event, type="sample.CounterPoisoned", version=1):
    """A valid event that test consumers are told to fail on: exercises dead-lettering."""

    counter_id: str
