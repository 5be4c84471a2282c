"""The parts counter's orders: emergency orders and transfers this site placed, and transfers
sister sites of the group asked of it. The giving site dispatches; the receiving site takes
the goods in (a receipt at the order's cost: the supplier's price, or the giving site's cost
of a transfer). A transfer is requested here from another site of the group."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from desk.gateway_api import ApiError
from desk.screens.parts import PARTS, count_of, form_values
from desk.web import Visit

router = APIRouter()
TEMPLATE = "parts_orders.html"


@router.get("/parts/orders", name="parts_orders")
async def orders_page(visit: Visit = PARTS) -> HTMLResponse:
    return visit.render(TEMPLATE, **await orders_context(visit))


@router.get("/parts/orders/list")
async def orders_region(visit: Visit = PARTS) -> HTMLResponse:
    return visit.render("parts_orders_list.html", **await orders_context(visit))


@router.post("/parts/orders/transfers")
async def request_transfer(request: Request, visit: Visit = PARTS) -> Response:
    values = await form_values(request)
    line: dict[str, Any] = {
        "part_number": values.get("part_number", ""),
        "quantity": count_of(values.get("quantity", "")),
    }
    for key in ("repair_order_id", "line_id"):
        if values.get(key, "").strip():
            line[key] = values[key].strip()
    body = {"from_site_id": values.get("from_site_id", "").strip(), "lines": [line]}
    return await _command(visit, "parts-orders/transfers", body, values, "requested", "transfer")


@router.post("/parts/orders/{order_id}/dispatch")
async def dispatch(order_id: UUID, visit: Visit = PARTS) -> Response:
    return await _command(visit, f"parts-orders/{order_id}/dispatch", {}, {}, "dispatched", str(order_id))


@router.post("/parts/orders/{order_id}/receive")
async def receive(order_id: UUID, request: Request, visit: Visit = PARTS) -> Response:
    """Goods in: each line's quantity as counted at the counter (blank or 0: not arrived)."""
    values = await form_values(request)
    lines = [
        {"line_number": int(key.removeprefix("line-")), "quantity": count_of(quantity)}
        for key, quantity in values.items()
        if key.startswith("line-") and key.removeprefix("line-").isdigit() and quantity.strip() not in ("", "0")
    ]
    return await _command(
        visit, f"parts-orders/{order_id}/receipts", {"lines": lines}, values, "received", str(order_id)
    )


async def _command(
    visit: Visit, path: str, body: dict[str, Any], values: dict[str, str], done: str, failed: str
) -> Response:
    try:
        await visit.api.post(path, body)
    except ApiError as error:
        error.fields = {name.rpartition(".")[2]: message for name, message in error.fields.items()}
        return visit.form_again(TEMPLATE, error, values, failed=failed, **await orders_context(visit))
    return RedirectResponse(f"/parts/orders?done={done}", status_code=303)


async def orders_context(visit: Visit) -> dict[str, Any]:
    site = str(visit.session.site_id)
    orders = []
    for row in await visit.api.get("parts-orders", open_only="true", limit=500):
        giving = row["kind"] == "transfer" and row["from_site_id"] == site
        if giving:  # the order is the receiving site's record: its list row is what this site sees
            lines = json.loads(row["lines"]) if isinstance(row["lines"], str) else row["lines"]
        else:  # each line's outstanding quantity and cost, for the goods-in form
            lines = (await visit.api.get(f"parts-orders/{row['parts_order_id']}"))["lines"]
        orders.append({**row, "lines": lines, "giving": giving})
    return {
        "orders": orders,
        "sister_sites": [s for s in visit.session.person.site_ids if s != site],
        "time_zone": await visit.time_zone(),
        "done": visit.request.query_params.get("done"),
    }
