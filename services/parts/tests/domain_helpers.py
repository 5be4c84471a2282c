"""given / when / then for the parts deciders, and the stock-item facts the tests share.

given(*history).when(command).then(*expected)      # returns the state after them
given(*history).when(command).then_refused(ErrorType)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4

import pytest

from events.catalog.parts import PartsIssued, PartsReserved, PartsShortageDetected, StockReceived
from events.contract import Event
from events.decider import Decider, DomainError, fold
from parts.domain.stock_item import Reserve

S = TypeVar("S")


@dataclass(frozen=True)
class When(Generic[S]):
    decider: Decider[Any, S]
    history: Sequence[Event]
    command: object

    def then(self, *expected: Event) -> S:
        """Assert the command decides exactly `expected`; return the state after them."""
        state = fold(self.decider, self.history)
        decided = list(self.decider.decide(state, self.command))
        assert decided == list(expected)
        return fold(self.decider, decided, state)

    def then_refused(self, error: type[DomainError]) -> None:
        state = fold(self.decider, self.history)
        with pytest.raises(error) as refused:
            self.decider.decide(state, self.command)  # raising means no events are produced
        assert refused.value.code == error.code
        assert str(refused.value)  # the user is told which rule was broken


@dataclass(frozen=True)
class Given(Generic[S]):
    decider: Decider[Any, S]
    history: Sequence[Event]

    def when(self, command: object) -> When[S]:
        return When(self.decider, self.history, command)


def scenario(decider: Decider[Any, S]) -> Callable[..., Given[S]]:
    """`given` bound to one aggregate: `given = scenario(stock_item)`."""

    def given(*events: Event) -> Given[S]:
        return Given(decider, events)

    return given


# --- stock-item facts ---------------------------------------------------------------------

T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
PN = "04152-YZZA1"  # oil filter
RO, LINE, OTHER_LINE = uuid4(), uuid4(), uuid4()
APPOINTMENT = uuid4()
R1, R2 = uuid4(), uuid4()


def received(quantity: int, at: datetime = T0, source: str = "supplier") -> StockReceived:
    return StockReceived(part_number=PN, quantity=quantity, unit_cost=3200, source=source, received_at=at)


def reserved(rid: UUID, quantity: int, line: UUID = LINE, *, from_backorder: bool = False) -> PartsReserved:
    return PartsReserved(
        part_number=PN,
        reservation_id=rid,
        repair_order_id=RO,
        line_id=line,
        quantity=quantity,
        from_backorder=from_backorder,
        reserved_at=T0,
    )


def shortage(rid: UUID, missing: int, line: UUID = LINE, cause: str = "insufficient_stock") -> PartsShortageDetected:
    return PartsShortageDetected(
        part_number=PN,
        reservation_id=rid,
        repair_order_id=RO,
        line_id=line,
        missing_quantity=missing,
        withdrawn_quantity=missing if cause == "stocktake_loss" else 0,
        cause=cause,
        detected_at=T0,
    )


def issued(quantity: int, from_reservation: int = 0, rid: UUID | None = None) -> PartsIssued:
    return PartsIssued(
        part_number=PN,
        reservation_id=rid,
        repair_order_id=RO,
        line_id=LINE,
        quantity=quantity,
        from_reservation_quantity=from_reservation,
        issued_at=T0,
    )


def reserve(rid: UUID, quantity: int, line: UUID = LINE) -> Reserve:
    return Reserve(PN, rid, quantity, T0, repair_order_id=RO, line_id=line)
