"""The invoice aggregate, stream `invoice-<invoice_id>`: issued from a ready repair order with
the number the handler allocated, paid by one or more methods (deposits count), refunded,
voided. Pure: the RO's lines, the site's settings, the number and the times come on commands.

Rules (docs/billing.md "Payments"):
- what the customer owes is their share (`customer_gross`); `held` is what was taken (deposits
  and payments) less what went back; `balance = customer_gross - held`;
- a payment never exceeds the balance (`overpayment`); the payment that brings the balance to 0
  publishes `InvoicePaid` (at issue already when the share is 0 or the deposits cover it);
- a refund never exceeds what is held; a paid invoice stays paid (reception settled the RO);
- a void keeps the number and says why; an invoice holding money is refunded first, and a paid
  one is not voided;
- a command repeated with the same id (a client's retry) records nothing again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from billing.domain import errors
from billing.domain.lines import customer_share, invoice_lines, receivables
from events.catalog.billing import (
    AppliedDeposit,
    InvoiceIssued,
    InvoicePaid,
    InvoiceVoided,
    PaymentTaken,
    RefundMade,
    Tender,
    VatRates,
)
from events.catalog.reception_values import Contact, RepairLine, VehicleIdentity
from events.contract import Event
from events.decider import Decider
from events.rules import require_text


@dataclass(frozen=True)
class Invoice:
    issued: InvoiceIssued | None = None
    payments: tuple[PaymentTaken, ...] = ()
    refunds: tuple[RefundMade, ...] = ()
    paid: InvoicePaid | None = None
    voided: InvoiceVoided | None = None

    @property
    def received(self) -> int:
        deposits = sum(d.amount for d in self.issued.deposits) if self.issued else 0
        return deposits + sum(p.amount for p in self.payments)

    @property
    def refunded(self) -> int:
        return sum(r.amount for r in self.refunds)

    @property
    def held(self) -> int:
        return self.received - self.refunded

    @property
    def balance(self) -> int:
        """What the customer still owes (negative: deposits beyond the bill, owed back)."""
        return (self.issued.customer_gross if self.issued else 0) - self.held

    @property
    def status(self) -> str:
        if self.voided is not None:
            return "voided"
        return "paid" if self.paid is not None else "issued"

    def tenders(self) -> tuple[Tender, ...]:
        """Money held per method (deposits and payments less refunds), in first-taken order."""
        totals: dict[str, int] = {}
        for deposit in self.issued.deposits if self.issued else ():
            totals[deposit.method] = totals.get(deposit.method, 0) + deposit.amount
        for payment in self.payments:
            totals[payment.method] = totals.get(payment.method, 0) + payment.amount
        for refund in self.refunds:
            totals[refund.method] = totals.get(refund.method, 0) - refund.amount
        return tuple(Tender(method=m, amount=a) for m, a in totals.items() if a > 0)


@dataclass(frozen=True)
class RepairOrderCopy:
    """What the invoice takes of the repair order, as reception answered at invoicing."""

    repair_order_id: UUID
    ready: bool
    customer: Contact
    vehicle: VehicleIdentity
    lines: tuple[RepairLine, ...]


@dataclass(frozen=True)
class IssueInvoice:
    invoice_id: UUID
    repair_order: RepairOrderCopy
    series: str
    number: str
    sequence: int
    vat_bp: VatRates
    rounding: str
    deposits: tuple[AppliedDeposit, ...]
    issued_by: str
    issued_at: datetime


@dataclass(frozen=True)
class TakePayment:
    payment_id: UUID
    method: str
    amount: int
    reference: str | None
    cash_day: date
    taken_by: str
    taken_at: datetime


@dataclass(frozen=True)
class MakeRefund:
    refund_id: UUID
    method: str
    amount: int
    reason: str
    cash_day: date
    refunded_by: str
    refunded_at: datetime


@dataclass(frozen=True)
class VoidInvoice:
    reason: str
    voided_by: str
    voided_at: datetime


InvoiceCommand = IssueInvoice | TakePayment | MakeRefund | VoidInvoice


def stream_id(invoice_id: UUID) -> str:
    return f"invoice-{invoice_id}"


def decide(state: Invoice, command: InvoiceCommand) -> Sequence[Event]:
    if isinstance(command, IssueInvoice):
        return _issue(state, command)
    issued = state.issued
    assert issued is not None  # the handler loads with must_exist: no invoice is a 404
    if isinstance(command, TakePayment):
        return _pay(state, issued, command)
    if isinstance(command, MakeRefund):
        return _refund(state, command)
    return _void(state, issued, command)


def _issue(state: Invoice, command: IssueInvoice) -> Sequence[Event]:
    ro = command.repair_order
    if state.issued is not None:
        if state.issued.repair_order_id == ro.repair_order_id:
            return []  # the same request again: its invoice stands
        raise errors.IdempotencyKeyReused(
            f"this Idempotency-Key issued invoice {state.issued.number} for another repair order; "
            "a new invoice takes a new key"
        )
    if not ro.ready:
        raise errors.RepairOrderNotReady(
            f"repair order {ro.repair_order_id} is not ready for delivery: the workshop's quality check comes first"
        )
    if not ro.lines:
        raise errors.NothingToInvoice(f"repair order {ro.repair_order_id} has no approved lines")
    lines = invoice_lines(ro.lines, command.vat_bp, command.rounding)
    gross, net, tax = customer_share(lines)
    issued = InvoiceIssued(
        invoice_id=command.invoice_id,
        repair_order_id=ro.repair_order_id,
        number=command.number,
        series=command.series,
        sequence=command.sequence,
        vat_bp=command.vat_bp,
        rounding=command.rounding,
        buyer=ro.customer,
        vehicle=ro.vehicle,
        lines=lines,
        customer_gross=gross,
        customer_net=net,
        customer_tax=tax,
        receivables=receivables(lines),
        deposits=command.deposits,
        issued_by=command.issued_by,
        issued_at=command.issued_at,
    )
    after = replace(state, issued=issued)
    return [issued, *_paid_if_due(after, issued, command.issued_at)]


def _pay(state: Invoice, issued: InvoiceIssued, command: TakePayment) -> Sequence[Event]:
    earlier = next((p for p in state.payments if p.payment_id == command.payment_id), None)
    if earlier is not None:
        if (earlier.method, earlier.amount) != (command.method, command.amount):
            raise errors.IdempotencyKeyReused(
                "this Idempotency-Key took another payment; a new payment takes a new key"
            )
        return []  # a retried payment is taken once
    if state.voided is not None:
        raise errors.InvoiceVoided(f"invoice {issued.number} was voided; nothing is paid on it")
    if state.balance <= 0:
        raise errors.InvoiceAlreadyPaid(f"invoice {issued.number} is paid in full")
    if command.amount > state.balance:
        raise errors.Overpayment(
            f"{command.amount} fen is more than the {state.balance} fen still owed on invoice {issued.number}; "
            "split the payment or take the balance"
        )
    payment = PaymentTaken(
        invoice_id=issued.invoice_id,
        payment_id=command.payment_id,
        method=command.method,
        amount=command.amount,
        reference=command.reference,
        cash_day=command.cash_day,
        taken_by=command.taken_by,
        taken_at=command.taken_at,
    )
    after = replace(state, payments=(*state.payments, payment))
    return [payment, *_paid_if_due(after, issued, command.taken_at)]


def _refund(state: Invoice, command: MakeRefund) -> Sequence[Event]:
    issued = state.issued
    assert issued is not None
    earlier = next((r for r in state.refunds if r.refund_id == command.refund_id), None)
    if earlier is not None:
        if (earlier.method, earlier.amount) != (command.method, command.amount):
            raise errors.IdempotencyKeyReused("this Idempotency-Key made another refund; a new refund takes a new key")
        return []  # a retried refund is made once
    reason = require_text(command.reason, "a refund's reason")
    if command.amount > state.held:
        raise errors.RefundExceedsPaid(
            f"{command.amount} fen is more than the {state.held} fen invoice {issued.number} holds"
        )
    return [
        RefundMade(
            invoice_id=issued.invoice_id,
            refund_id=command.refund_id,
            method=command.method,
            amount=command.amount,
            reason=reason,
            cash_day=command.cash_day,
            refunded_by=command.refunded_by,
            refunded_at=command.refunded_at,
        )
    ]


def _void(state: Invoice, issued: InvoiceIssued, command: VoidInvoice) -> Sequence[Event]:
    reason = require_text(command.reason, "a void's reason")
    if state.voided is not None:
        raise errors.InvoiceVoided(f"invoice {issued.number} was voided already: {state.voided.reason}")
    if state.paid is not None:
        raise errors.InvoicePaid(
            f"invoice {issued.number} is paid and settled its repair order; give money back with a refund"
        )
    if state.held > 0:
        raise errors.RefundBeforeVoid(
            f"invoice {issued.number} holds {state.held} fen (deposits and payments): refund them before voiding it"
        )
    return [
        InvoiceVoided(
            invoice_id=issued.invoice_id,
            repair_order_id=issued.repair_order_id,
            number=issued.number,
            reason=reason,
            voided_by=command.voided_by,
            voided_at=command.voided_at,
        )
    ]


def _paid_if_due(state: Invoice, issued: InvoiceIssued, at: datetime) -> list[Event]:
    if state.paid is not None or state.balance > 0:
        return []
    return [
        InvoicePaid(
            invoice_id=issued.invoice_id,
            repair_order_id=issued.repair_order_id,
            invoice_number=issued.number,
            series=issued.series,
            currency=issued.currency,
            customer_gross=issued.customer_gross,
            payments=state.tenders(),
            paid_at=at,
        )
    ]


def evolve(state: Invoice, event: Event) -> Invoice:
    if isinstance(event, InvoiceIssued):
        return replace(state, issued=event)
    if isinstance(event, PaymentTaken):
        return replace(state, payments=(*state.payments, event))
    if isinstance(event, RefundMade):
        return replace(state, refunds=(*state.refunds, event))
    if isinstance(event, InvoicePaid):
        return replace(state, paid=event)
    if isinstance(event, InvoiceVoided):
        return replace(state, voided=event)
    return state


invoice: Decider[InvoiceCommand, Invoice] = Decider(Invoice(), decide, evolve)
