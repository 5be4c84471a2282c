"""How parts reacts to events: its own orders arriving or leaving move stock, and the
workshop's and reception's needs become reservations.

Each reaction runs inside the consumer's transaction (`conn`), together with its inbox row:
a redelivered event changes nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from events.catalog.parts import PartsReceived, PartsTransferDispatched
from events.catalog.reception import AdditionalWorkApproved, RepairLineAdded, RepairOrderSigned
from events.catalog.reception_values import RepairLine
from events.connection import Connection
from events.envelope import Envelope, Metadata, Tenant
from events.runtime import Reaction
from parts.domain.stock_commands import ReceiveStock, RepairOrderLine, Reserve, TransferOut
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
            await reserve(conn, envelope, event.repair_order_id, event.lines, event.signed_at)
        elif isinstance(event, AdditionalWorkApproved):
            await reserve(conn, envelope, event.repair_order_id, event.lines, event.approved_at)
        elif isinstance(event, RepairLineAdded):
            await reserve(conn, envelope, event.repair_order_id, (event.line,), event.added_at)

    handles = {RepairOrderSigned.event_type, AdditionalWorkApproved.event_type, RepairLineAdded.event_type}
    return Reaction("line-reservations", ["reception"], handles, react)
