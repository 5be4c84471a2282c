"""How the workshop reacts to other services: the signed RO opens the work order, what the
customer later agrees to (or declines, or revises) changes its jobs, and parts shortages
hold a job until the parts arrive.

Each reaction runs inside the consumer's transaction together with its inbox row, so a
redelivered event changes nothing twice. Reception's and parts' events come on different
topics, so a shortage may arrive before the job it is for exists: such a signal is parked in
`parked_parts_signals` and applied when the job is created. Both reactions take one advisory
lock per repair order first, so a parked signal and the job's creation never miss each other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from events.catalog import parts as parts_events
from events.catalog import reception as reception_events
from events.catalog.reception_values import RepairLine
from events.catalog.workshop import Job
from events.connection import Connection
from events.envelope import Envelope, Metadata
from events.runtime import Reaction
from workshop.domain.commands import (
    AddJobs,
    MarkWaitingForParts,
    NoteFindingDeclined,
    OpenWorkOrder,
    ReceiveVehicle,
    RecordPartsArrived,
    UpdatePromisedTime,
    WithdrawJob,
)
from workshop.handlers import Workshop


def job_of(line: RepairLine) -> Job:
    """An agreed RO line as a job: the line id is the job id; its standard time is planned."""
    return Job(
        job_id=line.line_id,
        labour_operation=line.labour_operation,
        description=line.description,
        planned_minutes=line.labour_minutes,
        safety_critical=line.safety_critical,
        origin=line.origin,
    )


async def _lock(conn: Connection, repair_order_id: UUID) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"workshop:{repair_order_id}")


async def _apply_parked(
    workshop: Workshop, conn: Connection, metadata: Metadata, repair_order_id: UUID, jobs: tuple[Job, ...], at: datetime
) -> None:
    """Shortages that arrived before these jobs existed: the jobs start out waiting for them."""
    rows = await conn.fetch(
        """DELETE FROM parked_parts_signals WHERE repair_order_id = $1 AND job_id = ANY($2::uuid[])
           RETURNING job_id, part_number, missing_delta""",
        repair_order_id,
        [job.job_id for job in jobs],
    )
    missing: dict[tuple[UUID, str], int] = {}
    for row in rows:
        key = (row["job_id"], row["part_number"])
        missing[key] = missing.get(key, 0) + row["missing_delta"]
    for (job_id, part_number), quantity in sorted(missing.items(), key=str):
        if quantity > 0:
            await workshop.run(
                metadata, repair_order_id, MarkWaitingForParts(job_id, part_number, quantity, at), conn=conn
            )


def repair_orders(workshop: Workshop) -> Reaction:
    """reception → work order: open from the signed RO, receive the handed-over car, add approved or consented lines,
    withdraw removed lines, close declined findings, follow a revised promise."""

    async def react(conn: Connection, envelope: Envelope[Any]) -> None:
        event, metadata = envelope.event, envelope.caused()
        repair_order_id: UUID = event.repair_order_id
        await _lock(conn, repair_order_id)
        match event:
            case reception_events.RepairOrderSigned():
                jobs = tuple(job_of(line) for line in event.lines)
                command = OpenWorkOrder(
                    repair_order_id,
                    event.vehicle,
                    event.priority,
                    event.customer_waiting,
                    event.promised_at,
                    jobs,
                    event.signed_at,
                )
                await workshop.run(metadata, repair_order_id, command, conn=conn)
                await _apply_parked(workshop, conn, metadata, repair_order_id, jobs, event.signed_at)
            case reception_events.VehicleHandedOver():
                received = ReceiveVehicle(event.key_tag, event.handed_over_at)
                await workshop.run(metadata, repair_order_id, received, conn=conn)
            case reception_events.AdditionalWorkApproved():
                jobs = tuple(job_of(line) for line in event.lines)
                await workshop.run(
                    metadata, repair_order_id, AddJobs(jobs, event.finding_id, event.approved_at), conn=conn
                )
                await _apply_parked(workshop, conn, metadata, repair_order_id, jobs, event.approved_at)
            case reception_events.RepairLineAdded():
                jobs = (job_of(event.line),)
                await workshop.run(metadata, repair_order_id, AddJobs(jobs, None, event.added_at), conn=conn)
                await _apply_parked(workshop, conn, metadata, repair_order_id, jobs, event.added_at)
            case reception_events.RepairLineRemoved():
                withdraw = WithdrawJob(event.line_id, event.reason, event.removed_at)
                await workshop.run(metadata, repair_order_id, withdraw, conn=conn)
            case reception_events.AdditionalWorkDeclined():
                declined = NoteFindingDeclined(event.recommendation.finding_id, event.declined_at)
                await workshop.run(metadata, repair_order_id, declined, conn=conn)
            case reception_events.PromisedTimeRevised():
                await workshop.run(
                    metadata, repair_order_id, UpdatePromisedTime(event.promised_at, event.revised_at), conn=conn
                )

    handles = {
        reception_events.RepairOrderSigned.event_type,
        reception_events.VehicleHandedOver.event_type,
        reception_events.AdditionalWorkApproved.event_type,
        reception_events.RepairLineAdded.event_type,
        reception_events.RepairLineRemoved.event_type,
        reception_events.AdditionalWorkDeclined.event_type,
        reception_events.PromisedTimeRevised.event_type,
    }
    return Reaction("repair-orders", ["reception"], handles, react)


def _missing_delta(event: Any) -> tuple[int, datetime] | None:
    """How much more (> 0) or less (< 0) of a part an RO line now waits for."""
    match event:
        case parts_events.PartsShortageDetected():
            return event.missing_quantity, event.detected_at
        case parts_events.PartsReserved() if event.from_backorder:
            return -event.quantity, event.reserved_at
        case parts_events.ReservationReleased() if event.cancelled_backorder_quantity:
            return -event.cancelled_backorder_quantity, event.released_at
    return None


def parts_supply(workshop: Workshop) -> Reaction:
    """parts → jobs: a shortage for an RO line puts its job on waiting parts; the back-order
    filled (or no longer needed) releases it."""

    async def react(conn: Connection, envelope: Envelope[Any]) -> None:
        event = envelope.event
        change = _missing_delta(event)
        if change is None or event.repair_order_id is None or event.line_id is None:
            return  # stock for the shelf or an appointment: not a job's business
        delta, at = change
        repair_order_id, job_id = event.repair_order_id, event.line_id
        await _lock(conn, repair_order_id)
        state = await workshop.current(conn, repair_order_id)
        if job_id not in state.jobs:
            await conn.execute(
                """INSERT INTO parked_parts_signals (repair_order_id, job_id, part_number, missing_delta, at)
                   VALUES ($1, $2, $3, $4, $5)""",
                repair_order_id,
                job_id,
                event.part_number,
                delta,
                at,
            )
            return
        if delta > 0:
            command: MarkWaitingForParts | RecordPartsArrived = MarkWaitingForParts(
                job_id, event.part_number, delta, at
            )
        else:
            command = RecordPartsArrived(job_id, event.part_number, -delta, at)
        await workshop.run(envelope.caused(), repair_order_id, command, conn=conn)

    handles = {
        parts_events.PartsShortageDetected.event_type,
        parts_events.PartsReserved.event_type,
        parts_events.ReservationReleased.event_type,
    }
    return Reaction("parts-supply", ["parts"], handles, react)
