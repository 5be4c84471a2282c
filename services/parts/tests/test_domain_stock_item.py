"""StockItem rules: receive, count, reserve, release, issue, return, transfer out (docs/domain.md §4).

Back-order filling (FIFO, priority lines) is in test_domain_stock_backorders.py."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from domain_helpers import (
    APPOINTMENT,
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
    PartsReserved,
    PartsReturned,
    ReservationReleased,
    StockAdjusted,
    StockReceived,
    StockTransferredOut,
)
from events.catalog.testing import CounterOpened
from events.decider import Decider, fold
from parts.domain import errors
from parts.domain import stock_item as stock
from parts.domain.stock_item import (
    AdjustStock,
    Issue,
    ReceiveStock,
    ReleaseReservation,
    Reserve,
    ReturnParts,
    StockCommand,
    StockItem,
    TransferOut,
)

DECIDER: Decider[StockCommand, StockItem] = stock.stock_item
given = scenario(DECIDER)


# --- receiving ----------------------------------------------------------------------------


def test_received_parts_go_on_the_shelf() -> None:
    state = given().when(ReceiveStock(PN, 4, 3200, "supplier", T0)).then(received(4))
    assert (state.on_hand, state.available, state.part_number) == (4, 4, PN)


def test_part_numbers_are_upper_cased_and_trimmed() -> None:
    given().when(ReceiveStock(" 04152-yzza1 ", 4, 3200, "supplier", T0)).then(received(4))


def test_a_receipt_names_a_part() -> None:
    given().when(ReceiveStock("  ", 4, 3200, "supplier", T0)).then_refused(errors.InvalidPartNumber)


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_receipt_is_of_at_least_one_part(quantity: int) -> None:
    given().when(ReceiveStock(PN, quantity, 3200, "supplier", T0)).then_refused(errors.InvalidQuantity)


def test_unit_cost_cannot_be_negative() -> None:
    given().when(ReceiveStock(PN, 1, -1, "supplier", T0)).then_refused(stock.InvalidUnitCost)


def test_a_receipt_of_unknown_cost_is_valued_at_the_last_known_cost() -> None:
    at_last_cost = StockReceived(part_number=PN, quantity=2, unit_cost=3200, source="supplier", received_at=T0)
    state = given(received(4)).when(ReceiveStock(PN, 2, None, "supplier", T0)).then(at_last_cost)
    assert state.unit_cost == 3200
    first = StockReceived(part_number=PN, quantity=2, unit_cost=0, source="supplier", received_at=T0)
    given().when(ReceiveStock(PN, 2, None, "supplier", T0)).then(first)


def test_the_shelf_knows_the_cost_of_its_latest_receipt() -> None:
    dearer = StockReceived(part_number=PN, quantity=1, unit_cost=3500, source="supplier", received_at=T0)
    assert fold(DECIDER, [received(4), dearer]).unit_cost == 3500


def test_stock_comes_from_a_known_source() -> None:
    given().when(ReceiveStock(PN, 1, 100, "found_in_car_park", T0)).then_refused(stock.InvalidStockSource)


def test_a_stock_item_holds_one_part_number() -> None:
    given(received(1)).when(ReceiveStock("90915-YZZD4", 1, 100, "supplier", T0)).then_refused(stock.PartNumberMismatch)


def test_the_stream_is_named_after_site_and_part() -> None:
    site = uuid4()
    assert stock.stream_id(site, " ab-1 ") == f"stock-{site}:AB-1"


# --- reserving ----------------------------------------------------------------------------


def test_a_reservation_holds_free_stock_for_a_repair_order_line() -> None:
    state = given(received(4)).when(reserve(R1, 3)).then(reserved(R1, 3))
    assert (state.on_hand, state.reserved, state.available) == (4, 3, 1)


def test_a_short_reservation_holds_what_there_is_and_records_the_shortage() -> None:
    state = given(received(2)).when(reserve(R1, 5)).then(reserved(R1, 2), shortage(R1, 3))
    assert (state.available, state.backorder_queue) == (0, (R1,))


def test_a_reservation_with_nothing_on_the_shelf_is_all_shortage() -> None:
    given().when(reserve(R1, 2)).then(shortage(R1, 2))


def test_parts_held_for_one_job_are_not_free_for_the_next() -> None:
    given(received(3), reserved(R1, 3)).when(reserve(R2, 1)).then(shortage(R2, 1))


def test_parts_can_be_reserved_for_an_appointment() -> None:
    expected = PartsReserved(part_number=PN, reservation_id=R1, appointment_id=APPOINTMENT, quantity=1, reserved_at=T0)
    given(received(1)).when(Reserve(PN, R1, 1, T0, appointment_id=APPOINTMENT)).then(expected)


@pytest.mark.parametrize(
    ("repair_order_id", "line_id", "appointment_id"),
    [(None, None, None), (RO, None, None), (None, LINE, None), (RO, LINE, APPOINTMENT)],
)
def test_a_reservation_is_for_one_line_or_one_appointment(
    repair_order_id: UUID | None, line_id: UUID | None, appointment_id: UUID | None
) -> None:
    command = Reserve(PN, R1, 1, T0, repair_order_id, line_id, appointment_id)
    given(received(1)).when(command).then_refused(errors.InvalidDemand)


def test_a_reservation_is_of_at_least_one_part() -> None:
    given(received(1)).when(reserve(R1, 0)).then_refused(errors.InvalidQuantity)


def test_a_reservation_id_is_used_once() -> None:
    given(received(2), reserved(R1, 1)).when(reserve(R1, 1)).then_refused(stock.ReservationExists)


def test_a_used_up_reservation_id_is_not_reused() -> None:
    given(received(2), reserved(R1, 1), issued(1, 1, R1)).when(reserve(R1, 1)).then_refused(stock.ReservationExists)


# --- releasing ----------------------------------------------------------------------------


def test_releasing_frees_held_parts_and_cancels_the_wait() -> None:
    expected = ReservationReleased(
        part_number=PN,
        reservation_id=R1,
        repair_order_id=RO,
        line_id=LINE,
        released_quantity=2,
        cancelled_backorder_quantity=3,
        reason="customer declined",
        released_at=T0,
    )
    state = (
        given(received(2), reserved(R1, 2), shortage(R1, 3))
        .when(ReleaseReservation(PN, R1, "customer declined", T0))
        .then(expected)
    )
    assert (state.available, state.backorder_queue, state.reservations) == (2, (), {})


def test_only_an_open_reservation_is_released() -> None:
    given(received(2)).when(ReleaseReservation(PN, R1, "job cancelled", T0)).then_refused(stock.UnknownReservation)


def test_releasing_needs_a_reason() -> None:
    given(received(2), reserved(R1, 1)).when(ReleaseReservation(PN, R1, " ", T0)).then_refused(errors.MissingReason)


# --- issuing ------------------------------------------------------------------------------


def test_issuing_against_a_reservation_uses_the_held_parts() -> None:
    state = given(received(3), reserved(R1, 2)).when(Issue(PN, RO, LINE, 2, T0, R1)).then(issued(2, 2, R1))
    assert (state.on_hand, state.reserved, state.available) == (1, 0, 1)
    assert R1 in state.closed_reservations


def test_issuing_part_of_a_reservation_keeps_the_rest_held() -> None:
    state = given(received(3), reserved(R1, 2)).when(Issue(PN, RO, LINE, 1, T0, R1)).then(issued(1, 1, R1))
    assert state.reservations[R1].held == 1


def test_issuing_more_than_reserved_takes_the_rest_from_free_stock() -> None:
    given(received(3), reserved(R1, 1)).when(Issue(PN, RO, LINE, 3, T0, R1)).then(issued(3, 1, R1))


def test_issuing_without_a_reservation_takes_free_stock() -> None:
    given(received(3)).when(Issue(PN, RO, LINE, 2, T0)).then(issued(2))


def test_parts_held_for_another_job_are_never_issued() -> None:
    given(received(3), reserved(R1, 2, OTHER_LINE)).when(Issue(PN, RO, LINE, 2, T0)).then_refused(
        errors.InsufficientStock
    )


def test_stock_never_goes_below_zero() -> None:
    given(received(1)).when(Issue(PN, RO, LINE, 2, T0)).then_refused(errors.InsufficientStock)


def test_a_reservation_cannot_be_topped_up_beyond_free_stock() -> None:
    given(received(3), reserved(R1, 1), reserved(R2, 2, OTHER_LINE)).when(Issue(PN, RO, LINE, 2, T0, R1)).then_refused(
        errors.InsufficientStock
    )


def test_a_line_reservation_is_issued_to_its_own_line_only() -> None:
    given(received(2), reserved(R1, 2, OTHER_LINE)).when(Issue(PN, RO, LINE, 1, T0, R1)).then_refused(
        stock.ReservationForOtherLine
    )


def test_an_appointment_reservation_is_issued_to_the_line_of_the_cars_repair_order() -> None:
    held = PartsReserved(part_number=PN, reservation_id=R1, appointment_id=APPOINTMENT, quantity=1, reserved_at=T0)
    given(received(1), held).when(Issue(PN, RO, LINE, 1, T0, R1)).then(issued(1, 1, R1))


def test_issuing_to_a_line_draws_on_its_own_reservation_unnamed() -> None:
    # Two on the shelf, both held for this line: the clerk issues to the line, not to an id.
    given(received(2), reserved(R1, 2)).when(Issue(PN, RO, LINE, 2, T0)).then(issued(2, 2, R1))


def test_issuing_names_an_open_reservation() -> None:
    given(received(2)).when(Issue(PN, RO, LINE, 1, T0, R1)).then_refused(stock.UnknownReservation)


def test_issuing_is_of_at_least_one_part() -> None:
    given(received(2)).when(Issue(PN, RO, LINE, 0, T0)).then_refused(errors.InvalidQuantity)


# --- returning ----------------------------------------------------------------------------


def test_unused_parts_come_back_to_the_shelf() -> None:
    returned = PartsReturned(part_number=PN, repair_order_id=RO, line_id=LINE, quantity=1, returned_at=T0)
    state = given(received(2), issued(2)).when(ReturnParts(PN, RO, LINE, 1, T0)).then(returned)
    assert (state.on_hand, state.issued[(RO, LINE)]) == (1, 1)


def test_no_more_comes_back_than_was_issued_to_the_line() -> None:
    given(received(2), issued(2)).when(ReturnParts(PN, RO, LINE, 3, T0)).then_refused(stock.ReturnExceedsIssued)


def test_parts_come_back_only_from_the_line_they_went_to() -> None:
    given(received(2), issued(2)).when(ReturnParts(PN, RO, OTHER_LINE, 1, T0)).then_refused(stock.ReturnExceedsIssued)


def test_a_return_is_of_at_least_one_part() -> None:
    given(received(2), issued(2)).when(ReturnParts(PN, RO, LINE, 0, T0)).then_refused(errors.InvalidQuantity)


# --- stocktake ----------------------------------------------------------------------------


def test_a_stocktake_sets_the_counted_quantity() -> None:
    adjusted = StockAdjusted(
        part_number=PN, previous_quantity=4, counted_quantity=3, reason="stocktake May", adjusted_at=T0
    )
    state = given(received(4)).when(AdjustStock(PN, 3, "stocktake May", T0)).then(adjusted)
    assert state.on_hand == 3
    assert adjusted.difference == -1


def test_a_count_that_matches_the_books_records_nothing() -> None:
    given(received(4)).when(AdjustStock(PN, 4, "stocktake May", T0)).then()


def test_a_count_is_zero_or_more() -> None:
    given(received(4)).when(AdjustStock(PN, -1, "stocktake May", T0)).then_refused(errors.InvalidQuantity)


def test_a_stocktake_needs_a_reason() -> None:
    given(received(4)).when(AdjustStock(PN, 3, "", T0)).then_refused(errors.MissingReason)


def test_a_stocktake_loss_takes_held_parts_back_from_the_newest_reservation() -> None:
    adjusted = StockAdjusted(part_number=PN, previous_quantity=4, counted_quantity=2, reason="count", adjusted_at=T0)
    state = (
        given(received(4), reserved(R1, 2), reserved(R2, 2, OTHER_LINE))
        .when(AdjustStock(PN, 1, "count", T0))
        .then(
            StockAdjusted(part_number=PN, previous_quantity=4, counted_quantity=1, reason="count", adjusted_at=T0),
            shortage(R2, 2, OTHER_LINE, "stocktake_loss"),
            shortage(R1, 1, LINE, "stocktake_loss"),
        )
    )
    assert (state.reservations[R1].held, state.reservations[R2].held) == (1, 0)
    assert state.backorder_queue == (R2, R1)
    assert state.available == 0
    # A smaller loss touches only the newest reservation.
    given(received(4), reserved(R1, 2), reserved(R2, 2, OTHER_LINE)).when(AdjustStock(PN, 2, "count", T0)).then(
        adjusted, shortage(R2, 2, OTHER_LINE, "stocktake_loss")
    )


def test_a_stocktake_loss_within_free_stock_leaves_reservations_alone() -> None:
    adjusted = StockAdjusted(part_number=PN, previous_quantity=4, counted_quantity=2, reason="count", adjusted_at=T0)
    given(received(4), reserved(R1, 2)).when(AdjustStock(PN, 2, "count", T0)).then(adjusted)


# --- transfers out ------------------------------------------------------------------------


def test_free_stock_can_leave_for_another_site() -> None:
    order, to_site = uuid4(), uuid4()
    out = StockTransferredOut(part_number=PN, parts_order_id=order, to_site_id=to_site, quantity=2, dispatched_at=T0)
    state = given(received(3)).when(TransferOut(PN, order, to_site, 2, T0)).then(out)
    assert state.on_hand == 1


def test_held_parts_do_not_leave_for_another_site() -> None:
    given(received(3), reserved(R1, 2)).when(TransferOut(PN, uuid4(), uuid4(), 2, T0)).then_refused(
        errors.InsufficientStock
    )


def test_a_transfer_out_is_of_at_least_one_part() -> None:
    given(received(3)).when(TransferOut(PN, uuid4(), uuid4(), 0, T0)).then_refused(errors.InvalidQuantity)


def test_events_of_other_streams_leave_the_state_unchanged() -> None:
    state = fold(DECIDER, [received(2)])
    assert stock.evolve(state, CounterOpened(counter_id="c", label="other")) == state
