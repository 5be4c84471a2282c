"""The billing HTTP API. A command route parses its body, authorises with one dependency
(`CashDesk`, `Manager`) and runs its use case (`handlers.py`); a query route checks the site and
reads the invoice's stream or billing's tables.

Paths are relative to a site (`/sites/{site_id}/invoices...`); the gateway serves them under
`/api/v1`. The cashier (or the service manager) invoices, takes money and closes the day; the
service manager sets the site's billing settings and voids an invoice. Advisors read invoices (the customer asks);
machine clients (`system`) read them too (the e-record upload, the documents).

Retries: `Idempotency-Key` on a command names what it creates (the invoice, payment, deposit or
refund), so the same key again answers with the first result and records nothing more.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError

from billing import ledger
from billing.domain import cash_day
from billing.domain import invoice as invoices
from billing.domain import settings as site
from billing.fapiao_views import fapiao_of
from billing.handlers import Billing, keyed_id
from billing.schemas import (
    CashDayView,
    DepositBody,
    DepositView,
    InvoiceBody,
    InvoiceView,
    PaymentBody,
    ReceivableRow,
    RefundBody,
    SettingsBody,
    SettingsView,
    VoidBody,
    cash_day_view,
    invoice_view,
    settings_view,
)
from events.catalog.billing import PAYERS
from events.catalog.reception_values import Contact
from events.commands import load
from events.http import Actor, CurrentIdentity, SiteId, acting, site_tenant
from events.identity import ADVISOR, CASHIER, SERVICE_MANAGER, SYSTEM, Identity
from events.openapi import refusals
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Limit, answer
from events.privacy import personal_view
from events.rules import check_code
from events.runtime import now, store_of

router = APIRouter(tags=["billing"])

InvoiceId = Annotated[UUID, Path(description="the invoice id")]
Day = Annotated[date, Path(description="the site-local day, YYYY-MM-DD")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="names what the command creates: the same key again answers with the first result",
    ),
]

CASH_DESK = (CASHIER, SERVICE_MANAGER)  # a group admin passes every role check
MANAGERS = (SERVICE_MANAGER,)
READERS = (*CASH_DESK, ADVISOR, SYSTEM)

CashDesk = Annotated[Actor, acting(*CASH_DESK)]
Manager = Annotated[Actor, acting(*MANAGERS)]

CONFLICT = "concurrency_conflict"


def billing_of(request: Request) -> Billing:
    billing: Billing = request.app.state.billing
    return billing


async def _as_seen(request: Request, identity: Identity, view: InvoiceView) -> InvoiceView:
    """The buyer's name and phone are personal data (decision 0004): a reader of customers' data
    (cashier, advisor, manager) gets them with the read recorded; a machine client gets
    `[withheld]`."""
    buyer = view.buyer.model_dump(mode="json")
    pool = request.app.state.runtime.pool
    (shown,) = await personal_view(pool, identity, request, [buyer], fields=("name", "phone"), subject="customer_id")
    return view.model_copy(update={"buyer": Contact.model_validate(shown)})


def _id(kind: str, by: Actor, key: str | None) -> UUID:
    return keyed_id(kind, by.tenant, by.identity.user_id, key) if key is not None else uuid4()


# --- the site's settings ------------------------------------------------------------------


@router.get("/sites/{site_id}/billing-settings")
async def get_settings(site_id: SiteId, identity: CurrentIdentity, request: Request) -> SettingsView:
    """VAT per line kind, rounding, series and their number formats, the enterprise identity (the
    defaults until the site sets its own)."""
    tenant = site_tenant(identity, site_id, READERS)
    state, version = await load(
        store_of(request), site.billing_settings, site.stream_id(str(site_id)), tenant, must_exist=False
    )
    return settings_view(state, version)


@router.put("/sites/{site_id}/billing-settings", responses=refusals(CONFLICT, not_found=False))
async def put_settings(site_id: SiteId, body: SettingsBody, request: Request, by: Manager) -> SettingsView:
    """Replace the site's billing settings. An invoice already issued keeps the rates it was issued with."""
    outcome = await by.run(
        store_of(request),
        site.billing_settings,
        site.stream_id(str(site_id)),
        body.command(str(site_id), by.identity.user_id, now(request)),
        must_exist=False,
    )
    return settings_view(outcome.state, outcome.version)


# --- invoices -----------------------------------------------------------------------------


@router.post(
    "/sites/{site_id}/invoices",
    status_code=201,
    responses=refusals(
        "repair_order_not_ready",
        "repair_order_already_invoiced",
        "nothing_to_invoice",
        "unknown_series",
        "idempotency_key_reused",
    ),
)
async def issue_invoice(
    body: InvoiceBody, request: Request, response: Response, by: CashDesk, idempotency_key: IdempotencyKey = None
) -> InvoiceView:
    """Invoice a ready repair order: its approved lines (read from reception now) with their VAT,
    numbered by the system in the series. 201 with the new invoice; 200 with the invoice a retry
    with the same `Idempotency-Key` issued before. Deposits taken against the RO count as paid;
    an invoice whose customer share is 0 (warranty, internal) is paid at once. Reception
    unreachable: 503 `peer_unavailable`, nothing issued."""
    outcome = await billing_of(request).issue(
        by.metadata, by.identity, body.repair_order_id, body.series, _id("invoice", by, idempotency_key)
    )
    if not outcome.recorded:
        response.status_code = 200
    return await _as_seen(request, by.identity, invoice_view(outcome.state, outcome.version))


@router.get("/sites/{site_id}/invoices", responses=LIST_RESPONSES)
async def list_invoices(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    repair_order_id: Annotated[UUID, Query(description="the repair order whose invoice in force is wanted")],
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[InvoiceView]:
    """The repair order's invoice in force (issued, paid or part paid; a voided one is not): a
    second cashier, or the advisor, opens the invoice already issued. Empty before the issue."""
    tenant = site_tenant(identity, site_id, READERS)
    pool = request.app.state.runtime.pool
    window, rows = await ledger.invoices_in_force(pool, tenant, repair_order_id, cursor=cursor, limit=limit)
    views = []
    for row in answer(window, rows, request, response):
        state, version = await load(store_of(request), invoices.invoice, invoices.stream_id(row["invoice_id"]), tenant)
        fapiao = await fapiao_of(pool, tenant, row["invoice_id"])
        views.append(await _as_seen(request, identity, invoice_view(state, version, fapiao)))
    return views


@router.get("/sites/{site_id}/invoices/{invoice_id}", responses=refusals())
async def get_invoice(
    site_id: SiteId, invoice_id: InvoiceId, identity: CurrentIdentity, request: Request
) -> InvoiceView:
    tenant = site_tenant(identity, site_id, READERS)
    state, version = await load(store_of(request), invoices.invoice, invoices.stream_id(invoice_id), tenant)
    fapiao = await fapiao_of(request.app.state.runtime.pool, tenant, invoice_id)
    return await _as_seen(request, identity, invoice_view(state, version, fapiao))


@router.post(
    "/sites/{site_id}/invoices/{invoice_id}/payments",
    status_code=201,
    responses=refusals("overpayment", "invoice_already_paid", "invoice_voided", "idempotency_key_reused", CONFLICT),
)
async def take_payment(
    invoice_id: InvoiceId,
    body: PaymentBody,
    request: Request,
    response: Response,
    by: CashDesk,
    idempotency_key: IdempotencyKey = None,
) -> InvoiceView:
    """Take part or all of the balance by one method (split: one call per method). The payment
    that pays the customer's share in full marks the invoice paid (`billing.InvoicePaid`)."""
    outcome = await billing_of(request).pay(
        by.metadata,
        invoice_id,
        _id(f"payment/{invoice_id}", by, idempotency_key),
        body.method,
        body.amount,
        body.reference,
        by.expected_version,
    )
    if not outcome.recorded:
        response.status_code = 200
    return await _as_seen(request, by.identity, invoice_view(outcome.state, outcome.version))


@router.post(
    "/sites/{site_id}/invoices/{invoice_id}/refunds",
    status_code=201,
    responses=refusals("refund_exceeds_paid", "missing_information", "idempotency_key_reused", CONFLICT),
)
async def make_refund(
    invoice_id: InvoiceId,
    body: RefundBody,
    request: Request,
    response: Response,
    by: CashDesk,
    idempotency_key: IdempotencyKey = None,
) -> InvoiceView:
    """Give money back, with why; never more than the invoice holds."""
    outcome = await billing_of(request).refund(
        by.metadata,
        invoice_id,
        _id(f"refund/{invoice_id}", by, idempotency_key),
        body.method,
        body.amount,
        body.reason,
        by.expected_version,
    )
    if not outcome.recorded:
        response.status_code = 200
    return await _as_seen(request, by.identity, invoice_view(outcome.state, outcome.version))


@router.post(
    "/sites/{site_id}/invoices/{invoice_id}/void",
    responses=refusals("invoice_voided", "invoice_paid", "refund_before_void", "missing_information", CONFLICT),
)
async def void_invoice(invoice_id: InvoiceId, body: VoidBody, request: Request, by: Manager) -> InvoiceView:
    """The service manager cancels an unpaid invoice (an issued number is cancelled: not the
    till's decision alone) that holds no money: it keeps its number (the series has no gap)
    and says why; the repair order may then be invoiced again, under the next number."""
    outcome = await billing_of(request).void(by.metadata, invoice_id, body.reason, by.expected_version)
    return await _as_seen(request, by.identity, invoice_view(outcome.state, outcome.version))


# --- deposits, the till, receivables ------------------------------------------------------------


@router.post(
    "/sites/{site_id}/deposits",
    status_code=201,
    responses=refusals("repair_order_already_invoiced", "idempotency_key_reused"),
)
async def take_deposit(
    body: DepositBody,
    request: Request,
    response: Response,
    by: CashDesk,
    idempotency_key: IdempotencyKey = None,
) -> DepositView:
    """Money taken against a repair order before its invoice; the invoice applies it."""
    deposit_id = _id(f"deposit/{body.repair_order_id}", by, idempotency_key)
    taken, recorded = await billing_of(request).take_deposit(
        by.metadata, by.identity, body.repair_order_id, deposit_id, body.method, body.amount
    )
    if not recorded:
        response.status_code = 200
    return DepositView(**taken.model_dump(exclude={"event_type"}))


@router.get("/sites/{site_id}/cash-days/{day}")
async def get_cash_day(site_id: SiteId, day: Day, identity: CurrentIdentity, request: Request) -> CashDayView:
    """The day's till per method (payments and deposits taken, refunds given, net), site-local."""
    tenant = site_tenant(identity, site_id, CASH_DESK)
    state, _ = await load(
        store_of(request), cash_day.cash_day, cash_day.stream_id(str(site_id), day), tenant, must_exist=False
    )
    moved = await ledger.movements(request.app.state.runtime.pool, tenant, day)
    return cash_day_view(day, cash_day.totals(moved), state)


@router.post(
    "/sites/{site_id}/cash-days/{day}/close",
    status_code=201,
    responses=refusals("cash_day_already_closed", "cash_day_not_started", not_found=False),
)
async def close_cash_day(day: Day, request: Request, by: CashDesk) -> CashDayView:
    """Close the day with its totals (`billing.CashDayClosed`). Money taken later counts in the next day."""
    outcome = await billing_of(request).close_day(by.metadata, day)
    closed = outcome.state.closed
    assert closed is not None
    return cash_day_view(day, closed.totals, outcome.state)


@router.get("/sites/{site_id}/receivables", responses=LIST_RESPONSES)
async def list_receivables(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    payer: str | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[ReceivableRow]:
    """What the manufacturer (warranty, manufacturer goodwill), the internal account and the
    dealer (its own goodwill) owe for the site's invoices in force, oldest first; never the
    customer's bill."""
    tenant = site_tenant(identity, site_id, CASH_DESK)
    if payer is not None:
        try:
            check_code(payer, tuple(p for p in PAYERS if p != "customer"), "payer")
        except ValueError as error:
            raise RequestValidationError(
                [{"loc": ("query", "payer"), "msg": str(error), "type": "value_error"}]
            ) from None
    window, rows = await ledger.receivables(
        request.app.state.runtime.pool, tenant, payer=payer, cursor=cursor, limit=limit
    )
    return [ReceivableRow(**dict(row)) for row in answer(window, rows, request, response)]
