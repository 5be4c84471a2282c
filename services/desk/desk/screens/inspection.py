"""The technician's tablet: the digital inspection of a car. The cars in the workshop; a car's
checklist, area by area, each item with big grade buttons (colour and words: good / soon / now),
its note and measured value, its photos and videos, and what the car's last inspection found
(grade, value, a declined repair with its photo). Completing it sends the yellow and red items to
the advisor as findings. The workshop decides every rule (grades, ranges, what completes); the
desk arranges and relays, as every screen does. The list of cars is live: the workshop's stream
says when the floor or an inspection changed, and each car's inspection state is read again.

Photos and videos are sent and shown by `inspection_media`."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from desk.gateway_api import ApiError, error_of
from desk.screens import workshop_floor
from desk.web import Visit, screen

router = APIRouter()
INSPECTION = screen("inspection")

GRADES = ("green", "yellow", "red")
# The unit a measured value is typed in, by what the point measures.
UNITS = {"tread_depth_mm": "mm", "pad_thickness_mm": "mm", "battery_health_pct": "%"}


@router.get("/inspection", name="inspection")
async def cars(visit: Visit = INSPECTION) -> HTMLResponse:
    return visit.render("inspection_list.html", cars=await _cars(visit))


@router.get("/inspection/cars")
async def cars_region(visit: Visit = INSPECTION) -> HTMLResponse:
    """The live region alone (before a car's own page: `cars` is no repair order), fetched again
    when the workshop's stream says the floor or an inspection changed."""
    return visit.render("inspection_cars.html", cars=await _cars(visit))


async def _cars(visit: Visit) -> list[dict[str, Any]]:
    """The cars in the workshop, each with its inspection as the workshop has it (None: not opened)."""
    found = await workshop_floor.cars(visit)
    inspections = await asyncio.gather(*(_inspection(visit, car["repair_order_id"]) for car in found))
    return [{**car, "inspection": inspection} for car, inspection in zip(found, inspections, strict=True)]


async def _inspection(visit: Visit, repair_order_id: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = await visit.api.get(f"work-orders/{repair_order_id}/inspection")
    except ApiError as error:
        if error.status != 404:
            raise
        return None
    return found


@router.get("/inspection/{repair_order_id}")
async def inspection_page(repair_order_id: str, visit: Visit = INSPECTION) -> HTMLResponse:
    return visit.render("inspection_page.html", **await page_context(visit, repair_order_id))


@router.post("/inspection/{repair_order_id}/open")
async def open_inspection(repair_order_id: str, visit: Visit = INSPECTION) -> Response:
    try:
        await visit.api.post(f"work-orders/{repair_order_id}/inspection", {})
    except ApiError as error:
        context = await page_context(visit, repair_order_id)
        return visit.form_again("inspection_page.html", error, {}, **context)
    return RedirectResponse(f"/inspection/{repair_order_id}", status_code=303)


@router.post("/inspection/{repair_order_id}/items/{item_id}")
async def grade(
    repair_order_id: str,
    item_id: str,
    grade: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    measured: Annotated[str, Form()] = "",
    visit: Visit = INSPECTION,
) -> Response:
    """One item graded with the button pressed, its note and measured value as typed (the
    workshop checks the range and the unit's sense)."""
    body: dict[str, Any] = {"grade": grade, "note": note}
    if measured.strip():
        body["measured"] = measured.strip().replace(",", ".")
    try:
        await send(visit, "PUT", f"work-orders/{repair_order_id}/inspection/items/{item_id}", json=body)
    except ApiError as error:
        context = await page_context(visit, repair_order_id)
        values = {"grade": grade, "note": note, "measured": measured}
        return visit.form_again("inspection_page.html", error, values, failed_item=item_id, **context)
    return RedirectResponse(f"/inspection/{repair_order_id}?done=graded#item-{item_id}", status_code=303)


@router.post("/inspection/{repair_order_id}/complete")
async def complete(repair_order_id: str, visit: Visit = INSPECTION) -> Response:
    try:
        await visit.api.post(f"work-orders/{repair_order_id}/inspection/complete", {})
    except ApiError as error:
        context = await page_context(visit, repair_order_id)
        return visit.form_again("inspection_page.html", error, {}, failed_item="complete", **context)
    return RedirectResponse(f"/inspection/{repair_order_id}?done=completed", status_code=303)


async def send(visit: Visit, method: str, path: str, **kwargs: Any) -> Any:
    """A call the desk's API client has no verb for (PUT, a multipart upload), with the person's
    token and the same error mapping."""
    api = visit.api
    try:
        response = await api.client.request(method, api.site_url(path), headers=api.headers, **kwargs)
    except httpx.TransportError:
        raise ApiError(503, "service_unavailable") from None
    if response.is_error:
        raise error_of(response)
    return response.json() if response.content else None


def label(visit: Visit, item: Mapping[str, Any]) -> str:
    """The built-in checklist's items in the reader's language; a site's own as it wrote them."""
    key = f"inspection.item.{item['item_id']}"
    return visit.words(key) if visit.words.has(key) else str(item["label"])


def _areas(visit: Visit, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The checklist's items grouped by area, in the checklist's order."""
    areas: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        shown = {**item, "shown_label": label(visit, item), "unit": UNITS.get(item["measure"], "")}
        areas.setdefault(str(item["area"]), []).append(shown)
    return [{"area": area, "items": rows} for area, rows in areas.items()]


async def page_context(visit: Visit, repair_order_id: str) -> dict[str, Any]:
    """The inspection as the workshop has it (None while not opened), with the car's plate and concerns."""
    car = await workshop_floor.concerns(visit, repair_order_id)
    found = await _inspection(visit, repair_order_id)
    return {
        "repair_order_id": repair_order_id,
        "car": car,
        "inspection": found,
        "areas": _areas(visit, found["items"]) if found else [],
        "grades": GRADES,
        "done": visit.request.query_params.get("done"),
    }
