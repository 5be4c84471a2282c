"""The parts use cases: load the aggregate, decide, append — one function each.

Handlers take the already-checked `Metadata` (tenant, actor, correlation) and plain values;
the HTTP layer and the policies build those. Time comes from the runtime's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from events.commands import Outcome, execute, load
from events.connection import Connection
from events.decider import fold
from events.envelope import Metadata, Tenant
from events.errors import NotFound
from events.runtime import UseCases
from parts.domain import old_part, parts_order, stock_item
from parts.domain.old_part import DisposeOldPart, OldPart, RecordOldPart
from parts.domain.parts_order import (
    CancelOrder,
    DispatchTransfer,
    OrderLineRequest,
    PartsOrder,
    PlaceEmergencyOrder,
    ReceivedLine,
    ReceiveOrder,
    RequestTransfer,
)
from parts.domain.stock_commands import StockCommand
from parts.domain.stock_state import StockItem


@dataclass(frozen=True)
class Parts(UseCases):
    """The use cases, on the service's runtime (its event store and clock)."""

    # --- stock ---------------------------------------------------------------------------

    async def stock(
        self, metadata: Metadata, command: StockCommand, *, conn: Connection | None = None
    ) -> Outcome[StockItem]:
        """Any stock command (receive, count, reserve, release, issue, return, transfer out);
        `conn` when run by a policy inside its consumer's transaction."""
        stream = stock_item.stream_id(UUID(metadata.tenant.site_id), command.part_number)
        return await execute(self.store, stock_item.stock_item, stream, command, metadata, conn=conn)

    async def stock_state(self, tenant: Tenant, part_number: str) -> tuple[StockItem, int]:
        stream = stock_item.stream_id(UUID(tenant.site_id), part_number)
        return await load(self.store, stock_item.stock_item, stream, tenant, must_exist=False)

    # --- orders and transfers -------------------------------------------------------------

    async def place_emergency_order(
        self, metadata: Metadata, supplier: str, lines: tuple[OrderLineRequest, ...], expected_at: datetime
    ) -> Outcome[PartsOrder]:
        order_id = uuid4()
        command = PlaceEmergencyOrder(order_id, supplier, lines, expected_at, self.now())
        return await execute(self.store, parts_order.parts_order, parts_order.stream_id(order_id), command, metadata)

    async def request_transfer(
        self, metadata: Metadata, from_site: UUID, from_group: UUID, lines: tuple[OrderLineRequest, ...]
    ) -> Outcome[PartsOrder]:
        """Ask `from_site` for parts. Its group comes from what this service knows of the site,
        so a site of another group is refused by the domain (cross_group_transfer)."""
        order_id = uuid4()
        tenant = metadata.tenant
        command = RequestTransfer(
            order_id, from_site, from_group, UUID(tenant.site_id), UUID(tenant.group_id), lines, self.now()
        )
        return await execute(self.store, parts_order.parts_order, parts_order.stream_id(order_id), command, metadata)

    async def dispatch_transfer(self, metadata: Metadata, order_id: UUID) -> Outcome[PartsOrder]:
        """The giving site sends the parts. The order belongs to the requesting site, so the
        event is recorded under that site, by the giving site's clerk."""
        stream = parts_order.stream_id(order_id)
        history = await self.store.read_stream(stream)
        if not history or history[0].tenant.group_id != metadata.tenant.group_id:
            raise NotFound(f"parts order {order_id} does not exist")
        state = fold(parts_order.parts_order, [e.event for e in history])
        if str(state.from_site_id) != metadata.tenant.site_id:
            raise NotFound(f"parts order {order_id} is not a transfer from site {metadata.tenant.site_id}")
        on_behalf = Metadata(
            history[0].tenant, metadata.actor, metadata.correlation_id, metadata.causation_id, metadata.traceparent
        )
        # The parts leave at what they cost the giving site: its shelves' latest receipt costs.
        costs = []
        for line in state.lines:
            shelf, _ = await self.stock_state(metadata.tenant, line.part_number)
            if shelf.unit_cost is not None:
                costs.append((line.line_number, shelf.unit_cost))
        command = DispatchTransfer(self.now(), tuple(costs))
        return await execute(self.store, parts_order.parts_order, stream, command, on_behalf, must_exist=True)

    async def receive_order(
        self, metadata: Metadata, order_id: UUID, lines: tuple[ReceivedLine, ...]
    ) -> Outcome[PartsOrder]:
        command = ReceiveOrder(lines, self.now())
        stream = parts_order.stream_id(order_id)
        return await execute(self.store, parts_order.parts_order, stream, command, metadata, must_exist=True)

    async def cancel_order(self, metadata: Metadata, order_id: UUID, reason: str) -> Outcome[PartsOrder]:
        stream = parts_order.stream_id(order_id)
        command = CancelOrder(reason, self.now())
        return await execute(self.store, parts_order.parts_order, stream, command, metadata, must_exist=True)

    async def order_state(self, tenant: Tenant, order_id: UUID) -> tuple[PartsOrder, int]:
        return await load(self.store, parts_order.parts_order, parts_order.stream_id(order_id), tenant)

    # --- old parts -----------------------------------------------------------------------

    async def record_old_part(self, metadata: Metadata, command: RecordOldPart) -> Outcome[OldPart]:
        return await execute(self.store, old_part.old_part, old_part.stream_id(command.old_part_id), command, metadata)

    async def dispose_old_part(
        self, metadata: Metadata, old_part_id: UUID, command: DisposeOldPart
    ) -> Outcome[OldPart]:
        stream = old_part.stream_id(old_part_id)
        return await execute(self.store, old_part.old_part, stream, command, metadata, must_exist=True)

    async def old_part_state(self, tenant: Tenant, old_part_id: UUID) -> tuple[OldPart, int]:
        return await load(self.store, old_part.old_part, old_part.stream_id(old_part_id), tenant)
