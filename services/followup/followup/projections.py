"""The followup read models fed from the service's own event log: the callback queue (per site
and agent: due, overdue, attempts, next attempt, escalations), the call/letter log, and the
customer files (the customer's record: visits, notes, do-not-call, wishes, proposals) — and
the queries the API reads them with (with the supervisor's deadline alerts, which the timers
of `handlers.py` raise)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from events.catalog import followup as ev
from events.connection import Connection
from events.envelope import Envelope, Tenant
from events.paging import Key as SortKey
from events.paging import Listing, Window
from events.privacy import PersonalColumn
from events.rows import Key, Row, RowProjection, Rows, Table
from events.views import views_in
from followup import callback_views as v

# Where this service's read models hold customers' personal data: scrubbed on an erasure (decision 0004).
PERSONAL_COLUMNS = (
    PersonalColumn("callback_queue", "contact_name"),
    PersonalColumn("callback_queue", "phone"),
    PersonalColumn("contact_log", "phone"),
    PersonalColumn("customer_files", "name"),
    PersonalColumn("customer_files", "phone"),
    PersonalColumn("customer_file_visits", "owner_name"),
)


def _types(*classes: type[Any]) -> frozenset[str]:
    return frozenset(c.event_type for c in classes)


CALLBACK_QUEUE = Table(
    "callback_queue",
    ("callback_id",),
    (
        "callback_id", "group_id", "site_id", "repair_order_id", "file_id", "kind", "contact_name", "phone", "plate",
        "vin", "model", "agent", "status", "opens_at", "due_at", "hard_limit_at", "attempts", "unreachable_attempts",
        "last_outcome", "last_attempt_at", "next_attempt_at", "overdue", "satisfaction_score", "complaint_id",
        "question", "escalate_by", "answer", "answered_at", "tell_customer_by", "told_at", "opened_at", "closed_at",
        "updated_at",
    ),
    {"attempts": 0, "unreachable_attempts": 0, "overdue": False},
)  # fmt: skip


class CallbackQueue(RowProjection):
    name = "followup.callback_queue"
    models = (CALLBACK_QUEUE,)
    views = views_in(v)

    def reads(self, envelope: Envelope[Any]) -> Iterable[tuple[Table, Key]]:
        return ((CALLBACK_QUEUE, envelope.event.callback_id),)

    def fold(self, rows: Rows, envelope: Envelope[Any]) -> None:
        event = envelope.event
        if isinstance(event, v.CallbackOpened | v.CallbackSkipped):
            if rows.get(CALLBACK_QUEUE, event.callback_id) is None:
                rows.put(CALLBACK_QUEUE, self._new(envelope))
        elif changes := _callback_changes(event):
            rows.update(CALLBACK_QUEUE, event.callback_id, **changes, updated_at=envelope.recorded_at)

    @staticmethod
    def _new(envelope: Envelope[Any]) -> Row:
        event, tenant = envelope.event, envelope.tenant
        common = {
            "callback_id": event.callback_id,
            "group_id": tenant.group_id,
            "site_id": tenant.site_id,
            "repair_order_id": event.repair_order_id,
            "file_id": event.file_id,
            "kind": event.kind,
            "updated_at": envelope.recorded_at,
        }
        if isinstance(event, v.CallbackSkipped):
            skipped = event.skipped_at
            return CALLBACK_QUEUE.new(**common, status="skipped", opened_at=skipped, closed_at=skipped)
        return CALLBACK_QUEUE.new(
            **common, status="open", opened_at=event.opened_at, contact_name=event.contact.name,
            phone=event.contact.phone, plate=event.vehicle.plate, vin=event.vehicle.vin, model=event.vehicle.model,
            agent=event.agent, opens_at=event.window.opens_at, due_at=event.window.due_at,
            hard_limit_at=event.window.hard_limit_at,
        )  # fmt: skip


def _callback_changes(event: Any) -> dict[str, Any]:
    """What a later event of a callback changes in its queue row."""
    match event:
        case v.CallbackAssigned() | v.CallbackReassigned():
            return {"agent": event.agent}
        case v.AttemptRecorded():
            return {
                "attempts": event.attempt,
                "unreachable_attempts": event.unreachable_attempts,
                "last_outcome": event.outcome,
                "last_attempt_at": event.attempted_at,
                "next_attempt_at": event.next_attempt_at,
            }
        case v.CallRecorded():
            return {"satisfaction_score": event.satisfaction_score}
        case v.ComplaintRaised():
            return {"complaint_id": event.complaint_id}
        case v.QuestionEscalated():
            return {"question": event.question, "escalate_by": event.escalate_by}
        case v.QuestionAnswered():
            answered = {"answer": event.answer, "answered_at": event.answered_at}
            return answered | {"tell_customer_by": event.tell_customer_by}
        case v.AnswerGiven():
            return {"told_at": event.told_at}
        case v.CallbackOverdue():
            return {"overdue": True}
        case v.CallbackCompleted():
            return _closed("completed", event.completed_at)
        case v.CallbackRefused():
            return _closed("refused", event.refused_at)
        case v.CallbackUnreachable():
            return _closed("unreachable", event.given_up_at)
        case v.CallbackCancelled():
            return _closed("cancelled", event.cancelled_at)
    return {}


def _closed(status: str, at: datetime) -> dict[str, Any]:
    return {"status": status, "closed_at": at, "next_attempt_at": None}


_LOG = """INSERT INTO contact_log (entry_id, group_id, site_id, file_id, callback_id, campaign_id, repair_order_id,
              channel, direction, purpose, outcome, agent, phone, summary, at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
          ON CONFLICT (entry_id) DO NOTHING"""


class ContactLog:
    """Every call and letter, whichever stream logged it (the union the catalog describes)."""

    name = "followup.contact_log"
    tables = ("contact_log", "contact_log_callbacks")
    handles = _types(
        ev.CallbackOpened,
        ev.AttemptRecorded,
        ev.SmsQueued,
        ev.CallLogged,
        ev.LetterLogged,
        ev.CampaignCallLogged,
        ev.CampaignLetterLogged,
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
            case ev.CallLogged():
                await self._log(
                    conn, envelope, event.file_id, None, None, event.repair_order_id, "call", event.direction,
                    event.purpose, None, event.agent, event.phone, event.summary, event.called_at,
                )  # fmt: skip
            case ev.LetterLogged():
                await self._log(
                    conn, envelope, event.file_id, None, event.campaign_id, None, "letter", "outbound",
                    event.letter_kind, None, event.sent_by, None, event.subject, event.sent_at,
                )  # fmt: skip
            case ev.CampaignCallLogged():
                await self._log(
                    conn, envelope, event.file_id, None, event.campaign_id, None, "call", "outbound", "campaign",
                    event.outcome, event.agent, None, "", event.called_at,
                )  # fmt: skip
            case ev.CampaignLetterLogged():
                await self._log(
                    conn, envelope, event.file_id, None, event.campaign_id, None, "letter", "outbound", "campaign",
                    event.letter_kind, event.sent_by, None, "", event.sent_at,
                )  # fmt: skip

    async def _file_of(self, conn: Connection, callback_id: Any) -> Any:
        return await conn.fetchval("SELECT file_id FROM contact_log_callbacks WHERE callback_id = $1", callback_id)

    async def _log(self, conn: Connection, envelope: Envelope[Any], *values: Any) -> None:
        tenant = envelope.tenant
        await conn.execute(_LOG, envelope.event_id, tenant.group_id, tenant.site_id, *values)


class CustomerFiles:
    name = "followup.customer_files"
    tables = ("customer_files", "customer_file_visits", "customer_file_notes", "appointment_proposals")
    handles = _types(
        ev.CustomerFileOpened,
        ev.VisitRecorded,
        ev.DoNotCallSet,
        ev.DoNotCallCleared,
        ev.WishRecorded,
        ev.NextVisitNoteAdded,
        ev.AppointmentProposed,
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


# --- the queries the API reads them with --------------------------------------------------


QUEUE = Listing(
    "followup.callbacks",
    (SortKey("due_at", datetime, nulls_first=False), SortKey("callback_id", UUID, nullable=False)),
)


async def callback_queue(
    pool: asyncpg.Pool,
    tenant: Tenant,
    *,
    agent: str | None,
    status: str | None,
    due_before: datetime | None,
    cursor: str | None,
    limit: int,
) -> tuple[Window, list[asyncpg.Record]]:
    """A page of the site's callbacks, earliest due first; `agent="unassigned"`: nobody's."""
    window = QUEUE.window(cursor, limit, first=6)
    rows: list[asyncpg.Record] = await pool.fetch(
        f"""SELECT * FROM callback_queue
           WHERE group_id = $1 AND site_id = $2 AND ($3::text IS NULL OR status = $3)
             AND ($4::text IS NULL OR agent = $4 OR ($4 = 'unassigned' AND agent IS NULL))
             AND ($5::timestamptz IS NULL OR due_at < $5) AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        status,
        agent,
        due_before,
        *window.params,
    )
    return window, rows


async def open_callbacks_of(pool: asyncpg.Pool, tenant: Tenant, agent: str) -> list[UUID]:
    """The open callbacks the queue shows as `agent`'s at the site."""
    rows = await pool.fetch(
        """SELECT callback_id FROM callback_queue
           WHERE group_id = $1 AND site_id = $2 AND agent = $3 AND status = 'open' ORDER BY callback_id""",
        tenant.group_id,
        tenant.site_id,
        agent,
    )
    return [row["callback_id"] for row in rows]


async def deadline_alerts(pool: asyncpg.Pool, tenant: Tenant, *, include_resolved: bool) -> list[asyncpg.Record]:
    """The site's missed deadlines, earliest due first (open ones unless `include_resolved`)."""
    rows: list[asyncpg.Record] = await pool.fetch(
        """SELECT * FROM deadline_alerts WHERE group_id = $1 AND site_id = $2 AND ($3 OR resolved_at IS NULL)
           ORDER BY due_at""",
        tenant.group_id,
        tenant.site_id,
        include_resolved,
    )
    return rows


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
