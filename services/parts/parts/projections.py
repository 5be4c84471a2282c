"""The parts read models, fed from the service's own event log: stock levels per site, the
sites known with their group, and the open orders and transfers — and the queries that read them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from events.catalog import parts as catalog
from events.catalog.parts_values import OrderLine
from events.connection import Connection
from events.envelope import Envelope, Tenant
from events.paging import Key, Listing, Window

_UPSERT_LEVEL = """
INSERT INTO stock_levels (group_id, site_id, part_number, on_hand, reserved, backordered, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (site_id, part_number) DO UPDATE SET
    on_hand = stock_levels.on_hand + EXCLUDED.on_hand,
    reserved = stock_levels.reserved + EXCLUDED.reserved,
    backordered = stock_levels.backordered + EXCLUDED.backordered,
    updated_at = EXCLUDED.updated_at
"""


def _stock_deltas(event: Any) -> tuple[int, int, int] | None:
    """(on hand, reserved, back-ordered) changes an event makes, or None if it makes none."""
    match event:
        case catalog.StockReceived() | catalog.PartsReturned():
            return event.quantity, 0, 0
        case catalog.StockAdjusted():
            return event.difference, 0, 0
        case catalog.PartsReserved():
            return 0, event.quantity, -event.quantity if event.from_backorder else 0
        case catalog.PartsShortageDetected():
            return 0, -event.withdrawn_quantity, event.missing_quantity
        case catalog.ReservationReleased():
            return 0, -event.released_quantity, -event.cancelled_backorder_quantity
        case catalog.PartsIssued():
            return -event.quantity, -event.from_reservation_quantity, 0
        case catalog.StockTransferredOut():
            return -event.quantity, 0, 0
    return None


class StockLevels:
    name = "parts.stock_levels"
    tables = ("stock_levels", "known_sites")
    handles = frozenset(
        m.event_type for m in catalog.__dict__.values() if isinstance(m, type) and hasattr(m, "event_type")
    )

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        tenant = envelope.tenant
        await conn.execute(
            "INSERT INTO known_sites (site_id, group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            tenant.site_id,
            tenant.group_id,
        )
        deltas = _stock_deltas(envelope.event)
        if deltas is not None:
            part = envelope.event.part_number
            await conn.execute(_UPSERT_LEVEL, tenant.group_id, tenant.site_id, part, *deltas, envelope.recorded_at)


class PartsOrders:
    name = "parts.orders"
    tables = ("parts_orders",)
    handles = frozenset(
        {
            catalog.PartsOrdered.event_type,
            catalog.PartsTransferRequested.event_type,
            catalog.PartsTransferDispatched.event_type,
            catalog.PartsReceived.event_type,
            catalog.PartsOrderCancelled.event_type,
        }
    )

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event, at = envelope.event, envelope.recorded_at
        if isinstance(event, catalog.PartsOrdered):
            await self._insert(
                conn, envelope, "emergency", "ordered", event.lines, event.supplier, None, event.expected_at
            )
        elif isinstance(event, catalog.PartsTransferRequested):
            await self._insert(
                conn, envelope, "transfer", "requested", event.lines, None, str(event.from_site_id), None
            )
        elif isinstance(event, catalog.PartsTransferDispatched):
            await self._status(conn, event.parts_order_id, "in_transit", at)
        elif isinstance(event, catalog.PartsOrderCancelled):
            await self._status(conn, event.parts_order_id, "cancelled", at)
        elif isinstance(event, catalog.PartsReceived):
            await conn.execute(
                """UPDATE parts_orders SET outstanding = outstanding - $2, updated_at = $3,
                       status = CASE WHEN outstanding - $2 <= 0 THEN 'received' ELSE 'partly_received' END
                   WHERE parts_order_id = $1""",
                event.parts_order_id,
                event.quantity,
                at,
            )

    async def _insert(
        self,
        conn: Connection,
        envelope: Envelope[Any],
        kind: str,
        status: str,
        lines: tuple[OrderLine, ...],
        supplier: str | None,
        from_site: str | None,
        expected_at: datetime | None,
    ) -> None:
        await conn.execute(
            """INSERT INTO parts_orders (parts_order_id, group_id, site_id, kind, status, supplier,
                   from_site_id, expected_at, lines, outstanding, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
            envelope.event.parts_order_id,
            envelope.tenant.group_id,
            envelope.tenant.site_id,
            kind,
            status,
            supplier,
            from_site,
            expected_at,
            json.dumps([line.model_dump(mode="json") for line in lines]),
            sum(line.quantity for line in lines),
            envelope.recorded_at,
        )

    async def _status(self, conn: Connection, order_id: UUID, status: str, at: datetime) -> None:
        await conn.execute(
            "UPDATE parts_orders SET status = $2, updated_at = $3 WHERE parts_order_id = $1", order_id, status, at
        )


# --- queries ----------------------------------------------------------------------------------

STOCK = Listing("parts.stock", (Key("part_number", str, nullable=False),))
ORDERS = Listing(
    "parts.orders",
    (Key("updated_at", datetime, descending=True, nullable=False), Key("parts_order_id", UUID, nullable=False)),
)


async def stock_list(
    pool: asyncpg.Pool, tenant: Tenant, short: bool, cursor: str | None, limit: int
) -> tuple[Window, list[asyncpg.Record]]:
    """A page of the site's stock levels by part number; `short`: only parts jobs wait for."""
    window = STOCK.window(cursor, limit, first=4)
    rows = await pool.fetch(
        f"""SELECT part_number, on_hand, reserved, on_hand - reserved AS available, backordered, updated_at
           FROM stock_levels WHERE group_id = $1 AND site_id = $2 AND (NOT $3 OR backordered > 0) AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        short,
        *window.params,
    )
    return window, rows


async def order_list(
    pool: asyncpg.Pool, tenant: Tenant, open_only: bool, cursor: str | None, limit: int
) -> tuple[Window, list[asyncpg.Record]]:
    """A page of the orders the site placed and the transfers other sites asked of it, the
    latest changed first; `open_only`: neither received in full nor cancelled."""
    window = ORDERS.window(cursor, limit, first=4)
    rows = await pool.fetch(
        f"""SELECT parts_order_id, site_id, kind, status, supplier, from_site_id, expected_at, lines,
                  outstanding, updated_at
           FROM parts_orders WHERE group_id = $1 AND (site_id = $2 OR from_site_id = $2)
             AND (NOT $3 OR status NOT IN ('received', 'cancelled')) AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        open_only,
        *window.params,
    )
    return window, rows


async def group_of_site(pool: asyncpg.Pool, site_id: UUID) -> str | None:
    """The dealer group of a site this service has seen events of (None: not seen yet)."""
    group: str | None = await pool.fetchval("SELECT group_id FROM known_sites WHERE site_id = $1", str(site_id))
    return group
