"""One invoice at the cashier's desk: its lines with net, tax and gross, the customer's share and
the receivables as billing answers them; the payment split across methods (one payment per
method, each named by the form's key so a second send takes nothing twice); a refund with its
reason; the fapiao request (normal, or special with the buyer's registered details) and how it
stands; and the printed invoice, the gateway's PDF streamed with the session's token."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from desk.gateway_api import ApiError
from desk.printing import printed_pdf
from desk.screens.cashier import CASHIER, METHODS, amount_refused, fen_of, form_of, idempotency
from desk.web import Visit, redirect

router = APIRouter()

SPLITS = 3  # the payment form's rows: most customers pay by one or two methods
FAPIAO_KINDS = ("normal", "special")
FAPIAO_FIELDS = ("buyer_name", "buyer_tax_id", "address", "phone", "bank", "account")


def _path(invoice_id: UUID, rest: str = "") -> str:
    return f"invoices/{invoice_id}{rest}"


@router.get("/cashier/invoices/{invoice_id}")
async def invoice_page(invoice_id: UUID, visit: Visit = CASHIER) -> HTMLResponse:
    invoice = await visit.api.get(_path(invoice_id))
    return visit.render("cashier_invoice.html", **await _context(visit, invoice), values=_blank(invoice), errors={})


@router.post("/cashier/invoices/{invoice_id}/payments")
async def pay(invoice_id: UUID, request: Request, visit: Visit = CASHIER) -> Response:
    """Each row with an amount is one payment, in the order typed; every amount is checked
    before any is sent. A refusal part way leaves the rows taken taken: the form comes back as
    typed, and sending it again takes only what was not taken (the keys name each payment)."""
    values = await form_of(request)
    rows = [i for i in range(SPLITS) if values.get(f"payment.{i}.amount", "").strip()]
    amounts = {i: fen_of(values[f"payment.{i}.amount"]) for i in rows}
    bad = [f"payment.{i}.amount" for i, fen in amounts.items() if fen is None]
    if bad or not rows:
        invoice = await visit.api.get(_path(invoice_id))
        refused = amount_refused(visit, bad or ["payment.0.amount"])
        return visit.form_again("cashier_invoice.html", refused, values, **await _context(visit, invoice))
    for i in rows:
        body: dict[str, Any] = {"method": values.get(f"payment.{i}.method", ""), "amount": amounts[i]}
        if values.get(f"payment.{i}.reference", "").strip():
            body["reference"] = values[f"payment.{i}.reference"].strip()
        try:
            await visit.api.post(
                _path(invoice_id, "/payments"), body, **idempotency(values.get(f"payment.{i}.key", ""))
            )
        except ApiError as error:
            error.fields = {f"payment.{i}.{name}": message for name, message in error.fields.items()}
            invoice = await visit.api.get(_path(invoice_id))
            return visit.form_again("cashier_invoice.html", error, values, **await _context(visit, invoice))
    return redirect(f"/cashier/invoices/{invoice_id}?done=paid", request)


@router.post("/cashier/invoices/{invoice_id}/refunds")
async def refund(invoice_id: UUID, request: Request, visit: Visit = CASHIER) -> Response:
    values = await form_of(request)
    amount = fen_of(values.get("refund.amount", ""))
    if amount is None:
        invoice = await visit.api.get(_path(invoice_id))
        refused = amount_refused(visit, ["refund.amount"])
        return visit.form_again("cashier_invoice.html", refused, values, **await _context(visit, invoice))
    body = {"method": values.get("refund.method", ""), "amount": amount, "reason": values.get("refund.reason", "")}
    try:
        await visit.api.post(_path(invoice_id, "/refunds"), body, **idempotency(values.get("refund.key", "")))
    except ApiError as error:
        error.fields = {f"refund.{name}": message for name, message in error.fields.items()}
        invoice = await visit.api.get(_path(invoice_id))
        return visit.form_again("cashier_invoice.html", error, values, **await _context(visit, invoice))
    return redirect(f"/cashier/invoices/{invoice_id}?done=refunded", request)


@router.post("/cashier/invoices/{invoice_id}/fapiao")
async def ask_fapiao(invoice_id: UUID, request: Request, visit: Visit = CASHIER) -> Response:
    values = await form_of(request)
    body = {"kind": values.get("fapiao.kind", "")} | {
        name: values.get(f"fapiao.{name}", "").strip() for name in FAPIAO_FIELDS
    }
    try:
        await visit.api.post(_path(invoice_id, "/fapiao"), body)
    except ApiError as error:
        error.fields = {f"fapiao.{name}": message for name, message in error.fields.items()}
        invoice = await visit.api.get(_path(invoice_id))
        return visit.form_again("cashier_invoice.html", error, values, **await _context(visit, invoice))
    return redirect(f"/cashier/invoices/{invoice_id}?done=fapiao#fapiao", request)


@router.get("/cashier/invoices/{invoice_id}/invoice.pdf")
async def printed(invoice_id: UUID, visit: Visit = CASHIER) -> Response:
    """The gateway's PDF of the invoice, streamed through with the session's token (never in the link)."""
    return await printed_pdf(visit, f"documents/invoice/{invoice_id}.pdf", f"invoice-{invoice_id}.pdf")


def _blank(invoice: dict[str, Any]) -> dict[str, str]:
    """A fresh form: a key per payment row and for the refund, the buyer as the invoice names them."""
    values = {f"payment.{i}.key": str(uuid.uuid4()) for i in range(SPLITS)}
    values |= {"refund.key": str(uuid.uuid4()), "fapiao.kind": "normal"}
    values["fapiao.buyer_name"] = str((invoice.get("buyer") or {}).get("name") or "")
    return values


async def _context(visit: Visit, invoice: dict[str, Any]) -> dict[str, Any]:
    return {
        "time_zone": await visit.time_zone(),
        "invoice": invoice,
        "methods": METHODS,
        "splits": range(SPLITS),
        "fapiao_kinds": FAPIAO_KINDS,
        "done": visit.request.query_params.get("done"),
    }
