"""The reception use cases: load the repair order, decide, append — one method each.

Handlers take the already-checked `Metadata` (tenant, actor, correlation) and the domain
command; the HTTP layer builds the command with `now()`, so time comes from the runtime's clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from uuid import UUID, uuid4

from events.commands import Outcome, execute, load
from events.connection import Connection
from events.envelope import Metadata, Tenant
from events.runtime import UseCases
from reception.booked_appointments import arrival_of
from reception.domain import repair_order
from reception.domain.check_in import appointment_visit_id, keyed_visit_id
from reception.domain.repair_order_commands import (
    AddRepairLine,
    ApproveAdditionalWork,
    CheckIn,
    DeclineAdditionalWork,
    Deliver,
    HandOverToWorkshop,
    IssueExitSlip,
    MarkReadyForDelivery,
    PrepareEstimate,
    ReceiveAdditionalWork,
    RecordConcern,
    RecordWalkAround,
    RemoveRepairLine,
    RepairOrderCommand,
    ReportDamage,
    RevisePromisedTime,
    Settle,
    SignRepairOrder,
)
from reception.domain.repair_order_state import RepairOrder


@dataclass(frozen=True)
class Reception(UseCases):
    """The use cases, on the service's runtime (its event store and clock). `booking_patience`:
    how long a check-in waits for booking's record of an appointment car's arrival to reach
    reception (seconds)."""

    booking_patience: float = 5.0

    async def _on(
        self, metadata: Metadata, repair_order_id: UUID, command: RepairOrderCommand, conn: Connection | None = None
    ) -> Outcome[RepairOrder]:
        """Every command but check-in acts on an existing visit: an unknown one is a 404.
        `conn` when a policy runs it inside its consumer's transaction."""
        stream = repair_order.stream_id(repair_order_id)
        return await execute(
            self.store, repair_order.repair_order, stream, command, metadata, must_exist=True, conn=conn
        )

    # --- at the reception desk --------------------------------------------------------------

    async def check_in(
        self,
        metadata: Metadata,
        build: Callable[[UUID], CheckIn],
        *,
        appointment_id: UUID | None = None,
        chosen_id: UUID | None = None,
        idempotency_key: str | None = None,
    ) -> Outcome[RepairOrder]:
        """Start a visit, or find the one this check-in started before (nothing is recorded
        then). Its id: the appointment's one visit; else the caller's key or chosen id, so that
        a retry finds its visit; else a new one. An appointment car comes with what booking
        recorded of it (decision 0006)."""
        tenant = metadata.tenant
        if appointment_id is not None:
            repair_order_id = appointment_visit_id(tenant.group_id, tenant.site_id, appointment_id)
        elif idempotency_key is not None:
            repair_order_id = keyed_visit_id(tenant.group_id, tenant.site_id, metadata.actor, idempotency_key)
        else:
            repair_order_id = chosen_id or uuid4()
        command = build(repair_order_id)
        if command.appointment_id is not None:
            booked = await arrival_of(self.runtime.pool, tenant, command.appointment_id, self.booking_patience)
            command = replace(command, booking=booked)
        stream = repair_order.stream_id(repair_order_id)
        return await execute(self.store, repair_order.repair_order, stream, command, metadata)

    async def record_walk_around(self, metadata: Metadata, ro: UUID, command: RecordWalkAround) -> Outcome[RepairOrder]:
        return await self._on(metadata, ro, command)

    async def report_damage(self, metadata: Metadata, ro: UUID, command: ReportDamage) -> Outcome[RepairOrder]:
        return await self._on(metadata, ro, command)

    async def record_concern(self, metadata: Metadata, ro: UUID, command: RecordConcern) -> Outcome[RepairOrder]:
        return await self._on(metadata, ro, command)

    async def prepare_estimate(self, metadata: Metadata, ro: UUID, command: PrepareEstimate) -> Outcome[RepairOrder]:
        return await self._on(metadata, ro, command)

    async def sign(self, metadata: Metadata, ro: UUID, command: SignRepairOrder) -> Outcome[RepairOrder]:
        return await self._on(metadata, ro, command)

    async def issue_exit_slip(self, metadata: Metadata, ro: UUID, command: IssueExitSlip) -> Outcome[RepairOrder]:
        return await self._on(metadata, ro, command)

    # --- changes after signing ----------------------------------------------------------------

    async def add_line(self, metadata: Metadata, ro: UUID, command: AddRepairLine) -> Outcome[RepairOrder]:
        return await self._on(metadata, ro, command)

    async def remove_line(self, metadata: Metadata, ro: UUID, command: RemoveRepairLine) -> Outcome[RepairOrder]:
        return await self._on(metadata, ro, command)

    async def revise_promised_time(
        self, metadata: Metadata, ro: UUID, command: RevisePromisedTime
    ) -> Outcome[RepairOrder]:
        return await self._on(metadata, ro, command)

    # --- workshop and additional work -----------------------------------------------------

    async def hand_over(self, metadata: Metadata, ro: UUID, command: HandOverToWorkshop) -> Outcome[RepairOrder]:
        return await self._on(metadata, ro, command)

    async def receive_additional_work(
        self, metadata: Metadata, ro: UUID, command: ReceiveAdditionalWork, conn: Connection | None = None
    ) -> Outcome[RepairOrder]:
        return await self._on(metadata, ro, command, conn)

    async def approve_additional_work(
        self, metadata: Metadata, ro: UUID, command: ApproveAdditionalWork
    ) -> Outcome[RepairOrder]:
        return await self._on(metadata, ro, command)

    async def decline_additional_work(
        self, metadata: Metadata, ro: UUID, command: DeclineAdditionalWork
    ) -> Outcome[RepairOrder]:
        return await self._on(metadata, ro, command)

    # --- the end of the visit ---------------------------------------------------------------

    async def mark_ready(
        self, metadata: Metadata, ro: UUID, command: MarkReadyForDelivery, conn: Connection | None = None
    ) -> Outcome[RepairOrder]:
        return await self._on(metadata, ro, command, conn)

    async def settle(self, metadata: Metadata, ro: UUID, command: Settle) -> Outcome[RepairOrder]:
        return await self._on(metadata, ro, command)

    async def deliver(self, metadata: Metadata, ro: UUID, command: Deliver) -> Outcome[RepairOrder]:
        return await self._on(metadata, ro, command)

    async def repair_order_state(self, tenant: Tenant, repair_order_id: UUID) -> tuple[RepairOrder, int]:
        stream = repair_order.stream_id(repair_order_id)
        return await load(self.store, repair_order.repair_order, stream, tenant)
