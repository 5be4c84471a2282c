"""The call/letter log, a read model fed from the service's own event log: every call, SMS and
letter of a customer's file, whichever stream logged it — and the query the API reads it with."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from events.catalog import followup as ev
from events.catalog import followup_campaigns, followup_files
from events.connection import Connection
from events.envelope import Envelope, Tenant
from events.privacy import PersonalColumn

# Where the log holds customers' personal data: scrubbed on an erasure (decision 0004).
PERSONAL_COLUMNS = (PersonalColumn("contact_log", "phone"),)


_LOG = """INSERT INTO contact_log (entry_id, group_id, site_id, file_id, callback_id, campaign_id, repair_order_id,
              channel, direction, purpose, outcome, agent, phone, summary, at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
          ON CONFLICT (entry_id) DO NOTHING"""


class ContactLog:
    """Every call and letter, whichever stream logged it (the union the catalog describes)."""

    name = "followup.contact_log"
    tables = ("contact_log", "contact_log_callbacks")
    handles = frozenset(
        event.event_type
        for event in (
            ev.CallbackOpened,
            ev.AttemptRecorded,
            ev.SmsQueued,
            followup_files.CallLogged,
            followup_files.LetterLogged,
            followup_campaigns.CampaignCallLogged,
            followup_campaigns.CampaignLetterLogged,
        )
    )

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event = envelope.event
        match event:
            case ev.CallbackOpened():
                await conn.execute(
                    "INSERT INTO contact_log_callbacks VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    event.callback_id,
                    event.file_id,
                )
            case ev.AttemptRecorded():
                file_id = await self._file_of(conn, event.callback_id)
                await self._log(
                    conn, envelope, file_id, event.callback_id, None, event.repair_order_id, "call", event.direction,
                    f"callback attempt {event.attempt}", event.outcome, event.agent, event.phone, event.note,
                    event.attempted_at,
                )  # fmt: skip
            case ev.SmsQueued():
                file_id = await self._file_of(conn, event.callback_id)
                await self._log(
                    conn, envelope, file_id, event.callback_id, None, event.repair_order_id, "sms", "outbound",
                    event.template, None, None, event.phone, "", event.queued_at,
                )  # fmt: skip
            case followup_files.CallLogged():
                await self._log(
                    conn, envelope, event.file_id, None, None, event.repair_order_id, "call", event.direction,
                    event.purpose, None, event.agent, event.phone, event.summary, event.called_at,
                )  # fmt: skip
            case followup_files.LetterLogged():
                await self._log(
                    conn, envelope, event.file_id, None, event.campaign_id, None, "letter", "outbound",
                    event.letter_kind, None, event.sent_by, None, event.subject, event.sent_at,
                )  # fmt: skip
            case followup_campaigns.CampaignCallLogged():
                await self._log(
                    conn, envelope, event.file_id, None, event.campaign_id, None, "call", "outbound", "campaign",
                    event.outcome, event.agent, None, "", event.called_at,
                )  # fmt: skip
            case followup_campaigns.CampaignLetterLogged():
                await self._log(
                    conn, envelope, event.file_id, None, event.campaign_id, None, "letter", "outbound", "campaign",
                    event.letter_kind, event.sent_by, None, "", event.sent_at,
                )  # fmt: skip

    async def _file_of(self, conn: Connection, callback_id: Any) -> Any:
        return await conn.fetchval("SELECT file_id FROM contact_log_callbacks WHERE callback_id = $1", callback_id)

    async def _log(self, conn: Connection, envelope: Envelope[Any], *values: Any) -> None:
        tenant = envelope.tenant
        await conn.execute(_LOG, envelope.event_id, tenant.group_id, tenant.site_id, *values)


async def contact_log(pool: asyncpg.Pool, tenant: Tenant, file_id: UUID) -> list[asyncpg.Record]:
    """Every call, SMS and letter of the customer's file in the group, in the order they happened."""
    rows: list[asyncpg.Record] = await pool.fetch(
        """SELECT entry_id, channel, direction, purpose, outcome, agent, phone, summary, callback_id, campaign_id,
                  repair_order_id, site_id, at
           FROM contact_log WHERE group_id = $1 AND file_id = $2 ORDER BY at, seq""",
        tenant.group_id,
        file_id,
    )
    return rows
