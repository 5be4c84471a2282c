"""The advisor at the RO desk: today's arrivals in priority order (the advisor board's
appointments, appointment cars first, the ones already at the door before those still expected;
then the site's open visits), live; and the check-in, from an appointment (its customer and car
as booking has them) or of a walk-in. The visit itself — walk-around, concerns, estimate,
signature, hand-over — is `reception_visit.py`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from desk.gateway_api import ApiError
from desk.web import Visit, redirect, screen

router = APIRouter()
RECEPTION = screen("reception")

# Booking's statuses of an appointment the desk may still check in.
EXPECTED = ("booked", "confirmed", "arrived")


@router.get("/reception", name="reception")
async def arrivals_page(visit: Visit = RECEPTION) -> HTMLResponse:
    return visit.render("reception_arrivals.html", **await _arrivals(visit))


@router.get("/reception/arrivals")
async def arrivals_region(visit: Visit = RECEPTION) -> HTMLResponse:
    """The live region alone (htmx swaps it in when the board changes)."""
    return visit.render("reception_arrivals_list.html", **await _arrivals(visit))


async def _arrivals(visit: Visit) -> dict[str, Any]:
    board = await visit.api.get("advisor-board")
    waiting = [card for card in board["appointments"] if card["status"] in EXPECTED and not card["repair_order_id"]]
    # Those already at the door first (booking recorded their arrival); otherwise the board's order.
    waiting.sort(key=lambda card: card["status"] != "arrived")
    visits = await visit.api.get("repair-orders")
    return {"board": board, "time_zone": board["time_zone"], "waiting": waiting, "visits": visits}


# --- check-in ---------------------------------------------------------------------------------


@router.get("/reception/check-in")
async def check_in_page(visit: Visit = RECEPTION, appointment: UUID | None = None) -> HTMLResponse:
    values: dict[str, str] = {"repair_order_id": str(uuid4()), "arrived_at": datetime.now(UTC).isoformat()}
    context: dict[str, Any] = {"appointment": None}
    if appointment is not None:
        found = await visit.api.get(f"appointments/{appointment}")
        context["appointment"] = found
        values = {"appointment_id": str(appointment), **_from_appointment(found)}
    return visit.render("reception_check_in.html", values=values, errors={}, **context)


def _from_appointment(appointment: dict[str, Any]) -> dict[str, str]:
    customer, vehicle = appointment["customer"], appointment["vehicle"]
    return {
        "customer.name": customer["name"],
        "customer.phone": customer["phone"],
        "contact_phone": customer["phone"],
        "vehicle.plate": vehicle["plate"],
        "vehicle.vin": vehicle["vin"],
        "vehicle.model": vehicle.get("model") or "",
    }


@router.post("/reception/check-in")
async def check_in(request: Request, visit: Visit = RECEPTION) -> Response:
    """An appointment car: booking records its arrival (if nobody did at the gate), then
    reception opens the visit; a walk-in's visit is named by the form (a second send finds it)."""
    form = await request.form()
    values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    appointment: dict[str, Any] | None = None
    try:
        if values.get("appointment_id"):
            appointment = await visit.api.get(f"appointments/{values['appointment_id']}")
            if appointment["status"] != "arrived":
                await visit.api.post(f"appointments/{values['appointment_id']}/arrival", {})
        opened = await visit.api.post("repair-orders", _check_in_body(values))
    except ApiError as error:
        return visit.form_again("reception_check_in.html", error, values, appointment=appointment)
    return redirect(f"/reception/visits/{opened['repair_order_id']}?done=checked_in", request)


def _check_in_body(values: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customer": {"name": values.get("customer.name", ""), "phone": values.get("customer.phone", "")},
        "vehicle": {
            "vin": values.get("vehicle.vin", ""),
            "plate": values.get("vehicle.plate", ""),
            "model": values.get("vehicle.model", "").strip() or None,
        },
        "customer_waiting": values.get("customer_waiting") == "on",
        "contact_phone": values.get("contact_phone", "").strip() or None,
    }
    if values.get("appointment_id"):
        return {**body, "arrival_kind": "appointment", "appointment_id": values["appointment_id"]}
    return {
        **body,
        "arrival_kind": values.get("arrival_kind") or "walk_in",
        "repair_order_id": values.get("repair_order_id") or str(uuid4()),
        "arrived_at": values.get("arrived_at") or datetime.now(UTC).isoformat(),
    }
