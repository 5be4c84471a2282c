"""The facts the workshop domain tests share: one repair order with two signed lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from events.catalog import workshop as ev
from events.catalog.reception_values import RepairLine, RepairPart, VehicleIdentity
from events.catalog.workshop import Finding, Job
from events.contract import Event
from events.testing.deciders import scenario
from workshop.domain.work_order import work_order

given = scenario(work_order)

T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
PROMISED = T0 + timedelta(hours=4)
RO = uuid4()
OIL, BRAKES = uuid4(), uuid4()
CAR = VehicleIdentity(vin="LFV2A21K8G3000001", plate="京A12345", model="Sagitar")


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def job(job_id: UUID, minutes: int = 60, operation: str = "OIL-CHG", origin: str = "estimate") -> Job:
    return Job(
        job_id=job_id, labour_operation=operation, description=operation.lower(), planned_minutes=minutes, origin=origin
    )


OPENED = ev.WorkOrderOpened(
    repair_order_id=RO,
    vehicle=CAR,
    priority="appointment",
    customer_waiting=True,
    promised_at=PROMISED,
    jobs=(job(OIL, 40), job(BRAKES, 90, "BRK-PAD")),
    opened_at=T0,
)

RECEIVED = ev.VehicleReceived(repair_order_id=RO, key_tag="K-17", received_at=at(2))


def dispatched(job_id: UUID = OIL, technician: str = "tech-1", minutes: int = 5) -> ev.JobDispatched:
    return ev.JobDispatched(
        repair_order_id=RO,
        job_id=job_id,
        technician_id=technician,
        bay="bay-3",
        dispatched_by="dispatcher-1",
        dispatched_at=at(minutes),
    )


def started(job_id: UUID = OIL, technician: str = "tech-1", minutes: int = 10, rework: bool = False) -> ev.JobStarted:
    return ev.JobStarted(
        repair_order_id=RO, job_id=job_id, technician_id=technician, rework=rework, started_at=at(minutes)
    )


def completed(job_id: UUID = OIL, technician: str = "tech-1", start: int = 10, end: int = 50) -> ev.JobCompleted:
    planned = {OIL: 40, BRAKES: 90}.get(job_id, 60)
    return ev.JobCompleted(
        repair_order_id=RO,
        job_id=job_id,
        technician_id=technician,
        worked_minutes=end - start,
        total_worked_minutes=end - start,
        planned_minutes=planned,
        completed_at=at(end),
    )


def finding(description: str = "front brake discs worn", safety: bool = True) -> Finding:
    line = RepairLine(
        line_id=uuid4(),
        labour_operation="BRK-DISC",
        description=description,
        labour_minutes=60,
        labour_price=30000,
        pay_type="CUSTOMER_PAY",
        parts=(RepairPart(part_number="DISC-1", description="disc", quantity=2, unit_price=45000),),
        safety_critical=safety,
        origin="additional_work",
    )
    return Finding(
        finding_id=uuid4(),
        description=description,
        safety_critical=safety,
        proposed_lines=(line,),
        extra_minutes=60,
        evidence_refs=("photo-1",),
    )


def found(*findings: Finding, round: int = 1, minutes: int = 20) -> ev.AdditionalWorkFound:
    return ev.AdditionalWorkFound(
        repair_order_id=RO, round=round, findings=findings, reported_by="tech-1", found_at=at(minutes)
    )


def both_done() -> list[Event]:
    return [
        OPENED,
        RECEIVED,
        dispatched(OIL),
        dispatched(BRAKES, "tech-2"),
        started(OIL),
        started(BRAKES, "tech-2"),
        completed(OIL, start=10, end=50),
        completed(BRAKES, "tech-2", start=10, end=100),
    ]
