"""A repair order's approved lines → the invoice's lines, each with its VAT, and who owes them.

One invoice line per repair line's labour (kind `labour`; a sublet job's labour is `other`, the
rate of services bought in) and one per part (kind `parts`, gross = quantity * unit price). Each
line keeps its repair line's pay type; `payer_of` says who owes it: the customer's share is
their bill, the rest are receivables (manufacturer, internal account, the dealer's own cost).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from billing.domain.tax import tax_lines
from events.catalog.billing import InvoiceLine, Receivable, VatRates, payer_of
from events.catalog.reception_values import RepairLine

CUSTOMER = "customer"


@dataclass(frozen=True, slots=True)
class _Draft:
    line: RepairLine
    kind: str
    description: str
    part_number: str | None
    quantity: int
    gross: int


def invoice_lines(repair_lines: Sequence[RepairLine], vat: VatRates, rounding: str) -> tuple[InvoiceLine, ...]:
    drafts: list[_Draft] = []
    for line in repair_lines:
        kind = "other" if line.pay_type == "SUBLET" else "labour"
        drafts.append(_Draft(line, kind, line.description, None, 1, line.labour_price))
        drafts += [
            _Draft(line, "parts", p.description or p.part_number, p.part_number, p.quantity, p.price)
            for p in line.parts
        ]
    taxed = tax_lines([(d.gross, vat.rate(d.kind)) for d in drafts], rounding)
    return tuple(
        InvoiceLine(
            line_id=d.line.line_id,
            kind=d.kind,
            description=d.description,
            labour_operation=d.line.labour_operation,
            part_number=d.part_number,
            quantity=d.quantity,
            pay_type=d.line.pay_type,
            payer=payer_of(d.line.pay_type),
            rate_bp=t.rate_bp,
            gross=t.gross,
            net=t.net,
            tax=t.tax,
        )
        for d, t in zip(drafts, taxed, strict=True)
    )


def customer_share(lines: Sequence[InvoiceLine]) -> tuple[int, int, int]:
    """(gross, net, tax) of the customer's lines: what the desk collects."""
    mine = [line for line in lines if line.payer == CUSTOMER]
    return sum(x.gross for x in mine), sum(x.net for x in mine), sum(x.tax for x in mine)


def receivables(lines: Sequence[InvoiceLine]) -> tuple[Receivable, ...]:
    """Everyone else's share, per payer and pay type, in the order the lines name them."""
    totals: dict[tuple[str, str], tuple[int, int, int]] = {}
    for line in lines:
        if line.payer == CUSTOMER:
            continue
        gross, net, tax = totals.get((line.payer, line.pay_type), (0, 0, 0))
        totals[(line.payer, line.pay_type)] = (gross + line.gross, net + line.net, tax + line.tax)
    return tuple(
        Receivable(payer=payer, pay_type=pay_type, gross=gross, net=net, tax=tax)
        for (payer, pay_type), (gross, net, tax) in totals.items()
    )
