"""Published events of the reception service about the repair order's invoice in force: while
billing's invoice for an RO stands, the RO's work is the invoice's and reception refuses to change
it; a void gives it back (stream `repair_order-<uuid>`, like the rest of the RO:
`events.catalog.reception`).

Recorded from billing's own events (`billing.InvoiceIssued`, `billing.InvoiceVoided`): billing
reads the RO's lines when it issues, so a line added or approved afterwards would be on the RO
and not on the invoice the customer pays. The payment itself settles the RO
(`reception.InvoiceSettled`).
"""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, Field

from events.catalog.reception import _RepairOrderEvent


class RepairOrderInvoiced(_RepairOrderEvent, type="reception.RepairOrderInvoiced", version=1):
    """Billing issued the RO's invoice: its lines are locked (409 `repair_order_invoiced` on any
    change) until it is paid (the RO is settled) or voided."""

    invoice_id: UUID
    invoice_number: str = Field(min_length=1)
    invoiced_at: AwareDatetime


class RepairOrderInvoiceVoided(_RepairOrderEvent, type="reception.RepairOrderInvoiceVoided", version=1):
    """Billing voided the RO's invoice (`reason` as billing recorded it): the work may change
    again, with the customer's consent, and the RO is invoiced anew under the next number."""

    invoice_id: UUID
    invoice_number: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    voided_at: AwareDatetime
