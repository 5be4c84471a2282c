"""PartsOrder (STAR PartsOrder): an emergency order to a supplier or an inter-site transfer
within one dealer group (stream `parts_order-<uuid>`), placed when a shortage stops a job
(docs/domain.md §3 "parts shortage stops a job → emergency order / transfer from another site").

Life: placed (emergency) or requested (transfer) → dispatched (transfers only) → received
line by line, partial receipts allowed, what is still due stays on back order → complete.
Cancelling calls off what is still due. The receiving site's stock is updated by the handler
from `PartsReceived` (a `ReceiveStock` on each line's stock item, the line's RO first).

Cost: an emergency order line may carry the supplier's unit cost; a transfer's lines take the
giving site's cost when it is dispatched (the handler reads them from its shelves). Every
receipt carries its line's cost, so the parts go on the receiving shelf at what they cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from events.catalog.parts import (
    PartsOrderCancelled,
    PartsOrdered,
    PartsReceived,
    PartsTransferDispatched,
    PartsTransferRequested,
)
from events.catalog.parts_values import OrderLine
from events.contract import Event
from events.decider import Decider
from events.errors import DomainError
from parts.domain.errors import (
    InvalidDemand,
    require_part_number,
    require_positive,
    require_reason,
    require_unit_cost,
)


def stream_id(parts_order_id: UUID) -> str:
    return f"parts_order-{parts_order_id}"


# --- errors -------------------------------------------------------------------------------


class OrderAlreadyPlaced(DomainError):
    code = "order_already_placed"


class EmptyOrder(DomainError):
    code = "empty_order"


class SupplierRequired(DomainError):
    code = "supplier_required"


class ExpectedBeforeOrdered(DomainError):
    code = "expected_before_ordered"


class CrossGroupTransfer(DomainError):
    code = "cross_group_transfer"


class TransferToSameSite(DomainError):
    code = "transfer_to_same_site"


class OrderNotPlaced(DomainError):
    code = "order_not_placed"


class NotATransfer(DomainError):
    code = "not_a_transfer"


class TransferAlreadyDispatched(DomainError):
    code = "transfer_already_dispatched"


class TransferNotDispatched(DomainError):
    code = "transfer_not_dispatched"


class OrderCancelled(DomainError):
    code = "order_cancelled"


class OrderCompleted(DomainError):
    code = "order_completed"


class TransferInTransit(DomainError):
    code = "transfer_in_transit"


class UnknownOrderLine(DomainError):
    code = "unknown_order_line"


class OverReceipt(DomainError):
    code = "over_receipt"


# --- commands -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderLineRequest:
    """A part and quantity to order, optionally for the RO line whose job waits for it, and
    optionally at a unit cost (fen per part, the supplier's price)."""

    part_number: str
    quantity: int
    repair_order_id: UUID | None = None
    line_id: UUID | None = None
    unit_cost: int | None = None


@dataclass(frozen=True)
class PlaceEmergencyOrder:
    parts_order_id: UUID
    supplier: str
    lines: tuple[OrderLineRequest, ...]
    expected_at: datetime
    ordered_at: datetime


@dataclass(frozen=True)
class RequestTransfer:
    """Ask another site for parts. The handler fills both sites' dealer-group ids from its
    site registry; the pure domain only compares them."""

    parts_order_id: UUID
    from_site_id: UUID
    from_group_id: UUID
    to_site_id: UUID
    to_group_id: UUID
    lines: tuple[OrderLineRequest, ...]
    requested_at: datetime


@dataclass(frozen=True)
class DispatchTransfer:
    """The giving site sends the parts; `unit_costs` are (line number, fen per part) of its
    shelves, for the lines whose cost it knows."""

    dispatched_at: datetime
    unit_costs: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class ReceivedLine:
    line_number: int
    quantity: int


@dataclass(frozen=True)
class ReceiveOrder:
    lines: tuple[ReceivedLine, ...]
    received_at: datetime


@dataclass(frozen=True)
class CancelOrder:
    reason: str
    cancelled_at: datetime


PartsOrderCommand = PlaceEmergencyOrder | RequestTransfer | DispatchTransfer | ReceiveOrder | CancelOrder


# --- state --------------------------------------------------------------------------------

# "new" (nothing yet), "open" (ordered or requested), "in_transit" (a dispatched transfer),
# "cancelled". Complete is derived: every line received in full.
OrderStatus = str


@dataclass(frozen=True)
class PartsOrder:
    parts_order_id: UUID | None = None
    kind: str | None = None
    status: OrderStatus = "new"
    lines: tuple[OrderLine, ...] = ()
    from_site_id: UUID | None = None
    to_site_id: UUID | None = None
    received: Mapping[int, int] = field(default_factory=dict)  # per line number

    def outstanding(self, line: OrderLine) -> int:
        return line.quantity - self.received.get(line.line_number, 0)

    @property
    def is_complete(self) -> bool:
        return bool(self.lines) and all(self.outstanding(line) == 0 for line in self.lines)


INITIAL = PartsOrder()


def evolve(state: PartsOrder, event: Event) -> PartsOrder:
    match event:
        case PartsOrdered():
            return PartsOrder(event.parts_order_id, "emergency", "open", event.lines)
        case PartsTransferRequested():
            return PartsOrder(
                event.parts_order_id, "transfer", "open", event.lines, event.from_site_id, event.to_site_id
            )
        case PartsTransferDispatched():
            return replace(state, status="in_transit", lines=event.lines)
        case PartsReceived():
            received = dict(state.received)
            received[event.line_number] = received.get(event.line_number, 0) + event.quantity
            return replace(state, received=received)
        case PartsOrderCancelled():
            return replace(state, status="cancelled")
    return state


# --- decide -------------------------------------------------------------------------------


def decide(state: PartsOrder, command: PartsOrderCommand) -> Sequence[Event]:
    match command:
        case PlaceEmergencyOrder():
            return _place(state, command)
        case RequestTransfer():
            return _request_transfer(state, command)
        case DispatchTransfer():
            return _dispatch(state, command)
        case ReceiveOrder():
            return _receive(state, command)
        case CancelOrder():
            return _cancel(state, command)


def _numbered(requests: tuple[OrderLineRequest, ...]) -> tuple[OrderLine, ...]:
    if not requests:
        raise EmptyOrder("an order needs at least one line")
    lines = []
    for number, request in enumerate(requests, start=1):
        require_positive(request.quantity, f"quantity of line {number}")
        if (request.repair_order_id is None) != (request.line_id is None):
            raise InvalidDemand(f"line {number}: an order line is for a whole RO line (repair order and line)")
        lines.append(
            OrderLine(
                line_number=number,
                part_number=require_part_number(request.part_number),
                quantity=request.quantity,
                repair_order_id=request.repair_order_id,
                line_id=request.line_id,
                unit_cost=require_unit_cost(request.unit_cost, f"unit cost of line {number}"),
            )
        )
    return tuple(lines)


def _require_new(state: PartsOrder) -> None:
    if state.status != "new":
        raise OrderAlreadyPlaced(f"parts order {state.parts_order_id} was already placed")


def _place(state: PartsOrder, command: PlaceEmergencyOrder) -> Sequence[Event]:
    _require_new(state)
    if not command.supplier.strip():
        raise SupplierRequired("an emergency order names the supplier")
    if command.expected_at < command.ordered_at:
        raise ExpectedBeforeOrdered("the expected arrival cannot be before the order is placed")
    lines = _numbered(command.lines)
    return [
        PartsOrdered(
            parts_order_id=command.parts_order_id,
            supplier=command.supplier.strip(),
            lines=lines,
            expected_at=command.expected_at,
            ordered_at=command.ordered_at,
        )
    ]


def _request_transfer(state: PartsOrder, command: RequestTransfer) -> Sequence[Event]:
    _require_new(state)
    # docs/domain.md §4 and the brief: transfers stay within one dealer group; other groups are
    # other companies, whose stock is not ours to move.
    if command.from_group_id != command.to_group_id:
        raise CrossGroupTransfer("parts can only be transferred between sites of the same dealer group")
    if command.from_site_id == command.to_site_id:
        raise TransferToSameSite("a transfer goes from one site to another; both sites are the same")
    lines = _numbered(command.lines)
    return [
        PartsTransferRequested(
            parts_order_id=command.parts_order_id,
            from_site_id=command.from_site_id,
            to_site_id=command.to_site_id,
            lines=lines,
            requested_at=command.requested_at,
        )
    ]


def _require_placed(state: PartsOrder) -> tuple[UUID, str]:
    """The order's id and kind, once it has been placed and while it is not cancelled."""
    if state.parts_order_id is None or state.kind is None:
        raise OrderNotPlaced("this parts order has not been placed")
    if state.status == "cancelled":
        raise OrderCancelled(f"parts order {state.parts_order_id} was cancelled")
    return state.parts_order_id, state.kind


def _dispatch(state: PartsOrder, command: DispatchTransfer) -> Sequence[Event]:
    order_id, kind = _require_placed(state)
    if kind != "transfer" or state.from_site_id is None or state.to_site_id is None:
        raise NotATransfer("only an inter-site transfer is dispatched; a supplier order is just received")
    if state.status == "in_transit":
        raise TransferAlreadyDispatched(f"transfer {state.parts_order_id} is already on its way")
    costs = dict(command.unit_costs)
    for number, cost in costs.items():
        require_unit_cost(cost, f"unit cost of line {number}")
    costed = tuple(
        line.model_copy(update={"unit_cost": costs[line.line_number]}) if line.line_number in costs else line
        for line in state.lines
    )
    return [
        PartsTransferDispatched(
            parts_order_id=order_id,
            from_site_id=state.from_site_id,
            to_site_id=state.to_site_id,
            lines=costed,
            dispatched_at=command.dispatched_at,
        )
    ]


def _receive(state: PartsOrder, command: ReceiveOrder) -> Sequence[Event]:
    order_id, kind = _require_placed(state)
    if kind == "transfer" and state.status != "in_transit":
        raise TransferNotDispatched("a transfer is received only after the giving site dispatched it")
    if not command.lines:
        raise EmptyOrder("a receipt lists at least one received line")
    by_number = {line.line_number: line for line in state.lines}
    events: list[Event] = []
    seen: set[int] = set()
    for received in command.lines:
        line = by_number.get(received.line_number)
        if line is None or received.line_number in seen:
            raise UnknownOrderLine(f"line {received.line_number} is not an order line, or is listed twice")
        seen.add(received.line_number)
        require_positive(received.quantity, f"quantity received on line {line.line_number}")
        due = state.outstanding(line)
        if received.quantity > due:
            raise OverReceipt(f"line {line.line_number} has {due} still due; {received.quantity} received")
        events.append(
            PartsReceived(
                part_number=line.part_number,
                parts_order_id=order_id,
                order_kind=kind,
                line_number=line.line_number,
                quantity=received.quantity,
                back_ordered_quantity=due - received.quantity,
                repair_order_id=line.repair_order_id,
                line_id=line.line_id,
                received_at=command.received_at,
                unit_cost=line.unit_cost,
            )
        )
    return events


def _cancel(state: PartsOrder, command: CancelOrder) -> Sequence[Event]:
    order_id, kind = _require_placed(state)
    if state.is_complete:
        raise OrderCompleted(f"parts order {state.parts_order_id} has been received in full")
    if state.status == "in_transit":
        raise TransferInTransit("the parts are on their way; receive them (and send them back if not needed)")
    cancelled = tuple(
        line.model_copy(update={"quantity": state.outstanding(line)})
        for line in state.lines
        if state.outstanding(line) > 0
    )
    return [
        PartsOrderCancelled(
            parts_order_id=order_id,
            order_kind=kind,
            cancelled_lines=cancelled,
            reason=require_reason(command.reason, "cancelling the order"),
            cancelled_at=command.cancelled_at,
        )
    ]


parts_order: Decider[PartsOrderCommand, PartsOrder] = Decider(INITIAL, decide, evolve)
