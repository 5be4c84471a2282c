"""Lines priced from the catalogue, the prices typed by hand, and the discount authority
(issue 19: "an estimate line comes from the catalogue; a manual price, time or discount needs a
reason and stays within the role's discount authority").

A line reaches the domain as a `PricedLine`: the line as it goes on the RO, next to the
catalogue's pricing of the same work (None for a labour code the catalogue does not know, typed
by hand, e.g. sublet). The difference is the line's discount, measured per line against the
catalogue's price of that line, so a small discount over the whole order cannot hide a line
given away. Authority is in basis points of that price (500 = 5 %), per role, from the site's
reception settings; a person holds the largest authority of their roles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from events.catalog.reception_values import PriceAdjustment, RepairLine
from reception.domain import errors

FULL_AUTHORITY = 10_000  # basis points: may give the whole price away


@dataclass(frozen=True)
class PricedLine:
    """`line`: what the customer is charged; `catalogue`: the catalogue's line for the same work
    (same line id), None for work the catalogue does not know; `reason`: why the two differ."""

    line: RepairLine
    catalogue: RepairLine | None = None
    reason: str | None = None


def from_catalogue(line: RepairLine) -> PricedLine:
    """A line at exactly the catalogue's price and time."""
    return PricedLine(line, line)


def _differs(line: RepairLine, catalogue: RepairLine) -> bool:
    return (
        line.labour_price != catalogue.labour_price
        or line.labour_minutes != catalogue.labour_minutes
        or line.parts_price != catalogue.parts_price
    )


def adjustment(priced: PricedLine) -> PriceAdjustment | None:
    """The line's departure from the catalogue, with its reason; None for a catalogue line."""
    line, catalogue = priced.line, priced.catalogue
    if catalogue is not None and not _differs(line, catalogue):
        return None
    reason = (priced.reason or "").strip()
    if not reason:
        what = "typed by hand" if catalogue is None else "priced or timed differently from the catalogue"
        raise errors.PriceReasonRequired(f"line {line.description!r} is {what}: give the reason")
    return PriceAdjustment(
        line_id=line.line_id,
        catalogue_price=None if catalogue is None else catalogue.price,
        catalogue_minutes=None if catalogue is None else catalogue.labour_minutes,
        price=line.price,
        labour_minutes=line.labour_minutes,
        discount=0 if catalogue is None else catalogue.price - line.price,
        reason=reason,
    )


def adjustments(lines: Iterable[PricedLine]) -> tuple[PriceAdjustment, ...]:
    return tuple(a for a in (adjustment(priced) for priced in lines) if a is not None)


def discount_total(adjusted: Iterable[PriceAdjustment]) -> int:
    """What the discounts take off the catalogue's prices (surcharges do not offset them)."""
    return sum(max(a.discount, 0) for a in adjusted)


def beyond_authority(adjusted: Iterable[PriceAdjustment], authority_bp: int) -> tuple[PriceAdjustment, ...]:
    """The discounts larger than `authority_bp` of their line's catalogue price."""
    return tuple(
        a
        for a in adjusted
        if a.catalogue_price is not None and a.discount > 0 and a.discount * 10_000 > a.catalogue_price * authority_bp
    )


def authority_of(roles: Iterable[str], authority_bp: dict[str, int]) -> int:
    """The largest discount authority among a person's roles (0 for roles the site names none for)."""
    return max((authority_bp.get(role, 0) for role in roles), default=0)
