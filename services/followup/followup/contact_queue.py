"""The contact queue's read models: one row per proposal (own events), the failed messages
(notifications' `MessageFailed`, fed from its topic, and followup's `FailedMessageHandled`), and
the queries the API reads them with. The queue lists what an agent is to call now: open
proposals and accepted ones not booked yet, earliest due first, then by reason."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from events.catalog import followup_proposals as pv
from events.catalog import notifications as notification_events
from events.connection import Connection
from events.envelope import Envelope, Tenant
from events.privacy import PersonalColumn

PERSONAL_COLUMNS = (
    PersonalColumn("contact_queue", "contact_name"),
    PersonalColumn("contact_queue", "phone"),
)
# What the queue shows an agent by default: waiting for a call, or for the booking agreed.
WAITING = ("open", "accepted")
STATUS_AFTER = {"book_now": "accepted", "later": "later", "not_interested": "declined", "opt_out": "opted_out"}


class ContactQueue:
    name = "followup.contact_queue"
    tables = ("contact_queue",)
    handles = frozenset(
        e.event_type
        for e in (pv.ProposalQueued, pv.ProposalAnswered, pv.ProposalDueAgain, pv.ProposalBooked, pv.ProposalArrived)
    )

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event, tenant, at = envelope.event, envelope.tenant, envelope.recorded_at
        match event:
            case pv.ProposalQueued():
                await conn.execute(
                    """INSERT INTO contact_queue (proposal_id, group_id, site_id, file_id, reason, contact_name, phone,
                           plate, vin, model, due_on, campaign_id, repair_order_id, phone_allowed, status, queued_at,
                           updated_at)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'open', $15, $16)
                       ON CONFLICT (proposal_id) DO NOTHING""",
                    event.proposal_id, tenant.group_id, tenant.site_id, event.file_id, event.reason,
                    event.contact.name, event.contact.phone, event.vehicle.plate, event.vehicle.vin,
                    event.vehicle.model, event.due_on, event.campaign_id, event.repair_order_id,
                    event.phone_allowed, event.queued_at, at,
                )  # fmt: skip
            case pv.ProposalAnswered():
                await self._set(
                    conn, event.proposal_id, at, status=STATUS_AFTER[event.answer], last_answer=event.answer,
                    answered_by=event.answered_by, answered_at=event.answered_at, call_again_at=event.call_again_at,
                )  # fmt: skip
            case pv.ProposalDueAgain():
                await self._set(conn, event.proposal_id, at, status="open", call_again_at=None)
            case pv.ProposalBooked():
                await self._set(
                    conn, event.proposal_id, at, status="booked", appointment_id=event.appointment_id,
                    slot_start=event.slot_start, booked_at=event.booked_at, call_again_at=None,
                )  # fmt: skip
            case pv.ProposalArrived():
                await self._set(conn, event.proposal_id, at, arrived_at=event.arrived_at)

    @staticmethod
    async def _set(conn: Connection, proposal_id: UUID, at: datetime, **changes: Any) -> None:
        columns = list(changes)
        assignments = ", ".join(f"{column} = ${i + 2}" for i, column in enumerate(columns))
        await conn.execute(
            f"UPDATE contact_queue SET {assignments}, updated_at = ${len(columns) + 2} WHERE proposal_id = $1",
            proposal_id,
            *changes.values(),
            at,
        )


class FailedMessages:
    """notifications.MessageFailed, fed from its topic: for a person to follow up."""

    name = "followup.failed_messages"
    tables = ("failed_messages",)
    handles = frozenset({notification_events.MessageFailed.event_type})

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event, tenant = envelope.event, envelope.tenant
        await conn.execute(
            """INSERT INTO failed_messages (message_id, group_id, site_id, customer_id, kind, channel, reference,
                   status, reason, failed_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (message_id) DO NOTHING""",
            event.message_id, tenant.group_id, tenant.site_id, event.customer_id, event.kind, event.channel,
            event.reference, event.status, event.reason, event.failed_at,
        )  # fmt: skip


class FailedMessagesHandled:
    """followup.FailedMessageHandled, from the service's own log (its own table: the two feeds
    are rebuilt apart)."""

    name = "followup.failed_messages_handled"
    tables = ("failed_messages_handled",)
    handles = frozenset({pv.FailedMessageHandled.event_type})

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event = envelope.event
        await conn.execute(
            """INSERT INTO failed_messages_handled VALUES ($1, $2, $3, $4) ON CONFLICT (message_id) DO NOTHING""",
            event.message_id,
            event.handled_by,
            event.note,
            event.handled_at,
        )


_FAILED = """SELECT m.*, h.handled_by, h.note AS handled_note, h.handled_at
             FROM failed_messages m LEFT JOIN failed_messages_handled h USING (message_id)"""


async def contact_queue(
    pool: asyncpg.Pool, tenant: Tenant, *, statuses: tuple[str, ...], due_by: date | None, limit: int
) -> list[asyncpg.Record]:
    """The site's proposals in `statuses`, due first (undated last), then by reason."""
    rows: list[asyncpg.Record] = await pool.fetch(
        """SELECT * FROM contact_queue
           WHERE group_id = $1 AND site_id = $2 AND status = ANY($3::text[])
             AND ($4::date IS NULL OR due_on IS NULL OR due_on <= $4)
           ORDER BY due_on NULLS LAST, reason, queued_at, proposal_id LIMIT $5""",
        tenant.group_id,
        tenant.site_id,
        list(statuses),
        due_by,
        limit,
    )
    return rows


async def queued_proposal(pool: asyncpg.Pool, tenant: Tenant, proposal_id: UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await pool.fetchrow(
        "SELECT * FROM contact_queue WHERE group_id = $1 AND site_id = $2 AND proposal_id = $3",
        tenant.group_id,
        tenant.site_id,
        proposal_id,
    )
    return row


async def failed_messages(pool: asyncpg.Pool, tenant: Tenant, *, include_handled: bool) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await pool.fetch(
        f"""{_FAILED} WHERE m.group_id = $1 AND m.site_id = $2 AND ($3 OR h.handled_at IS NULL)
            ORDER BY m.failed_at, m.message_id""",
        tenant.group_id,
        tenant.site_id,
        include_handled,
    )
    return rows


async def failed_message(pool: asyncpg.Pool, tenant: Tenant, message_id: UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await pool.fetchrow(
        f"{_FAILED} WHERE m.group_id = $1 AND m.site_id = $2 AND m.message_id = $3",
        tenant.group_id,
        tenant.site_id,
        message_id,
    )
    return row
