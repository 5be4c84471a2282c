"""VAT carved out of tax-inclusive prices, to the fen (docs/billing.md "Tax").

Chinese retail prices include VAT, so the RO's prices are gross and the tax is carved out of
them: tax = round_half_up(gross * rate / (10000 + rate)), rates in basis points. Two rounding
rules, chosen per site:

- `per_line`: each line's tax is rounded on its own; the invoice's tax is the sum of its lines'.
- `per_total`: the tax is computed once on each rate's total gross and spread over that rate's
  lines in proportion to their gross by the largest-remainder method, so the lines' taxes add up
  to exactly the total's tax (a fapiao is checked that way).

Everything is integer arithmetic: no fen is lost or created, and `net + tax == gross` always.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PER_LINE = "per_line"
PER_TOTAL = "per_total"
BASIS = 10_000  # basis points in 100 %


@dataclass(frozen=True, slots=True)
class Taxed:
    gross: int
    net: int
    tax: int
    rate_bp: int


def carve(gross: int, rate_bp: int) -> int:
    """The VAT inside a tax-inclusive `gross`, rounded half up to the fen."""
    if gross < 0 or not 0 <= rate_bp <= BASIS:
        raise ValueError("gross is never negative and a rate lies between 0 and 10000 basis points")
    numerator, denominator = gross * rate_bp, BASIS + rate_bp
    # floor(n/d + 1/2) in integers: half a fen goes up.
    return (2 * numerator + denominator) // (2 * denominator)


def tax_lines(lines: Sequence[tuple[int, int]], rounding: str) -> list[Taxed]:
    """Each `(gross, rate_bp)` line with its net and tax under `rounding`, in the same order."""
    if rounding == PER_LINE:
        return [_taxed(gross, rate, carve(gross, rate)) for gross, rate in lines]
    if rounding != PER_TOTAL:
        raise ValueError(f"rounding is {PER_LINE} or {PER_TOTAL}, not {rounding!r}")
    taxes = [0] * len(lines)
    for rate in {rate for _, rate in lines}:
        indices = [i for i, (_, r) in enumerate(lines) if r == rate]
        shares = spread(carve(sum(lines[i][0] for i in indices), rate), [lines[i][0] for i in indices])
        for i, share in zip(indices, shares, strict=True):
            taxes[i] = share
    return [_taxed(gross, rate, tax) for (gross, rate), tax in zip(lines, taxes, strict=True)]


def spread(amount: int, weights: Sequence[int]) -> list[int]:
    """`amount` split in proportion to `weights` by the largest-remainder method: each share is
    its exact share rounded down, and the fen left over go one each to the largest remainders
    (the earlier line first on a tie). The shares add up to `amount`; with `amount` at most the
    weights' sum, no share exceeds its weight."""
    total = sum(weights)
    if total == 0:
        if amount:
            raise ValueError("nothing to spread an amount over")
        return [0] * len(weights)
    floors = [amount * weight // total for weight in weights]
    remainders = [amount * weight % total for weight in weights]
    left = amount - sum(floors)
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        floors[i] += 1
    return floors


def summed(lines: Sequence[Taxed]) -> tuple[int, int, int]:
    """(gross, net, tax) of `lines` together."""
    return sum(t.gross for t in lines), sum(t.net for t in lines), sum(t.tax for t in lines)


def _taxed(gross: int, rate: int, tax: int) -> Taxed:
    return Taxed(gross=gross, net=gross - tax, tax=tax, rate_bp=rate)
