"""The cashier's desk: the cars ready to settle (reception's open visits the workshop passed),
issuing a car's invoice in one of the site's series, deposits taken before an invoice, and the
day's till (totals per method; close). One invoice's page — lines, payments, refunds, fapiao,
print — is `cashier_invoice`. Billing decides every amount, status and refusal; the desk turns
the yuan a person types into fen (integer arithmetic) and refuses what is not an amount."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from desk.gateway_api import ApiError
from desk.web import Visit, redirect, screen

router = APIRouter()
CASHIER = screen("cashier")

# Billing's payment methods (`events.catalog.billing.PAYMENT_METHODS`), in the order a till offers them.
METHODS = ("cash", "card", "wechat_pay", "alipay", "bank_transfer")
BILLING_TIME_ZONE = "Asia/Shanghai"  # billing's default when the site set none


def fen_of(text: str) -> int | None:
    """Yuan as typed (`123.45`, `¥1,234.5`, `80`) in fen, by integer arithmetic; None for anything
    that is not a positive amount with at most two decimals (the desk refuses it beside the input)."""
    cleaned = text.strip().removeprefix("¥").replace(",", "").strip()
    whole, dot, cents = cleaned.partition(".")
    if not whole.isdigit() or (dot and not (cents.isdigit() and len(cents) <= 2)):
        return None
    fen = int(whole) * 100 + int(cents.ljust(2, "0") if cents else 0)
    return fen if fen > 0 else None


def amount_refused(visit: Visit, names: list[str]) -> ApiError:
    """The desk's own field error: an amount it cannot send (a 422, as the API would answer)."""
    message = visit.words("cashier.bad_amount")
    return ApiError(422, "invalid_request", message, {name: message for name in names})


def idempotency(key: str) -> dict[str, str]:
    """The form's key names what it creates: sending the form again takes nothing twice."""
    return {"Idempotency-Key": key} if key else {}


async def form_of(request: Request) -> dict[str, str]:
    return {key: value for key, value in (await request.form()).items() if isinstance(value, str)}


async def billing_settings(visit: Visit) -> dict[str, Any]:
    found: dict[str, Any] = await visit.api.get("billing-settings")
    return found


def site_today(time_zone: str) -> date:
    return datetime.now(ZoneInfo(time_zone)).date()


# --- the cars ready to settle -----------------------------------------------------------------


@router.get("/cashier", name="cashier")
async def ready_cars(visit: Visit = CASHIER) -> HTMLResponse:
    return visit.render("cashier_ready.html", **await _ready(visit), values=_blank(), errors={})


@router.post("/cashier/invoices")
async def issue(request: Request, visit: Visit = CASHIER) -> Response:
    """Invoice a ready car, or open the invoice in force when someone issued it since the list
    was shown: billing's key is per person, so only the RO's invoice tells a second cashier. The
    key still covers this person pressing again after a lost answer."""
    values = await form_of(request)
    repair_order_id = values.get("repair_order_id", "")
    body = {"repair_order_id": repair_order_id, "series": values.get("series", "service")}
    try:
        in_force = await visit.api.get("invoices", repair_order_id=repair_order_id)
        if in_force:
            return redirect(f"/cashier/invoices/{in_force[0]['invoice_id']}", request)
        invoice = await visit.api.post("invoices", body, **idempotency(f"desk-invoice-{repair_order_id}"))
    except ApiError as error:
        return visit.form_again("cashier_ready.html", error, values, failed=repair_order_id, **await _ready(visit))
    return redirect(f"/cashier/invoices/{invoice['invoice_id']}?done=issued", request)


@router.post("/cashier/deposits")
async def deposit(request: Request, visit: Visit = CASHIER) -> Response:
    values = await form_of(request)
    amount = fen_of(values.get("deposit.amount", ""))
    context = await _ready(visit)
    if amount is None:
        return visit.form_again("cashier_ready.html", amount_refused(visit, ["deposit.amount"]), values, **context)
    body = {
        "repair_order_id": values.get("deposit.repair_order_id", ""),
        "method": values.get("deposit.method", ""),
        "amount": amount,
    }
    try:
        await visit.api.post("deposits", body, **idempotency(values.get("deposit.key", "")))
    except ApiError as error:
        return visit.form_again("cashier_ready.html", error, values, **context)
    return redirect("/cashier?done=deposit", request)


def _blank() -> dict[str, str]:
    return {"deposit.key": str(uuid.uuid4())}


async def _ready(visit: Visit) -> dict[str, Any]:
    """The site's open visits: those the workshop passed and not settled yet are the cars to settle;
    any not settled may take a deposit."""
    visits = await visit.api.get("repair-orders")
    settings = await billing_settings(visit)
    open_visits = [row for row in visits if not row["settled"] and not row["delivered"]]
    ready = [row for row in open_visits if row["ready"]]
    # A car another cashier invoiced is opened, not issued again.
    found = await asyncio.gather(*(visit.api.get("invoices", repair_order_id=row["repair_order_id"]) for row in ready))
    return {
        "ready": ready,
        "invoiced": {
            row["repair_order_id"]: in_force[0] for row, in_force in zip(ready, found, strict=True) if in_force
        },
        "open_visits": open_visits,
        "series": settings["series"],
        "methods": METHODS,
        "time_zone": settings["time_zone"],
        "done": visit.request.query_params.get("done"),
    }


# --- the day's till ---------------------------------------------------------------------------


@router.get("/cashier/day")
async def cash_day(visit: Visit = CASHIER, day: str | None = None) -> HTMLResponse:
    return visit.render("cashier_day.html", **await _day(visit, day))


@router.post("/cashier/day/{day}/close")
async def close_day(day: str, request: Request, visit: Visit = CASHIER) -> Response:
    try:
        await visit.api.post(f"cash-days/{day}/close", {})
    except ApiError as error:
        return visit.form_again("cashier_day.html", error, {}, **await _day(visit, day))
    return redirect(f"/cashier/day?day={day}&done=closed", request)


async def _day(visit: Visit, asked: str | None) -> dict[str, Any]:
    zone = (await billing_settings(visit))["time_zone"]
    try:
        day = date.fromisoformat(asked) if asked else site_today(zone)
    except ValueError:
        day = site_today(zone)
    till = await visit.api.get(f"cash-days/{day.isoformat()}")
    return {"till": till, "day": day, "time_zone": zone, "done": visit.request.query_params.get("done")}
