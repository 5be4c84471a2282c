"""Properties of the PartsOrder (issue 6): whatever the parts clerks of both sites place, dispatch,
receive and cancel, in any order and quantity, after every step (docs/domain.md §3 "parts shortage
stops a job → emergency order / transfer from another site", §4 "receive back-orders")

- an order is placed once, as an emergency order or a transfer from one site to another, its
  lines numbered from 1, never empty;
- no line is ever received beyond what was ordered, and each receipt says exactly what is still
  on back order, for the ordered part and RO line;
- a transfer is dispatched once, before anything of it is received; a supplier order never is;
- a cancellation calls off exactly what is still due, never on an order received in full or a
  transfer on its way; nothing happens to a cancelled or fully received order.

The books are kept here from the events alone, not read from the state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import uuid4

from domain_helpers import LINE, OTHER_LINE, PN, RO, T0
from hypothesis import event as label
from hypothesis import given
from hypothesis import strategies as st

from events.catalog import parts as ev
from events.catalog.parts_values import OrderLine
from events.contract import Event
from events.testing.properties import PROPERTY, run_commands
from parts.domain.parts_order import (
    CancelOrder,
    DispatchTransfer,
    OrderLineRequest,
    PartsOrder,
    PartsOrderCommand,
    PlaceEmergencyOrder,
    ReceivedLine,
    ReceiveOrder,
    RequestTransfer,
    parts_order,
)

ORDER = uuid4()
GROUP, OTHER_GROUP = uuid4(), uuid4()
SITE_A, SITE_B = uuid4(), uuid4()
LATER = T0 + timedelta(hours=4)

requests = st.one_of(
    *[
        st.builds(
            lambda part, quantity, line: OrderLineRequest(part, quantity, RO if line else None, line),
            st.sampled_from([PN, "90915-YZZD4", "04465-33471 "]),
            st.integers(1, 5),
            st.sampled_from([None, LINE, OTHER_LINE]),
        )
    ]
    * 8,
    st.just(OrderLineRequest(PN, 0)),
    st.just(OrderLineRequest(PN, 2, RO, None)),  # an RO without its line
    st.just(OrderLineRequest(" ", 2)),
)
request_lists = st.one_of(*[st.lists(requests, min_size=1, max_size=3).map(tuple)] * 5, st.just(()))
placed = st.one_of(
    st.builds(
        lambda supplier, lines, early: PlaceEmergencyOrder(
            ORDER, supplier, lines, T0 - timedelta(hours=1) if early else T0 + timedelta(days=1), T0
        ),
        st.sampled_from(["FAW parts hub"] * 5 + [" "]),
        request_lists,
        st.sampled_from([False] * 5 + [True]),
    ),
    st.builds(
        lambda from_site, from_group, lines: RequestTransfer(ORDER, from_site, from_group, SITE_A, GROUP, lines, T0),
        st.sampled_from([SITE_B] * 5 + [SITE_A]),
        st.sampled_from([GROUP] * 5 + [OTHER_GROUP]),
        request_lists,
    ),
)


@dataclass(frozen=True)
class ReceiveDue:
    """Receive `share` of what is still due on the line `pick` points at (among those with parts
    still due): without it random receipts seldom match an order's lines and quantities."""

    pick: int
    share: float

    def command(self, state: PartsOrder) -> PartsOrderCommand:
        due = [line for line in state.lines if state.outstanding(line) > 0]
        if not due:
            return ReceiveOrder((ReceivedLine(1, 1),), LATER)
        line = due[self.pick % len(due)]
        quantity = max(1, round(state.outstanding(line) * self.share))
        return ReceiveOrder((ReceivedLine(line.line_number, quantity),), LATER)


def _build(step: PartsOrderCommand | ReceiveDue, state: PartsOrder) -> PartsOrderCommand:
    return step.command(state) if isinstance(step, ReceiveDue) else step


received_lines = st.builds(ReceivedLine, st.integers(0, 4), st.integers(-1, 5))
commands: st.SearchStrategy[PartsOrderCommand | ReceiveDue] = st.one_of(
    placed,
    st.just(DispatchTransfer(LATER)),
    st.just(DispatchTransfer(LATER)),
    *[st.builds(ReceiveOrder, st.lists(received_lines, max_size=3).map(tuple), st.just(LATER))] * 2,
    *[st.builds(ReceiveDue, st.integers(0, 2), st.sampled_from([0.5, 1.0, 1.0]))] * 3,
    st.builds(CancelOrder, st.sampled_from(["the car left", " "]), st.just(LATER)),
)


@dataclass
class Books:
    kind: str | None = None
    lines: dict[int, OrderLine] = field(default_factory=dict)
    received: dict[int, int] = field(default_factory=dict)
    dispatched: bool = False
    cancelled: bool = False

    @property
    def complete(self) -> bool:
        return bool(self.lines) and all(self.received[n] == line.quantity for n, line in self.lines.items())

    def check(self, history: Sequence[Event], decided: Sequence[Event], state: PartsOrder) -> None:
        if decided:
            assert not self.cancelled, "something happened to a cancelled order"
            assert not self.complete, "something happened to an order received in full"
        for event in decided:
            match event:
                case ev.PartsOrdered() | ev.PartsTransferRequested():
                    self._placed(event)
                case ev.PartsTransferDispatched():
                    assert self.kind == "transfer", "a supplier order dispatched"
                    assert not self.dispatched, "a transfer dispatched twice"
                    assert list(event.lines) == list(self.lines.values())
                    self.dispatched = True
                case ev.PartsReceived():
                    self._received(event)
                case ev.PartsOrderCancelled():
                    self._cancelled(event)
        assert state.is_complete == self.complete

    def _placed(self, event: ev.PartsOrdered | ev.PartsTransferRequested) -> None:
        assert self.kind is None, "an order placed twice"
        if isinstance(event, ev.PartsTransferRequested):
            assert event.from_site_id != event.to_site_id, "a transfer from a site to itself"
        self.kind = "transfer" if isinstance(event, ev.PartsTransferRequested) else "emergency"
        assert [line.line_number for line in event.lines] == list(range(1, len(event.lines) + 1)), "lines numbered"
        assert event.lines, "an empty order"
        assert all(line.quantity > 0 for line in event.lines)
        self.lines = {line.line_number: line for line in event.lines}
        self.received = dict.fromkeys(self.lines, 0)

    def _received(self, event: ev.PartsReceived) -> None:
        assert event.order_kind == self.kind, "received as the wrong kind of order"
        assert self.kind == "emergency" or self.dispatched, "a transfer received before it was dispatched"
        line = self.lines[event.line_number]
        assert (event.part_number, event.repair_order_id, event.line_id) == (
            line.part_number,
            line.repair_order_id,
            line.line_id,
        ), "received for another part or RO line"
        self.received[event.line_number] += event.quantity
        assert self.received[event.line_number] <= line.quantity, f"line {line.line_number} received beyond the order"
        assert event.back_ordered_quantity == line.quantity - self.received[event.line_number], "back order wrong"

    def _cancelled(self, event: ev.PartsOrderCancelled) -> None:
        assert event.order_kind == self.kind
        assert not (self.kind == "transfer" and self.dispatched), "a transfer on its way cancelled"
        still_due = {n: line.quantity - self.received[n] for n, line in self.lines.items()}
        called_off = {line.line_number: line.quantity for line in event.cancelled_lines}
        assert called_off == {n: due for n, due in still_due.items() if due}, "called off not what was still due"
        self.cancelled = True


# When the first order asked for is refused, a proper one comes next.
PROPER = (
    PlaceEmergencyOrder(
        ORDER, "FAW parts hub", (OrderLineRequest(PN, 4, RO, LINE), OrderLineRequest(PN, 2)), LATER, T0
    ),
    RequestTransfer(ORDER, SITE_B, GROUP, SITE_A, GROUP, (OrderLineRequest("90915-YZZD4", 3, RO, OTHER_LINE),), T0),
)


@PROPERTY
@given(placed, st.sampled_from(PROPER), st.lists(commands, min_size=3, max_size=25))
def test_an_order_is_never_received_beyond_its_lines_and_cancelled_only_while_parts_are_due(
    first: PartsOrderCommand, proper: PartsOrderCommand, plan: list[PartsOrderCommand | ReceiveDue]
) -> None:
    books = Books()
    outcome = run_commands(parts_order, [first, proper, *plan], books.check, build=_build)
    label(f"kind: {books.kind}")
    label(f"ended: {'cancelled' if books.cancelled else 'complete' if books.complete else 'open'}")
    label(f"receipts: {min(len(outcome.recorded(ev.PartsReceived)), 4)}")
