"""The followup use cases that need more than `events.commands.execute`: a queue reassigned
callback by callback, a campaign planned from the customer files it names, the reactions'
commands (with the stream's clocks, in the consumer's transaction) and the three timers. A route
whose command needs nothing else runs `execute` itself, with `keep_callback_clocks` or
`keep_campaign_clocks`.

Handlers take the already-checked `Metadata`, the version the caller expects (If-Match) where
a person sends the command, and a domain command or what builds one; the HTTP layer, the
policies and the timers build those. Time comes from the runtime's clock. The clocks come from
the due times the events publish (the rule: `followup.domain.clocks`): a callback still open at
its hard limit is marked overdue; an escalated question unanswered by its deadline, and a
campaign letter not sent by its due time, raise a deadline alert for the supervisor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from events.catalog.followup_values import CampaignTarget
from events.commands import Outcome, execute, load
from events.connection import Connection
from events.decider import fold
from events.envelope import Metadata, Tenant
from events.runtime import UseCases
from events.timers import DueTimer, keeping
from followup.callback_queue import open_callbacks_of
from followup.domain.callback import callback
from followup.domain.callback import stream_id as callback_stream
from followup.domain.callback_state import Callback
from followup.domain.campaign import Campaign, campaign
from followup.domain.campaign import stream_id as campaign_stream
from followup.domain.clocks import callback_clocks, campaign_clocks
from followup.domain.commands import (
    AssignCallback,
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
from followup.proposal_links import with_links

SYSTEM_ACTOR = "followup.clock"


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
    """What stops a clock answers the alert its firing raised (`StopClock.resolves_alert`)."""
    await conn.execute(
        "UPDATE deadline_alerts SET resolved_at = $2 WHERE alert_id = $1 AND resolved_at IS NULL", alert_id, at
    )


# Every command on a callback or a campaign keeps its clocks, in the transaction that records its events.
keep_callback_clocks = keeping(callback_clocks, resolve_alert=_resolve_alert)
keep_campaign_clocks = keeping(campaign_clocks, resolve_alert=_resolve_alert)


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
            with_links(customer_file, metadata.tenant.site_id),
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
            after_append=keep_callback_clocks,
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
            with_links(campaign, metadata.tenant.site_id),
            campaign_stream(campaign_id),
            command,
            metadata,
            must_exist=not isinstance(command, PlanCampaign),
            expected_version=expected_version,
            after_append=keep_campaign_clocks,
            conn=conn,
        )

    async def reassign_queue(self, metadata: Metadata, from_agent: str, to_agent: str, reason: str) -> list[UUID]:
        """Every open callback the queue shows as `from_agent`'s goes to `to_agent`, each in its
        own command (no one version to expect: many streams); returns those that moved."""
        moved = []
        for callback_id in await open_callbacks_of(self.runtime.pool, metadata.tenant, from_agent):
            command = AssignCallback(to_agent, metadata.actor, self.now(), reason)
            outcome = await self.callback(metadata, callback_id, command)
            if outcome.recorded:
                moved.append(callback_id)
        return moved

    async def plan_campaign(
        self,
        metadata: Metadata,
        campaign_id: UUID,
        build: Callable[[tuple[CampaignTarget, ...]], PlanCampaign],
        *,
        file_ids: Sequence[UUID],
        expected_version: int | None,
    ) -> Outcome[Campaign]:
        """The campaign's list, read from the files it names (404 for one that is not the
        tenant's), each with its latest vehicle and do-not-call as they stand now."""
        targets = []
        for file_id in dict.fromkeys(file_ids):
            state, _ = await load(self.store, customer_file, file_stream(file_id), metadata.tenant)
            assert state.contact is not None  # a file is opened by a visit
            latest = max(state.visits.values(), key=lambda v: v.visited_at)
            targets.append(
                CampaignTarget(
                    file_id=file_id, contact=state.contact, vehicle=latest.vehicle, do_not_call=state.do_not_call
                )
            )
        command = build(tuple(targets))
        return await execute(
            self.store,
            campaign,
            campaign_stream(campaign_id),
            command,
            metadata,
            expected_version=expected_version,
            after_append=keep_campaign_clocks,
        )

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
