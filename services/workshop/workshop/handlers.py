"""The workshop use cases: load the work order, decide, append — and keep its progress clocks
and the floor (which technician is on which job, which bay holds which job) in step with it.

Handlers take the already-checked `Metadata` (tenant, actor, correlation) and a domain command;
the HTTP layer, the policies and the timer build those. Time comes from the runtime's clock. A
command that needs nothing but `events.commands.execute` (the site's settings) is run by its
route; a work order's command needs more (the floor and the clocks, in its transaction): `run`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from events.commands import Outcome, execute, state_cache
from events.connection import Connection
from events.decider import fold
from events.envelope import Envelope, Metadata, Tenant
from events.runtime import UseCases
from events.timers import DueTimer, keeping
from workshop.domain import bay as bays
from workshop.domain import settings as site
from workshop.domain import technician as technicians
from workshop.domain.clocks import progress_clocks
from workshop.domain.commands import CheckProgress, OpenWorkOrder, WorkOrderCommand
from workshop.domain.floor import FLOOR_EVENTS, floor_changes, starts_a_clock
from workshop.domain.settings import WorkshopSettings, site_settings
from workshop.domain.state import WorkOrder
from workshop.domain.technician import ClockOff, ClockOn
from workshop.domain.work_order import stream_id, work_order

SYSTEM_ACTOR = "workshop.progress-check"


@dataclass(frozen=True)
class Workshop(UseCases):
    """The use cases, on the service's runtime (its event store and clock)."""

    async def run(
        self,
        metadata: Metadata,
        repair_order_id: UUID,
        command: WorkOrderCommand,
        *,
        conn: Connection | None = None,
        expected_version: int | None = None,
    ) -> Outcome[WorkOrder]:
        """Any work-order command; `conn` when run by a policy or timer inside its transaction;
        `expected_version` the version a person last saw (HTTP `If-Match`): a change since is a
        `ConcurrencyConflict`."""
        return await execute(
            self.store,
            work_order,
            stream_id(repair_order_id),
            command,
            metadata,
            must_exist=not isinstance(command, OpenWorkOrder),
            expected_version=expected_version,
            after_append=self._after_append,
            conn=conn,
        )

    async def _after_append(self, conn: Connection, recorded: list[Envelope[Any]]) -> None:
        await self._keep_floor(conn, recorded)
        await keeping(progress_clocks)(conn, recorded)

    async def _keep_floor(self, conn: Connection, recorded: list[Envelope[Any]]) -> None:
        """The technicians' and bays' streams, appended in the work order's own transaction: a
        technician busy elsewhere or a bay held by another job refuses the whole command, and two
        commands racing for one technician or bay meet on that stream's version check
        (docs/decisions/0007)."""
        events = [envelope.event for envelope in recorded]
        if not any(isinstance(event, FLOOR_EVENTS) for event in events):
            return
        first = recorded[0]
        before = await self._state_before(conn, first.stream_id, first.stream_version - 1)
        allowed = (await self.settings(first.tenant, conn=conn)).jobs_per_technician if starts_a_clock(events) else 1
        site_id = first.tenant.site_id
        for command in floor_changes(before, events, allowed):
            if isinstance(command, ClockOn | ClockOff):
                stream = technicians.stream_id(site_id, command.technician_id)
                await execute(self.store, technicians.technician, stream, command, first.metadata, conn=conn)
            else:
                stream = bays.stream_id(site_id, command.bay)
                await execute(self.store, bays.bay, stream, command, first.metadata, conn=conn)

    async def _state_before(self, conn: Connection, stream: str, version: int) -> WorkOrder:
        """The work order at `version`, from the cached state when it is not newer."""
        cache = state_cache(self.store)
        cached = cache.get(work_order, stream) if cache is not None else None
        state, after = (cached.state, cached.version) if cached and cached.version <= version else (None, 0)
        history = await self.store.read_stream(stream, after_version=after, conn=conn)
        return fold(work_order, [e.event for e in history if e.stream_version <= version], state)

    async def current(self, conn: Connection, repair_order_id: UUID) -> WorkOrder:
        """The work order as it is inside `conn`'s transaction (the initial state if none)."""
        history = await self.store.read_stream(stream_id(repair_order_id), conn=conn)
        return fold(work_order, [e.event for e in history])

    # --- the site's settings -------------------------------------------------------------

    async def settings(self, tenant: Tenant, *, conn: Connection | None = None) -> WorkshopSettings:
        """The site's workshop settings; the defaults when the site set none."""
        history = await self.store.read_stream(site.stream_id(tenant.site_id), conn=conn)
        if history and history[0].tenant != tenant:
            return site.DEFAULTS  # another group's stream of the same name is not this site's
        return fold(site_settings, [e.event for e in history])

    async def check_progress(self, conn: Connection, timer: DueTimer) -> None:
        """The progress-check timer: forecast against the promise, in the timer's transaction."""
        metadata = Metadata(timer.tenant, SYSTEM_ACTOR, str(uuid4()), causation_id=timer.timer_id)
        command = CheckProgress(timer.payload["check"], self.now())
        await self.run(metadata, UUID(timer.payload["repair_order_id"]), command, conn=conn)
