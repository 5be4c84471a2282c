"""What can be asked of a work order. Times come with the command (the handler reads the clock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from events.catalog.reception_values import VehicleIdentity
from events.catalog.workshop import Finding, Job

# --- from reception's events (policies) -----------------------------------------------------


@dataclass(frozen=True)
class OpenWorkOrder:
    """reception.RepairOrderSigned: one job per signed line."""

    repair_order_id: UUID
    vehicle: VehicleIdentity
    priority: str
    customer_waiting: bool
    promised_at: datetime
    jobs: tuple[Job, ...]
    opened_at: datetime


@dataclass(frozen=True)
class ReceiveVehicle:
    """reception.VehicleHandedOver: the car and its key are in the workshop."""

    key_tag: str
    received_at: datetime


@dataclass(frozen=True)
class AddJobs:
    """reception.AdditionalWorkApproved (with its finding) or RepairLineAdded (without)."""

    jobs: tuple[Job, ...]
    finding_id: UUID | None
    added_at: datetime


@dataclass(frozen=True)
class WithdrawJob:
    """reception.RepairLineRemoved."""

    job_id: UUID
    reason: str
    withdrawn_at: datetime


@dataclass(frozen=True)
class NoteFindingDeclined:
    """reception.AdditionalWorkDeclined."""

    finding_id: UUID
    declined_at: datetime


@dataclass(frozen=True)
class UpdatePromisedTime:
    """reception.PromisedTimeRevised."""

    promised_at: datetime
    updated_at: datetime


# --- from parts' events (policies) ----------------------------------------------------------


@dataclass(frozen=True)
class MarkWaitingForParts:
    job_id: UUID
    part_number: str
    missing_quantity: int
    since: datetime


@dataclass(frozen=True)
class RecordPartsArrived:
    job_id: UUID
    part_number: str
    quantity: int
    arrived_at: datetime


# --- the dispatcher, the technicians, the inspector -----------------------------------------


@dataclass(frozen=True)
class DispatchJob:
    job_id: UUID
    technician_id: str
    bay: str
    dispatched_by: str
    dispatched_at: datetime


@dataclass(frozen=True)
class StartJob:
    job_id: UUID
    technician_id: str
    started_at: datetime


@dataclass(frozen=True)
class PauseJob:
    job_id: UUID
    technician_id: str
    reason: str
    paused_at: datetime


@dataclass(frozen=True)
class CompleteJob:
    job_id: UUID
    technician_id: str
    completed_at: datetime


@dataclass(frozen=True)
class RecordTestDrive:
    driven_by: str
    with_customer: bool
    notes: str
    driven_at: datetime


@dataclass(frozen=True)
class ReportAdditionalWork:
    findings: tuple[Finding, ...]
    reported_by: str
    found_at: datetime


@dataclass(frozen=True)
class PassQualityCheck:
    inspector: str
    checked_at: datetime


@dataclass(frozen=True)
class FailQualityCheck:
    inspector: str
    reasons: tuple[str, ...]
    rework_job_ids: tuple[UUID, ...]
    failed_at: datetime


# --- the durable timer ----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckProgress:
    """The progress-check timer fired (`check`: half_time or three_quarters)."""

    check: str
    checked_at: datetime


WorkOrderCommand = (
    OpenWorkOrder
    | ReceiveVehicle
    | AddJobs
    | WithdrawJob
    | NoteFindingDeclined
    | UpdatePromisedTime
    | MarkWaitingForParts
    | RecordPartsArrived
    | DispatchJob
    | StartJob
    | PauseJob
    | CompleteJob
    | RecordTestDrive
    | ReportAdditionalWork
    | PassQualityCheck
    | FailQualityCheck
    | CheckProgress
)
