"""The parts counter: what to pick for the open repair orders' jobs (each line's parts with the
shelf's reservation for it: held, still awaited), the site's shortages, issue and return against
an RO's line, and an emergency order for a line that waits. The parts service decides every
quantity: the screen shows its reservations and its refusals, never a count of its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from desk.gateway_api import ApiError
from desk.screens.workshop_floor import fen_of
from desk.web import Visit, screen

router = APIRouter()
PARTS = screen("parts")
PICK_TEMPLATE = "parts_pick.html"


@router.get("/parts", name="parts")
async def pick_page(visit: Visit = PARTS) -> HTMLResponse:
    return visit.render(PICK_TEMPLATE, **await pick_context(visit))


@router.get("/parts/pick-list")
async def pick_region(visit: Visit = PARTS) -> HTMLResponse:
    """The live region alone (refreshed while the clerk is not typing in it)."""
    return visit.render("parts_pick_list.html", **await pick_context(visit))


@router.post("/parts/issue")
async def issue(request: Request, visit: Visit = PARTS) -> Response:
    values = await form_values(request)
    body: dict[str, Any] = {
        "repair_order_id": values.get("repair_order_id", ""),
        "line_id": values.get("line_id", ""),
        "quantity": count_of(values.get("quantity", "")),
    }
    if values.get("reservation_id"):
        body["reservation_id"] = values.get("reservation_id", "")
    return await _on_line(visit, f"stock/{part_path(values)}/issues", body, values, "issued")


@router.post("/parts/return")
async def return_parts(request: Request, visit: Visit = PARTS) -> Response:
    values = await form_values(request)
    body = {
        "repair_order_id": values.get("repair_order_id", ""),
        "line_id": values.get("line_id", ""),
        "quantity": count_of(values.get("quantity", "")),
    }
    return await _on_line(visit, f"stock/{part_path(values)}/returns", body, values, "returned")


@router.post("/parts/emergency")
async def emergency(request: Request, visit: Visit = PARTS) -> Response:
    values = await form_values(request)
    line: dict[str, Any] = {
        "part_number": values.get("part_number", ""),
        "quantity": count_of(values.get("quantity", "")),
        "repair_order_id": values.get("repair_order_id", ""),
        "line_id": values.get("line_id", ""),
    }
    if values.get("unit_cost", "").strip():
        line["unit_cost"] = fen_of(values.get("unit_cost", ""))
    body = {
        "supplier": values.get("supplier", ""),
        "expected_at": await local_moment(visit, values.get("expected_at", "")),
        "lines": [line],
    }
    return await _on_line(visit, "parts-orders/emergency", body, values, "ordered")


async def _on_line(visit: Visit, path: str, body: dict[str, Any], values: dict[str, str], done: str) -> Response:
    try:
        await visit.api.post(path, body)
    except ApiError as error:
        # A line's fields are named as the API names them (`lines.0.supplier` → `supplier`).
        error.fields = {name.rpartition(".")[2]: message for name, message in error.fields.items()}
        context = await pick_context(visit)
        return visit.form_again(
            PICK_TEMPLATE, error, values, failed_line=values.get("line_id", ""), failed_action=done, **context
        )
    return RedirectResponse(f"/parts?done={done}", status_code=303)


async def pick_context(visit: Visit) -> dict[str, Any]:
    time_zone = await visit.time_zone()
    shortages = await visit.api.get("stock", short="true", limit=500)
    return {
        "pick": await pick_list(visit),
        "shortages": shortages,
        "time_zone": time_zone,
        "done": visit.request.query_params.get("done"),
    }


async def pick_list(visit: Visit) -> list[dict[str, Any]]:
    """Each open, signed RO's lines with their parts, and the shelf's reservation for each."""
    shelves: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    for summary in await visit.api.get("repair-orders", open_only="true", limit=500):
        if not summary["signed"]:
            continue
        order = await visit.api.get(f"repair-orders/{summary['repair_order_id']}")
        for line in order["lines"]:
            for part in line.get("parts") or ():
                number = str(part["part_number"])
                if number not in shelves:
                    shelves[number] = await visit.api.get(f"stock/{number}")
                shelf = shelves[number]
                held = [
                    r
                    for r in shelf["reservations"]
                    if r["repair_order_id"] == summary["repair_order_id"] and r["line_id"] == line["line_id"]
                ]
                rows.append(
                    {
                        "repair_order_id": summary["repair_order_id"],
                        "plate": summary["plate"] or summary["vin"],
                        "promised_at": summary["promised_at"],
                        "line_id": line["line_id"],
                        "job": line["description"],
                        "part_number": shelf["part_number"],
                        "description": part.get("description") or "",
                        "quantity": part["quantity"],
                        "reservation": held[0] if held else None,
                        "on_hand": shelf["on_hand"],
                    }
                )
    return rows


async def local_moment(visit: Visit, typed: str) -> str:
    """`2026-12-07T15:00` as typed in a datetime-local input, at the site; as typed otherwise
    (for the API's field error)."""
    try:
        moment = datetime.fromisoformat(typed)
    except ValueError:
        return typed
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(await visit.time_zone()))
    return moment.isoformat()


async def form_values(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: str(value) for key, value in form.items() if key != "csrf_token"}


def part_path(values: dict[str, str]) -> str:
    """The part number as one path segment (a typed `/` or `..` never reaches another route)."""
    typed = values.get("part_number", "").strip()
    # A part number starts with a letter or digit (as the API's path accepts): `.`/`..` never a segment.
    return quote(typed, safe="") if typed[:1].isalnum() else "-"


def count_of(text: str) -> int | str:
    """A whole number as typed; anything else as typed, for the API's field error."""
    return int(text) if text.strip().isdigit() else text
