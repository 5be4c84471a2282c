"""The booking desk, the day before: the day's capacity and free slots by advisor, the day's
appointments (live), and booking one — its work from a service menu of the car's model family
or typed — in a slot booking offers for that work. Booking decides: a full slot, an unknown menu
or a missing field comes back as its refusal beside what was typed. The appointment's own page
(confirm, reschedule, cancel, no-show, preparation) is `booking_appointment`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from desk.gateway_api import ApiError
from desk.navigation import may_open
from desk.web import Visit, redirect, screen

router = APIRouter()
BOOKING = screen("booking")

# The choices the forms offer (booking checks each: 409 invalid_code for anything else).
REASONS = ("maintenance", "repair", "accident", "consultation")  # a customer's own call: passive
REQUESTED_BY = ("customer", "dealer")
CONFIRMATIONS = ("day_before", "before_arrival")
CHANNELS = ("phone", "sms", "wechat", "email")
SLOT_SEPARATOR = "|"  # a slot choice's value: "<start>|<advisor>"


async def site_day(visit: Visit, asked: str | None) -> tuple[date, str]:
    """The day asked for, else tomorrow at the site (the desk prepares the day before)."""
    zone = await visit.time_zone()
    if asked:
        try:
            return date.fromisoformat(asked), zone
        except ValueError:
            pass
    return datetime.now(ZoneInfo(zone)).date() + timedelta(days=1), zone


async def capacity_of(visit: Visit) -> dict[str, Any] | None:
    """The site's capacity plan; None while nobody has set one (booking answers 404)."""
    try:
        found: dict[str, Any] = await visit.api.get("capacity")
    except ApiError as error:
        if error.status == 404:
            return None
        raise
    return found


def slot_choices(slots: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Each free slot once per advisor free at it: what the person picks."""
    return [
        {"value": f"{slot['start']}{SLOT_SEPARATOR}{advisor}", "start": slot["start"], "advisor": advisor}
        for slot in slots
        for advisor in slot["advisors"]
    ]


def split_slot(value: str) -> tuple[str, str]:
    start, _, advisor = value.partition(SLOT_SEPARATOR)
    return start, advisor


# --- the day ----------------------------------------------------------------------------------


@router.get("/booking", name="booking")
async def booking_day(visit: Visit = BOOKING, date: str | None = None, minutes: str | None = None) -> HTMLResponse:
    """`minutes`: the work to fit (one slot's length unless given): booking answers where it fits."""
    day, zone = await site_day(visit, date)
    capacity = await capacity_of(visit)
    slots: list[dict[str, Any]] = []
    if capacity is not None:
        minutes = minutes or str(capacity["slot_minutes"])
        slots = await visit.api.get("free-slots", date=day.isoformat(), minutes=minutes)
    return visit.render(
        "booking_day.html",
        day=day,
        time_zone=zone,
        capacity=capacity,
        slots=slots,
        minutes=minutes,
        live=may_open("board", visit.session.person.roles),
        **await _day_list(visit, day),
    )


@router.get("/booking/day-list")
async def booking_day_list(visit: Visit = BOOKING, date: str | None = None) -> HTMLResponse:
    """The day's appointments alone (the live region, fetched again when the board changes)."""
    day, zone = await site_day(visit, date)
    return visit.render("booking_day_list.html", day=day, time_zone=zone, **await _day_list(visit, day))


async def _day_list(visit: Visit, day: date) -> dict[str, Any]:
    listed = await visit.api.get("appointment-lists", date=day.isoformat())
    return {"appointments": listed["appointments"]}


# --- booking one ------------------------------------------------------------------------------


@router.get("/booking/new")
async def booking_new(request: Request, visit: Visit = BOOKING) -> HTMLResponse:
    values = dict(request.query_params)
    values.setdefault("appointment_id", str(uuid4()))  # one id per form: a second send books nothing twice
    context = await _booking_context(visit, values)
    problem = context.pop("problem", None)
    return visit.render("booking_new.html", values=values, errors={}, problem=problem, **context)


@router.post("/booking/appointments")
async def book(request: Request, visit: Visit = BOOKING) -> Response:
    form = await request.form()
    values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    try:
        booked = await visit.api.post("appointments", _booking_body(values))
    except ApiError as error:
        context = await _booking_context(visit, values)
        context.pop("problem", None)
        return visit.form_again("booking_new.html", error, values, **context)
    return redirect(f"/booking/appointments/{booked['appointment_id']}?done=booked", request)


def _booking_body(values: dict[str, str]) -> dict[str, Any]:
    start, advisor = split_slot(values.get("slot", ""))
    model = values.get("vehicle.model", "").strip() or None
    body: dict[str, Any] = {
        "appointment_id": values.get("appointment_id") or str(uuid4()),
        "reason": values.get("reason", ""),
        "customer": {"name": values.get("customer.name", ""), "phone": values.get("customer.phone", "")},
        "vehicle": {"vin": values.get("vehicle.vin", ""), "plate": values.get("vehicle.plate", ""), "model": model},
        "customer_words": values.get("customer_words", ""),
        "advisor_id": advisor,
        "slot_start": start,
    }
    if values.get("mileage_km", "").strip():
        body["mileage_km"] = values["mileage_km"].strip()  # booking checks the number (422 beside it)
    if values.get("menu_id"):
        body["menu_id"] = values["menu_id"]
    job = values.get("job", "").strip()
    if job:
        body["requested_jobs"] = [{"description": job, "estimated_minutes": values.get("minutes") or "60"}]
    return body


async def _booking_context(visit: Visit, values: dict[str, str]) -> dict[str, Any]:
    """The form's choices: the model family's service menus, and the free slots of the day for
    the work chosen (the menu's flat-rate minutes by the catalogue, or the typed job's minutes)."""
    day, zone = await site_day(visit, values.get("date"))
    values["date"] = day.isoformat()
    model = values.get("vehicle.model", "").strip()
    context: dict[str, Any] = {"day": day, "time_zone": zone, "menus": None, "slots": None, "reasons": REASONS}
    try:
        if model:
            context["menus"] = await visit.api.get("service-menus", model_family=model)
        menu = values.get("menu_id")
        if menu and model:
            found = await visit.api.get("free-slots", date=day.isoformat(), menu_id=menu, model_family=model)
            context["slots"] = slot_choices(found)
        elif not menu and values.get("minutes"):
            found = await visit.api.get("free-slots", date=day.isoformat(), minutes=values["minutes"])
            context["slots"] = slot_choices(found)
    except ApiError as error:
        if error.status == 401:
            raise
        context["problem"] = visit.words.error(error.code)
    return context
