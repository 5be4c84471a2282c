"""Properties of the StockItem (issue 6): whatever the clerk, the workshop, reception and the
stocktake ask of one part at one site, in whatever order and quantity, after every step

- stock on hand is never negative, and parts held for reservations never exceed it;
- until a stocktake corrects the books, parts held + parts out on jobs + parts sent to other
  sites never exceed the parts received (and returned);
- a return never exceeds what is out on that RO line;
- a back-order fill gives a reservation at most what it waits for, free stock never sits
  beside a waiting reservation, and a release gives back exactly what was held and cancels
  exactly what still waited (docs/domain.md §4).

The books are kept here from the events alone, not read from the state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from uuid import UUID, uuid4

from domain_helpers import PN, T0
from hypothesis import event as label
from hypothesis import given
from hypothesis import strategies as st

from events.catalog import parts as ev
from events.contract import Event
from events.testing.properties import PROPERTY, run_commands
from parts.domain.stock_item import (
    AdjustStock,
    Issue,
    ReceiveStock,
    ReleaseReservation,
    RepairOrderLine,
    Reserve,
    ReturnParts,
    StockCommand,
    StockItem,
    TransferOut,
    stock_item,
)

RO = uuid4()
LINES = [uuid4(), uuid4(), uuid4()]
RESERVATIONS = [uuid4() for _ in range(4)]
quantities = st.integers(-1, 6)
lines = st.sampled_from(LINES)
reservations = st.sampled_from(RESERVATIONS)

commands: st.SearchStrategy[StockCommand] = st.one_of(
    st.builds(
        lambda q, src, first: ReceiveStock(
            PN, q, 3200, src, T0, priority_lines=(RepairOrderLine(RO, first),) if first else ()
        ),
        quantities,
        st.sampled_from(["supplier", "transfer", "nowhere"]),
        st.one_of(st.none(), lines),
    ),
    st.builds(lambda q: AdjustStock(PN, q, "stocktake", T0), st.integers(-1, 8)),
    st.builds(
        lambda rid, q, line, for_appointment: Reserve(
            PN,
            rid,
            q,
            T0,
            repair_order_id=None if for_appointment else RO,
            line_id=None if for_appointment else line,
            appointment_id=uuid4() if for_appointment else None,
        ),
        reservations,
        quantities,
        lines,
        st.booleans(),
    ),
    st.builds(lambda rid: ReleaseReservation(PN, rid, "job cancelled", T0), reservations),
    st.builds(
        lambda line, q, rid: Issue(PN, RO, line, q, T0, reservation_id=rid),
        lines,
        quantities,
        st.one_of(st.none(), reservations),
    ),
    st.builds(lambda line, q: ReturnParts(PN, RO, line, q, T0), lines, quantities),
    st.builds(lambda q: TransferOut(PN, uuid4(), uuid4(), q, T0), quantities),
    st.just(ReceiveStock("OTHER-PART", 1, 100, "supplier", T0)),
)


@dataclass
class Books:
    """The shelf as the business rules describe it, from the events."""

    on_hand: int = 0
    came_in: int = 0  # received and returned, until a stocktake resets the books
    went_out: int = 0  # issued and transferred out, likewise
    counted: bool = False
    held: dict[UUID, int] = field(default_factory=dict)
    waiting: dict[UUID, int] = field(default_factory=dict)
    out_on_line: dict[UUID, int] = field(default_factory=dict)

    def advance(self, event: Event) -> None:
        match event:
            case ev.StockReceived():
                self.on_hand += event.quantity
                self.came_in += event.quantity
            case ev.StockAdjusted():
                assert event.previous_quantity == self.on_hand
                self.on_hand, self.counted = event.counted_quantity, True
            case ev.PartsReserved():
                if event.from_backorder:
                    assert event.quantity <= self.waiting.get(event.reservation_id, 0), "filled more than waited"
                    self.waiting[event.reservation_id] -= event.quantity
                self.held[event.reservation_id] = self.held.get(event.reservation_id, 0) + event.quantity
            case ev.PartsShortageDetected():
                self.held[event.reservation_id] = self.held.get(event.reservation_id, 0) - event.withdrawn_quantity
                self.waiting[event.reservation_id] = self.waiting.get(event.reservation_id, 0) + event.missing_quantity
            case ev.ReservationReleased():
                assert event.released_quantity == self.held.pop(event.reservation_id, 0), "released not what was held"
                waited = self.waiting.pop(event.reservation_id, 0)
                assert event.cancelled_backorder_quantity == waited, "cancelled not what waited"
            case ev.PartsIssued() | ev.PartsReturned() | ev.StockTransferredOut():
                self._moved(event)

    def _moved(self, event: ev.PartsIssued | ev.PartsReturned | ev.StockTransferredOut) -> None:
        match event:
            case ev.PartsIssued():
                self.on_hand -= event.quantity
                self.went_out += event.quantity
                if event.reservation_id is not None and event.from_reservation_quantity:
                    self.held[event.reservation_id] -= event.from_reservation_quantity
                self.out_on_line[event.line_id] = self.out_on_line.get(event.line_id, 0) + event.quantity
            case ev.PartsReturned():
                assert event.quantity <= self.out_on_line.get(event.line_id, 0), "returned more than was issued"
                self.out_on_line[event.line_id] -= event.quantity
                self.on_hand += event.quantity
                self.came_in += event.quantity
            case ev.StockTransferredOut():
                self.on_hand -= event.quantity
                self.went_out += event.quantity


def _check(books: Books) -> Callable[[Sequence[Event], Sequence[Event], StockItem], None]:
    def invariant(history: Sequence[Event], decided: Sequence[Event], state: StockItem) -> None:
        for event in decided:
            books.advance(event)
        held = sum(books.held.values())
        assert books.on_hand >= 0, "negative stock"
        assert all(q >= 0 for q in books.held.values()), "a reservation holds fewer than no parts"
        assert held <= books.on_hand, "more parts held than are on the shelf"
        if not books.counted:
            assert held + books.went_out <= books.came_in, "reserved + issued beyond what was received"
        if any(books.waiting.values()):
            assert held == books.on_hand, "free stock while a reservation waits on a back order"
        assert (state.on_hand, state.reserved) == (books.on_hand, held)

    return invariant


@PROPERTY
@given(st.lists(commands, min_size=5, max_size=40))
def test_stock_is_never_negative_nor_promised_twice(plan: list[StockCommand]) -> None:
    books = Books()
    outcome = run_commands(stock_item, plan, _check(books))
    label(f"back-orders filled: {any(e.from_backorder for e in outcome.recorded(ev.PartsReserved))}")
    label(f"stocktake: {books.counted}")
