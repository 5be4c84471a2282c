"""When will the car be ready? The forecast behind the progress check (docs/domain.md §3).

Each technician works their jobs one after another, technicians work in parallel, jobs not yet
dispatched form one more queue, and the quality check takes its own time at the end. A job's
remaining time is its standard time less what was already clocked on it (never below zero:
an overrunning job is assumed nearly done — the check is about the queue, not one job).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from workshop.domain.state import IN_PROGRESS, READY, WorkOrder

QC_MINUTES = 10
UNASSIGNED = ""
# Long jobs get a check at half time as well (docs/domain.md §3: "long jobs: also at half time").
LONG_JOB = timedelta(hours=4)
THREE_QUARTERS, HALF_TIME = "three_quarters", "half_time"


@dataclass(frozen=True)
class Forecast:
    ready_at: datetime
    remaining_minutes: int


def remaining_minutes(state: WorkOrder, now: datetime) -> int:
    if state.status == READY:
        return 0
    lanes: dict[str, int] = {}
    for job in state.open_jobs():
        done = job.worked_minutes
        if job.status == IN_PROGRESS and job.clocked_on_at is not None:
            done += int((now - job.clocked_on_at).total_seconds() // 60)
        lane = job.technician_id or UNASSIGNED
        lanes[lane] = lanes.get(lane, 0) + max(job.job.planned_minutes - done, 0)
    return max(lanes.values(), default=0) + QC_MINUTES


def forecast(state: WorkOrder, now: datetime) -> Forecast:
    minutes = remaining_minutes(state, now)
    return Forecast(now + timedelta(minutes=minutes), minutes)


def late_by_minutes(promised_at: datetime, ready_at: datetime) -> int:
    """Whole minutes past the promise (0 when on time)."""
    return max(ceil((ready_at - promised_at).total_seconds() / 60), 0)


def progress_checks(opened_at: datetime, promised_at: datetime) -> dict[str, datetime]:
    """When to check: at 75 % of the promised duration (seed 002: 70-80 %), and also at half
    time when the promised duration is long."""
    duration = max(promised_at - opened_at, timedelta(0))
    checks = {THREE_QUARTERS: opened_at + duration * 3 / 4}
    if duration >= LONG_JOB:
        checks[HALF_TIME] = opened_at + duration / 2
    return checks
