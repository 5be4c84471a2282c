"""Back orders: parts that arrive or become free go to the waiting reservations first, in the
order their shortages were detected; a delivery ordered for particular RO lines serves them
first (docs/domain.md §3-4: a shortage stops a job until the parts come)."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from domain_helpers import (
    LINE,
    OTHER_LINE,
    PN,
    R1,
    R2,
    RO,
    T0,
    issued,
    received,
    reserve,
    reserved,
    scenario,
    shortage,
)

from events.catalog.parts import (
    PartsReturned,
    ReservationReleased,
    StockAdjusted,
    StockReceived,
)
from parts.domain.stock_item import (
    AdjustStock,
    Issue,
    ReceiveStock,
    ReleaseReservation,
    RepairOrderLine,
    ReturnParts,
    stock_item,
)

given = scenario(stock_item)
R3 = uuid4()
LATER = T0 + timedelta(hours=20)
WAITING = (shortage(R1, 2), shortage(R2, 3, OTHER_LINE))  # R1 waits first, then R2


def test_a_delivery_fills_the_waiting_reservations_first_come_first_served() -> None:
    delivery = StockReceived(part_number=PN, quantity=4, unit_cost=3200, source="supplier", received_at=LATER)
    state = (
        given(*WAITING)
        .when(ReceiveStock(PN, 4, 3200, "supplier", LATER))
        .then(
            delivery,
            reserved(R1, 2, from_backorder=True).model_copy(update={"reserved_at": LATER}),
            reserved(R2, 2, OTHER_LINE, from_backorder=True).model_copy(update={"reserved_at": LATER}),
        )
    )
    assert state.backorder_queue == (R2,)
    assert (state.reservations[R1].waiting, state.reservations[R2].waiting) == (0, 1)
    assert (state.reservations[R2].held, state.available) == (2, 0)


def test_what_nobody_waits_for_stays_free() -> None:
    state = (
        given(shortage(R1, 2))
        .when(ReceiveStock(PN, 5, 3200, "supplier", T0))
        .then(received(5), reserved(R1, 2, from_backorder=True))
    )
    assert (state.available, state.backorder_queue) == (3, ())


def test_an_emergency_delivery_serves_the_lines_it_was_ordered_for_first() -> None:
    order = uuid4()
    delivery = StockReceived(
        part_number=PN, quantity=3, unit_cost=3200, source="supplier", parts_order_id=order, received_at=T0
    )
    command = ReceiveStock(PN, 3, 3200, "supplier", T0, order, (RepairOrderLine(RO, OTHER_LINE),))
    given(*WAITING).when(command).then(delivery, reserved(R2, 3, OTHER_LINE, from_backorder=True))


def test_a_later_reservation_waits_behind_the_earlier_ones() -> None:
    # While R1 waits there is no free stock, so R3 is short as well and queues behind R1.
    state = given(shortage(R1, 2)).when(reserve(R3, 1)).then(shortage(R3, 1))
    assert state.backorder_queue == (R1, R3)


def test_a_released_reservation_passes_its_parts_to_the_next_in_line() -> None:
    released = ReservationReleased(
        part_number=PN,
        reservation_id=R1,
        repair_order_id=RO,
        line_id=LINE,
        released_quantity=2,
        cancelled_backorder_quantity=0,
        reason="customer declined",
        released_at=T0,
    )
    given(received(2), reserved(R1, 2), shortage(R2, 3, OTHER_LINE)).when(
        ReleaseReservation(PN, R1, "customer declined", T0)
    ).then(released, reserved(R2, 2, OTHER_LINE, from_backorder=True))


def test_returned_parts_go_to_a_waiting_job() -> None:
    returned = PartsReturned(part_number=PN, repair_order_id=RO, line_id=LINE, quantity=1, returned_at=T0)
    given(received(2), issued(2), shortage(R2, 3, OTHER_LINE)).when(ReturnParts(PN, RO, LINE, 1, T0)).then(
        returned, reserved(R2, 1, OTHER_LINE, from_backorder=True)
    )


def test_a_stocktake_surplus_goes_to_a_waiting_job() -> None:
    adjusted = StockAdjusted(part_number=PN, previous_quantity=0, counted_quantity=1, reason="found", adjusted_at=T0)
    given(shortage(R1, 2)).when(AdjustStock(PN, 1, "found", T0)).then(adjusted, reserved(R1, 1, from_backorder=True))


def test_a_released_waiting_reservation_is_skipped_by_the_next_delivery() -> None:
    history = (
        *WAITING,
        ReservationReleased(
            part_number=PN,
            reservation_id=R1,
            repair_order_id=RO,
            line_id=LINE,
            released_quantity=0,
            cancelled_backorder_quantity=2,
            reason="customer declined",
            released_at=T0,
        ),
    )
    given(*history).when(ReceiveStock(PN, 1, 3200, "supplier", T0)).then(
        received(1), reserved(R2, 1, OTHER_LINE, from_backorder=True)
    )


def test_parts_that_came_for_a_waiting_job_are_issued_to_it() -> None:
    history = (shortage(R1, 1), received(1), reserved(R1, 1, from_backorder=True))
    state = given(*history).when(Issue(PN, RO, LINE, 1, T0, R1)).then(issued(1, 1, R1))
    assert (state.on_hand, state.reservations, R1 in state.closed_reservations) == (0, {}, True)
