"""Pricing an estimate's work, or a line added after signing, with the catalogue: the I/O before
the pure decision (`domain.pricing` takes it from here).

Every line is set next to the catalogue's pricing of the same work: a catalogue item is quoted
and the item's own prices (if any) replace the catalogue's; a typed line whose labour code the
catalogue knows is quoted the same way, so typing a line by hand never escapes the discount
authority; a typed line the catalogue does not know (sublet, say) stands alone, with its reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

from events.catalog.reception_values import RepairLine
from events.peers import PeerUnavailable
from reception.domain.errors import LineNotFound
from reception.domain.pricing import PricedLine, from_catalogue
from reception.price_schemas import CatalogueItem, MenuLinePrice, TypedLine
from reception.quotes import Catalogue, Quote, QuotedPart

PriceLists = tuple[tuple[str, str], ...]


async def price_work(
    catalogue: Catalogue,
    model_family: str,
    *,
    menu_id: str | None = None,
    menu_pay_type: str = "CUSTOMER_PAY",
    menu_prices: Sequence[MenuLinePrice] = (),
    items: Sequence[CatalogueItem] = (),
    typed: Sequence[TypedLine] = (),
) -> tuple[tuple[PricedLine, ...], PriceLists]:
    """The lines in the order given (the menu's first), and the price lists they were priced with."""
    lines: list[PricedLine] = []
    lists: list[PriceLists] = []
    if menu_id is not None:
        quote = await catalogue.quote(model_family, menu_pay_type, menu_id=menu_id)
        lines.extend(menu_lines(quote.lines, menu_prices))
        lists.append(quote.price_lists)
    priced = await asyncio.gather(
        *(price_item(catalogue, model_family, item) for item in items),
        *(price_typed(catalogue, model_family, line) for line in typed),
    )
    for line, used in priced:
        lines.append(line)
        lists.append(used)
    return tuple(lines), merged(lists)


def menu_lines(quoted: Sequence[RepairLine], prices: Sequence[MenuLinePrice]) -> list[PricedLine]:
    """The menu's lines at the catalogue's prices, but for those priced otherwise (with the
    reason): each stays next to the catalogue's line, so its discount is measured like any other."""
    asked = {price.labour_operation: price for price in prices}
    unknown = sorted(set(asked) - {line.labour_operation for line in quoted})
    if unknown:
        raise LineNotFound(f"the service menu has no line {', '.join(unknown)}: price one of its lines")
    priced = []
    for line in quoted:
        price = asked.get(line.labour_operation)
        if price is None:
            priced.append(from_catalogue(line))
        else:
            priced.append(PricedLine(line.model_copy(update={"labour_price": price.labour_price}), line, price.reason))
    return priced


async def price_item(catalogue: Catalogue, model_family: str, item: CatalogueItem) -> tuple[PricedLine, PriceLists]:
    parts = [QuotedPart(part.part_number, part.quantity) for part in item.quoted_parts]
    quote = await catalogue.quote(model_family, item.pay_type, labour_operation=item.labour_operation, parts=parts)
    return item.priced(_one_line(quote, item.labour_operation)), quote.price_lists


async def price_typed(catalogue: Catalogue, model_family: str, typed: TypedLine) -> tuple[PricedLine, PriceLists]:
    line = typed.repair_line()
    if not await catalogue.knows(line.labour_operation, model_family):
        return PricedLine(line, None, typed.reason), ()
    parts = [QuotedPart(p.part_number, p.quantity) for p in line.parts if not p.customer_supplied]
    quote = await catalogue.quote(model_family, line.pay_type, labour_operation=line.labour_operation, parts=parts)
    quoted = _one_line(quote, line.labour_operation)
    supplied = tuple(p for p in line.parts if p.customer_supplied)
    # The catalogue's pricing of exactly this line: its id, pay type reason and flags; the parts
    # the customer brought carry no price on either side.
    same_work = line.model_copy(
        update={
            "labour_minutes": quoted.labour_minutes,
            "labour_price": quoted.labour_price,
            "parts": (*quoted.parts, *supplied),
        }
    )
    return PricedLine(line, same_work, typed.reason), quote.price_lists


def _one_line(quote: Quote, labour_operation: str) -> RepairLine:
    """The quote of one labour operation as one line: the operation's line, with every part quoted."""
    if not quote.lines:
        raise PeerUnavailable(f"catalogue quoted no line for {labour_operation}")
    main = next((line for line in quote.lines if line.labour_operation == labour_operation), quote.lines[0])
    return main.model_copy(update={"parts": tuple(part for line in quote.lines for part in line.parts)})


def merged(lists: Iterable[PriceLists]) -> PriceLists:
    """One entry per price list (labour rates, parts); lines quoted in one request share them."""
    return tuple(sorted(dict(pair for used in lists for pair in used).items()))
