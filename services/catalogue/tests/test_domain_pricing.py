"""The labour price rule: rate x minutes / 60, half up to the fen, never more than half a fen
from the exact fraction."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogue.domain.pricing import labour_price, round_half_up

rates = st.integers(min_value=0, max_value=10_000_000)
minutes = st.integers(min_value=0, max_value=6000)


@pytest.mark.parametrize(
    ("rate", "minutes", "price"),
    [
        (38000, 60, 38000),  # an hour is the rate
        (38000, 40, 25333),  # 25333.33… rounds down
        (10000, 1, 167),  # 166.66… rounds up
        (30, 1, 1),  # exactly half a fen rounds up
        (90, 1, 2),  # 1.5 fen rounds up
        (29, 1, 0),  # 0.48… rounds down
        (0, 90, 0),
    ],
)
def test_examples(rate: int, minutes: int, price: int) -> None:
    assert labour_price(rate, minutes) == price


@given(rates, minutes)
def test_never_more_than_half_a_fen_from_the_exact_price_and_halves_go_up(rate: int, mins: int) -> None:
    exact = Fraction(rate * mins, 60)
    price = labour_price(rate, mins)
    assert abs(price - exact) <= Fraction(1, 2)
    if price - exact == Fraction(-1, 2):
        pytest.fail("a half fen rounded down")
    assert price == int(exact + Fraction(1, 2))  # floor(x + 1/2): half up


@given(st.lists(st.tuples(rates, minutes), min_size=1, max_size=30))
def test_a_quotes_lines_lose_no_fen_a_line_could_not_explain(lines: list[tuple[int, int]]) -> None:
    exact = sum((Fraction(rate * mins, 60) for rate, mins in lines), Fraction(0))
    total = sum(labour_price(rate, mins) for rate, mins in lines)
    assert abs(Fraction(total) - exact) <= Fraction(len(lines), 2)


def test_round_half_up_refuses_a_negative_amount() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        round_half_up(-1, 60)
