"""The billing service's refusals: each a `DomainError` with a stable code (HTTP 409) and a
message that says which rule was broken and what to do instead."""

from __future__ import annotations

from events.errors import DomainError


class RepairOrderNotReady(DomainError):
    """Only a repair order the workshop passed (ready for delivery) is invoiced."""

    code = "repair_order_not_ready"


class RepairOrderAlreadyInvoiced(DomainError):
    """A repair order has one invoice in force; void it to invoice the RO again."""

    code = "repair_order_already_invoiced"


class NothingToInvoice(DomainError):
    code = "nothing_to_invoice"


class UnknownSeries(DomainError):
    """The series is not one of the site's billing settings."""

    code = "unknown_series"


class IdempotencyKeyReused(DomainError):
    """The `Idempotency-Key` already named another request's invoice, payment or deposit."""

    code = "idempotency_key_reused"


class InvoiceVoided(DomainError):
    code = "invoice_voided"


class InvoiceAlreadyPaid(DomainError):
    code = "invoice_already_paid"


class Overpayment(DomainError):
    """A payment never exceeds what the customer still owes."""

    code = "overpayment"


class RefundExceedsPaid(DomainError):
    """A refund never gives back more than the invoice holds."""

    code = "refund_exceeds_paid"


class InvoicePaid(DomainError):
    """A paid invoice settled its repair order (reception's `InvoiceSettled`): it is not voided;
    money goes back by a refund."""

    code = "invoice_paid"


class RefundBeforeVoid(DomainError):
    """An invoice that holds money is not voided until the money went back (refunds)."""

    code = "refund_before_void"


class CashDayAlreadyClosed(DomainError):
    code = "cash_day_already_closed"


class CashDayNotStarted(DomainError):
    """A cashier's day is closed on or after it, never before it began."""

    code = "cash_day_not_started"
