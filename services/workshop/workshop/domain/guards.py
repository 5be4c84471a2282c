"""The checks the work order's decisions share: there is a work order and it is still worked
(signed, not yet ready), a job is on it and not withdrawn, jobs to add are new to it."""

from __future__ import annotations

from uuid import UUID

from events.catalog.workshop import Job
from workshop.domain import errors
from workshop.domain.state import READY, WITHDRAWN, JobState, WorkOrder


def require_open(state: WorkOrder) -> UUID:
    if state.repair_order_id is None:
        raise errors.NoWorkOrder("there is no work order for this repair order: it has not been signed")
    if state.status == READY:
        raise errors.AlreadyReady("the car passed quality check and is ready for delivery; nothing more is worked")
    return state.repair_order_id


def require_job(state: WorkOrder, job_id: UUID) -> JobState:
    job = state.jobs.get(job_id)
    if job is None:
        raise errors.JobNotApproved(
            f"job {job_id} is not on the work order: only lines the customer signed or approved are worked"
        )
    if job.status == WITHDRAWN:
        raise errors.JobWithdrawnError(f"job {job_id} was taken off the repair order by the customer")
    return job


def require_new_jobs(state: WorkOrder, jobs: tuple[Job, ...]) -> None:
    ids = [job.job_id for job in jobs]
    if len(set(ids)) != len(ids) or any(job_id in state.jobs for job_id in ids):
        raise errors.DuplicateJob("a job with this line id is already on the work order")
