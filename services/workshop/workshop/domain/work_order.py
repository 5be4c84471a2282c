"""WorkOrder, stream `work_order-<repair_order_id>`: the workshop's side of one repair order
(docs/domain.md §3 and §5; seeds 002, 003).

Life: opened from the signed RO (one job per agreed line) → jobs dispatched to technicians and
bays, clocked on and off → findings reported as additional work (all at once; a later round only
after a test drive or a first fix), approved ones come back as new jobs → parts shortages hold
a job until the parts arrive → every job done and no decision pending → QC passed (ready for
delivery) or failed (named jobs back as rework). A progress-check timer compares the forecast
with the promise and raises the "will be late" signal before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from events.catalog import workshop as ev
from events.catalog.workshop import Job
from events.contract import Event
from events.decider import Decider
from events.rules import MissingInformation, require_code, require_text
from workshop.domain import errors
from workshop.domain.commands import (
    AddJobs,
    CheckProgress,
    CompleteJob,
    DispatchJob,
    FailQualityCheck,
    MarkWaitingForParts,
    NoteFindingDeclined,
    OpenWorkOrder,
    PassQualityCheck,
    PauseJob,
    ReceiveVehicle,
    RecordPartsArrived,
    RecordTestDrive,
    ReportAdditionalWork,
    StartJob,
    UpdatePromisedTime,
    WithdrawJob,
    WorkOrderCommand,
)
from workshop.domain.forecast import forecast, late_by_minutes
from workshop.domain.state import (
    COMPLETED,
    IN_PROGRESS,
    INITIAL,
    PLANNED,
    READY,
    WITHDRAWN,
    JobState,
    WorkOrder,
    evolve,
)


def stream_id(repair_order_id: UUID) -> str:
    return f"work_order-{repair_order_id}"


def _require_open(state: WorkOrder) -> UUID:
    if state.repair_order_id is None:
        raise errors.NoWorkOrder("there is no work order for this repair order: it has not been signed")
    if state.status == READY:
        raise errors.AlreadyReady("the car passed quality check and is ready for delivery; nothing more is worked")
    return state.repair_order_id


def _require_job(state: WorkOrder, job_id: UUID) -> JobState:
    job = state.jobs.get(job_id)
    if job is None:
        raise errors.JobNotApproved(
            f"job {job_id} is not on the work order: only lines the customer signed or approved are worked"
        )
    if job.status == WITHDRAWN:
        raise errors.JobWithdrawnError(f"job {job_id} was taken off the repair order by the customer")
    return job


def _minutes_between(start: datetime | None, end: datetime) -> int:
    """Whole minutes clocked in one session (a clocked-on job always has its start)."""
    return max(int((end - start).total_seconds() // 60), 0) if start else 0


def _require_new_jobs(state: WorkOrder, jobs: tuple[Job, ...]) -> None:
    ids = [job.job_id for job in jobs]
    if len(set(ids)) != len(ids) or any(job_id in state.jobs for job_id in ids):
        raise errors.DuplicateJob("a job with this line id is already on the work order")


# --- the repair order reaches the workshop -------------------------------------------------


def open_work_order(state: WorkOrder, command: OpenWorkOrder) -> Sequence[Event]:
    if state.exists:
        raise errors.WorkOrderAlreadyOpen("the work order of this repair order is already open")
    _require_new_jobs(state, command.jobs)
    return [
        ev.WorkOrderOpened(
            repair_order_id=command.repair_order_id,
            vehicle=command.vehicle,
            priority=command.priority,
            customer_waiting=command.customer_waiting,
            promised_at=command.promised_at,
            jobs=command.jobs,
            opened_at=command.opened_at,
        )
    ]


def receive_vehicle(state: WorkOrder, command: ReceiveVehicle) -> Sequence[Event]:
    repair_order_id = _require_open(state)
    if state.received_at is not None:
        return []  # the same hand-over told twice changes nothing
    return [
        ev.VehicleReceived(repair_order_id=repair_order_id, key_tag=command.key_tag, received_at=command.received_at)
    ]


def add_jobs(state: WorkOrder, command: AddJobs) -> Sequence[Event]:
    if state.repair_order_id is None:
        raise errors.NoWorkOrder("there is no work order for this repair order: it has not been signed")
    _require_new_jobs(state, command.jobs)
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
    repair_order_id = _require_open(state)
    job = _require_job(state, command.job_id)
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


# --- parts ---------------------------------------------------------------------------------


def mark_waiting_for_parts(state: WorkOrder, command: MarkWaitingForParts) -> Sequence[Event]:
    if state.repair_order_id is None:
        raise errors.NoWorkOrder("there is no work order for this repair order")
    job = state.jobs.get(command.job_id)
    if state.status == READY or job is None or not job.open or command.missing_quantity <= 0:
        return []  # the work is done or off the order (or nothing is missing): nothing waits
    return [
        ev.JobWaitingForParts(
            repair_order_id=state.repair_order_id,
            job_id=command.job_id,
            part_number=command.part_number,
            missing_quantity=command.missing_quantity,
            since=command.since,
        )
    ]


def record_parts_arrived(state: WorkOrder, command: RecordPartsArrived) -> Sequence[Event]:
    if state.repair_order_id is None:
        raise errors.NoWorkOrder("there is no work order for this repair order")
    job = state.jobs.get(command.job_id)
    missing = job.missing_parts.get(command.part_number, 0) if job else 0
    if job is None or missing == 0 or command.quantity <= 0:
        return []  # parts nobody waits for (reserved from stock, or already counted)
    arrived = min(command.quantity, missing)
    still = sorted(p for p, q in job.missing_parts.items() if p != command.part_number or q > arrived)
    return [
        ev.JobPartsArrived(
            repair_order_id=state.repair_order_id,
            job_id=command.job_id,
            part_number=command.part_number,
            quantity=arrived,
            still_missing=tuple(still),
            arrived_at=command.arrived_at,
        )
    ]


# --- dispatcher and technicians ------------------------------------------------------------


def dispatch(state: WorkOrder, command: DispatchJob) -> Sequence[Event]:
    repair_order_id = _require_open(state)
    job = _require_job(state, command.job_id)
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
    repair_order_id = _require_open(state)
    job = _require_job(state, command.job_id)
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
    job = _require_job(state, job_id)
    if job.status != IN_PROGRESS or job.clocked_on_at is None:
        raise errors.JobNotInProgress(f"job {job_id} is not clocked on")
    _require_own_job(job, technician_id)
    return job


def pause(state: WorkOrder, command: PauseJob) -> Sequence[Event]:
    repair_order_id = _require_open(state)
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
    repair_order_id = _require_open(state)
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


def record_test_drive(state: WorkOrder, command: RecordTestDrive) -> Sequence[Event]:
    repair_order_id = _require_open(state)
    return [
        ev.TestDriveRecorded(
            repair_order_id=repair_order_id,
            driven_by=require_text(command.driven_by, "driver"),
            with_customer=command.with_customer,
            notes=command.notes,
            driven_at=command.driven_at,
        )
    ]


def report_additional_work(state: WorkOrder, command: ReportAdditionalWork) -> Sequence[Event]:
    """All visible and foreseeable faults at once; another round only after a test drive or a
    first fix, so the customer is not called again and again (docs/domain.md §3)."""
    repair_order_id = _require_open(state)
    if state.finding_rounds and not state.drove_or_fixed_since_round:
        raise errors.FindingRoundNotAllowed(
            "findings are reported all at once: another round only after a test drive or a first fix"
        )
    ids = [f.finding_id for f in command.findings]
    if not ids:
        raise MissingInformation("report at least one finding")
    if len(set(ids)) != len(ids) or any(i in state.findings for i in ids):
        raise errors.DuplicateFinding("a finding with this id was already reported")
    return [
        ev.AdditionalWorkFound(
            repair_order_id=repair_order_id,
            round=state.finding_rounds + 1,
            findings=command.findings,
            reported_by=command.reported_by,
            found_at=command.found_at,
        )
    ]


# --- quality check -------------------------------------------------------------------------


def pass_quality_check(state: WorkOrder, command: PassQualityCheck) -> Sequence[Event]:
    repair_order_id = _require_open(state)
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
    repair_order_id = _require_open(state)
    if not command.reasons or not all(r.strip() for r in command.reasons):
        raise MissingInformation("say what failed the quality check")
    if not command.rework_job_ids:
        raise MissingInformation("name the jobs to rework")
    for job_id in command.rework_job_ids:
        if _require_job(state, job_id).status != COMPLETED:
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


# --- the progress-check timer --------------------------------------------------------------


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


def _require_in_order(state: WorkOrder, command: WorkOrderCommand) -> None:
    """A person's command may not be dated before what already happened on the order."""
    at = getattr(command, "dispatched_at", None) or getattr(command, "started_at", None)
    at = at or getattr(command, "paused_at", None) or getattr(command, "completed_at", None)
    if at is not None and state.last_time is not None and at < state.last_time:
        raise errors.TimeOutOfOrder("the time given is before the last thing recorded on this work order")


def decide(state: WorkOrder, command: WorkOrderCommand) -> Sequence[Event]:
    _require_in_order(state, command)
    match command:
        case OpenWorkOrder():
            return open_work_order(state, command)
        case ReceiveVehicle():
            return receive_vehicle(state, command)
        case AddJobs():
            return add_jobs(state, command)
        case WithdrawJob():
            return withdraw_job(state, command)
        case NoteFindingDeclined():
            return note_finding_declined(state, command)
        case UpdatePromisedTime():
            return update_promised_time(state, command)
        case MarkWaitingForParts():
            return mark_waiting_for_parts(state, command)
        case RecordPartsArrived():
            return record_parts_arrived(state, command)
        case DispatchJob():
            return dispatch(state, command)
        case StartJob():
            return start(state, command)
        case PauseJob():
            return pause(state, command)
        case CompleteJob():
            return complete(state, command)
        case RecordTestDrive():
            return record_test_drive(state, command)
        case ReportAdditionalWork():
            return report_additional_work(state, command)
        case PassQualityCheck():
            return pass_quality_check(state, command)
        case FailQualityCheck():
            return fail_quality_check(state, command)
        case CheckProgress():
            return check_progress(state, command)


work_order: Decider[WorkOrderCommand, WorkOrder] = Decider(INITIAL, decide, evolve)
