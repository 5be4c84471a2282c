"""The progress-check clocks (docs/domain.md §3): at 75 % of the promised duration, and also
at half time for a long job (`forecast.progress_checks`), kept with the promise: opening the
work order starts them, a new promise moves them, a car ready for delivery stops them.

The handlers keep them with `events.timers.keeping`; every time here is the event's own.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from events.catalog import workshop as ev
from events.clocks import ClockChange, StartClock, StopClock
from events.contract import Event
from workshop.domain.forecast import progress_checks

PROGRESS_CHECK = "workshop.progress_check"


def timer_id(repair_order_id: UUID, check: str, promised_at: datetime) -> str:
    # The promise is part of the id: a revised promise gets clocks of its own, even after the
    # old ones fired.
    return f"{PROGRESS_CHECK}:{repair_order_id}:{check}:{promised_at.isoformat()}"


def progress_clocks(event: Event, at: datetime) -> list[ClockChange]:
    """Start, move or stop the progress checks with the events that change the promise."""
    match event:
        case ev.WorkOrderOpened():
            return _start(event.repair_order_id, event.opened_at, event.promised_at)
        case ev.PromisedTimeUpdated():
            return [
                *_stop(event.repair_order_id, event.previous_promised_at, event.updated_at),
                *_start(event.repair_order_id, event.updated_at, event.promised_at),
            ]
        case ev.VehicleReadyForDelivery():
            return _stop(event.repair_order_id, event.promised_at, event.ready_at)
    return []


def _start(repair_order_id: UUID, start: datetime, promised_at: datetime) -> list[ClockChange]:
    return [
        StartClock(
            timer_id(repair_order_id, check, promised_at),
            PROGRESS_CHECK,
            due_at,
            {"repair_order_id": str(repair_order_id), "check": check},
        )
        for check, due_at in progress_checks(start, promised_at).items()
    ]


def _stop(repair_order_id: UUID, promised_at: datetime, at: datetime) -> list[ClockChange]:
    """The checks a promise made at `at` would have (the time the clocks stop)."""
    return [StopClock(timer_id(repair_order_id, check, promised_at), at) for check in progress_checks(at, promised_at)]
