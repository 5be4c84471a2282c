"""What labour costs: the rule every quoted labour line follows.

    labour_price = rate (fen per hour) * flat_rate_minutes / 60, rounded half up to the fen

in integers only: round_half_up(n / d) = (2n + d) // (2d) for n ≥ 0. Each line is rounded once,
from the exact fraction, so a line is never more than half a fen from it; the quote's total is
the sum of its lines (the prices the customer sees), never rounded again.
"""

from __future__ import annotations


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest integer, halves up (both non-negative, denominator > 0)."""
    if numerator < 0 or denominator <= 0:
        raise ValueError("round_half_up takes a non-negative numerator and a positive denominator")
    return (2 * numerator + denominator) // (2 * denominator)


def labour_price(rate_fen_per_hour: int, minutes: int) -> int:
    """The price in fen of `minutes` of flat-rate time at `rate_fen_per_hour`."""
    return round_half_up(rate_fen_per_hour * minutes, 60)
