"""StockItem: one part number on the shelves of one site (stream `stock-<site_id>:<part_number>`).

The parts clerk receives, counts, reserves, issues and takes back parts here (docs/domain.md §4).

Decisions written down:
- A reservation that finds too little free stock holds what there is (`PartsReserved`) and
  records the rest as a shortage (`PartsShortageDetected`): the parts on the shelf stay with the
  job that asked first instead of going to a later one, and the workshop learns at once that
  the job will wait for parts. The missing parts join a back-order queue.
- Parts that become free (a receipt, a return, a released reservation, a stocktake surplus)
  fill the waiting reservations first, in the order their shortages were detected (FIFO); a
  receipt ordered for particular RO lines (an emergency order) serves those lines first.
- A stocktake is a physical fact and is never refused; when it counts fewer parts than are
  held, the newest reservations give parts back and wait for them again (`stocktake_loss`).
- Parts leave the shelf only from the job's own reservation or from free stock, never from
  parts held for someone else, and on-hand never goes below zero (`insufficient_stock`).
- Every receipt carries a unit cost (fen per part): the one given (the order line's, for parts
  ordered), else the cost of the item's latest receipt (0 for a part never received before).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from events.catalog.parts import (
    PartsIssued,
    PartsReserved,
    PartsReturned,
    PartsShortageDetected,
    ReservationReleased,
    StockAdjusted,
    StockReceived,
    StockTransferredOut,
)
from events.catalog.parts_values import STOCK_SOURCES
from events.contract import Event
from events.decider import Decider, fold
from events.errors import DomainError
from parts.domain.errors import (
    InsufficientStock,
    InvalidQuantity,
    InvalidUnitCost,
    require_demand,
    require_part_number,
    require_positive,
    require_reason,
    require_unit_cost,
)
from parts.domain.stock_commands import (
    AdjustStock,
    Issue,
    ReceiveStock,
    ReleaseReservation,
    RepairOrderLine,
    Reserve,
    ReturnParts,
    StockCommand,
    TransferOut,
)
from parts.domain.stock_state import INITIAL, Reservation, StockItem, evolve

__all__ = [
    "INITIAL",
    "AdjustStock",
    "InvalidUnitCost",
    "Issue",
    "ReceiveStock",
    "ReleaseReservation",
    "RepairOrderLine",
    "Reserve",
    "ReturnParts",
    "StockCommand",
    "StockItem",
    "TransferOut",
    "evolve",
]


def stream_id(site_id: UUID, part_number: str) -> str:
    return f"stock-{site_id}:{require_part_number(part_number)}"


# --- errors -------------------------------------------------------------------------------


class PartNumberMismatch(DomainError):
    code = "part_number_mismatch"


class InvalidStockSource(DomainError):
    code = "invalid_stock_source"


class UnknownReservation(DomainError):
    code = "unknown_reservation"


class ReservationExists(DomainError):
    code = "reservation_exists"


class ReservationForOtherLine(DomainError):
    code = "reservation_for_other_line"


class ReturnExceedsIssued(DomainError):
    code = "return_exceeds_issued"


# --- decide -------------------------------------------------------------------------------


def decide(state: StockItem, command: StockCommand) -> Sequence[Event]:
    part_number = require_part_number(command.part_number)
    if state.part_number is not None and state.part_number != part_number:
        raise PartNumberMismatch(f"this stock item is part {state.part_number}, not {part_number}")
    match command:
        case ReceiveStock():
            return _receive(state, command, part_number)
        case AdjustStock():
            return _adjust(state, command, part_number)
        case Reserve():
            return _reserve(state, command, part_number)
        case ReleaseReservation():
            return _release(state, command, part_number)
        case Issue():
            return _issue(state, command, part_number)
        case ReturnParts():
            return _return(state, command, part_number)
        case TransferOut():
            return _transfer_out(state, command, part_number)


def _then_serve_backorders(
    state: StockItem, events: list[Event], at: datetime, priority: tuple[RepairOrderLine, ...] = ()
) -> list[Event]:
    """`events`, followed by reservations for the waiting jobs out of the stock they free."""
    after = fold(stock_item, events, state)
    first = {(line.repair_order_id, line.line_id) for line in priority}
    queue = sorted(after.backorder_queue, key=lambda rid: after.reservations[rid].line_key not in first)
    free = after.available
    for rid in queue:
        if free == 0:
            break
        reservation = after.reservations[rid]
        quantity = min(free, reservation.waiting)
        events.append(_reserved(after, reservation, quantity, at, from_backorder=True))
        free -= quantity
    return events


def _reserved(
    state: StockItem, reservation: Reservation, quantity: int, at: datetime, *, from_backorder: bool
) -> PartsReserved:
    return PartsReserved(
        part_number=str(state.part_number),
        reservation_id=reservation.reservation_id,
        repair_order_id=reservation.repair_order_id,
        line_id=reservation.line_id,
        appointment_id=reservation.appointment_id,
        quantity=quantity,
        from_backorder=from_backorder,
        reserved_at=at,
    )


def _shortage(
    part_number: str, reservation: Reservation, missing: int, cause: str, at: datetime
) -> PartsShortageDetected:
    return PartsShortageDetected(
        part_number=part_number,
        reservation_id=reservation.reservation_id,
        repair_order_id=reservation.repair_order_id,
        line_id=reservation.line_id,
        appointment_id=reservation.appointment_id,
        missing_quantity=missing,
        withdrawn_quantity=missing if cause == "stocktake_loss" else 0,
        cause=cause,
        detected_at=at,
    )


def _receive(state: StockItem, command: ReceiveStock, part_number: str) -> Sequence[Event]:
    require_positive(command.quantity)
    unit_cost = require_unit_cost(command.unit_cost)
    if unit_cost is None:
        unit_cost = state.unit_cost or 0
    if command.source not in STOCK_SOURCES:
        raise InvalidStockSource(f"stock comes from {', '.join(STOCK_SOURCES)}; got {command.source!r}")
    received = StockReceived(
        part_number=part_number,
        quantity=command.quantity,
        unit_cost=unit_cost,
        source=command.source,
        parts_order_id=command.parts_order_id,
        received_at=command.received_at,
    )
    return _then_serve_backorders(state, [received], command.received_at, command.priority_lines)


def _adjust(state: StockItem, command: AdjustStock, part_number: str) -> Sequence[Event]:
    if command.counted_quantity < 0:
        raise InvalidQuantity(f"a stocktake counts zero parts or more; got {command.counted_quantity}")
    reason = require_reason(command.reason, "the stock adjustment")
    if command.counted_quantity == state.on_hand:
        return []  # the count confirms the books: nothing to record
    adjusted = StockAdjusted(
        part_number=part_number,
        previous_quantity=state.on_hand,
        counted_quantity=command.counted_quantity,
        reason=reason,
        adjusted_at=command.adjusted_at,
    )
    events: list[Event] = [adjusted]
    deficit = state.reserved - command.counted_quantity
    # Newest reservations give parts back first: the older ones were promised earlier.
    for reservation in reversed(list(state.reservations.values())):
        if deficit <= 0:
            break
        take = min(deficit, reservation.held)
        if take:
            events.append(_shortage(part_number, reservation, take, "stocktake_loss", command.adjusted_at))
            deficit -= take
    return _then_serve_backorders(state, events, command.adjusted_at)


def _reserve(state: StockItem, command: Reserve, part_number: str) -> Sequence[Event]:
    require_positive(command.quantity)
    require_demand(command.repair_order_id, command.line_id, command.appointment_id)
    if state.knows_reservation(command.reservation_id):
        raise ReservationExists(f"reservation {command.reservation_id} was already made; use a new id")
    reservation = Reservation(command.reservation_id, command.repair_order_id, command.line_id, command.appointment_id)
    now = min(state.available, command.quantity)
    missing = command.quantity - now
    events: list[Event] = []
    if now:
        named = replace(state, part_number=part_number)
        events.append(_reserved(named, reservation, now, command.requested_at, from_backorder=False))
    if missing:
        events.append(_shortage(part_number, reservation, missing, "insufficient_stock", command.requested_at))
    return events


def _release(state: StockItem, command: ReleaseReservation, part_number: str) -> Sequence[Event]:
    reservation = state.reservations.get(command.reservation_id)
    if reservation is None:
        raise UnknownReservation(f"no open reservation {command.reservation_id} for part {part_number}")
    released = ReservationReleased(
        part_number=part_number,
        reservation_id=reservation.reservation_id,
        repair_order_id=reservation.repair_order_id,
        line_id=reservation.line_id,
        appointment_id=reservation.appointment_id,
        released_quantity=reservation.held,
        cancelled_backorder_quantity=reservation.waiting,
        reason=require_reason(command.reason, "releasing the reservation"),
        released_at=command.released_at,
    )
    return _then_serve_backorders(state, [released], command.released_at)


def _issue(state: StockItem, command: Issue, part_number: str) -> Sequence[Event]:
    require_positive(command.quantity)
    from_reservation = 0
    line = (command.repair_order_id, command.line_id)
    # Issuing to a line draws on that line's own reservation when the clerk names none.
    reservation_id = command.reservation_id or next(
        (r.reservation_id for r in state.reservations.values() if r.line_key == line), None
    )
    if reservation_id is not None:
        reservation = state.reservations.get(reservation_id)
        if reservation is None:
            raise UnknownReservation(f"no open reservation {reservation_id} for part {part_number}")
        # An appointment's parts go to whichever line the car's RO gives them; a line's stay with it.
        if reservation.line_key is not None and reservation.line_key != line:
            raise ReservationForOtherLine(
                f"reservation {reservation.reservation_id} holds parts for another repair-order line"
            )
        from_reservation = min(reservation.held, command.quantity)
    from_free = command.quantity - from_reservation
    if from_free > state.available:
        raise InsufficientStock(
            f"only {from_reservation + state.available} of part {part_number} can be issued to this line "
            f"(reserved for it or free); {command.quantity} asked"
        )
    return [
        PartsIssued(
            part_number=part_number,
            reservation_id=reservation_id,
            repair_order_id=command.repair_order_id,
            line_id=command.line_id,
            quantity=command.quantity,
            from_reservation_quantity=from_reservation,
            issued_at=command.issued_at,
        )
    ]


def _return(state: StockItem, command: ReturnParts, part_number: str) -> Sequence[Event]:
    require_positive(command.quantity)
    issued = state.issued.get((command.repair_order_id, command.line_id), 0)
    if command.quantity > issued:
        raise ReturnExceedsIssued(
            f"only {issued} of part {part_number} are out on this repair-order line; {command.quantity} returned"
        )
    returned = PartsReturned(
        part_number=part_number,
        repair_order_id=command.repair_order_id,
        line_id=command.line_id,
        quantity=command.quantity,
        returned_at=command.returned_at,
    )
    return _then_serve_backorders(state, [returned], command.returned_at)


def _transfer_out(state: StockItem, command: TransferOut, part_number: str) -> Sequence[Event]:
    require_positive(command.quantity)
    if command.quantity > state.available:
        raise InsufficientStock(
            f"only {state.available} of part {part_number} are free to transfer; {command.quantity} asked"
        )
    return [
        StockTransferredOut(
            part_number=part_number,
            parts_order_id=command.parts_order_id,
            to_site_id=command.to_site_id,
            quantity=command.quantity,
            dispatched_at=command.dispatched_at,
        )
    ]


stock_item: Decider[StockCommand, StockItem] = Decider(INITIAL, decide, evolve)
