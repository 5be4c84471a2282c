"""Reception's changes to an open work order (docs/domain.md §3): jobs added (a consented
change, or an approved finding coming back as a job), a job withdrawn by the customer, a finding
declined, a new promised time."""

from __future__ import annotations

from collections.abc import Sequence

from events.catalog import workshop as ev
from events.contract import Event
from workshop.domain import errors
from workshop.domain.commands import AddJobs, NoteFindingDeclined, UpdatePromisedTime, WithdrawJob
from workshop.domain.guards import require_job, require_new_jobs, require_open
from workshop.domain.state import COMPLETED, WorkOrder


def add_jobs(state: WorkOrder, command: AddJobs) -> Sequence[Event]:
    if state.repair_order_id is None:
        raise errors.NoWorkOrder("there is no work order for this repair order: it has not been signed")
    require_new_jobs(state, command.jobs)
    if command.finding_id is not None and command.finding_id not in state.findings:
        raise errors.UnknownFinding(f"finding {command.finding_id} was not reported by this workshop")
    return [
        ev.JobsAdded(
            repair_order_id=state.repair_order_id,
            jobs=command.jobs,
            finding_id=command.finding_id,
            added_at=command.added_at,
        )
    ]


def withdraw_job(state: WorkOrder, command: WithdrawJob) -> Sequence[Event]:
    repair_order_id = require_open(state)
    job = require_job(state, command.job_id)
    if job.status == COMPLETED:
        raise errors.JobAlreadyDone(f"job {command.job_id} is already done and cannot be withdrawn")
    return [
        ev.JobWithdrawn(
            repair_order_id=repair_order_id,
            job_id=command.job_id,
            reason=command.reason,
            withdrawn_at=command.withdrawn_at,
        )
    ]


def note_finding_declined(state: WorkOrder, command: NoteFindingDeclined) -> Sequence[Event]:
    if state.repair_order_id is None:
        raise errors.NoWorkOrder("there is no work order for this repair order")
    if command.finding_id not in state.pending_findings:
        raise errors.UnknownFinding(f"finding {command.finding_id} is not waiting for the customer's decision")
    return [
        ev.FindingDeclined(
            repair_order_id=state.repair_order_id, finding_id=command.finding_id, declined_at=command.declined_at
        )
    ]


def update_promised_time(state: WorkOrder, command: UpdatePromisedTime) -> Sequence[Event]:
    if state.repair_order_id is None or state.promised_at is None:
        raise errors.NoWorkOrder("there is no work order for this repair order")
    if command.promised_at == state.promised_at:
        return []
    return [
        ev.PromisedTimeUpdated(
            repair_order_id=state.repair_order_id,
            previous_promised_at=state.promised_at,
            promised_at=command.promised_at,
            updated_at=command.updated_at,
        )
    ]
