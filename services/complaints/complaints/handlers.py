"""The complaints use cases that need more than `events.commands.execute`: the commands that
read the site's settings (working calendar, authority limits) before deciding, so the pure
domain gets them on the command; the two timers; the reads the policy makes in its transaction.
A route whose command needs nothing else runs `execute` itself, with `keep_clocks`.

Handlers take the already-checked `Metadata` (tenant, actor, correlation), the version the
caller expects (If-Match) where a person sends the command, and a domain command or what
builds one; the HTTP layer, the policy and the timers build those.

Clocks (durable timers, written in the same transaction as the events that start them): the
rule is `complaints.domain.clocks`, kept with `events.timers.keeping`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID, uuid4

from complaints.domain import settings as site
from complaints.domain.clocks import complaint_clocks
from complaints.domain.commands import ComplaintCommand, ReceiveComplaint, RecordFollowUpOverdue, RecordSlaBreach
from complaints.domain.complaint import complaint, stream_id
from complaints.domain.settings import SiteSettings, site_settings
from complaints.domain.state import Complaint
from events.commands import Outcome, execute
from events.connection import Connection
from events.decider import fold
from events.envelope import Metadata, Tenant
from events.runtime import UseCases
from events.timers import DueTimer, keeping

SYSTEM_ACTOR = "complaints.clock"
# Every command on a complaint keeps its clocks, in the transaction that records its events.
keep_clocks = keeping(complaint_clocks)


@dataclass(frozen=True)
class Complaints(UseCases):
    """The use cases, on the service's runtime (its event store and clock)."""

    async def run_with_settings(
        self,
        metadata: Metadata,
        complaint_id: UUID,
        make: Callable[[SiteSettings], ComplaintCommand],
        *,
        expected_version: int | None = None,
        conn: Connection | None = None,
    ) -> Outcome[Complaint]:
        """A command that needs the site's calendar or a person's authority limit: `make` builds it
        from the site's settings, read here (inside `conn`'s transaction when given)."""
        command = make(await self.settings(metadata.tenant, conn=conn))
        return await execute(
            self.store,
            complaint,
            stream_id(complaint_id),
            command,
            metadata,
            expected_version=expected_version,
            must_exist=not isinstance(command, ReceiveComplaint),
            after_append=keep_clocks,
            conn=conn,
        )

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

    # --- the clocks ----------------------------------------------------------------------

    async def record_sla_breach(self, conn: Connection, timer: DueTimer) -> None:
        """The SLA timer: breached and escalated if still unresolved at this deadline."""
        await self._on_time(conn, timer, RecordSlaBreach(timer.due_at))

    async def record_follow_up_overdue(self, conn: Connection, timer: DueTimer) -> None:
        """The second-callback timer: the desk sees the follow-up is overdue."""
        await self._on_time(conn, timer, RecordFollowUpOverdue(timer.due_at))

    async def _on_time(self, conn: Connection, timer: DueTimer, command: ComplaintCommand) -> None:
        metadata = Metadata(timer.tenant, SYSTEM_ACTOR, str(uuid4()), causation_id=timer.timer_id)
        complaint_id = UUID(timer.payload["complaint_id"])
        await execute(
            self.store,
            complaint,
            stream_id(complaint_id),
            command,
            metadata,
            must_exist=True,
            after_append=keep_clocks,
            conn=conn,
        )
