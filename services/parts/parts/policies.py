"""How parts reacts to events: its own orders arriving or leaving move stock, the workshop's
and reception's needs become reservations, and what no job will use any more is given back.

Each reaction runs inside the consumer's transaction (`conn`), together with its inbox row:
a redelivered event changes nothing twice.

Given back (released: held parts free again, a back-order wait cancelled), so no stock is held
forever (docs/flow.md, "Parts held are given back"):
- a RO line removed (`reception.RepairLineRemoved`): that line's reservations;
- a car delivered (`reception.VehicleDelivered`): every reservation still open for its RO's
  lines, i.e. whatever was never issued; parts issued and not fitted come back by a return;
- an appointment cancelled or a no-show; an arrived car sent off with an exit slip; an arrived
  car whose repair order is not signed within `ARRIVED_HOLD` of its arrival (a durable timer).
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4, uuid5

from events import timers
from events.catalog.booking import AppointmentBooked, AppointmentCancelled, AppointmentNoShow, VehicleArrived
from events.catalog.parts import PartsReceived, PartsTransferDispatched
from events.catalog.reception import (
    AdditionalWorkApproved,
    ExitSlipIssued,
    RepairLineAdded,
    RepairLineRemoved,
    RepairOrderSigned,
    VehicleCheckedIn,
    VehicleDelivered,
)
from events.catalog.reception_values import RepairLine
from events.connection import Connection
from events.envelope import Envelope, Metadata, Tenant
from events.runtime import Reaction
from events.timers import DueTimer, TimerHandler
from parts.domain.clocks import ARRIVED_HOLD as ARRIVED_HOLD  # the hold's length, read by the tests
from parts.domain.clocks import ARRIVED_HOLD_ENDS as ARRIVED_HOLD_ENDS  # the timer's kind, wired by the app
from parts.domain.clocks import arrived_hold
from parts.domain.stock_commands import ReceiveStock, ReleaseReservation, RepairOrderLine, Reserve, TransferOut
from parts.domain.stock_item import UnknownReservation
from parts.handlers import Parts

SYSTEM_ACTOR = "parts.arrived-hold-clock"


def stock_movements(parts: Parts) -> Reaction:
    """A parts order line received puts the parts on the receiving site's shelf (its RO line
    first); a dispatched transfer takes them off the giving site's shelf."""

    async def react(conn: Connection, envelope: Envelope[Any]) -> None:
        event = envelope.event
        if isinstance(event, PartsReceived):
            priority = (
                (RepairOrderLine(event.repair_order_id, event.line_id),)
                if event.repair_order_id and event.line_id
                else ()
            )
            command = ReceiveStock(
                part_number=event.part_number,
                quantity=event.quantity,
                unit_cost=event.unit_cost,
                source="transfer" if event.order_kind == "transfer" else "supplier",
                received_at=event.received_at,
                parts_order_id=event.parts_order_id,
                priority_lines=priority,
            )
            await parts.stock(envelope.caused(), command, conn=conn)
        elif isinstance(event, PartsTransferDispatched):
            giving_site = Tenant(envelope.tenant.group_id, str(event.from_site_id))
            caused = envelope.caused()
            metadata = Metadata(
                giving_site, caused.actor, caused.correlation_id, caused.causation_id, caused.traceparent
            )
            for line in event.lines:
                out = TransferOut(
                    line.part_number, event.parts_order_id, event.to_site_id, line.quantity, event.dispatched_at
                )
                await parts.stock(metadata, out, conn=conn)

    return Reaction("stock-movements", ["parts"], {PartsReceived.event_type, PartsTransferDispatched.event_type}, react)


def line_reservations(parts: Parts) -> Reaction:
    """Parts for the work the customer agreed to: every part of a signed, approved or added RO
    line is reserved for that line (customer-supplied parts excepted). A shortage is recorded
    by the stock item and the workshop hears of it."""

    async def reserve(
        conn: Connection, envelope: Envelope[Any], repair_order_id: UUID, lines: tuple[RepairLine, ...], at: datetime
    ) -> None:
        for line in lines:
            for part in line.parts:
                if part.customer_supplied:
                    continue
                # The same line and part always get the same reservation id.
                reservation_id = uuid5(line.line_id, part.part_number.upper())
                # Remembered so that a removed line or the delivery can give the parts back
                # (those events do not list the parts).
                await conn.execute(
                    """INSERT INTO line_reservations (repair_order_id, line_id, part_number, reservation_id)
                       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""",
                    repair_order_id,
                    line.line_id,
                    part.part_number.upper(),
                    reservation_id,
                )
                command = Reserve(
                    part_number=part.part_number,
                    reservation_id=reservation_id,
                    quantity=part.quantity,
                    requested_at=at,
                    repair_order_id=repair_order_id,
                    line_id=line.line_id,
                )
                await parts.stock(envelope.caused(), command, conn=conn)

    async def react(conn: Connection, envelope: Envelope[Any]) -> None:
        event = envelope.event
        if isinstance(event, RepairOrderSigned):
            if event.appointment_id is not None:
                # The appointment's parts now belong to the RO's lines: hand them over.
                reason = f"the car's repair order {event.repair_order_id} reserves for its lines"
                await release_appointment(parts, conn, envelope.caused(), event.appointment_id, reason, event.signed_at)
            await reserve(conn, envelope, event.repair_order_id, event.lines, event.signed_at)
        elif isinstance(event, AdditionalWorkApproved):
            await reserve(conn, envelope, event.repair_order_id, event.lines, event.approved_at)
        elif isinstance(event, RepairLineAdded):
            await reserve(conn, envelope, event.repair_order_id, (event.line,), event.added_at)
        elif isinstance(event, RepairLineRemoved):
            rows = await conn.fetch(
                "DELETE FROM line_reservations WHERE line_id = $1 RETURNING part_number, reservation_id", event.line_id
            )
            reason = f"line removed from repair order {event.repair_order_id}: {event.reason}"
            await _release(parts, conn, envelope.caused(), rows, reason, event.removed_at)
        elif isinstance(event, VehicleDelivered):
            # Whatever is still held or awaited was never issued: the car has gone without it.
            rows = await conn.fetch(
                "DELETE FROM line_reservations WHERE repair_order_id = $1 RETURNING part_number, reservation_id",
                event.repair_order_id,
            )
            reason = f"repair order {event.repair_order_id} delivered without these parts"
            await _release(parts, conn, envelope.caused(), rows, reason, event.delivered_at)

    handles = {
        RepairOrderSigned.event_type,
        AdditionalWorkApproved.event_type,
        RepairLineAdded.event_type,
        RepairLineRemoved.event_type,
        VehicleDelivered.event_type,
    }
    return Reaction("line-reservations", ["reception"], handles, react)


async def _release(
    parts: Parts, conn: Connection, metadata: Metadata, rows: list[Any], reason: str, at: datetime
) -> None:
    """Release each (part_number, reservation_id) row's reservation that is still open."""
    for row in rows:
        # Already issued in full or released at the counter: nothing left to hand back.
        with suppress(UnknownReservation):
            command = ReleaseReservation(row["part_number"], row["reservation_id"], reason, at)
            await parts.stock(metadata, command, conn=conn)


async def _lock_appointment(conn: Connection, appointment_id: UUID) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"parts:appointment:{appointment_id}")


async def release_appointment(
    parts: Parts, conn: Connection, metadata: Metadata, appointment_id: UUID, reason: str, at: datetime
) -> None:
    """Release whatever is still held for an appointment (nothing twice: the rows go), and
    remember it is closed."""
    await _lock_appointment(conn, appointment_id)
    await conn.execute("INSERT INTO appointments_closed VALUES ($1) ON CONFLICT DO NOTHING", appointment_id)
    rows = await conn.fetch(
        "DELETE FROM appointment_reservations WHERE appointment_id = $1 RETURNING part_number, reservation_id",
        appointment_id,
    )
    await _release(parts, conn, metadata, rows, reason, at)


def arrived_hold_ends(parts: Parts) -> TimerHandler:
    """The hold of an arrived car ended: unless its signed repair order took the parts over
    (the appointment is closed then, and nothing is left to release), they are given back."""

    async def fire(conn: Connection, timer: DueTimer) -> None:
        metadata = Metadata(timer.tenant, SYSTEM_ACTOR, str(uuid4()), causation_id=timer.timer_id)
        reason = "the car arrived but no repair order was signed for it"
        await release_appointment(parts, conn, metadata, UUID(timer.payload["appointment_id"]), reason, timer.due_at)

    return fire


def visits_without_repair_order(parts: Parts) -> Reaction:
    """An appointment car checked in and sent off with an exit slip (a consultation, or the
    repair declined) gives its parts back at once. The exit slip names only the check-in's
    repair-order id, so the check-in's appointment is remembered."""

    async def react(conn: Connection, envelope: Envelope[Any]) -> None:
        event = envelope.event
        if isinstance(event, VehicleCheckedIn) and event.appointment_id is not None:
            await conn.execute(
                "INSERT INTO checked_in_appointments VALUES ($1, $2) ON CONFLICT DO NOTHING",
                event.repair_order_id,
                event.appointment_id,
            )
            await timers.keep(conn, envelope, arrived_hold)
        elif isinstance(event, ExitSlipIssued):
            appointment_id = await conn.fetchval(
                "DELETE FROM checked_in_appointments WHERE repair_order_id = $1 RETURNING appointment_id",
                event.repair_order_id,
            )
            if appointment_id is not None:
                reason = f"the visit ended with an exit slip ({event.exit_kind})"
                await release_appointment(parts, conn, envelope.caused(), appointment_id, reason, event.issued_at)

    handles = {VehicleCheckedIn.event_type, ExitSlipIssued.event_type}
    return Reaction("visits-without-repair-order", ["reception"], handles, react)


def appointment_reservations(parts: Parts) -> Reaction:
    """The parts an appointment's jobs need are held for it from booking on (the preparation's
    parts pre-check reads the outcome); a cancellation or no-show gives them back, and the car's
    arrival starts the clock after which they are given back unless its repair order is signed."""

    async def react(conn: Connection, envelope: Envelope[Any]) -> None:
        event = envelope.event
        if isinstance(event, AppointmentBooked):
            await _lock_appointment(conn, event.appointment_id)
            if await conn.fetchval("SELECT 1 FROM appointments_closed WHERE appointment_id = $1", event.appointment_id):
                return  # the car's RO (or a cancellation) came first: nothing to hold any more
            tenant = envelope.tenant
            for job in event.requested_jobs:
                for part in job.parts:
                    reservation_id = uuid5(event.appointment_id, part.part_number.upper())
                    inserted = await conn.fetchval(
                        """INSERT INTO appointment_reservations
                               (appointment_id, part_number, reservation_id, group_id, site_id)
                           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1""",
                        event.appointment_id,
                        part.part_number.upper(),
                        reservation_id,
                        tenant.group_id,
                        tenant.site_id,
                    )
                    if inserted:  # the same part asked by two jobs: one reservation for both
                        quantity = sum(
                            p.quantity
                            for j in event.requested_jobs
                            for p in j.parts
                            if p.part_number.upper() == part.part_number.upper()
                        )
                        command = Reserve(
                            part_number=part.part_number,
                            reservation_id=reservation_id,
                            quantity=quantity,
                            requested_at=event.booked_at,
                            appointment_id=event.appointment_id,
                        )
                        await parts.stock(envelope.caused(), command, conn=conn)
        elif isinstance(event, AppointmentCancelled):
            reason = f"appointment cancelled: {event.reason}"
            await release_appointment(parts, conn, envelope.caused(), event.appointment_id, reason, event.cancelled_at)
        elif isinstance(event, AppointmentNoShow):
            reason = "the customer did not come"
            await release_appointment(parts, conn, envelope.caused(), event.appointment_id, reason, event.recorded_at)
        elif isinstance(event, VehicleArrived):
            await timers.keep(conn, envelope, arrived_hold)

    handles = {
        AppointmentBooked.event_type,
        AppointmentCancelled.event_type,
        AppointmentNoShow.event_type,
        VehicleArrived.event_type,
    }
    return Reaction("appointment-reservations", ["booking"], handles, react)
