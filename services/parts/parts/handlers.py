"""The parts use cases that need more than `events.commands.execute` on one stream: a lookup
before deciding, or another site's records. A command that is only `execute` runs from its
route (`api.py`); the policies run stock commands through `stock`.

Handlers take the already-checked `Metadata` (tenant, actor, correlation), the version the
caller last saw (`If-Match`, explicit) and plain values. Time comes from the runtime's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from events.commands import Outcome, execute, load
from events.connection import Connection
from events.decider import fold
from events.envelope import Metadata, Tenant
from events.errors import NotFound
from events.runtime import UseCases
from parts import projections
from parts.domain import parts_order, stock_item
from parts.domain.parts_order import DispatchTransfer, OrderLineRequest, PartsOrder, RequestTransfer
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

    # --- transfers ------------------------------------------------------------------------

    async def request_transfer(
        self,
        metadata: Metadata,
        from_site: UUID,
        lines: tuple[OrderLineRequest, ...],
        *,
        expected_version: int | None,
    ) -> Outcome[PartsOrder]:
        """Ask `from_site` for parts. Its group comes from what this service knows of the site
        (404 for a site it has not seen), so a site of another group is refused by the domain
        (cross_group_transfer)."""
        from_group = await projections.group_of_site(self.runtime.pool, from_site)
        if from_group is None:
            raise NotFound(f"site {from_site} is not known to the parts service")
        order_id = uuid4()
        tenant = metadata.tenant
        command = RequestTransfer(
            order_id, from_site, _group_id(from_group), UUID(tenant.site_id), UUID(tenant.group_id), lines, self.now()
        )
        stream = parts_order.stream_id(order_id)
        return await execute(
            self.store, parts_order.parts_order, stream, command, metadata, expected_version=expected_version
        )

    async def dispatch_transfer(
        self, metadata: Metadata, order_id: UUID, *, expected_version: int | None
    ) -> Outcome[PartsOrder]:
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
            shelf, _ = await self._shelf(metadata.tenant, line.part_number)
            if shelf.unit_cost is not None:
                costs.append((line.line_number, shelf.unit_cost))
        command = DispatchTransfer(self.now(), tuple(costs))
        return await execute(
            self.store,
            parts_order.parts_order,
            stream,
            command,
            on_behalf,
            expected_version=expected_version,
            must_exist=True,
        )

    async def _shelf(self, tenant: Tenant, part_number: str) -> tuple[StockItem, int]:
        stream = stock_item.stream_id(UUID(tenant.site_id), part_number)
        return await load(self.store, stock_item.stock_item, stream, tenant, must_exist=False)


def _group_id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(f"site group {value} is not a dealer-group id") from None
