"""One appointment at the booking desk: confirm it (the call the day before), reschedule it to a
slot booking offers for its minutes, cancel it, record a no-show; its preparation (service
history, recommendations declined before, the parts pre-check, the campaign or recall it comes
from) and recording it; and the day's list printed (the gateway's PDF, fetched with the
session's token: the browser's link names only the desk's route)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from desk.gateway_api import ApiError
from desk.i18n import local_time
from desk.printing import printed_pdf
from desk.screens.booking import BOOKING, CHANNELS, CONFIRMATIONS, REQUESTED_BY, site_day, slot_choices, split_slot
from desk.screens.booking_evidence import on_desk
from desk.web import Visit, redirect

router = APIRouter()

RESPONSES = ("accepted", "declined", "undecided")  # the customer's answer to a recommendation offered again
ANSWER = "answer."  # a recommendation's input: "answer.<finding_id>"


def _path(appointment_id: UUID, rest: str = "") -> str:
    return f"appointments/{appointment_id}{rest}"


async def _appointment_context(visit: Visit, appointment_id: UUID, day: str | None) -> dict[str, Any]:
    """The appointment, and the free slots for its minutes on the day it may move to (its own
    day at the site unless another is asked)."""
    appointment = await visit.api.get(_path(appointment_id))
    zone = await visit.time_zone()
    own_day = local_time(appointment["slot_start"], zone, with_date=True)[:10]
    move_day, _ = await site_day(visit, day or own_day)
    slots = await visit.api.get("free-slots", date=move_day.isoformat(), minutes=appointment["estimated_minutes"])
    return {
        "appointment": appointment,
        "time_zone": zone,
        "move_day": move_day,
        "slots": slot_choices(slots),
        "confirmations": CONFIRMATIONS,
        "channels": CHANNELS,
        "requested_by": REQUESTED_BY,
    }


@router.get("/booking/appointments/{appointment_id}")
async def appointment_page(
    appointment_id: UUID, visit: Visit = BOOKING, move_date: str | None = None, done: str | None = None
) -> HTMLResponse:
    context = await _appointment_context(visit, appointment_id, move_date)
    return visit.render("booking_appointment.html", values={}, errors={}, done=done, **context)


async def _command(
    request: Request, visit: Visit, appointment_id: UUID, action: str, body: dict[str, Any] | None
) -> Response:
    """Send one command with the version the page showed (If-Match: a change made meanwhile is
    refused, not overwritten); a refusal comes back on the page with what was typed."""
    form = await request.form()
    values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    headers = {"If-Match": values["version"]} if values.get("version") else {}
    try:
        await visit.api.post(
            _path(appointment_id, f"/{action}"), body if body is not None else _body(action, values), **headers
        )
    except ApiError as error:
        context = await _appointment_context(visit, appointment_id, values.get("move_date"))
        return visit.form_again("booking_appointment.html", error, values, action=action, done=None, **context)
    return redirect(f"/booking/appointments/{appointment_id}?done={action}", request)


def _body(action: str, values: dict[str, str]) -> dict[str, Any]:
    if action == "confirm":
        return {"confirmation": values.get("confirmation", ""), "channel": values.get("channel", "")}
    if action == "cancel":
        return {"requested_by": values.get("requested_by", ""), "reason": values.get("reason", "")}
    start, advisor = split_slot(values.get("slot", ""))
    body: dict[str, Any] = {
        "slot_start": start,
        "requested_by": values.get("requested_by", ""),
        "reason": values.get("reason", ""),
    }
    if advisor:
        body["advisor_id"] = advisor
    return body


@router.post("/booking/appointments/{appointment_id}/confirm")
async def confirm(appointment_id: UUID, request: Request, visit: Visit = BOOKING) -> Response:
    return await _command(request, visit, appointment_id, "confirm", None)


@router.post("/booking/appointments/{appointment_id}/reschedule")
async def reschedule(appointment_id: UUID, request: Request, visit: Visit = BOOKING) -> Response:
    return await _command(request, visit, appointment_id, "reschedule", None)


@router.post("/booking/appointments/{appointment_id}/cancel")
async def cancel(appointment_id: UUID, request: Request, visit: Visit = BOOKING) -> Response:
    return await _command(request, visit, appointment_id, "cancel", None)


@router.post("/booking/appointments/{appointment_id}/no-show")
async def no_show(appointment_id: UUID, request: Request, visit: Visit = BOOKING) -> Response:
    return await _command(request, visit, appointment_id, "no-show", {})


# --- preparation ------------------------------------------------------------------------------


async def _preparation_context(visit: Visit, appointment_id: UUID) -> dict[str, Any]:
    return {
        "appointment": await visit.api.get(_path(appointment_id)),
        "preparation": on_desk(await visit.api.get(_path(appointment_id, "/preparation"))),
        "time_zone": await visit.time_zone(),
        "responses": RESPONSES,
    }


@router.get("/booking/appointments/{appointment_id}/preparation")
async def preparation_page(appointment_id: UUID, visit: Visit = BOOKING, done: str | None = None) -> HTMLResponse:
    context = await _preparation_context(visit, appointment_id)
    return visit.render("booking_preparation.html", values={}, errors={}, done=done, **context)


@router.post("/booking/appointments/{appointment_id}/preparation")
async def prepare(appointment_id: UUID, request: Request, visit: Visit = BOOKING) -> Response:
    form = await request.form()
    values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    answers = [
        {"finding_id": key.removeprefix(ANSWER), "response": value}
        for key, value in values.items()
        if key.startswith(ANSWER)
    ]
    body: dict[str, Any] = {"answers": answers}
    if values.get("history_summary", "").strip():
        body["history_summary"] = values["history_summary"].strip()
    headers = {"If-Match": values["version"]} if values.get("version") else {}
    try:
        await visit.api.post(_path(appointment_id, "/preparation"), body, **headers)
    except ApiError as error:
        context = await _preparation_context(visit, appointment_id)
        return visit.form_again("booking_preparation.html", error, values, done=None, **context)
    return redirect(f"/booking/appointments/{appointment_id}/preparation?done=prepared", request)


# --- the printed list -------------------------------------------------------------------------


@router.get("/booking/list/{day}.pdf")
async def printed_list(day: str, visit: Visit = BOOKING) -> Response:
    """The gateway's PDF of the day's list, in the person's language, streamed through: the
    token stays on the server (never in the link)."""
    listed, _ = await site_day(visit, day)
    day_ = listed.isoformat()
    return await printed_pdf(visit, f"documents/appointment-list/{day_}.pdf", f"appointment-list-{day_}.pdf")
