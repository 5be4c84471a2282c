"""The work order's state and `evolve`: what the workshop knows of one repair order's work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from uuid import UUID

from events.catalog import workshop as ev
from events.catalog.reception_values import VehicleIdentity
from events.catalog.workshop import Job
from events.contract import Event

# A job's life: planned → dispatched → in_progress ⇄ paused → completed; `withdrawn` when the
# customer took the line off; a failed QC sends completed jobs back to `dispatched` as rework.
PLANNED, DISPATCHED, IN_PROGRESS, PAUSED, COMPLETED, WITHDRAWN = (
    "planned",
    "dispatched",
    "in_progress",
    "paused",
    "completed",
    "withdrawn",
)
OPEN, READY = "open", "ready"


@dataclass(frozen=True)
class JobState:
    job: Job
    status: str = PLANNED
    technician_id: str | None = None
    bay: str | None = None
    worked_minutes: int = 0
    clocked_on_at: datetime | None = None
    missing_parts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    rework: bool = False

    @property
    def job_id(self) -> UUID:
        return self.job.job_id

    @property
    def open(self) -> bool:
        """Still to be worked (not completed, not withdrawn)."""
        return self.status not in (COMPLETED, WITHDRAWN)


@dataclass(frozen=True)
class WorkOrder:
    repair_order_id: UUID | None = None
    vehicle: VehicleIdentity | None = None
    status: str = OPEN
    opened_at: datetime | None = None
    promised_at: datetime | None = None
    customer_waiting: bool = False
    received_at: datetime | None = None
    key_tag: str | None = None
    jobs: Mapping[UUID, JobState] = field(default_factory=lambda: MappingProxyType({}))
    finding_rounds: int = 0
    # A later round of findings needs a test drive or a first fix since the last round.
    drove_or_fixed_since_round: bool = False
    findings: frozenset[UUID] = frozenset()
    pending_findings: frozenset[UUID] = frozenset()
    failed_checks: int = 0
    last_time: datetime | None = None

    @property
    def exists(self) -> bool:
        return self.repair_order_id is not None

    def open_jobs(self) -> list[JobState]:
        return [j for j in self.jobs.values() if j.open]


INITIAL = WorkOrder()


def _put(state: WorkOrder, job: JobState) -> Mapping[UUID, JobState]:
    jobs = dict(state.jobs)
    jobs[job.job_id] = job
    return MappingProxyType(jobs)


def _added(state: WorkOrder, jobs: tuple[Job, ...]) -> Mapping[UUID, JobState]:
    merged = dict(state.jobs)
    merged.update({job.job_id: JobState(job) for job in jobs})
    return MappingProxyType(merged)


def evolve(state: WorkOrder, event: Event) -> WorkOrder:
    match event:
        case ev.WorkOrderOpened():
            return replace(
                state,
                repair_order_id=event.repair_order_id,
                vehicle=event.vehicle,
                opened_at=event.opened_at,
                promised_at=event.promised_at,
                customer_waiting=event.customer_waiting,
                jobs=_added(state, event.jobs),
                last_time=event.opened_at,
            )
        case ev.VehicleReceived():
            return replace(state, received_at=event.received_at, key_tag=event.key_tag)
        case ev.JobsAdded():
            pending = state.pending_findings - {event.finding_id} if event.finding_id else state.pending_findings
            return replace(state, jobs=_added(state, event.jobs), pending_findings=pending, status=OPEN)
        case ev.JobWithdrawn():
            job = replace(state.jobs[event.job_id], status=WITHDRAWN, clocked_on_at=None)
            return replace(state, jobs=_put(state, job))
        case ev.FindingDeclined():
            return replace(state, pending_findings=state.pending_findings - {event.finding_id})
        case ev.PromisedTimeUpdated():
            return replace(state, promised_at=event.promised_at)
        case ev.JobDispatched():
            job = state.jobs[event.job_id]
            status = job.status if job.status == PAUSED else DISPATCHED
            job = replace(job, status=status, technician_id=event.technician_id, bay=event.bay)
            return replace(state, jobs=_put(state, job), last_time=event.dispatched_at)
        case ev.JobStarted():
            job = replace(state.jobs[event.job_id], status=IN_PROGRESS, clocked_on_at=event.started_at)
            return replace(state, jobs=_put(state, job), last_time=event.started_at)
        case ev.JobPaused():
            job = state.jobs[event.job_id]
            job = replace(
                job, status=PAUSED, worked_minutes=job.worked_minutes + event.worked_minutes, clocked_on_at=None
            )
            return replace(state, jobs=_put(state, job), last_time=event.paused_at)
        case ev.JobCompleted():
            job = replace(
                state.jobs[event.job_id],
                status=COMPLETED,
                worked_minutes=event.total_worked_minutes,
                clocked_on_at=None,
                rework=False,
            )
            return replace(state, jobs=_put(state, job), drove_or_fixed_since_round=True, last_time=event.completed_at)
        case ev.TestDriveRecorded():
            return replace(state, drove_or_fixed_since_round=True, last_time=event.driven_at)
        case ev.AdditionalWorkFound():
            found = frozenset(f.finding_id for f in event.findings)
            return replace(
                state,
                finding_rounds=event.round,
                drove_or_fixed_since_round=False,
                findings=state.findings | found,
                pending_findings=state.pending_findings | found,
                last_time=event.found_at,
            )
        case ev.JobWaitingForParts():
            job = state.jobs[event.job_id]
            missing = dict(job.missing_parts)
            missing[event.part_number] = missing.get(event.part_number, 0) + event.missing_quantity
            return replace(state, jobs=_put(state, replace(job, missing_parts=MappingProxyType(missing))))
        case ev.JobPartsArrived():
            job = state.jobs[event.job_id]
            missing = dict(job.missing_parts)
            left = missing.get(event.part_number, 0) - event.quantity
            if left > 0:
                missing[event.part_number] = left
            else:
                missing.pop(event.part_number, None)
            return replace(state, jobs=_put(state, replace(job, missing_parts=MappingProxyType(missing))))
        case ev.QualityCheckFailed():
            jobs = dict(state.jobs)
            for job_id in event.rework_job_ids:
                jobs[job_id] = replace(jobs[job_id], status=DISPATCHED, rework=True)
            return replace(
                state,
                jobs=MappingProxyType(jobs),
                failed_checks=state.failed_checks + 1,
                last_time=event.failed_at,
            )
        case ev.VehicleReadyForDelivery():
            return replace(state, status=READY, last_time=event.ready_at)
    return state
