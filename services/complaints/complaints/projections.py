"""The complaints read models, fed from the service's own event log: the complaint desk (each
complaint with its step, class, SLA clock, breach and escalations) and the complaint reports in
each customer's record. Every value comes from the events (times are the events' own or their
recorded time), so a rebuild from zero gives the same rows. Nothing here is counted per person.
The queries the API answers from them are at the end."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from events.catalog import complaints as ev
from events.catalog.complaints_values import ComplaintReport
from events.connection import Connection
from events.envelope import Envelope, Tenant
from events.paging import Key, Listing, Window
from events.privacy import PersonalColumn

# Where this service's read models hold customers' personal data: scrubbed on an erasure (decision 0004).
PERSONAL_COLUMNS = (PersonalColumn("complaint_desk", "customer_words"),)

_INSERT = """
INSERT INTO complaint_desk (complaint_id, group_id, site_id, customer_id, vin, repair_order_id, callback_id, channel,
                            kind, category, serious_reasons, customer_words, step, received_at, resolve_by,
                            handled_by, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'received', $13, $14, $15, $16)
ON CONFLICT (complaint_id) DO NOTHING
"""

# The step each event leaves the complaint at (a refused explanation goes back to the facts; an
# unsatisfied follow-up to the step before the one done again), as the domain's state has it.
_BEFORE_REDO = {"listen": "received", "confirm_facts": "listened", "decide": "facts_confirmed", "act": "explained"}


class ComplaintDesk:
    name = "complaints.desk"
    tables = ("complaint_desk", "complaint_reports")
    handles = frozenset(
        e.event_type
        for e in (
            ev.ComplaintOpened,
            ev.ComplaintEscalated,
            ev.ComplaintReclassified,
            ev.ComplaintListened,
            ev.ComplaintFactsConfirmed,
            ev.ComplaintDecisionMade,
            ev.ComplaintDecisionExplained,
            ev.ComplaintActionTaken,
            ev.ComplaintFollowedUp,
            ev.ComplaintClosed,
            ev.ComplaintSlaBreached,
            ev.ComplaintFollowUpOverdue,
        )
    )

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event, tenant, at = envelope.event, envelope.tenant, envelope.recorded_at
        cid: UUID = event.complaint_id
        match event:
            case ev.ComplaintOpened():
                await conn.execute(
                    _INSERT,
                    cid,
                    tenant.group_id,
                    tenant.site_id,
                    event.customer_id,
                    event.vin,
                    event.repair_order_id,
                    event.callback_id,
                    event.channel,
                    event.kind,
                    event.category,
                    list(event.serious_reasons),
                    event.customer_words,
                    event.received_at,
                    event.resolve_by,
                    event.handled_by,
                    at,
                )
            case ev.ComplaintEscalated():
                escalation = {
                    "reason": event.reason,
                    "to_role": event.to_role,
                    "detail": event.detail,
                    "escalated_at": event.escalated_at.isoformat(),
                }
                await self._set(conn, cid, at, "escalations = escalations || $3::jsonb", json.dumps([escalation]))
            case ev.ComplaintReclassified():
                sql = "kind = $3, resolve_by = $4, handled_by = $5"
                await self._set(conn, cid, at, sql, event.kind, event.resolve_by, event.handled_by)
            case ev.ComplaintListened():
                await self._step(conn, cid, at, "listened", event.handled_by)
            case ev.ComplaintFactsConfirmed():
                await self._step(conn, cid, at, "facts_confirmed", event.handled_by)
            case ev.ComplaintDecisionMade():
                await self._step(conn, cid, at, "decided", event.handled_by)
            case ev.ComplaintDecisionExplained():
                await self._step(conn, cid, at, "explained" if event.agreed else "listened", event.handled_by)
            case ev.ComplaintActionTaken():
                sql = """step = 'acted', handled_by = $3, resolved_at = coalesce(resolved_at, $4),
                         second_callback_due = $5, follow_up_overdue = false"""
                await self._set(conn, cid, at, sql, event.handled_by, event.acted_at, event.second_callback_due)
            case ev.ComplaintFollowedUp():
                step = "followed_up" if event.back_to is None else _BEFORE_REDO[event.back_to]
                sql = "step = $3, handled_by = $4, follow_up_overdue = false"
                await self._set(conn, cid, at, sql, step, event.handled_by)
            case ev.ComplaintClosed():
                await self._set(conn, cid, at, "step = 'closed', closed_at = $3", event.closed_at)
                await conn.execute(
                    """INSERT INTO complaint_reports (complaint_id, group_id, site_id, customer_id, closed_at, report)
                       VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (complaint_id) DO NOTHING""",
                    cid,
                    tenant.group_id,
                    tenant.site_id,
                    event.report.customer_id,
                    event.closed_at,
                    event.report.model_dump_json(),
                )
            case ev.ComplaintSlaBreached():
                await self._set(conn, cid, at, "breached = true")
            case ev.ComplaintFollowUpOverdue():
                await self._set(conn, cid, at, "follow_up_overdue = true")

    async def _step(self, conn: Connection, cid: UUID, at: Any, step: str, handled_by: str) -> None:
        await self._set(conn, cid, at, "step = $3, handled_by = $4", step, handled_by)

    async def _set(self, conn: Connection, cid: UUID, at: Any, assignments: str, *args: Any) -> None:
        await conn.execute(
            f"UPDATE complaint_desk SET {assignments}, updated_at = $2 WHERE complaint_id = $1", cid, at, *args
        )


# --- queries ----------------------------------------------------------------------------------

DESK = Listing(
    "complaints.desk",
    (
        Key("breached", bool, descending=True, nullable=False),
        Key("resolve_by", datetime, nullable=False),
        Key("complaint_id", UUID, nullable=False),
    ),
)


async def desk(
    pool: asyncpg.Pool,
    tenant: Tenant,
    *,
    step: str | None,
    kind: str | None,
    breached: bool | None,
    include_closed: bool,
    cursor: str | None,
    limit: int,
) -> tuple[Window, list[asyncpg.Record]]:
    """A page of the site's complaints (open ones unless `include_closed`): breached first, then
    by deadline."""
    window = DESK.window(cursor, limit, first=7)
    rows: list[asyncpg.Record] = await pool.fetch(
        f"""SELECT * FROM complaint_desk
           WHERE group_id = $1 AND site_id = $2 AND ($3::text IS NULL OR step = $3)
             AND ($4::text IS NULL OR kind = $4) AND ($5::boolean IS NULL OR breached = $5)
             AND ($6 OR step <> 'closed') AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        step,
        kind,
        breached,
        include_closed,
        *window.params,
    )
    return window, rows


async def customer_reports(pool: asyncpg.Pool, tenant: Tenant, customer_id: UUID) -> list[ComplaintReport]:
    """The complaint reports in the customer's record at the tenant's site, newest first."""
    rows = await pool.fetch(
        """SELECT report FROM complaint_reports WHERE group_id = $1 AND site_id = $2 AND customer_id = $3
           ORDER BY closed_at DESC, complaint_id""",
        tenant.group_id,
        tenant.site_id,
        customer_id,
    )
    return [ComplaintReport.model_validate_json(row["report"]) for row in rows]
