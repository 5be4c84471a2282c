"""The self-booking page (`/book/{site_id}`, the address a dealer puts on its website): the car's
model, then the work (the site's service menus for that model, or general maintenance or
repair) and a day, then a free time and the customer's details. Every step is a plain form, so
it works on any phone without script; booking's public API decides everything (what is free,
whether the phone may book more) and the page shows it.

A booking carries a number chosen when the last form is drawn: a double tap or a reload of the
answer sends the same booking again, which books nothing twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.gateway_api import ApiError
from portal.web import CurrentVisit, Visit

router = APIRouter()
RESOURCE = "self-booking"
FORM_FIELDS = ("model", "service", "day", "slot_start", "name", "phone", "plate", "vin", "mileage_km", "customer_words")
# Refusals that mean the link to this page is wrong, not the form: shown as an error page.
NOT_THE_FORM = {404, 410}


def _choice(service: str) -> dict[str, str]:
    """The form's one `service` value as the API's fields: a menu (`menu:10K`) or a general visit."""
    if service.startswith("menu:"):
        return {"menu_id": service.removeprefix("menu:")}
    return {"service": service or "maintenance"}


async def _services(visit: Visit, site_id: UUID, model: str) -> dict[str, Any]:
    params = {"model_family": model} if model else {}
    found: dict[str, Any] = await visit.api.get(RESOURCE, str(site_id), **params)
    return found


async def _slots(visit: Visit, site_id: UUID, model: str, service: str, day: str) -> dict[str, Any]:
    params = {"date": day, **_choice(service), **({"model_family": model} if model else {})}
    found: dict[str, Any] = await visit.api.get(RESOURCE, str(site_id), "free-slots", **params)
    return found


def _tomorrow(time_zone: str) -> str:
    return (datetime.now(ZoneInfo(time_zone)).date() + timedelta(days=1)).isoformat()


async def _page(visit: Visit, site_id: UUID, values: dict[str, str], status: int = 200, **context: Any) -> Response:
    """The page at the step the values reach: the model; the work and the day; the times and details."""
    model = values.get("model", "").strip()
    services = await _services(visit, site_id, model)
    zone = str(services["time_zone"])
    values = {"day": _tomorrow(zone), **{k: v for k, v in values.items() if v}}
    slots = None
    if model and values.get("service"):
        try:
            date.fromisoformat(values["day"])
        except ValueError:
            values["day"] = _tomorrow(zone)
        slots = await _slots(visit, site_id, model, values["service"], values["day"])
    return visit.render(
        "self_booking.html",
        status=status,
        site_id=site_id,
        services=services,
        zone=zone,
        slots=slots,
        values=values,
        appointment_id=values.get("appointment_id") or str(uuid4()),
        **context,
    )


@router.get("/book/{site_id}")
async def self_booking_page(
    site_id: UUID, visit: CurrentVisit, model: str = "", service: str = "", day: str = ""
) -> Response:
    return await _page(visit, site_id, {"model": model[:200], "service": service[:60], "day": day[:10]})


@router.post("/book/{site_id}")
async def book(site_id: UUID, request: Request, visit: CurrentVisit) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in (*FORM_FIELDS, "appointment_id")}
    body: dict[str, Any] = {
        "appointment_id": values["appointment_id"],
        **_choice(values["service"]),
        "slot_start": values["slot_start"],
        "name": values["name"],
        "phone": values["phone"],
        "plate": values["plate"],
        "vin": values["vin"],
        "model": values["model"],
        "customer_words": values["customer_words"],
    }
    if values["mileage_km"]:
        body["mileage_km"] = values["mileage_km"]
    try:
        booked = await visit.api.post(RESOURCE, str(site_id), "appointments", body=body)
    except ApiError as error:
        if error.status in NOT_THE_FORM:
            raise
        # The service choice and the time are one input each on the page, whichever field the API named.
        errors = dict(error.fields)
        if "menu_id" in errors:
            errors["service"] = errors.pop("menu_id")
        return await _page(
            visit,
            site_id,
            values,
            status=error.status,
            problem=visit.words.error(error.code),
            errors=errors,
        )
    return visit.render("self_booking_done.html", status=201, booked=booked, site_id=site_id)
