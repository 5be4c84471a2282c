"""The messages read model: one row per message with its status, written in the transaction
that records the message's events (so the customer file's list is never behind its own
message). `recipient` and `body` are personal: this service logs them (sealed) in
`MessageRequested`, so the runtime's erasure scrubs them here."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from events.catalog import notifications as ev
from events.connection import Connection
from events.envelope import Tenant
from events.privacy import PersonalColumn
from notifications.domain.message import Message

# Not `subject`: it is the template's, the same for every customer (scrubbing one customer's value
# would scrub everyone's rows, the erasure matching values, not rows).
PERSONAL_COLUMNS = (PersonalColumn("messages", "recipient"), PersonalColumn("messages", "body"))


async def save_requested(conn: Connection, tenant: Tenant, event: ev.MessageRequested | ev.MessageWithheld) -> None:
    values: tuple[str, str, str, str, str, str | None, datetime | None, datetime]
    if isinstance(event, ev.MessageRequested):
        values = (
            event.channel,
            event.to,
            event.subject,
            event.body,
            "pending",
            None,
            event.send_at,
            event.requested_at,
        )
    else:
        values = ("none", "", "", "", "withheld", event.reason, None, event.withheld_at)
    channel, to, subject, body, status, reason, send_at, at = values
    await conn.execute(
        """INSERT INTO messages (message_id, group_id, site_id, customer_id, kind, purpose, channel, recipient, subject,
                                 body, reference, status, reason, send_at, requested_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
           ON CONFLICT (message_id) DO NOTHING""",
        event.message_id,
        tenant.group_id,
        tenant.site_id,
        event.customer_id,
        event.kind,
        event.purpose,
        channel,
        to,
        subject,
        body,
        event.reference,
        status,
        reason,
        send_at,
        at,
    )


async def save_status(conn: Connection, message_id: UUID, state: Message, at: datetime) -> None:
    await conn.execute(
        """UPDATE messages SET status = $2, reason = $3, attempts = $4, provider_message_id = $5, updated_at = $6
           WHERE message_id = $1""",
        message_id,
        state.status,
        state.reason,
        state.attempts,
        state.provider_message_id,
        at,
    )


async def tenant_of(conn: Any, message_id: UUID) -> Tenant | None:
    row = await conn.fetchrow("SELECT group_id, site_id FROM messages WHERE message_id = $1", message_id)
    return Tenant(row["group_id"], row["site_id"]) if row else None


async def of_customer(conn: Any, tenant: Tenant, customer_id: UUID, limit: int) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT message_id, customer_id, kind, purpose, channel, recipient, subject, body, reference, status, reason,
                  attempts, send_at, requested_at, updated_at
           FROM messages WHERE group_id = $1 AND site_id = $2 AND customer_id = $3
           ORDER BY requested_at DESC, seq DESC LIMIT $4""",
        tenant.group_id,
        tenant.site_id,
        customer_id,
        limit,
    )
    return [dict(r) for r in rows]
