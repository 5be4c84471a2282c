"""KPI facts (docs/domain.md §8): parts fill rate and the wait from a shortage to the parts' arrival."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from uuid import uuid4

import pytest
from domain_helpers import LINE, OTHER_LINE, PN, R1, R2, RO, T0, received, reserved, shortage

from events.catalog.parts import ReservationReleased
from events.contract import Event
from events.decider import fold
from parts.domain.kpi import (
    FillRateFact,
    ShortageWait,
    available_quantity,
    fill_rate_facts,
    quantity_fill_rate,
    request_fill_rate,
    shortage_waits,
)
from parts.domain.stock_item import AdjustStock, ReceiveStock, ReleaseReservation, Reserve, StockCommand, stock_item

R3 = uuid4()


def run(*commands: StockCommand) -> list[Event]:
    """The events the commands decide, one after the other, from an empty stock item."""
    history: list[Event] = []
    for command in commands:
        history.extend(stock_item.decide(fold(stock_item, history), command))
    return history


def test_available_quantity_is_on_hand_minus_held() -> None:
    assert available_quantity([received(5), reserved(R1, 2)]) == 3
    assert available_quantity([]) == 0


def test_fill_rate_counts_what_was_on_the_shelf_when_asked() -> None:
    history = run(
        ReceiveStock(PN, 3, 3200, "supplier", T0),
        Reserve(PN, R1, 2, T0, RO, LINE),  # filled at once
        Reserve(PN, R2, 3, T0, RO, OTHER_LINE),  # 1 at once, 2 short
        Reserve(PN, R3, 1, T0, RO, uuid4()),  # all short
        ReceiveStock(PN, 3, 3200, "supplier", T0 + timedelta(hours=5)),  # back orders: not the fill rate's
    )
    facts = fill_rate_facts(history)
    assert facts == [
        FillRateFact(R1, PN, requested=2, immediately_available=2),
        FillRateFact(R2, PN, requested=3, immediately_available=1),
        FillRateFact(R3, PN, requested=1, immediately_available=0),
    ]
    assert [f.filled_in_full for f in facts] == [True, False, False]
    assert quantity_fill_rate(facts) == pytest.approx(3 / 6)
    assert request_fill_rate(facts) == pytest.approx(1 / 3)


def test_a_stocktake_loss_is_not_a_request() -> None:
    history = run(
        ReceiveStock(PN, 2, 3200, "supplier", T0),
        Reserve(PN, R1, 2, T0, RO, LINE),
        AdjustStock(PN, 1, "count", T0),
    )
    assert fill_rate_facts(history) == [FillRateFact(R1, PN, 2, 2)]


def test_no_requests_no_fill_rate() -> None:
    assert quantity_fill_rate([]) is None
    assert request_fill_rate([]) is None


def test_the_wait_runs_from_the_shortage_until_the_last_missing_part_is_there() -> None:
    history = run(
        Reserve(PN, R1, 3, T0, RO, LINE),
        ReceiveStock(PN, 2, 3200, "supplier", T0 + timedelta(hours=2)),
        ReceiveStock(PN, 1, 3200, "transfer", T0 + timedelta(hours=20)),
    )
    assert shortage_waits(history) == [
        ShortageWait(R1, PN, RO, LINE, None, detected_at=T0, filled_at=T0 + timedelta(hours=20))
    ]
    assert shortage_waits(history)[0].wait == timedelta(hours=20)


def test_an_open_or_released_wait_is_not_counted() -> None:
    history = run(
        Reserve(PN, R1, 1, T0, RO, LINE),
        Reserve(PN, R2, 2, T0, RO, OTHER_LINE),
        ReleaseReservation(PN, R1, "customer declined", T0 + timedelta(hours=1)),
        ReceiveStock(PN, 1, 3200, "supplier", T0 + timedelta(hours=4)),  # R2 still misses one
    )
    assert any(isinstance(e, ReservationReleased) for e in history)
    assert shortage_waits(history) == []


def test_each_shortage_of_a_reservation_is_its_own_wait() -> None:
    later = T0 + timedelta(days=1)
    history: Sequence[Event] = (
        shortage(R1, 1),
        reserved(R1, 1, from_backorder=True).model_copy(update={"reserved_at": T0 + timedelta(hours=1)}),
        shortage(R1, 1, cause="stocktake_loss").model_copy(update={"detected_at": later}),
        reserved(R1, 1, from_backorder=True).model_copy(update={"reserved_at": later + timedelta(hours=3)}),
    )
    assert [w.wait for w in shortage_waits(history)] == [timedelta(hours=1), timedelta(hours=3)]
