"""Properties of VAT carved out of tax-inclusive prices (billing.domain.tax, docs/billing.md "Tax"),
for any lines, rates (0 included) and both rounding rules:

- every line: net + tax == gross, 0 <= tax <= gross;
- the invoice: the lines' grosses add up to the invoice's gross, and net + tax == gross;
- per_line: each line's tax is its own rounding (half up) of gross * rate / (10000 + rate);
- per_total: for each rate, the lines' taxes add up exactly to the tax of the rate's total, and
  each line's tax is within one fen of its exact proportional share;
- a rate of 0 takes no tax; no fen is lost or created.

The exact value is computed with `fractions.Fraction`, not with the module's integer formula.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from billing.domain.tax import PER_LINE, PER_TOTAL, carve, spread, summed, tax_lines
from events.testing.properties import PROPERTY

RATES = st.sampled_from([0, 300, 600, 900, 1300, 1700, 10000]) | st.integers(0, 10000)
GROSS = st.integers(0, 50_000_000)
LINES = st.lists(st.tuples(GROSS, RATES), max_size=30)
RULES = st.sampled_from([PER_LINE, PER_TOTAL])


def exact_tax(gross: int, rate: int) -> Fraction:
    return Fraction(gross * rate, 10000 + rate)


def half_up(value: Fraction) -> int:
    whole = value.numerator // value.denominator
    return whole + 1 if value - whole >= Fraction(1, 2) else whole


@PROPERTY
@given(LINES, RULES)
def test_every_line_and_the_total_add_up_and_no_fen_is_lost(lines: list[tuple[int, int]], rounding: str) -> None:
    taxed = tax_lines(lines, rounding)
    assert [(t.gross, t.rate_bp) for t in taxed] == lines
    for t in taxed:
        assert t.net + t.tax == t.gross
        assert 0 <= t.tax <= t.gross
    gross, net, tax = summed(taxed)
    assert gross == sum(g for g, _ in lines)
    assert net + tax == gross


@PROPERTY
@given(LINES)
def test_per_line_rounds_each_line_half_up(lines: list[tuple[int, int]]) -> None:
    for t in tax_lines(lines, PER_LINE):
        assert t.tax == half_up(exact_tax(t.gross, t.rate_bp))


@PROPERTY
@given(LINES)
def test_per_total_lines_sum_exactly_to_each_rates_total_tax(lines: list[tuple[int, int]]) -> None:
    taxed = tax_lines(lines, PER_TOTAL)
    for rate in {r for _, r in lines}:
        mine = [t for t in taxed if t.rate_bp == rate]
        total = sum(t.gross for t in mine)
        rate_tax = half_up(exact_tax(total, rate))
        assert sum(t.tax for t in mine) == rate_tax
        for t in mine:
            share = Fraction(t.gross * rate_tax, total) if total else Fraction(0)
            assert abs(t.tax - share) < 1


@PROPERTY
@given(st.lists(GROSS, max_size=30), RULES)
def test_a_rate_of_zero_takes_no_tax(grosses: list[int], rounding: str) -> None:
    taxed = tax_lines([(g, 0) for g in grosses], rounding)
    assert all(t.tax == 0 and t.net == t.gross for t in taxed)


@PROPERTY
@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**7), min_size=1, max_size=30))
def test_spread_hands_out_exactly_the_amount_never_more_than_a_weight(amount: int, weights: list[int]) -> None:
    amount = min(amount, sum(weights))
    shares = spread(amount, weights)
    assert sum(shares) == amount
    assert all(0 <= s <= w for s, w in zip(shares, weights, strict=True))


def test_worked_example_of_the_docs() -> None:
    """docs/billing.md "Tax": an oil service at 13 %: labour 380.00, filter 3 x 45.50, oil 230.00."""
    lines = [(38000, 1300), (13650, 1300), (23000, 1300)]
    assert [t.tax for t in tax_lines(lines, PER_LINE)] == [4372, 1570, 2646]
    assert sum(t.tax for t in tax_lines(lines, PER_LINE)) == 8588
    assert carve(74650, 1300) == 8588
    assert [t.tax for t in tax_lines(lines, PER_TOTAL)] == [4372, 1570, 2646]
    small = [(1, 1300), (1, 1300), (1, 1300), (1, 1300), (1, 1300)]
    # 5 lines of one fen: each rounds to 0 alone, the total's 5 fen carry 1 fen of tax.
    assert sum(t.tax for t in tax_lines(small, PER_LINE)) == 0
    assert [t.tax for t in tax_lines(small, PER_TOTAL)] == [1, 0, 0, 0, 0]
