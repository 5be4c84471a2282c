"""The quality check at the end of the work (docs/domain.md §3): passed when every job is done
and no finding waits for the customer (the car is then ready for delivery), or failed with the
named jobs sent back as rework."""

from __future__ import annotations

from collections.abc import Sequence

from events.catalog import workshop as ev
from events.contract import Event
from events.rules import MissingInformation, require_text
from workshop.domain import errors
from workshop.domain.commands import FailQualityCheck, PassQualityCheck
from workshop.domain.guards import require_job, require_open
from workshop.domain.state import COMPLETED, WorkOrder


def pass_quality_check(state: WorkOrder, command: PassQualityCheck) -> Sequence[Event]:
    repair_order_id = require_open(state)
    unfinished = [str(j.job_id) for j in state.open_jobs()]
    if unfinished:
        raise errors.WorkNotFinished(f"jobs not finished: {', '.join(unfinished)}")
    if state.pending_findings:
        raise errors.DecisionPending("a finding still waits for the customer's decision")
    assert state.promised_at is not None
    done = [j for j in state.jobs.values() if j.status == COMPLETED]
    return [
        ev.QualityCheckPassed(
            repair_order_id=repair_order_id,
            inspector=require_text(command.inspector, "inspector"),
            first_time=state.failed_checks == 0,
            checked_at=command.checked_at,
        ),
        ev.VehicleReadyForDelivery(
            repair_order_id=repair_order_id,
            promised_at=state.promised_at,
            on_time=command.checked_at <= state.promised_at,
            worked_minutes=sum(j.worked_minutes for j in done),
            planned_minutes=sum(j.job.planned_minutes for j in done),
            rework_count=state.failed_checks,
            ready_at=command.checked_at,
        ),
    ]


def fail_quality_check(state: WorkOrder, command: FailQualityCheck) -> Sequence[Event]:
    repair_order_id = require_open(state)
    if not command.reasons or not all(r.strip() for r in command.reasons):
        raise MissingInformation("say what failed the quality check")
    if not command.rework_job_ids:
        raise MissingInformation("name the jobs to rework")
    for job_id in command.rework_job_ids:
        if require_job(state, job_id).status != COMPLETED:
            raise errors.NotCompleted(f"job {job_id} is not finished yet: it cannot fail a quality check")
    return [
        ev.QualityCheckFailed(
            repair_order_id=repair_order_id,
            inspector=require_text(command.inspector, "inspector"),
            reasons=command.reasons,
            rework_job_ids=tuple(dict.fromkeys(command.rework_job_ids)),
            failed_at=command.failed_at,
        )
    ]
