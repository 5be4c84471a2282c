"""The reception read model, fed from the service's own event log: one row per visit, for the
list of a site's (open) repair orders; and its query."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from events.catalog import reception as catalog
from events.connection import Connection
from events.envelope import Envelope, Tenant
from events.paging import Key, Listing, Window
from events.privacy import PersonalColumn

# Where this service's read models hold customers' personal data: scrubbed on an erasure (decision 0004).
PERSONAL_COLUMNS = (
    PersonalColumn("repair_orders", "customer_name"),
    PersonalColumn("advisor_board", "customer_name"),
)

_INSERT = """
INSERT INTO repair_orders (repair_order_id, group_id, site_id, status, advisor, plate, vin, customer_name,
    arrival_kind, priority, customer_waiting, checked_in_at, currency, updated_at, greeted_at)
VALUES ($1, $2, $3, 'checked_in', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (repair_order_id) DO NOTHING
"""

# A finding awaits the customer's decision while any other still does; the desk calls about those.
_FINDING = """
UPDATE repair_orders SET pending_findings = pending_findings + $2, updated_at = $3,
    status = CASE WHEN pending_findings + $2 > 0 THEN 'awaiting_approval'
                  WHEN status = 'awaiting_approval' THEN 'in_workshop' ELSE status END
WHERE repair_order_id = $1
"""
_BACK_TO_WORKSHOP = """
UPDATE repair_orders SET ready = false, updated_at = $2,
    status = CASE WHEN status = 'ready' THEN 'in_workshop' ELSE status END
WHERE repair_order_id = $1
"""

# The status each milestone moves the visit to; the other events only touch the columns below.
_STATUS = {
    catalog.EstimatePrepared.event_type: "estimated",
    catalog.RepairOrderSigned.event_type: "signed",
    catalog.VehicleHandedOver.event_type: "in_workshop",
    catalog.ReadyForDeliveryMarked.event_type: "ready",
    catalog.InvoiceSettled.event_type: "settled",
    catalog.VehicleDelivered.event_type: "delivered",
    catalog.ExitSlipIssued.event_type: "exit_slip",
}


class RepairOrders:
    name = "reception.repair_orders"
    tables = ("repair_orders",)
    handles = frozenset(
        {
            catalog.VehicleCheckedIn.event_type,
            catalog.PromisedTimeRevised.event_type,
            catalog.RepairLineAdded.event_type,
            catalog.AdditionalWorkAwaitingApproval.event_type,
            catalog.AdditionalWorkApproved.event_type,
            catalog.AdditionalWorkDeclined.event_type,
            *_STATUS,
        }
    )

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event, at = envelope.event, envelope.recorded_at
        if isinstance(event, catalog.VehicleCheckedIn):
            await conn.execute(
                _INSERT,
                event.repair_order_id,
                envelope.tenant.group_id,
                envelope.tenant.site_id,
                event.service_advisor,
                event.vehicle.plate,
                event.vehicle.vin,
                event.customer.name,
                event.arrival_kind,
                event.priority,
                event.customer_waiting,
                event.arrived_at,
                event.currency,
                at,
                event.greeted_at,
            )
            return
        ro: UUID = event.repair_order_id
        if isinstance(event, catalog.EstimatePrepared | catalog.RepairOrderSigned | catalog.PromisedTimeRevised):
            await self._set(conn, ro, at, "promised_at", event.promised_at)
        if isinstance(event, catalog.RepairOrderSigned):
            await self._set(conn, ro, at, "signed", True)
        elif isinstance(event, catalog.ReadyForDeliveryMarked):
            await self._set(conn, ro, at, "ready", True)
        elif isinstance(event, catalog.AdditionalWorkAwaitingApproval):
            await conn.execute(_FINDING, ro, 1, at)
        elif isinstance(event, catalog.AdditionalWorkApproved | catalog.AdditionalWorkDeclined):
            await conn.execute(_FINDING, ro, -1, at)
        if isinstance(event, catalog.RepairLineAdded | catalog.AdditionalWorkApproved):
            # New work goes back to the workshop: the car is no longer ready (as in the domain).
            await conn.execute(_BACK_TO_WORKSHOP, ro, at)
        elif isinstance(event, catalog.InvoiceSettled):
            await self._set(conn, ro, at, "settled", True)
            await self._set(conn, ro, at, "invoice_total", event.total)
        elif isinstance(event, catalog.VehicleDelivered):
            await self._set(conn, ro, at, "delivered", True)
        status = _STATUS.get(envelope.event_type)
        if status is not None:
            await self._set(conn, ro, at, "status", status)

    async def _set(self, conn: Connection, ro: UUID, at: datetime, column: str, value: Any) -> None:
        # `column` is always one of the literal names above, never input.
        await conn.execute(
            f"UPDATE repair_orders SET {column} = $2, updated_at = $3 WHERE repair_order_id = $1",
            ro,
            value,
            at,
        )


# --- reading --------------------------------------------------------------------------------

# The site's visits, newest first, a page at a time (`events.paging`).
VISITS = Listing(
    "reception.repair_orders",
    (Key("checked_in_at", datetime, descending=True, nullable=False), Key("repair_order_id", UUID, nullable=False)),
)


async def visits(pool: asyncpg.Pool, tenant: Tenant, open_only: bool, window: Window) -> list[asyncpg.Record]:
    """The site's visits in `window` of `VISITS`; `open_only`: not yet delivered or ended by an exit slip."""
    rows: list[asyncpg.Record] = await pool.fetch(
        f"""SELECT repair_order_id, status, advisor, plate, vin, customer_name, arrival_kind, priority,
                  customer_waiting, promised_at, checked_in_at, greeted_at, signed, ready, settled, delivered,
                  invoice_total, currency, updated_at
           FROM repair_orders WHERE group_id = $1 AND site_id = $2
             AND (NOT $3 OR status NOT IN ('delivered', 'exit_slip')) AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        open_only,
        *window.params,
    )
    return rows
