"""How parts reacts to events: its own orders arriving or leaving move stock, and the
workshop's and reception's needs become reservations.

Each reaction runs inside the consumer's transaction (`conn`), together with its inbox row:
a redelivered event changes nothing twice.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from events.catalog.booking import AppointmentBooked, AppointmentCancelled, AppointmentNoShow
from events.catalog.parts import PartsReceived, PartsTransferDispatched
from events.catalog.reception import AdditionalWorkApproved, RepairLineAdded, RepairOrderSigned
from events.catalog.reception_values import RepairLine
from events.connection import Connection
from events.envelope import Envelope, Metadata, Tenant
from events.runtime import Reaction
from parts.domain.stock_commands import ReceiveStock, ReleaseReservation, RepairOrderLine, Reserve, TransferOut
from parts.domain.stock_item import UnknownReservation
from parts.handlers import Parts


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
                unit_cost=0,
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
                command = Reserve(
                    part_number=part.part_number,
                    # The same line and part always get the same reservation id.
                    reservation_id=uuid5(line.line_id, part.part_number.upper()),
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
                await release_appointment(parts, conn, envelope, event.appointment_id, reason, event.signed_at)
            await reserve(conn, envelope, event.repair_order_id, event.lines, event.signed_at)
        elif isinstance(event, AdditionalWorkApproved):
            await reserve(conn, envelope, event.repair_order_id, event.lines, event.approved_at)
        elif isinstance(event, RepairLineAdded):
            await reserve(conn, envelope, event.repair_order_id, (event.line,), event.added_at)

    handles = {RepairOrderSigned.event_type, AdditionalWorkApproved.event_type, RepairLineAdded.event_type}
    return Reaction("line-reservations", ["reception"], handles, react)


async def _lock_appointment(conn: Connection, appointment_id: UUID) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"parts:appointment:{appointment_id}")


async def release_appointment(
    parts: Parts, conn: Connection, envelope: Envelope[Any], appointment_id: UUID, reason: str, at: datetime
) -> None:
    """Release whatever is still held for an appointment (nothing twice: the rows go), and
    remember it is closed."""
    await _lock_appointment(conn, appointment_id)
    await conn.execute("INSERT INTO appointments_closed VALUES ($1) ON CONFLICT DO NOTHING", appointment_id)
    rows = await conn.fetch(
        "DELETE FROM appointment_reservations WHERE appointment_id = $1 RETURNING part_number, reservation_id",
        appointment_id,
    )
    for row in rows:
        # Already issued or released at the counter: nothing left to hand back.
        with suppress(UnknownReservation):
            command = ReleaseReservation(row["part_number"], row["reservation_id"], reason, at)
            await parts.stock(envelope.caused(), command, conn=conn)


def appointment_reservations(parts: Parts) -> Reaction:
    """The parts an appointment's jobs need are held for it from booking on (the preparation's
    parts pre-check reads the outcome); a cancellation or no-show gives them back."""

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
            await release_appointment(parts, conn, envelope, event.appointment_id, reason, event.cancelled_at)
        elif isinstance(event, AppointmentNoShow):
            reason = "the customer did not come"
            await release_appointment(parts, conn, envelope, event.appointment_id, reason, event.recorded_at)

    handles = {AppointmentBooked.event_type, AppointmentCancelled.event_type, AppointmentNoShow.event_type}
    return Reaction("appointment-reservations", ["booking"], handles, react)
