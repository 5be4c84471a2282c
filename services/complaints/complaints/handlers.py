"""The complaints use cases: load the complaint, decide, append — and keep its clocks.

Handlers take the already-checked `Metadata` (tenant, actor, correlation) and a domain command;
the HTTP layer, the policy and the timers build those. The site's settings (working calendar,
authority limits) are read here, so the pure domain gets them on the command. Time comes from
the runtime's clock.

Clocks (durable timers, written in the same transaction as the events that start them):
- `complaints.sla` at every `resolve_by` (receipt, each reclassification): `RecordSlaBreach`. The
  deadline is part of the timer id, so a reclassified complaint gets a clock of its own; a stale
  one finds the deadline moved (or the complaint resolved) and records nothing — the domain
  records a breach once per deadline.
- `complaints.follow_up` at every `second_callback_due` (each action): `RecordFollowUpOverdue`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from complaints.domain import settings as site
from complaints.domain.commands import ComplaintCommand, ReceiveComplaint, RecordFollowUpOverdue, RecordSlaBreach
from complaints.domain.complaint import complaint, stream_id
from complaints.domain.settings import SetComplaintSettings, SiteSettings, site_settings
from complaints.domain.state import Complaint
from events.catalog import complaints as ev
from events.commands import Outcome, execute, load
from events.connection import Connection
from events.decider import fold
from events.envelope import Envelope, Metadata, Tenant
from events.runtime import UseCases
from events.timers import DueTimer, schedule

SLA_TIMER = "complaints.sla"
FOLLOW_UP_TIMER = "complaints.follow_up"
SYSTEM_ACTOR = "complaints.clock"


def _timer_id(kind: str, complaint_id: UUID, due_at: datetime) -> str:
    return f"{kind}:{complaint_id}:{due_at.isoformat()}"


async def _keep_clocks(conn: Connection, recorded: list[Envelope[Any]]) -> None:
    """Start the SLA clock on receipt and on reclassification, the second-callback clock on action."""
    for envelope in recorded:
        event = envelope.event
        match event:
            case ev.ComplaintOpened() | ev.ComplaintReclassified():
                kind, due_at = SLA_TIMER, event.resolve_by
            case ev.ComplaintActionTaken():
                kind, due_at = FOLLOW_UP_TIMER, event.second_callback_due
            case _:
                continue
        payload = {"complaint_id": str(event.complaint_id)}
        await schedule(conn, _timer_id(kind, event.complaint_id, due_at), kind, due_at, envelope.tenant, payload)


@dataclass(frozen=True)
class Complaints(UseCases):
    """The use cases, on the service's runtime (its event store and clock)."""

    async def run(
        self,
        metadata: Metadata,
        complaint_id: UUID,
        command: ComplaintCommand,
        *,
        conn: Connection | None = None,
        expected_version: int | None = None,
    ) -> Outcome[Complaint]:
        """Any complaint command; `conn` when run by the policy or a timer inside its transaction."""
        return await execute(
            self.store,
            complaint,
            stream_id(complaint_id),
            command,
            metadata,
            must_exist=not isinstance(command, ReceiveComplaint),
            expected_version=expected_version,
            after_append=_keep_clocks,
            conn=conn,
        )

    async def run_with_settings(
        self,
        metadata: Metadata,
        complaint_id: UUID,
        make: Callable[[SiteSettings], ComplaintCommand],
        *,
        conn: Connection | None = None,
    ) -> Outcome[Complaint]:
        """A command that needs the site's calendar or a person's authority limit: `make` builds it
        from the site's settings, read here (inside `conn`'s transaction when given)."""
        command = make(await self.settings(metadata.tenant, conn=conn))
        return await self.run(metadata, complaint_id, command, conn=conn)

    async def state(self, tenant: Tenant, complaint_id: UUID) -> tuple[Complaint, int]:
        return await load(self.store, complaint, stream_id(complaint_id), tenant)

    async def current(self, conn: Connection, complaint_id: UUID) -> Complaint:
        """The complaint as it is inside `conn`'s transaction (the initial state if none)."""
        history = await self.store.read_stream(stream_id(complaint_id), conn=conn)
        return fold(complaint, [e.event for e in history])

    # --- the site's settings -------------------------------------------------------------

    async def settings(self, tenant: Tenant, *, conn: Connection | None = None) -> SiteSettings:
        """The site's calendar and limits; the defaults when the site set none."""
        history = await self.store.read_stream(site.stream_id(tenant.site_id), conn=conn)
        if history and history[0].tenant != tenant:
            return site.DEFAULTS  # another group's stream of the same name is not this site's
        return fold(site_settings, [e.event for e in history])

    async def set_settings(self, metadata: Metadata, command: SetComplaintSettings) -> Outcome[SiteSettings]:
        return await execute(self.store, site_settings, site.stream_id(command.site_id), command, metadata)

    # --- the clocks ----------------------------------------------------------------------

    async def record_sla_breach(self, conn: Connection, timer: DueTimer) -> None:
        """The SLA timer: breached and escalated if still unresolved at this deadline."""
        metadata = Metadata(timer.tenant, SYSTEM_ACTOR, str(uuid4()), causation_id=timer.timer_id)
        await self.run(metadata, UUID(timer.payload["complaint_id"]), RecordSlaBreach(timer.due_at), conn=conn)

    async def record_follow_up_overdue(self, conn: Connection, timer: DueTimer) -> None:
        """The second-callback timer: the desk sees the follow-up is overdue."""
        metadata = Metadata(timer.tenant, SYSTEM_ACTOR, str(uuid4()), causation_id=timer.timer_id)
        command = RecordFollowUpOverdue(timer.due_at)
        await self.run(metadata, UUID(timer.payload["complaint_id"]), command, conn=conn)
