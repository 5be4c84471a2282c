"""The dispatcher and the technicians: a job dispatched to a technician and a bay, clocked on,
paused and completed by the technician it was dispatched to, with the minutes worked in each
session (docs/domain.md §3)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from events.catalog import workshop as ev
from events.contract import Event
from events.rules import require_code, require_text
from workshop.domain import errors
from workshop.domain.commands import CompleteJob, DispatchJob, PauseJob, StartJob
from workshop.domain.guards import require_job, require_open
from workshop.domain.state import COMPLETED, IN_PROGRESS, PLANNED, JobState, WorkOrder


def _minutes_between(start: datetime | None, end: datetime) -> int:
    """Whole minutes clocked in one session (a clocked-on job always has its start)."""
    return max(int((end - start).total_seconds() // 60), 0) if start else 0


def dispatch(state: WorkOrder, command: DispatchJob) -> Sequence[Event]:
    repair_order_id = require_open(state)
    job = require_job(state, command.job_id)
    if state.received_at is None:
        raise errors.VehicleNotHandedOver("the car and its key have not been handed over to the workshop yet")
    if job.status == COMPLETED:
        raise errors.JobAlreadyDone(f"job {command.job_id} is already done")
    if job.status == IN_PROGRESS:
        raise errors.JobInProgress(
            f"job {command.job_id} is being worked by {job.technician_id}: they clock off before it is re-dispatched"
        )
    return [
        ev.JobDispatched(
            repair_order_id=repair_order_id,
            job_id=command.job_id,
            technician_id=require_text(command.technician_id, "technician"),
            bay=require_text(command.bay, "bay"),
            dispatched_by=command.dispatched_by,
            dispatched_at=command.dispatched_at,
        )
    ]


def _require_own_job(job: JobState, technician_id: str) -> None:
    if job.technician_id != technician_id:
        raise errors.NotAssignedTechnician(
            f"job {job.job_id} is dispatched to {job.technician_id}, not to {technician_id}"
        )


def start(state: WorkOrder, command: StartJob) -> Sequence[Event]:
    repair_order_id = require_open(state)
    job = require_job(state, command.job_id)
    if job.status == PLANNED:
        raise errors.JobNotDispatched(f"job {command.job_id} has not been dispatched to a technician yet")
    if job.status == COMPLETED:
        raise errors.JobAlreadyDone(f"job {command.job_id} is already done")
    if job.status == IN_PROGRESS:
        raise errors.JobInProgress(f"job {command.job_id} is already clocked on")
    _require_own_job(job, command.technician_id)
    if job.missing_parts:
        missing = ", ".join(sorted(job.missing_parts))
        raise errors.WaitingForParts(f"job {command.job_id} is waiting for parts ({missing})")
    return [
        ev.JobStarted(
            repair_order_id=repair_order_id,
            job_id=command.job_id,
            technician_id=command.technician_id,
            rework=job.rework,
            started_at=command.started_at,
        )
    ]


def _require_clocked_on(state: WorkOrder, job_id: UUID, technician_id: str) -> JobState:
    job = require_job(state, job_id)
    if job.status != IN_PROGRESS or job.clocked_on_at is None:
        raise errors.JobNotInProgress(f"job {job_id} is not clocked on")
    _require_own_job(job, technician_id)
    return job


def pause(state: WorkOrder, command: PauseJob) -> Sequence[Event]:
    repair_order_id = require_open(state)
    job = _require_clocked_on(state, command.job_id, command.technician_id)
    return [
        ev.JobPaused(
            repair_order_id=repair_order_id,
            job_id=command.job_id,
            technician_id=command.technician_id,
            reason=require_code(command.reason, ev.PAUSE_REASONS, "pause reason"),
            worked_minutes=_minutes_between(job.clocked_on_at, command.paused_at),
            paused_at=command.paused_at,
        )
    ]


def complete(state: WorkOrder, command: CompleteJob) -> Sequence[Event]:
    repair_order_id = require_open(state)
    job = _require_clocked_on(state, command.job_id, command.technician_id)
    session = _minutes_between(job.clocked_on_at, command.completed_at)
    return [
        ev.JobCompleted(
            repair_order_id=repair_order_id,
            job_id=command.job_id,
            technician_id=command.technician_id,
            worked_minutes=session,
            total_worked_minutes=job.worked_minutes + session,
            planned_minutes=job.job.planned_minutes,
            completed_at=command.completed_at,
        )
    ]
