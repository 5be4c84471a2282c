"""The callback queue, a read model fed from the service's own event log: per site and agent,
each callback's window, attempts, next attempt, overdue flag and escalated question — and the
queries the API reads it with, with the supervisor's deadline alerts (which the timers of
`handlers.py` raise) listed beside it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from events.envelope import Envelope, Tenant
from events.paging import Key as SortKey
from events.paging import Listing, Window
from events.privacy import PersonalColumn
from events.rows import Key, Row, RowProjection, Rows, Table
from events.views import views_in
from followup import callback_views as v

# Where the queue holds customers' personal data: scrubbed on an erasure (decision 0004).
PERSONAL_COLUMNS = (
    PersonalColumn("callback_queue", "contact_name"),
    PersonalColumn("callback_queue", "phone"),
)


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


# --- the queries the API reads it with ---------------------------------------------------


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
