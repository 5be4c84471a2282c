"""The progress-check clocks (docs/domain.md §3: at 70-80 % of the promised duration, long jobs
also at half time) follow the promise. Event in, clock changes out — no database."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain_helpers import OPENED, PROMISED, RECEIVED, RO, T0, at

from events.catalog import workshop as ev
from events.clocks import StartClock, StopClock
from workshop.domain.clocks import PROGRESS_CHECK, progress_clocks
from workshop.domain.forecast import HALF_TIME, THREE_QUARTERS

WHENEVER = T0 + timedelta(days=9)  # the rule goes by the events' own times


def clock_id(check: str, promised_at: datetime = PROMISED) -> str:
    return f"workshop.progress_check:{RO}:{check}:{promised_at.isoformat()}"


def started(check: str, due_at: datetime, promised_at: datetime = PROMISED) -> StartClock:
    payload = {"repair_order_id": str(RO), "check": check}
    return StartClock(clock_id(check, promised_at), PROGRESS_CHECK, due_at, payload)


def test_opening_a_long_job_starts_the_three_quarter_and_the_half_time_checks() -> None:
    assert progress_clocks(OPENED, WHENEVER) == [
        started(THREE_QUARTERS, T0 + timedelta(hours=3)),
        started(HALF_TIME, T0 + timedelta(hours=2)),
    ]


def test_a_new_promise_stops_the_old_promises_checks_and_starts_its_own() -> None:
    later = PROMISED + timedelta(hours=1)
    updated = ev.PromisedTimeUpdated(
        repair_order_id=RO, previous_promised_at=PROMISED, promised_at=later, updated_at=at(60)
    )
    assert progress_clocks(updated, WHENEVER) == [
        # The checks to stop are judged from the update's time, as the service always judged them.
        StopClock(clock_id(THREE_QUARTERS), at(60)),
        started(THREE_QUARTERS, at(60) + (later - at(60)) * 3 / 4, later),
        started(HALF_TIME, at(60) + (later - at(60)) / 2, later),
    ]


def ready(promised_at: datetime, ready_at: datetime) -> ev.VehicleReadyForDelivery:
    return ev.VehicleReadyForDelivery(
        repair_order_id=RO,
        promised_at=promised_at,
        on_time=True,
        worked_minutes=130,
        planned_minutes=130,
        rework_count=0,
        ready_at=ready_at,
    )


def test_a_car_ready_for_delivery_stops_its_checks() -> None:
    long_promise = T0 + timedelta(hours=10)
    assert progress_clocks(ready(long_promise, at(30)), WHENEVER) == [
        StopClock(clock_id(THREE_QUARTERS, long_promise), at(30)),
        StopClock(clock_id(HALF_TIME, long_promise), at(30)),
    ]
    # Judged from the ready time like a new promise: under four hours before the promise, the
    # half-time check is not stopped (it fires and finds the car ready).
    assert progress_clocks(ready(PROMISED, at(30)), WHENEVER) == [StopClock(clock_id(THREE_QUARTERS), at(30))]


def test_other_events_leave_the_clocks_alone() -> None:
    assert progress_clocks(RECEIVED, WHENEVER) == []
