"""Published events of the workshop service: the work order of one repair order, its jobs
(dispatch, clock on/off), findings reported as additional work, waiting for parts, the
progress check and its "will be late" signal, quality check and readiness (docs/domain.md §3, §5).

Stream: `work_order-<repair_order_id>` — one work order per repair order, so every event
routes by the RO id other services already know. A job is one signed or approved RO line:
`job_id` is the line's `line_id` (docs/flow.md), which is how "work only on approved lines"
is kept: there is no job for anything the customer did not agree to.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from events.catalog.reception_values import RepairLine, VehicleIdentity
from events.contract import Event
from events.rules import check_code

# Why a technician clocked off a job without finishing it.
PAUSE_REASONS = ("break", "end_of_shift", "waiting_parts", "waiting_approval", "waiting_tools", "other")
# Which progress check fired: at 75 % of the promised duration (seed 002: 70-80 %), and at half
# time for long jobs (docs/domain.md §3).
PROGRESS_CHECKS = ("half_time", "three_quarters")
# Where a job line came from, as on the repair order.
JOB_ORIGINS = ("estimate", "additional_work")
# How urgent a finding is, as graded on the inspection: red must be fixed now (safety), yellow
# soon. Green items are never findings.
FINDING_SEVERITIES = ("yellow", "red")
# What a photo or video attached to an inspection item or a finding is.
MEDIA_KINDS = ("photo", "video")


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Job(_Value):
    """One job of the work order: an agreed RO line, with its standard labour time."""

    job_id: UUID
    labour_operation: str = Field(min_length=1)
    description: str = Field(min_length=1)
    planned_minutes: int = Field(ge=0)
    safety_critical: bool = False
    origin: str = "estimate"

    @field_validator("origin")
    @classmethod
    def origin_is_known(cls, value: str) -> str:
        return check_code(value, JOB_ORIGINS, "job origin")


class MediaRef(_Value):
    """A photo or video kept by workshop's media store: staff read it at
    `/sites/{site}/media/{media_id}`, an approval link's holder at `/public/media/{token}/{media_id}`."""

    media_id: UUID
    kind: str
    content_type: str = Field(min_length=1)

    @field_validator("kind")
    @classmethod
    def kind_is_known(cls, value: str) -> str:
        return check_code(value, MEDIA_KINDS, "media kind")


class Finding(_Value):
    """A fault found on the car, proposed to the customer as priced RO lines (the foreman
    quotes from the labour catalogue; reception presents it with evidence and extra time).

    `severity` and `media` came with the digital inspection (issue 21); a finding written before
    them reads as red when safety-critical, yellow otherwise, with no media."""

    finding_id: UUID
    description: str = Field(min_length=1)
    safety_critical: bool
    proposed_lines: tuple[RepairLine, ...] = Field(min_length=1)
    extra_minutes: int = Field(ge=0)
    evidence_refs: tuple[str, ...] = ()
    severity: str = "yellow"
    media: tuple[MediaRef, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def grade_by_safety(cls, data: object) -> object:
        if isinstance(data, dict) and "severity" not in data:
            return {**data, "severity": "red" if data.get("safety_critical") else "yellow"}
        return data

    @field_validator("severity")
    @classmethod
    def severity_is_known(cls, value: str) -> str:
        return check_code(value, FINDING_SEVERITIES, "finding severity")


class _WorkOrderEvent(Event):
    """Abstract base: every workshop event names its repair order."""

    repair_order_id: UUID


class WorkOrderOpened(_WorkOrderEvent, type="workshop.WorkOrderOpened", version=1):
    """The signed RO reached the workshop: one job per agreed line."""

    vehicle: VehicleIdentity
    priority: str
    customer_waiting: bool
    promised_at: AwareDatetime
    jobs: tuple[Job, ...] = Field(min_length=1)
    opened_at: AwareDatetime


class VehicleReceived(_WorkOrderEvent, type="workshop.VehicleReceived", version=1):
    """The advisor handed the car and its key over to the workshop (reception.VehicleHandedOver):
    only now can jobs be dispatched."""

    key_tag: str
    received_at: AwareDatetime


class JobsAdded(_WorkOrderEvent, type="workshop.JobsAdded", version=1):
    """Work the customer agreed to after signing: an approved finding or a consented line."""

    jobs: tuple[Job, ...] = Field(min_length=1)
    finding_id: UUID | None = None
    added_at: AwareDatetime


class JobWithdrawn(_WorkOrderEvent, type="workshop.JobWithdrawn", version=1):
    """The customer took a line off the RO (with consent): the job must not be worked."""

    job_id: UUID
    reason: str
    withdrawn_at: AwareDatetime


class FindingDeclined(_WorkOrderEvent, type="workshop.FindingDeclined", version=1):
    """The customer declined a finding: nothing to do for it (reception keeps the recommendation)."""

    finding_id: UUID
    declined_at: AwareDatetime


class PromisedTimeUpdated(_WorkOrderEvent, type="workshop.PromisedTimeUpdated", version=1):
    previous_promised_at: AwareDatetime
    promised_at: AwareDatetime
    updated_at: AwareDatetime


class JobDispatched(_WorkOrderEvent, type="workshop.JobDispatched", version=1):
    """The dispatcher gave the job to a technician and a bay (again, on a re-dispatch)."""

    job_id: UUID
    technician_id: str = Field(min_length=1)
    bay: str = Field(min_length=1)
    dispatched_by: str
    dispatched_at: AwareDatetime


class JobStarted(_WorkOrderEvent, type="workshop.JobStarted", version=1):
    """The technician clocked on (first time, after a pause, or for rework after a failed QC)."""

    job_id: UUID
    technician_id: str
    rework: bool = False
    started_at: AwareDatetime


class JobPaused(_WorkOrderEvent, type="workshop.JobPaused", version=1):
    """The technician clocked off without finishing; `worked_minutes` is this clock-on session."""

    job_id: UUID
    technician_id: str
    reason: str
    worked_minutes: int = Field(ge=0)
    paused_at: AwareDatetime

    @field_validator("reason")
    @classmethod
    def reason_is_known(cls, value: str) -> str:
        return check_code(value, PAUSE_REASONS, "pause reason")


class JobCompleted(_WorkOrderEvent, type="workshop.JobCompleted", version=1):
    """The technician clocked off a finished job; `worked_minutes` is this clock-on session."""

    job_id: UUID
    technician_id: str
    worked_minutes: int = Field(ge=0)
    total_worked_minutes: int = Field(ge=0)
    planned_minutes: int = Field(ge=0)
    completed_at: AwareDatetime


class TestDriveRecorded(_WorkOrderEvent, type="workshop.TestDriveRecorded", version=1):
    """A test drive (with the customer when the symptom only shows while driving)."""

    __test__ = False  # not a pytest test class, despite its name

    driven_by: str = Field(min_length=1)
    with_customer: bool
    notes: str = ""
    driven_at: AwareDatetime


class AdditionalWorkFound(_WorkOrderEvent, type="workshop.AdditionalWorkFound", version=1):
    """Every visible and foreseeable fault, reported at once (`round` 1); a later round only
    after a test drive or a first fix (docs/domain.md §3)."""

    round: int = Field(ge=1)
    findings: tuple[Finding, ...] = Field(min_length=1)
    reported_by: str
    found_at: AwareDatetime


class JobWaitingForParts(_WorkOrderEvent, type="workshop.JobWaitingForParts", version=1):
    """Parts is short of a part this job needs (from parts.PartsShortageDetected)."""

    job_id: UUID
    part_number: str
    missing_quantity: int = Field(gt=0)
    since: AwareDatetime


class JobPartsArrived(_WorkOrderEvent, type="workshop.JobPartsArrived", version=1):
    """Missing parts arrived for the job (a back-order or transfer received, or parts issued);
    `still_missing` lists what the job still waits for — empty: it can be worked again."""

    job_id: UUID
    part_number: str
    quantity: int = Field(gt=0)
    still_missing: tuple[str, ...] = ()
    arrived_at: AwareDatetime


class ProgressCheckDue(_WorkOrderEvent, type="workshop.ProgressCheckDue", version=1):
    """The progress check of the promised duration: the forecast against the promise."""

    check: str
    promised_at: AwareDatetime
    forecast_ready_at: AwareDatetime
    remaining_minutes: int = Field(ge=0)
    on_track: bool
    checked_at: AwareDatetime

    @field_validator("check")
    @classmethod
    def check_is_known(cls, value: str) -> str:
        return check_code(value, PROGRESS_CHECKS, "progress check")


class JobRunningLate(_WorkOrderEvent, type="workshop.JobRunningLate", version=1):
    """The car will not be ready by the promised time: the advisor must tell the customer
    before the promise with a new time (docs/domain.md §3). `job_ids`: the unfinished jobs."""

    promised_at: AwareDatetime
    forecast_ready_at: AwareDatetime
    late_by_minutes: int = Field(gt=0)
    job_ids: tuple[UUID, ...]
    detected_at: AwareDatetime


class QualityCheckPassed(_WorkOrderEvent, type="workshop.QualityCheckPassed", version=1):
    """Every job done and checked; `first_time` is False after any failed check (first-time-fix)."""

    inspector: str = Field(min_length=1)
    first_time: bool
    checked_at: AwareDatetime


class QualityCheckFailed(_WorkOrderEvent, type="workshop.QualityCheckFailed", version=1):
    """The named jobs go back to their technicians as rework."""

    inspector: str = Field(min_length=1)
    reasons: tuple[str, ...] = Field(min_length=1)
    rework_job_ids: tuple[UUID, ...] = Field(min_length=1)
    failed_at: AwareDatetime


class VehicleReadyForDelivery(_WorkOrderEvent, type="workshop.VehicleReadyForDelivery", version=1):
    """QC passed: reception may explain the work, settle and hand the car back."""

    promised_at: AwareDatetime
    on_time: bool
    worked_minutes: int = Field(ge=0)
    planned_minutes: int = Field(ge=0)
    rework_count: int = Field(ge=0)
    ready_at: AwareDatetime


# --- the floor: who is clocked on what, which bay holds which job, across work orders -------
# Streams `technician-<site_id>:<technician_id>` and `bay-<site_id>:<bay>`: each written in the
# same transaction as the work-order event that causes it (docs/decisions/0007), so two work
# orders can never both hold one technician or one bay.


class TechnicianClockedOn(Event, type="workshop.TechnicianClockedOn", version=1):
    """The technician is on this job now (with `JobStarted` of its work order)."""

    technician_id: str = Field(min_length=1)
    repair_order_id: UUID
    job_id: UUID
    clocked_on_at: AwareDatetime


class TechnicianClockedOff(Event, type="workshop.TechnicianClockedOff", version=1):
    """The technician is off this job (paused, completed, or the customer withdrew it)."""

    technician_id: str = Field(min_length=1)
    repair_order_id: UUID
    job_id: UUID
    clocked_off_at: AwareDatetime


class BayTaken(Event, type="workshop.BayTaken", version=1):
    """The bay holds this job (dispatched to it, or its rework clocked on in it) until it is freed."""

    bay: str = Field(min_length=1)
    repair_order_id: UUID
    job_id: UUID
    taken_at: AwareDatetime


class BayFreed(Event, type="workshop.BayFreed", version=1):
    """The job left the bay: completed, withdrawn, or re-dispatched to another bay."""

    bay: str = Field(min_length=1)
    repair_order_id: UUID
    job_id: UUID
    freed_at: AwareDatetime


class WorkshopSettingsSet(Event, type="workshop.WorkshopSettingsSet", version=1):
    """A site's workshop settings, stream `workshop_settings-<site_id>`: how many jobs one
    technician may be clocked on at once (1 until a site sets it). Replaces the previous settings."""

    site_id: UUID
    jobs_per_technician: int = Field(ge=1)
    set_by: str = Field(min_length=1)
    set_at: AwareDatetime
