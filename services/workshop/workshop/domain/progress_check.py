"""The progress-check timer's decision (docs/domain.md §3): the forecast against the promise,
and the "will be late" signal raised before the promise when the forecast is past it."""

from __future__ import annotations

from collections.abc import Sequence

from events.catalog import workshop as ev
from events.contract import Event
from workshop.domain.commands import CheckProgress
from workshop.domain.forecast import forecast, late_by_minutes
from workshop.domain.state import READY, WorkOrder


def check_progress(state: WorkOrder, command: CheckProgress) -> Sequence[Event]:
    """Forecast against the promise; late → the "will be late" signal, before the promise."""
    if state.repair_order_id is None or state.promised_at is None or state.status == READY:
        return []  # nothing left to check: ready cars are the delivery's business
    seen = forecast(state, command.checked_at)
    late = late_by_minutes(state.promised_at, seen.ready_at)
    events: list[Event] = [
        ev.ProgressCheckDue(
            repair_order_id=state.repair_order_id,
            check=command.check,
            promised_at=state.promised_at,
            forecast_ready_at=seen.ready_at,
            remaining_minutes=seen.remaining_minutes,
            on_track=late == 0,
            checked_at=command.checked_at,
        )
    ]
    if late:
        events.append(
            ev.JobRunningLate(
                repair_order_id=state.repair_order_id,
                promised_at=state.promised_at,
                forecast_ready_at=seen.ready_at,
                late_by_minutes=late,
                job_ids=tuple(j.job_id for j in state.open_jobs()),
                detected_at=command.checked_at,
            )
        )
    return events
