"""The appointment link's page (`/appointment/{token}`, the link in the day-before message): the
appointment it is for, and what the link still allows — confirm, cancel with a reason, or move
to another free time. Booking's public API checks the link and decides each of them; a decision
is posted, then the page is shown again (post/redirect/get, so a reload decides nothing twice).
An invalid, expired or used link is an error page in the customer's language."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.gateway_api import ApiError
from portal.web import CurrentVisit, Visit, redirect

router = APIRouter()
RESOURCE = "appointment-links"
DONE = ("confirm", "cancel", "reschedule")
# The link itself is refused (invalid, expired): nothing of the appointment can be shown.
LINK_REFUSED = {404, 410}


def _here(token: str, tail: str = "") -> str:
    return f"/appointment/{quote(token, safe='')}{tail}"


async def _appointment(visit: Visit, token: str) -> dict[str, Any]:
    found: dict[str, Any] = await visit.api.get(RESOURCE, token)
    return found


async def _show(visit: Visit, token: str, status: int = 200, **context: Any) -> Response:
    appointment = await _appointment(visit, token)
    return visit.render("appointment_link.html", status=status, token=token, appointment=appointment, **context)


@router.get("/appointment/{token}")
async def appointment_page(token: str, visit: CurrentVisit, done: str = "") -> Response:
    return await _show(visit, token, done=done if done in DONE else "")


async def _decide(visit: Visit, token: str, decision: str, body: dict[str, Any] | None = None) -> Response:
    try:
        await visit.api.post(RESOURCE, token, decision, body=body or {})
    except ApiError as error:
        if error.status in LINK_REFUSED:
            raise
        return await _show(
            visit, token, status=error.status, problem=visit.words.error(error.code), errors=error.fields
        )
    return redirect(_here(token, f"?done={decision}"))


@router.post("/appointment/{token}/confirm")
async def confirm(token: str, visit: CurrentVisit) -> Response:
    return await _decide(visit, token, "confirm")


@router.post("/appointment/{token}/cancel")
async def cancel(token: str, request: Request, visit: CurrentVisit) -> Response:
    form = await request.form()
    return await _decide(visit, token, "cancel", {"reason": str(form.get("reason", "")).strip()})


@router.get("/appointment/{token}/reschedule")
async def reschedule_page(token: str, visit: CurrentVisit, day: str = "") -> Response:
    appointment = await _appointment(visit, token)
    zone = str(appointment["time_zone"])
    try:
        picked = date.fromisoformat(day)
    except ValueError:
        picked = datetime.fromisoformat(str(appointment["slot_start"])).astimezone(ZoneInfo(zone)).date()
        picked = max(picked, datetime.now(ZoneInfo(zone)).date() + timedelta(days=1))
    slots = await visit.api.get(RESOURCE, token, "free-slots", date=picked.isoformat())
    return visit.render(
        "appointment_link_reschedule.html",
        token=token,
        appointment=appointment,
        slots=slots,
        zone=zone,
        values={"day": picked.isoformat()},
    )


@router.post("/appointment/{token}/reschedule")
async def reschedule(token: str, request: Request, visit: CurrentVisit) -> Response:
    form = await request.form()
    return await _decide(visit, token, "reschedule", {"slot_start": str(form.get("slot_start", ""))})
