"""The state of one StockItem (one part number at one site) and how its events change it.

Invariant kept by the decider: parts held for reservations never exceed the parts on hand, and
while any reservation waits on a back order there is no free stock (arriving or freed parts
go to the waiting reservations first, `stock_item._serve_backorders`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
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
from events.contract import Event

RepairOrderLineKey = tuple[UUID, UUID]  # (repair_order_id, line_id)


@dataclass(frozen=True)
class Reservation:
    """Parts wanted by one RO line or one appointment: `held` are on the shelf for it,
    `waiting` are missing and will be served from the next receipt (FIFO)."""

    reservation_id: UUID
    repair_order_id: UUID | None
    line_id: UUID | None
    appointment_id: UUID | None
    held: int = 0
    waiting: int = 0

    @property
    def line_key(self) -> RepairOrderLineKey | None:
        if self.repair_order_id is None or self.line_id is None:
            return None
        return (self.repair_order_id, self.line_id)

    @property
    def is_settled(self) -> bool:
        """Nothing held and nothing awaited: the reservation has been used up."""
        return self.held == 0 and self.waiting == 0


@dataclass(frozen=True)
class StockItem:
    part_number: str | None = None
    on_hand: int = 0
    # Open reservations, in the order they were made (the stocktake takes parts back newest first).
    reservations: Mapping[UUID, Reservation] = field(default_factory=dict)
    # Reservations waiting on a back order, first come first served.
    backorder_queue: tuple[UUID, ...] = ()
    closed_reservations: frozenset[UUID] = frozenset()
    # Net parts issued per RO line (issues minus returns): the most that may come back.
    issued: Mapping[RepairOrderLineKey, int] = field(default_factory=dict)
    # The latest receipt's cost per part (fen); None before the first receipt.
    unit_cost: int | None = None

    @property
    def reserved(self) -> int:
        return sum(r.held for r in self.reservations.values())

    @property
    def available(self) -> int:
        """Free stock: on hand and not held for anyone."""
        return self.on_hand - self.reserved

    def knows_reservation(self, reservation_id: UUID) -> bool:
        return reservation_id in self.reservations or reservation_id in self.closed_reservations


INITIAL = StockItem()


def _put(state: StockItem, reservation: Reservation) -> StockItem:
    """Store `reservation`, or close it when it is settled."""
    reservations = dict(state.reservations)
    queue = state.backorder_queue
    rid = reservation.reservation_id
    if reservation.is_settled:
        reservations.pop(rid, None)
        queue = tuple(q for q in queue if q != rid)
        closed = state.closed_reservations | {rid}
        return replace(state, reservations=reservations, backorder_queue=queue, closed_reservations=closed)
    reservations[rid] = reservation
    if reservation.waiting == 0:
        queue = tuple(q for q in queue if q != rid)
    elif rid not in queue:
        queue = (*queue, rid)
    return replace(state, reservations=reservations, backorder_queue=queue)


def _reservation_of(state: StockItem, event: PartsReserved | PartsShortageDetected) -> Reservation:
    known = state.reservations.get(event.reservation_id)
    if known is not None:
        return known
    return Reservation(event.reservation_id, event.repair_order_id, event.line_id, event.appointment_id)


def _add_issued(state: StockItem, key: RepairOrderLineKey, quantity: int) -> StockItem:
    issued = dict(state.issued)
    issued[key] = issued.get(key, 0) + quantity
    if issued[key] == 0:
        del issued[key]
    return replace(state, issued=issued)


def _on_issued(state: StockItem, event: PartsIssued) -> StockItem:
    state = replace(state, on_hand=state.on_hand - event.quantity)
    if event.reservation_id is not None and event.reservation_id in state.reservations:
        held = state.reservations[event.reservation_id]
        state = _put(state, replace(held, held=held.held - event.from_reservation_quantity))
    return _add_issued(state, (event.repair_order_id, event.line_id), event.quantity)


def _on_released(state: StockItem, event: ReservationReleased) -> StockItem:
    reservations = {k: v for k, v in state.reservations.items() if k != event.reservation_id}
    return replace(
        state,
        reservations=reservations,
        backorder_queue=tuple(q for q in state.backorder_queue if q != event.reservation_id),
        closed_reservations=state.closed_reservations | {event.reservation_id},
    )


def evolve(state: StockItem, event: Event) -> StockItem:
    if state.part_number is None and hasattr(event, "part_number"):
        state = replace(state, part_number=str(event.part_number))
    match event:
        case StockReceived():
            return replace(state, on_hand=state.on_hand + event.quantity, unit_cost=event.unit_cost)
        case StockAdjusted():
            return replace(state, on_hand=event.counted_quantity)
        case PartsReserved():
            reservation = _reservation_of(state, event)
            waiting = reservation.waiting - event.quantity if event.from_backorder else reservation.waiting
            return _put(state, replace(reservation, held=reservation.held + event.quantity, waiting=waiting))
        case PartsShortageDetected():
            reservation = _reservation_of(state, event)
            held = reservation.held - event.withdrawn_quantity
            return _put(state, replace(reservation, held=held, waiting=reservation.waiting + event.missing_quantity))
        case ReservationReleased():
            return _on_released(state, event)
        case PartsIssued():
            return _on_issued(state, event)
        case PartsReturned():
            state = replace(state, on_hand=state.on_hand + event.quantity)
            return _add_issued(state, (event.repair_order_id, event.line_id), -event.quantity)
        case StockTransferredOut():
            return replace(state, on_hand=state.on_hand - event.quantity)
    return state
