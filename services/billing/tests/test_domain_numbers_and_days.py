"""Numbers' formats, the site-local day money counts in, and the day close, pure."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from billing.domain import errors
from billing.domain.cash_day import CloseCashDay, Movement, cash_day, local_day, till_day, totals
from billing.domain.numbers import default_format, format_problem, number
from events.catalog.billing import CashDayClosed, MethodTotal
from events.testing.deciders import scenario

given = scenario(cash_day)
CLOSED_AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_numbers_are_written_from_the_series_format() -> None:
    assert number(default_format("service"), 2026, 1) == "SVC-2026-000001"
    assert number(default_format("bodyshop"), 2027, 12) == "BODYSHOP-2027-000012"
    assert number("BS{year}/{seq:04d}", 2026, 7) == "BS2026/0007"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("SVC-{year}", "{seq}"),
        ("SVC-{month}-{seq}", "only {year} and {seq}"),
        ("SVC-{seq", "not a format"),
        ("{seq:06d}" + "X" * 40, "1 to 40 characters"),
        ("SVC-{seq:0999999999d}", "at most two digits"),
        ("SVC-{seq:x}", "at most two digits"),
        ("S" * 61 + "{seq}", "at most 60 characters"),
    ],
)
def test_a_format_without_the_counter_or_with_unknown_fields_is_refused(text: str, problem: str) -> None:
    found = format_problem(text)
    assert found is not None
    assert problem in found
    assert format_problem("SVC-{year}-{seq:06d}") is None


def test_the_day_is_the_sites_local_day_and_a_closed_day_sends_money_to_the_next_open_one() -> None:
    late = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)  # 00:30 on the 3rd in Shanghai
    assert local_day(late, "Asia/Shanghai") == date(2026, 3, 3)
    assert local_day(late, "Europe/Berlin") == date(2026, 3, 2)
    closed = {date(2026, 3, 2), date(2026, 3, 3)}
    assert till_day(date(2026, 3, 2), closed) == date(2026, 3, 4)
    assert till_day(date(2026, 3, 1), closed) == date(2026, 3, 1)


def test_totals_are_per_method_taken_less_refunded() -> None:
    moved = [Movement("payment", "card", 100), Movement("deposit", "card", 50), Movement("refund", "card", 30),
             Movement("payment", "cash", 10), Movement("refund", "alipay", 5)]  # fmt: skip
    assert totals(moved) == (
        MethodTotal(method="cash", taken=10, refunded=0, net=10),
        MethodTotal(method="card", taken=150, refunded=30, net=120),
        MethodTotal(method="alipay", taken=0, refunded=5, net=-5),
    )


def close(day: date, today: date = date(2026, 3, 2)) -> CloseCashDay:
    return CloseCashDay("site-1", day, today, (Movement("payment", "cash", 700),), "cashier-1", CLOSED_AT)


def test_a_day_closes_once_with_its_totals_and_never_before_it_began() -> None:
    closed = CashDayClosed(
        site_id="site-1",
        day=date(2026, 3, 2),
        totals=(MethodTotal(method="cash", taken=700, refunded=0, net=700),),
        taken=700,
        refunded=0,
        net=700,
        closed_by="cashier-1",
        closed_at=CLOSED_AT,
    )
    given().when(close(date(2026, 3, 2))).then(closed)
    given(closed).when(close(date(2026, 3, 2))).then_refused(errors.CashDayAlreadyClosed)
    given().when(close(date(2026, 3, 3))).then_refused(errors.CashDayNotStarted)
