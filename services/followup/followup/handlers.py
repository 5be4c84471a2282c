"""The followup use cases: load the customer file, callback or campaign, decide, append — and
keep the follow-up clocks in the same transaction.

Handlers take the already-checked `Metadata` and a domain command; the HTTP layer, the
policies and the timers build those. Time comes from the runtime's clock. The clocks come from
the due times the events publish (`followup.domain.schedule`): a callback still open at its
hard limit is marked overdue; an escalated question unanswered by its deadline, and a campaign
letter not sent by its due time, raise a deadline alert for the supervisor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from events.catalog import followup as ev
from events.commands import Outcome, execute, load
from events.connection import Connection
from events.decider import fold
from events.envelope import Envelope, Metadata, Tenant
from events.runtime import UseCases
from events.timers import DueTimer, cancel, schedule
from followup.domain.callback import callback
from followup.domain.callback import stream_id as callback_stream
from followup.domain.callback_state import Callback
from followup.domain.campaign import Campaign, campaign
from followup.domain.campaign import stream_id as campaign_stream
from followup.domain.commands import (
    CallbackCommand,
    CampaignCommand,
    CustomerFileCommand,
    MarkOverdue,
    OpenCallback,
    PlanCampaign,
    RecordVisit,
)
from followup.domain.customer_file import CustomerFile, customer_file
from followup.domain.customer_file import stream_id as file_stream
from followup.domain.schedule import letter_due_by

CALLBACK_OVERDUE = "followup.callback_overdue"
ESCALATION_DUE = "followup.escalation_due"
LETTER_DUE = "followup.campaign_letter_due"
SYSTEM_ACTOR = "followup.clock"

_CLOSING = (ev.CallbackCompleted, ev.CallbackRefused, ev.CallbackUnreachable, ev.CallbackCancelled)


def overdue_timer(callback_id: UUID) -> str:
    return f"{CALLBACK_OVERDUE}:{callback_id}"


def escalation_timer(callback_id: UUID) -> str:
    return f"{ESCALATION_DUE}:{callback_id}"


def letter_timer(campaign_id: UUID, file_id: UUID) -> str:
    return f"{LETTER_DUE}:{campaign_id}:{file_id}"


async def _keep_callback_clocks(conn: Connection, recorded: list[Envelope[Any]]) -> None:
    """The hard limit from the window; the escalation deadline from the question; both stop
    when what they watch for has happened."""
    for envelope in recorded:
        event, tenant = envelope.event, envelope.tenant
        ids = {"callback_id": str(event.callback_id)}
        match event:
            case ev.CallbackOpened():
                at = event.window.hard_limit_at
                await schedule(conn, overdue_timer(event.callback_id), CALLBACK_OVERDUE, at, tenant, ids)
            case ev.QuestionEscalated():
                at = event.escalate_by
                await schedule(conn, escalation_timer(event.callback_id), ESCALATION_DUE, at, tenant, ids)
            case ev.QuestionAnswered():
                await cancel(conn, escalation_timer(event.callback_id), event.answered_at)
                await _resolve_alert(conn, escalation_timer(event.callback_id), event.answered_at)
            case _ if isinstance(event, _CLOSING):
                await cancel(conn, overdue_timer(event.callback_id), envelope.recorded_at)


async def _keep_campaign_clocks(conn: Connection, recorded: list[Envelope[Any]]) -> None:
    """A letter is due 2 days after each phone notice — or, for a do-not-call customer who is
    never phoned, 2 days after the phoning deadline; a refusal or the letter stops the clock."""
    for envelope in recorded:
        event, tenant = envelope.event, envelope.tenant
        match event:
            case ev.CampaignPlanned():
                for target in event.targets:
                    if target.do_not_call:
                        await _letter_clock(
                            conn, event.campaign_id, target.file_id, letter_due_by(event.phone_by), tenant
                        )
            case ev.CampaignCallLogged() if event.letter_due_by is not None:
                await _letter_clock(conn, event.campaign_id, event.file_id, event.letter_due_by, tenant)
            case ev.CampaignCallLogged():
                await cancel(conn, letter_timer(event.campaign_id, event.file_id), event.called_at)
            case ev.CampaignLetterLogged():
                await cancel(conn, letter_timer(event.campaign_id, event.file_id), event.sent_at)
                await _resolve_alert(conn, letter_timer(event.campaign_id, event.file_id), event.sent_at)


async def _letter_clock(conn: Connection, campaign_id: UUID, file_id: UUID, due: datetime, tenant: Tenant) -> None:
    payload = {"campaign_id": str(campaign_id), "file_id": str(file_id)}
    await schedule(conn, letter_timer(campaign_id, file_id), LETTER_DUE, due, tenant, payload)


async def _raise_alert(
    conn: Connection, timer: DueTimer, subject_id: UUID, file_id: UUID | None, detail: str, at: datetime
) -> None:
    await conn.execute(
        """INSERT INTO deadline_alerts (alert_id, group_id, site_id, kind, subject_id, file_id, detail, due_at,
               raised_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (alert_id) DO NOTHING""",
        timer.timer_id,
        timer.tenant.group_id,
        timer.tenant.site_id,
        timer.kind,
        subject_id,
        file_id,
        detail,
        timer.due_at,
        at,
    )


async def _resolve_alert(conn: Connection, alert_id: str, at: datetime) -> None:
    await conn.execute(
        "UPDATE deadline_alerts SET resolved_at = $2 WHERE alert_id = $1 AND resolved_at IS NULL", alert_id, at
    )


@dataclass(frozen=True)
class Followup(UseCases):
    """The use cases, on the service's runtime (its event store and clock)."""

    async def file(
        self,
        metadata: Metadata,
        file_id: UUID,
        command: CustomerFileCommand,
        *,
        conn: Connection | None = None,
        expected_version: int | None = None,
    ) -> Outcome[CustomerFile]:
        """Any customer-file command; only a visit opens a file."""
        return await execute(
            self.store,
            customer_file,
            file_stream(file_id),
            command,
            metadata,
            must_exist=not isinstance(command, RecordVisit),
            expected_version=expected_version,
            conn=conn,
        )

    async def callback(
        self,
        metadata: Metadata,
        callback_id: UUID,
        command: CallbackCommand,
        *,
        conn: Connection | None = None,
        expected_version: int | None = None,
    ) -> Outcome[Callback]:
        return await execute(
            self.store,
            callback,
            callback_stream(callback_id),
            command,
            metadata,
            must_exist=not isinstance(command, OpenCallback),
            expected_version=expected_version,
            after_append=_keep_callback_clocks,
            conn=conn,
        )

    async def campaign(
        self,
        metadata: Metadata,
        campaign_id: UUID,
        command: CampaignCommand,
        *,
        conn: Connection | None = None,
        expected_version: int | None = None,
    ) -> Outcome[Campaign]:
        return await execute(
            self.store,
            campaign,
            campaign_stream(campaign_id),
            command,
            metadata,
            must_exist=not isinstance(command, PlanCampaign),
            expected_version=expected_version,
            after_append=_keep_campaign_clocks,
            conn=conn,
        )

    async def file_state(self, tenant: Tenant, file_id: UUID) -> tuple[CustomerFile, int]:
        return await load(self.store, customer_file, file_stream(file_id), tenant)

    async def callback_state(self, tenant: Tenant, callback_id: UUID) -> tuple[Callback, int]:
        return await load(self.store, callback, callback_stream(callback_id), tenant)

    async def campaign_state(self, tenant: Tenant, campaign_id: UUID) -> tuple[Campaign, int]:
        return await load(self.store, campaign, campaign_stream(campaign_id), tenant)

    async def current_file(self, conn: Connection, file_id: UUID) -> tuple[CustomerFile, Tenant | None]:
        """The file inside `conn`'s transaction, and the tenant it lives under (None: no file)."""
        history = await self.store.read_stream(file_stream(file_id), conn=conn)
        return fold(customer_file, [e.event for e in history]), (history[0].tenant if history else None)

    async def current_callback(self, conn: Connection, callback_id: UUID) -> Callback:
        history = await self.store.read_stream(callback_stream(callback_id), conn=conn)
        return fold(callback, [e.event for e in history])

    async def current_campaign(self, conn: Connection, campaign_id: UUID) -> Campaign:
        history = await self.store.read_stream(campaign_stream(campaign_id), conn=conn)
        return fold(campaign, [e.event for e in history])

    # --- the timers, each in its timer's transaction ------------------------------------------

    def _timer_metadata(self, timer: DueTimer) -> Metadata:
        return Metadata(timer.tenant, SYSTEM_ACTOR, str(uuid4()), causation_id=timer.timer_id)

    async def mark_overdue(self, conn: Connection, timer: DueTimer) -> None:
        """The hard limit passed: an open callback is marked overdue (once; a moot one is left)."""
        callback_id = UUID(timer.payload["callback_id"])
        await self.callback(self._timer_metadata(timer), callback_id, MarkOverdue(self.now()), conn=conn)

    async def escalation_due(self, conn: Connection, timer: DueTimer) -> None:
        """The 2 days to bring a question to the supervisor are up and it has no answer yet."""
        callback_id = UUID(timer.payload["callback_id"])
        state = await self.current_callback(conn, callback_id)
        if state.question and not state.answer:
            detail = f"question unanswered after 2 days: {state.question}"
            await _raise_alert(conn, timer, callback_id, state.file_id, detail, self.now())

    async def letter_due(self, conn: Connection, timer: DueTimer) -> None:
        """The campaign letter was not sent within 2 days of the phone notice."""
        campaign_id, file_id = UUID(timer.payload["campaign_id"]), UUID(timer.payload["file_id"])
        state = await self.current_campaign(conn, campaign_id)
        if file_id not in state.letters_sent and file_id not in state.refused:
            await _raise_alert(conn, timer, campaign_id, file_id, "campaign letter not sent in time", self.now())
