"""The parts counter's stock: a part found by its number, its shelf at this site (on hand,
held for jobs, free, awaited) beside the group price list's price (the catalogue's), goods in
at a cost, and the stocktake: the counted quantity with the reason for a difference."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from desk.gateway_api import ApiError
from desk.screens.parts import PARTS, count_of, form_values, part_path
from desk.screens.workshop_floor import fen_of
from desk.web import Visit

router = APIRouter()
TEMPLATE = "parts_stock.html"


@router.get("/parts/stock", name="parts_stock")
async def stock_page(visit: Visit = PARTS, part_number: str = "") -> HTMLResponse:
    return visit.render(TEMPLATE, **await stock_context(visit, part_number))


@router.post("/parts/stock/count")
async def count(request: Request, visit: Visit = PARTS) -> Response:
    values = await form_values(request)
    body = {"counted_quantity": count_of(values.get("counted_quantity", "")), "reason": values.get("reason", "")}
    return await _command(visit, values, "counts", body, "counted")


@router.post("/parts/stock/receipt")
async def receipt(request: Request, visit: Visit = PARTS) -> Response:
    values = await form_values(request)
    body = {"quantity": count_of(values.get("quantity", "")), "unit_cost": fen_of(values.get("unit_cost", ""))}
    return await _command(visit, values, "receipts", body, "received")


async def _command(visit: Visit, values: dict[str, str], action: str, body: dict[str, Any], done: str) -> Response:
    part = part_path(values)
    try:
        await visit.api.post(f"stock/{part}/{action}", body)
    except ApiError as error:
        context = await stock_context(visit, values.get("part_number", ""))
        return visit.form_again(TEMPLATE, error, values, failed=action, **context)
    return RedirectResponse(f"/parts/stock?part_number={part}&done={done}", status_code=303)


async def stock_context(visit: Visit, part_number: str) -> dict[str, Any]:
    wanted = part_number.strip()
    shelf: dict[str, Any] | None = None
    price: dict[str, Any] | None = None
    if wanted:
        shelf = await visit.api.get(f"stock/{part_path({'part_number': wanted})}")
        try:
            price = await visit.api.get(f"parts-prices/{part_path({'part_number': wanted})}")
        except ApiError as error:
            if error.status != 404:  # not on the price list is an answer; anything else is not
                raise
    return {
        "part_number": wanted,
        "shelf": shelf,
        "price": price,
        "stock": await visit.api.get("stock", limit=500),
        "time_zone": await visit.time_zone(),
        "done": visit.request.query_params.get("done"),
    }
