"""A quote: labour operations and parts priced into repair-order lines — pure, no I/O.

One line per labour operation (a code asked twice, by the menu and by hand, is one line), in
the order asked; a part naming a labour operation goes on that operation's line (the operation
is quoted too), a part naming none goes on one line of its own, `PARTS`, without labour. The same
part twice on a line is one part with the quantities added. Labour is priced by
`pricing.labour_price` (half up to the fen, once per line); the total is the sum of the lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from uuid import UUID

from catalogue.domain.errors import FieldError, NoLabourRate, Unprocessable
from catalogue.domain.labour import LabourVersion
from catalogue.domain.pricing import labour_price

PARTS_ONLY = "PARTS"
PARTS_ONLY_DESCRIPTION = {"zh": "零件", "en": "Parts"}


@dataclass(frozen=True)
class PartRequest:
    part_number: str
    quantity: int
    labour_operation: str | None = None


@dataclass(frozen=True)
class QuoteRequest:
    model_family: str
    pay_type: str
    labour_operations: tuple[str, ...] = ()
    parts: tuple[PartRequest, ...] = ()
    lang: str = "zh"

    @property
    def codes(self) -> list[str]:
        """Every labour operation the quote prices, in order, once each."""
        asked = [*self.labour_operations, *(p.labour_operation for p in self.parts if p.labour_operation)]
        return list(dict.fromkeys(asked))

    @property
    def part_numbers(self) -> list[str]:
        return list(dict.fromkeys(p.part_number for p in self.parts))


@dataclass(frozen=True)
class PartPrice:
    """What a quote needs of a part's price-list entry."""

    description: str
    unit_price: int
    non_oem: bool


@dataclass(frozen=True)
class QuotedPart:
    part_number: str
    description: str
    quantity: int
    unit_price: int
    non_oem: bool


@dataclass(frozen=True)
class QuotedLine:
    line_id: UUID
    labour_operation: str
    description: str
    labour_minutes: int
    labour_price: int
    pay_type: str
    parts: list[QuotedPart] = field(default_factory=list)

    @property
    def price(self) -> int:
        return self.labour_price + sum(p.quantity * p.unit_price for p in self.parts)


def check_known(request: QuoteRequest, operations: Mapping[str, LabourVersion], parts: Mapping[str, PartPrice]) -> None:
    """Refuse (422) a quote naming a labour operation or a part the catalogue does not have."""
    errors = [
        FieldError("body.labour_operations", f"no labour operation {code} for {request.model_family}", "unknown_code")
        for code in request.codes
        if code not in operations
    ]
    errors += [
        FieldError("body.parts", f"no part {number} in the price list", "unknown_part")
        for number in request.part_numbers
        if number not in parts
    ]
    if errors:
        raise Unprocessable("unknown_reference", "; ".join(e.message for e in errors), errors)


def price(
    request: QuoteRequest,
    operations: Mapping[str, LabourVersion],
    rate: int | None,
    parts: Mapping[str, PartPrice],
    new_id: Callable[[], UUID],
) -> list[QuotedLine]:
    """The quote's lines (every code and part known: `check_known` first)."""
    check_known(request, operations, parts)
    if request.codes and rate is None:
        raise NoLabourRate(f"the site has no labour rate for {request.pay_type} on that date: set one first")
    lines: dict[str, QuotedLine] = {}
    for code in request.codes:
        op = operations[code].operation
        description = op.description_zh if request.lang == "zh" else op.description_en
        minutes = op.flat_rate_minutes
        assert rate is not None
        lines[code] = QuotedLine(new_id(), code, description, minutes, labour_price(rate, minutes), request.pay_type)
    for wanted in request.parts:
        code = wanted.labour_operation or PARTS_ONLY
        line = lines.get(code)
        if line is None:
            description = PARTS_ONLY_DESCRIPTION.get(request.lang, PARTS_ONLY_DESCRIPTION["en"])
            line = lines[code] = QuotedLine(new_id(), PARTS_ONLY, description, 0, 0, request.pay_type)
        _add_part(line.parts, wanted, parts[wanted.part_number])
    return list(lines.values())


def _add_part(on_line: list[QuotedPart], wanted: PartRequest, known: PartPrice) -> None:
    for i, part in enumerate(on_line):
        if part.part_number == wanted.part_number:
            on_line[i] = QuotedPart(
                part.part_number, part.description, part.quantity + wanted.quantity, part.unit_price, part.non_oem
            )
            return
    on_line.append(QuotedPart(wanted.part_number, known.description, wanted.quantity, known.unit_price, known.non_oem))


def totals(lines: Sequence[QuotedLine]) -> tuple[int, int]:
    """The quote's total price (fen) and labour minutes."""
    return sum(line.price for line in lines), sum(line.labour_minutes for line in lines)
