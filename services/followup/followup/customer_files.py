"""The customer files, a read model fed from the service's own event log: the customer's record
(visits, notes for the next visit, do-not-call, wishes, appointment proposals) — and the query
the API lists them with."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from events.catalog import followup_files as ev
from events.connection import Connection
from events.envelope import Envelope, Tenant
from events.paging import Key as SortKey
from events.paging import Listing, Window
from events.privacy import PersonalColumn

# Where the files hold customers' personal data: scrubbed on an erasure (decision 0004).
PERSONAL_COLUMNS = (
    PersonalColumn("customer_files", "name"),
    PersonalColumn("customer_files", "phone"),
    PersonalColumn("customer_file_visits", "owner_name"),
)


class CustomerFiles:
    name = "followup.customer_files"
    tables = ("customer_files", "customer_file_visits", "customer_file_notes", "appointment_proposals")
    handles = frozenset(
        event.event_type
        for event in (
            ev.CustomerFileOpened,
            ev.VisitRecorded,
            ev.DoNotCallSet,
            ev.DoNotCallCleared,
            ev.WishRecorded,
            ev.NextVisitNoteAdded,
            ev.AppointmentProposed,
        )
    )

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event, tenant, at = envelope.event, envelope.tenant, envelope.recorded_at
        match event:
            case ev.CustomerFileOpened():
                await conn.execute(
                    """INSERT INTO customer_files (file_id, group_id, site_id, name, phone, customer_id, opened_at,
                           updated_at)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (file_id) DO NOTHING""",
                    event.file_id,
                    tenant.group_id,
                    tenant.site_id,
                    event.contact.name,
                    event.contact.phone,
                    event.contact.customer_id,
                    event.opened_at,
                    at,
                )
            case ev.VisitRecorded():
                await self._visit(conn, event, at)
            case ev.DoNotCallSet():
                sql = "do_not_call = true, do_not_call_reason = $2"
                await self._set(conn, event.file_id, sql, at, event.reason)
            case ev.DoNotCallCleared():
                await self._set(conn, event.file_id, "do_not_call = false, do_not_call_reason = NULL", at)
            case ev.WishRecorded():
                await self._set(conn, event.file_id, "wishes = array_append(wishes, $2)", at, event.wish)
            case ev.NextVisitNoteAdded():
                await conn.execute(
                    """INSERT INTO customer_file_notes VALUES ($1, $2, $3, $4, $5, $6, $7)
                       ON CONFLICT (note_id) DO NOTHING""",
                    event.note_id,
                    event.file_id,
                    event.note,
                    event.source,
                    event.callback_id,
                    event.added_by,
                    event.added_at,
                )
            case ev.AppointmentProposed():
                await conn.execute(
                    """INSERT INTO appointment_proposals VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                       ON CONFLICT (proposal_id) DO NOTHING""",
                    event.proposal_id,
                    tenant.group_id,
                    tenant.site_id,
                    event.file_id,
                    event.reason,
                    event.vehicle.plate,
                    event.suggested_date,
                    event.contact_from,
                    event.phone_allowed,
                    event.proposed_at,
                )

    async def _visit(self, conn: Connection, event: ev.VisitRecorded, at: Any) -> None:
        await conn.execute(
            """INSERT INTO customer_file_visits
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
               ON CONFLICT (repair_order_id) DO UPDATE SET vin = $3, plate = $4, model = $5, owner_name = $6,
                   mileage_km = $8, work_done = $9, invoice_number = $10, next_service_due_date = $11,
                   next_service_due_km = $12, amended = $15""",
            event.repair_order_id,
            event.file_id,
            event.vehicle.vin,
            event.vehicle.plate,
            event.vehicle.model,
            event.owner.name,
            event.visited_at,
            event.mileage_km,
            list(event.work_done),
            event.invoice_number,
            event.next_service_due_date,
            event.next_service_due_km,
            event.due_by,
            event.on_time,
            event.amended,
        )
        await self._set(
            conn,
            event.file_id,
            """name = $2, phone = $3, last_plate = $4, last_visit_at = GREATEST(last_visit_at, $5),
               visits = (SELECT count(*) FROM customer_file_visits WHERE file_id = $1)""",
            at,
            event.vehicle_user.name,
            event.vehicle_user.phone,
            event.vehicle.plate,
            event.visited_at,
        )

    async def _set(self, conn: Connection, file_id: Any, assignments: str, at: Any, *args: Any) -> None:
        await conn.execute(
            f"UPDATE customer_files SET {assignments}, updated_at = ${len(args) + 2} WHERE file_id = $1",
            file_id,
            *args,
            at,
        )


# --- the query the API lists them with ----------------------------------------------------


FILES = Listing(
    "followup.customer_files",
    (
        SortKey("last_visit_at", datetime, descending=True, nulls_first=False, sql="f.last_visit_at"),
        SortKey("file_id", UUID, nullable=False, sql="f.file_id"),
    ),
)


async def customer_files(
    pool: asyncpg.Pool,
    tenant: Tenant,
    *,
    phone: str | None,
    plate: str | None,
    name: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[Window, list[asyncpg.Record]]:
    """A page of the site's customer files, last visit first."""
    window = FILES.window(cursor, limit, first=6)
    rows: list[asyncpg.Record] = await pool.fetch(
        f"""SELECT f.* FROM customer_files f
           WHERE f.group_id = $1 AND f.site_id = $2 AND ($3::text IS NULL OR f.phone = $3)
             AND ($4::text IS NULL OR EXISTS (
                 SELECT 1 FROM customer_file_visits v WHERE v.file_id = f.file_id AND v.plate = $4))
             AND ($5::text IS NULL OR f.name ILIKE '%' || $5 || '%') AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        phone,
        plate,
        name,
        *window.params,
    )
    return window, rows
