"""What the workshop API accepts (request bodies, validated: 422 with field errors; each builds
its domain command) and what it answers (typed views, as the OpenAPI document shows them)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, model_validator

from events.catalog.reception_values import RepairLine
from events.catalog.workshop import Finding
from workshop.domain.commands import (
    CompleteJob,
    DispatchJob,
    FailQualityCheck,
    PassQualityCheck,
    PauseJob,
    RecordTestDrive,
    ReportAdditionalWork,
    StartJob,
)
from workshop.domain.forecast import forecast
from workshop.domain.settings import SetWorkshopSettings, WorkshopSettings
from workshop.domain.state import JobState, WorkOrder

# --- bodies --------------------------------------------------------------------------------


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DispatchBody(Body):
    technician_id: str = Field(min_length=1, max_length=100)
    bay: str = Field(min_length=1, max_length=50)

    def command(self, job_id: UUID, dispatched_by: str, now: datetime) -> DispatchJob:
        return DispatchJob(job_id, self.technician_id, self.bay, dispatched_by, now)


class ClockBody(Body):
    """`technician_id`: only a dispatcher or manager clocks on someone else's behalf."""

    technician_id: str | None = Field(default=None, min_length=1, max_length=100)

    def start(self, job_id: UUID, technician_id: str, now: datetime) -> StartJob:
        return StartJob(job_id, technician_id, now)

    def complete(self, job_id: UUID, technician_id: str, now: datetime) -> CompleteJob:
        return CompleteJob(job_id, technician_id, now)


class PauseBody(ClockBody):
    reason: str = Field(description="break, end_of_shift, waiting_parts, waiting_approval, waiting_tools, other")

    def pause(self, job_id: UUID, technician_id: str, now: datetime) -> PauseJob:
        return PauseJob(job_id, technician_id, self.reason, now)


class TestDriveBody(Body):
    __test__ = False  # not a pytest test class, despite its name

    with_customer: bool = False
    notes: str = Field(default="", max_length=2000)

    def command(self, driven_by: str, now: datetime) -> RecordTestDrive:
        return RecordTestDrive(driven_by, self.with_customer, self.notes, now)


class FindingBody(Body):
    description: str = Field(min_length=1, max_length=1000)
    safety_critical: bool
    proposed_lines: tuple[RepairLine, ...] = Field(min_length=1, max_length=50)
    extra_minutes: int = Field(ge=0, le=10_000)
    evidence_refs: tuple[str, ...] = Field(default=(), max_length=50)

    def finding(self) -> Finding:
        return Finding(
            finding_id=uuid4(),
            description=self.description,
            safety_critical=self.safety_critical,
            proposed_lines=tuple(line.model_copy(update={"origin": "additional_work"}) for line in self.proposed_lines),
            extra_minutes=self.extra_minutes,
            evidence_refs=self.evidence_refs,
        )


class FindingsBody(Body):
    """Every visible and foreseeable fault, at once."""

    findings: list[FindingBody] = Field(min_length=1, max_length=50)

    def command(self, reported_by: str, now: datetime) -> ReportAdditionalWork:
        return ReportAdditionalWork(tuple(f.finding() for f in self.findings), reported_by, now)


class QualityCheckBody(Body):
    passed: bool
    reasons: tuple[str, ...] = Field(default=(), max_length=50)
    rework_job_ids: tuple[UUID, ...] = Field(default=(), max_length=100)

    @model_validator(mode="after")
    def failure_says_why(self) -> QualityCheckBody:
        if not self.passed and not (self.reasons and self.rework_job_ids):
            raise ValueError("a failed quality check names its reasons and the jobs to rework")
        return self

    def command(self, inspector: str, now: datetime) -> PassQualityCheck | FailQualityCheck:
        if self.passed:
            return PassQualityCheck(inspector, now)
        return FailQualityCheck(inspector, self.reasons, self.rework_job_ids, now)


class SettingsBody(Body):
    jobs_per_technician: int = Field(ge=1, le=10, description="jobs one technician may be clocked on at once")

    def command(self, site_id: UUID, set_by: str, now: datetime) -> SetWorkshopSettings:
        return SetWorkshopSettings(site_id, self.jobs_per_technician, set_by, now)


# --- views ---------------------------------------------------------------------------------


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class SettingsView(View):
    """How many jobs a technician may be clocked on at once (`defaults`: the site set none)."""

    version: int = Field(description="the settings' version, for `If-Match`; 0 while the defaults apply")
    jobs_per_technician: int
    set_by: str | None
    set_at: datetime | None
    defaults: bool


def settings_view(settings: WorkshopSettings, version: int) -> SettingsView:
    return SettingsView(
        version=version,
        jobs_per_technician=settings.jobs_per_technician,
        set_by=settings.set_by,
        set_at=settings.set_at,
        defaults=settings.set_at is None,
    )


class JobView(View):
    job_id: UUID = Field(description="the repair-order line id")
    labour_operation: str
    description: str
    planned_minutes: int
    safety_critical: bool
    origin: str = Field(description="estimate, additional_work, ...: where the line came from")
    status: str = Field(description="planned, dispatched, in_progress, paused, completed, withdrawn")
    technician_id: str | None
    bay: str | None
    worked_minutes: int
    missing_parts: dict[str, int] = Field(description="part number → quantity the job still waits for")
    rework: bool


class WorkOrderView(View):
    """A car's work in the workshop: its jobs, the promise and the forecast against it."""

    repair_order_id: UUID
    version: int = Field(description="the work order's version, for `If-Match`")
    status: str = Field(description="open, or ready (passed quality check)")
    promised_at: datetime | None
    forecast_ready_at: datetime
    remaining_minutes: int
    customer_waiting: bool
    key_tag: str | None = Field(description="set once the car and its key are handed over")
    received_at: datetime | None
    finding_rounds: int
    pending_findings: list[UUID] = Field(description="findings waiting for the customer's decision")
    failed_quality_checks: int
    jobs: list[JobView]


class FindingsReported(WorkOrderView):
    """The work order, and the findings just reported (with their ids) for the advisor."""

    reported: list[Finding]


def _job_view(job: JobState) -> JobView:
    return JobView(
        job_id=job.job_id,
        labour_operation=job.job.labour_operation,
        description=job.job.description,
        planned_minutes=job.job.planned_minutes,
        safety_critical=job.job.safety_critical,
        origin=job.job.origin,
        status=job.status,
        technician_id=job.technician_id,
        bay=job.bay,
        worked_minutes=job.worked_minutes,
        missing_parts=dict(job.missing_parts),
        rework=job.rework,
    )


def work_order_view(state: WorkOrder, version: int, now: datetime) -> WorkOrderView:
    assert state.repair_order_id is not None  # only a work order that exists is shown
    seen = forecast(state, now)
    return WorkOrderView(
        repair_order_id=state.repair_order_id,
        version=version,
        status=state.status,
        promised_at=state.promised_at,
        forecast_ready_at=seen.ready_at,
        remaining_minutes=seen.remaining_minutes,
        customer_waiting=state.customer_waiting,
        key_tag=state.key_tag,
        received_at=state.received_at,
        finding_rounds=state.finding_rounds,
        pending_findings=sorted(state.pending_findings, key=str),
        failed_quality_checks=state.failed_checks,
        jobs=[_job_view(job) for job in state.jobs.values()],
    )


def findings_reported(view: WorkOrderView, findings: tuple[Finding, ...]) -> FindingsReported:
    return FindingsReported(**dict(view), reported=list(findings))


class WorkOrderRow(View):
    """A car on the site's workshop board: its stage, promise and forecast."""

    repair_order_id: UUID
    vin: str
    plate: str
    priority: str
    customer_waiting: bool
    stage: str = Field(
        description="waiting_dispatch, dispatched, in_progress, waiting_approval, waiting_parts, quality_check, ready"
    )
    promised_at: datetime
    forecast_ready_at: datetime | None
    running_late: bool
    pending_findings: int
    failed_checks: int
    opened_at: datetime
    ready_at: datetime | None
    updated_at: datetime


class TechnicianRow(View):
    """A technician on the dispatch board: open jobs, the ones clocked on, minutes still planned."""

    technician_id: str
    in_progress: int
    clocked_on: list[UUID] = Field(description="the jobs the technician is clocked on now")
    open_jobs: int
    planned_minutes_left: int
