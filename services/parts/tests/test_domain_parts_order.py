"""PartsOrder rules: emergency orders, inter-site transfers within one dealer group, partial
receipts with back orders, cancellation (docs/domain.md §3 "parts shortage stops a job", §4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from domain_helpers import LINE, RO, T0, scenario

from events.catalog.parts import (
    PartsOrderCancelled,
    PartsOrdered,
    PartsReceived,
    PartsTransferDispatched,
    PartsTransferRequested,
)
from events.catalog.parts_values import OrderLine
from parts.domain import errors
from parts.domain import parts_order as po
from parts.domain.parts_order import (
    CancelOrder,
    DispatchTransfer,
    OrderLineRequest,
    PlaceEmergencyOrder,
    ReceivedLine,
    ReceiveOrder,
    RequestTransfer,
)

given = scenario(po.parts_order)
ORDER = uuid4()
GROUP, OTHER_GROUP = uuid4(), uuid4()
SITE_A, SITE_B = uuid4(), uuid4()
EXPECTED = T0 + timedelta(days=1)
LATER = T0 + timedelta(hours=20)

REQUESTS = (
    OrderLineRequest(" 04465-33471 ", 4, RO, LINE),  # brake pads for the waiting job
    OrderLineRequest("90915-YZZD4", 2),  # restocking, for no RO line
)
LINES = (
    OrderLine(line_number=1, part_number="04465-33471", quantity=4, repair_order_id=RO, line_id=LINE),
    OrderLine(line_number=2, part_number="90915-YZZD4", quantity=2),
)
ORDERED = PartsOrdered(parts_order_id=ORDER, supplier="FAW parts hub", lines=LINES, expected_at=EXPECTED, ordered_at=T0)
REQUESTED = PartsTransferRequested(
    parts_order_id=ORDER, from_site_id=SITE_B, to_site_id=SITE_A, lines=LINES, requested_at=T0
)
DISPATCHED = PartsTransferDispatched(
    parts_order_id=ORDER, from_site_id=SITE_B, to_site_id=SITE_A, lines=LINES, dispatched_at=T0
)


PLACE = PlaceEmergencyOrder(ORDER, " FAW parts hub ", REQUESTS, EXPECTED, T0)


def transfer(from_group: UUID = GROUP, to_site: UUID = SITE_A) -> RequestTransfer:
    return RequestTransfer(ORDER, SITE_B, from_group, to_site, GROUP, REQUESTS, T0)


def receipt(line: int, quantity: int, due: int, kind: str = "emergency") -> PartsReceived:
    part = LINES[line - 1]
    return PartsReceived(
        part_number=part.part_number,
        parts_order_id=ORDER,
        order_kind=kind,
        line_number=line,
        quantity=quantity,
        back_ordered_quantity=due,
        repair_order_id=part.repair_order_id,
        line_id=part.line_id,
        received_at=LATER,
    )


def receive(*lines: tuple[int, int]) -> ReceiveOrder:
    return ReceiveOrder(tuple(ReceivedLine(number, quantity) for number, quantity in lines), LATER)


# --- emergency orders ---------------------------------------------------------------------


def test_an_emergency_order_numbers_its_lines_and_keeps_the_ro_lines_it_is_for() -> None:
    state = given().when(PLACE).then(ORDERED)
    assert (state.kind, state.status, state.is_complete) == ("emergency", "open", False)


def test_an_order_is_placed_once() -> None:
    given(ORDERED).when(PLACE).then_refused(po.OrderAlreadyPlaced)


def test_an_order_has_lines() -> None:
    given().when(replace(PLACE, lines=())).then_refused(po.EmptyOrder)


def test_an_order_line_is_of_at_least_one_part() -> None:
    given().when(replace(PLACE, lines=(OrderLineRequest("AB-1", 0),))).then_refused(errors.InvalidQuantity)


def test_an_order_line_names_a_part() -> None:
    given().when(replace(PLACE, lines=(OrderLineRequest(" ", 1),))).then_refused(errors.InvalidPartNumber)


def test_an_order_line_is_for_a_whole_ro_line() -> None:
    given().when(replace(PLACE, lines=(OrderLineRequest("AB-1", 1, RO, None),))).then_refused(errors.InvalidDemand)


def test_an_emergency_order_names_its_supplier() -> None:
    given().when(replace(PLACE, supplier="  ")).then_refused(po.SupplierRequired)


def test_parts_are_not_expected_before_they_are_ordered() -> None:
    given().when(replace(PLACE, expected_at=T0 - timedelta(minutes=1))).then_refused(po.ExpectedBeforeOrdered)


# --- transfers ----------------------------------------------------------------------------


def test_a_site_asks_another_site_of_its_group_for_parts() -> None:
    state = given().when(transfer()).then(REQUESTED)
    assert (state.kind, state.from_site_id, state.to_site_id) == ("transfer", SITE_B, SITE_A)


def test_parts_are_not_transferred_to_another_dealer_group() -> None:
    given().when(transfer(from_group=OTHER_GROUP)).then_refused(po.CrossGroupTransfer)


def test_a_transfer_goes_between_two_sites() -> None:
    given().when(transfer(to_site=SITE_B)).then_refused(po.TransferToSameSite)


def test_a_transfer_is_requested_once() -> None:
    given(REQUESTED).when(transfer()).then_refused(po.OrderAlreadyPlaced)


def test_the_giving_site_dispatches_the_transfer() -> None:
    state = given(REQUESTED).when(DispatchTransfer(T0)).then(DISPATCHED)
    assert state.status == "in_transit"


def test_a_transfer_is_dispatched_once() -> None:
    given(REQUESTED, DISPATCHED).when(DispatchTransfer(T0)).then_refused(po.TransferAlreadyDispatched)


def test_a_supplier_order_is_not_dispatched() -> None:
    given(ORDERED).when(DispatchTransfer(T0)).then_refused(po.NotATransfer)


def test_nothing_is_dispatched_before_it_is_requested() -> None:
    given().when(DispatchTransfer(T0)).then_refused(po.OrderNotPlaced)


def test_a_transfer_is_received_only_after_dispatch() -> None:
    given(REQUESTED).when(receive((1, 4))).then_refused(po.TransferNotDispatched)


def test_a_dispatched_transfer_is_received() -> None:
    given(REQUESTED, DISPATCHED).when(receive((1, 4), (2, 2))).then(
        receipt(1, 4, 0, "transfer"), receipt(2, 2, 0, "transfer")
    )


# --- cost ---------------------------------------------------------------------------------


def test_received_parts_carry_the_unit_cost_the_order_was_placed_at() -> None:
    priced = replace(PLACE, lines=(replace(REQUESTS[0], unit_cost=31500), REQUESTS[1]))
    (ordered,) = given().when(priced).decided()
    assert isinstance(ordered, PartsOrdered)
    assert [line.unit_cost for line in ordered.lines] == [31500, None]
    received = given(ordered).when(receive((1, 4), (2, 1))).decided()
    assert [(r.line_number, r.unit_cost) for r in received if isinstance(r, PartsReceived)] == [(1, 31500), (2, None)]


def test_an_order_line_cost_is_zero_or_more() -> None:
    negative = replace(PLACE, lines=(replace(REQUESTS[0], unit_cost=-1),))
    given().when(negative).then_refused(errors.InvalidUnitCost)


def test_a_transfer_carries_the_giving_sites_unit_cost_to_the_receiving_shelf() -> None:
    (dispatched,) = given(REQUESTED).when(DispatchTransfer(T0, ((1, 41000), (2, 2900)))).decided()
    assert isinstance(dispatched, PartsTransferDispatched)
    assert [line.unit_cost for line in dispatched.lines] == [41000, 2900]
    received = given(REQUESTED, dispatched).when(receive((1, 4), (2, 2))).decided()
    assert [r.unit_cost for r in received if isinstance(r, PartsReceived)] == [41000, 2900]


# --- receiving ----------------------------------------------------------------------------


def test_a_partial_receipt_leaves_the_rest_on_back_order() -> None:
    state = given(ORDERED).when(receive((1, 3))).then(receipt(1, 3, 1))
    assert (state.received, state.is_complete) == ({1: 3}, False)


def test_the_back_order_arrives_later_and_completes_the_order() -> None:
    state = given(ORDERED, receipt(1, 3, 1)).when(receive((1, 1), (2, 2))).then(receipt(1, 1, 0), receipt(2, 2, 0))
    assert state.is_complete


def test_no_more_is_received_than_is_still_due() -> None:
    given(ORDERED, receipt(1, 3, 1)).when(receive((1, 2))).then_refused(po.OverReceipt)


@pytest.mark.parametrize("lines", [((3, 1),), ((1, 1), (1, 1))])
def test_a_receipt_is_for_the_order_lines_each_once(lines: tuple[tuple[int, int], ...]) -> None:
    given(ORDERED).when(receive(*lines)).then_refused(po.UnknownOrderLine)


def test_a_receipt_lists_something() -> None:
    given(ORDERED).when(receive()).then_refused(po.EmptyOrder)


def test_a_received_quantity_is_at_least_one_part() -> None:
    given(ORDERED).when(receive((1, 0))).then_refused(errors.InvalidQuantity)


def test_nothing_is_received_on_an_order_never_placed() -> None:
    given().when(receive((1, 1))).then_refused(po.OrderNotPlaced)


# --- cancelling ---------------------------------------------------------------------------


def cancelled(*lines: OrderLine, kind: str = "emergency") -> PartsOrderCancelled:
    return PartsOrderCancelled(
        parts_order_id=ORDER, order_kind=kind, cancelled_lines=lines, reason="found at site B", cancelled_at=LATER
    )


def test_cancelling_calls_off_what_is_still_due() -> None:
    still_due = LINES[0].model_copy(update={"quantity": 1})
    state = (
        given(ORDERED, receipt(1, 3, 1), receipt(2, 2, 0))
        .when(CancelOrder("found at site B", LATER))
        .then(cancelled(still_due))
    )
    assert state.status == "cancelled"


def test_a_requested_transfer_can_be_cancelled_before_dispatch() -> None:
    given(REQUESTED).when(CancelOrder("found at site B", LATER)).then(cancelled(*LINES, kind="transfer"))


def test_a_transfer_on_its_way_is_not_cancelled() -> None:
    given(REQUESTED, DISPATCHED).when(CancelOrder("not needed", LATER)).then_refused(po.TransferInTransit)


def test_a_fully_received_order_is_not_cancelled() -> None:
    given(ORDERED, receipt(1, 4, 0), receipt(2, 2, 0)).when(CancelOrder("not needed", LATER)).then_refused(
        po.OrderCompleted
    )


def test_a_cancelled_order_is_not_cancelled_again_nor_received() -> None:
    history = (ORDERED, cancelled(*LINES))
    given(*history).when(CancelOrder("again", LATER)).then_refused(po.OrderCancelled)
    given(*history).when(receive((1, 1))).then_refused(po.OrderCancelled)


def test_cancelling_needs_a_reason() -> None:
    given(ORDERED).when(CancelOrder(" ", LATER)).then_refused(errors.MissingReason)


def test_the_stream_is_named_after_the_order() -> None:
    assert po.stream_id(ORDER) == f"parts_order-{ORDER}"
