"""The fapiao (e-invoice) of one invoice, stream `fapiao-<invoice_id>`, as a pure decider.

Status: pending (asked of the provider, or the provider down: asked again) → issued (the
e-invoice number and check code) or failed (the provider's reason). Rules:
- an invoice that is voided, or whose customer share is nothing, gets no fapiao;
- a special VAT invoice (增值税专用发票) needs the buyer's tax id, address, phone, bank and
  account (the API refuses it with field errors before it gets here);
- the same request again (a client's retry) while pending or issued records nothing: the answer
  is the fapiao as it stands; a different request then is a conflict (`fapiao_pending`,
  `fapiao_issued`: reversing an issued e-invoice is a red-letter fapiao, not a second one);
- after a failure a new request may be made (corrected details), under a new idempotency key;
- the provider's answer counts only for the request in flight.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from billing.domain.invoice import Invoice
from events.catalog.billing import InvoiceLine
from events.catalog.billing_outbound import (
    FapiaoAttemptFailed,
    FapiaoBuyer,
    FapiaoFailed,
    FapiaoIssued,
    FapiaoLine,
    FapiaoRequested,
)
from events.contract import Event
from events.decider import Decider
from events.errors import DomainError

NONE, PENDING, ISSUED, FAILED = "none", "pending", "issued", "failed"
CUSTOMER = "customer"


def stream_id(invoice_id: UUID) -> str:
    return f"fapiao-{invoice_id}"


class FapiaoPending(DomainError):
    code = "fapiao_pending"


class FapiaoAlreadyIssued(DomainError):
    code = "fapiao_issued"


class NoFapiaoForInvoice(DomainError):
    code = "no_fapiao_for_invoice"


@dataclass(frozen=True)
class Fapiao:
    request: FapiaoRequested | None = None
    status: str = NONE
    attempts: int = 0
    last_error: str | None = None
    retry_at: datetime | None = None
    einvoice_number: str | None = None
    check_code: str | None = None
    issued_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class RequestFapiao:
    """The cashier's request, checked field by field; `request_id` is new for this request."""

    invoice_id: UUID
    request_id: UUID
    invoice: Invoice
    kind: str
    buyer: FapiaoBuyer
    seller_name: str
    seller_tax_id: str
    requested_by: str
    at: datetime


@dataclass(frozen=True)
class RecordIssued:
    request_id: UUID
    einvoice_number: str
    check_code: str
    at: datetime


@dataclass(frozen=True)
class RecordFailed:
    request_id: UUID
    reason: str
    at: datetime


@dataclass(frozen=True)
class RecordAttemptFailed:
    request_id: UUID
    reason: str
    retry_at: datetime


FapiaoCommand = RequestFapiao | RecordIssued | RecordFailed | RecordAttemptFailed


def fapiao_lines(lines: tuple[InvoiceLine, ...]) -> tuple[FapiaoLine, ...]:
    """The customer's lines, as the e-invoice lists them (warranty and internal lines are someone
    else's receivable: not on the customer's fapiao)."""
    return tuple(
        FapiaoLine(name=line.description, quantity=line.quantity, rate_bp=line.rate_bp, net=line.net, tax=line.tax)
        for line in lines
        if line.payer == CUSTOMER and line.gross > 0
    )


def _same_request(asked: FapiaoRequested, command: RequestFapiao) -> bool:
    return asked.kind == command.kind and asked.buyer == command.buyer


def decide(state: Fapiao, command: FapiaoCommand) -> list[Event]:
    if isinstance(command, RequestFapiao):
        return _request(state, command)
    request = state.request
    if state.status != PENDING or request is None or command.request_id != request.request_id:
        return []
    ids = {"invoice_id": request.invoice_id, "request_id": request.request_id}
    if isinstance(command, RecordIssued):
        return [
            FapiaoIssued(
                **ids, einvoice_number=command.einvoice_number, check_code=command.check_code, issued_at=command.at
            )
        ]
    if isinstance(command, RecordFailed):
        return [FapiaoFailed(**ids, reason=command.reason, failed_at=command.at)]
    return [FapiaoAttemptFailed(**ids, attempt=state.attempts + 1, reason=command.reason, retry_at=command.retry_at)]


def _request(state: Fapiao, command: RequestFapiao) -> list[Event]:
    if state.request is not None and state.status in (PENDING, ISSUED):
        if _same_request(state.request, command):
            return []  # a retry: the fapiao as it stands is the answer
        if state.status == PENDING:
            raise FapiaoPending("the invoice's fapiao is being issued; wait for its outcome")
        raise FapiaoAlreadyIssued("the invoice's fapiao is issued; a correction is a red-letter fapiao")
    issued = command.invoice.issued
    if issued is None:
        raise NoFapiaoForInvoice("the invoice does not exist")
    if command.invoice.voided is not None:
        raise NoFapiaoForInvoice("the invoice is voided: it gets no fapiao")
    lines = fapiao_lines(issued.lines)
    if not lines:
        raise NoFapiaoForInvoice("the customer owes nothing on this invoice: there is nothing to put on a fapiao")
    return [
        FapiaoRequested(
            invoice_id=command.invoice_id,
            request_id=command.request_id,
            invoice_number=issued.number,
            kind=command.kind,
            seller_name=command.seller_name,
            seller_tax_id=command.seller_tax_id,
            buyer=command.buyer,
            lines=lines,
            total_net=sum(line.net for line in lines),
            total_tax=sum(line.tax for line in lines),
            total_gross=sum(line.net + line.tax for line in lines),
            requested_by=command.requested_by,
            requested_at=command.at,
        )
    ]


def evolve(state: Fapiao, event: Event) -> Fapiao:
    if isinstance(event, FapiaoRequested):
        return Fapiao(request=event, status=PENDING)
    if isinstance(event, FapiaoAttemptFailed):
        return replace(state, attempts=event.attempt, last_error=event.reason, retry_at=event.retry_at)
    if isinstance(event, FapiaoIssued):
        return replace(
            state,
            status=ISSUED,
            einvoice_number=event.einvoice_number,
            check_code=event.check_code,
            issued_at=event.issued_at,
            last_error=None,
            retry_at=None,
        )
    if isinstance(event, FapiaoFailed):
        return replace(state, status=FAILED, reason=event.reason, retry_at=None)
    return state


fapiao: Decider[FapiaoCommand, Fapiao] = Decider(Fapiao(), decide, evolve)
