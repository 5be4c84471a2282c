"""What the workshop API accepts (request bodies, validated: 422 with field errors) and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, model_validator

from events.catalog.reception_values import RepairLine
from events.catalog.workshop import Finding
from workshop.domain.forecast import forecast
from workshop.domain.settings import WorkshopSettings
from workshop.domain.state import WorkOrder


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DispatchBody(Body):
    technician_id: str = Field(min_length=1, max_length=100)
    bay: str = Field(min_length=1, max_length=50)


class ClockBody(Body):
    """`technician_id`: only a dispatcher or manager clocks on someone else's behalf."""

    technician_id: str | None = Field(default=None, min_length=1, max_length=100)


class PauseBody(ClockBody):
    reason: str = Field(description="break, end_of_shift, waiting_parts, waiting_approval, waiting_tools, other")


class TestDriveBody(Body):
    __test__ = False  # not a pytest test class, despite its name

    with_customer: bool = False
    notes: str = Field(default="", max_length=2000)


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


class QualityCheckBody(Body):
    passed: bool
    reasons: tuple[str, ...] = Field(default=(), max_length=50)
    rework_job_ids: tuple[UUID, ...] = Field(default=(), max_length=100)

    @model_validator(mode="after")
    def failure_says_why(self) -> QualityCheckBody:
        if not self.passed and not (self.reasons and self.rework_job_ids):
            raise ValueError("a failed quality check names its reasons and the jobs to rework")
        return self


class SettingsBody(Body):
    jobs_per_technician: int = Field(ge=1, le=10, description="jobs one technician may be clocked on at once")


def settings_view(settings: WorkshopSettings) -> dict[str, Any]:
    return {
        "jobs_per_technician": settings.jobs_per_technician,
        "set_by": settings.set_by,
        "set_at": settings.set_at,
        "defaults": settings.set_at is None,
    }


def work_order_view(state: WorkOrder, version: int, now: datetime) -> dict[str, Any]:
    seen = forecast(state, now)
    return {
        "repair_order_id": str(state.repair_order_id),
        "version": version,
        "status": state.status,
        "promised_at": state.promised_at,
        "forecast_ready_at": seen.ready_at,
        "remaining_minutes": seen.remaining_minutes,
        "customer_waiting": state.customer_waiting,
        "key_tag": state.key_tag,
        "received_at": state.received_at,
        "finding_rounds": state.finding_rounds,
        "pending_findings": sorted(str(f) for f in state.pending_findings),
        "failed_quality_checks": state.failed_checks,
        "jobs": [
            {
                "job_id": str(job.job_id),
                "labour_operation": job.job.labour_operation,
                "description": job.job.description,
                "planned_minutes": job.job.planned_minutes,
                "safety_critical": job.job.safety_critical,
                "origin": job.job.origin,
                "status": job.status,
                "technician_id": job.technician_id,
                "bay": job.bay,
                "worked_minutes": job.worked_minutes,
                "missing_parts": dict(job.missing_parts),
                "rework": job.rework,
            }
            for job in state.jobs.values()
        ],
    }
