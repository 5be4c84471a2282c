"""The reminder's page (`/proposal/{token}`, the link in a maintenance, declined-work, campaign
or recall reminder): the car and why it is due, then the customer's answer — book a free time
now (booking's self-booking, with the proposal's id, so followup counts the conversion), call me
later on a day, not interested, or no more such messages. followup's public API checks the link
and records the answer (once per link); booking's decides the booking. The page decides
nothing: it shows what the APIs answer, refusals in the customer's language."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote
from uuid import uuid4
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.gateway_api import ApiError
from portal.web import CurrentVisit, Visit, redirect

router = APIRouter()
RESOURCE = "proposal-links"
BOOKING = "self-booking"
ANSWERS = ("later", "not_interested", "opt_out")
DONE = (*ANSWERS, "booked")
LINK_REFUSED = {404, 410}
BOOK_FIELDS = ("day", "slot_start", "name", "phone", "appointment_id")


def _here(token: str, tail: str = "") -> str:
    return f"/proposal/{quote(token, safe='')}{tail}"


async def _proposal(visit: Visit, token: str) -> dict[str, Any]:
    found: dict[str, Any] = await visit.api.get(RESOURCE, token)
    return found


@router.get("/proposal/{token}")
async def proposal_page(token: str, visit: CurrentVisit, done: str = "") -> Response:
    proposal = await _proposal(visit, token)
    return visit.render("proposal.html", token=token, proposal=proposal, done=done if done in DONE else "")


@router.post("/proposal/{token}/answer")
async def answer(token: str, request: Request, visit: CurrentVisit) -> Response:
    form = await request.form()
    given = str(form.get("answer", ""))
    body: dict[str, Any] = {"answer": given}
    if given == "later":
        body["call_again_on"] = str(form.get("call_again_on", "")) or None
    try:
        await visit.api.post(RESOURCE, token, body=body)
    except ApiError as error:
        if error.status in LINK_REFUSED:
            raise
        proposal = await _proposal(visit, token)
        return visit.render(
            "proposal.html",
            status=error.status,
            token=token,
            proposal=proposal,
            done="",
            problem=visit.words.error(error.code),
            errors=error.fields,
            values={k: str(v) for k, v in form.items()},
        )
    return redirect(_here(token, f"?done={given}"))


async def _book_page(visit: Visit, token: str, values: dict[str, str], status: int = 200, **context: Any) -> Response:
    proposal = await _proposal(visit, token)
    site = str(proposal["site_id"])
    params = {"date": values["day"], "service": "maintenance"}
    slots = await visit.api.get(BOOKING, site, "free-slots", **params)
    return visit.render(
        "proposal_book.html", status=status, token=token, proposal=proposal, slots=slots, values=values, **context
    )


def _tomorrow() -> str:
    return (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)).isoformat()


@router.get("/proposal/{token}/book")
async def book_page(token: str, visit: CurrentVisit, day: str = "") -> Response:
    try:
        picked = date.fromisoformat(day).isoformat()
    except ValueError:
        picked = _tomorrow()
    proposal = await _proposal(visit, token)
    values = {"day": picked, "name": str(proposal.get("name", "")), "appointment_id": str(uuid4())}
    return await _book_page(visit, token, values)


@router.post("/proposal/{token}/book")
async def book(token: str, request: Request, visit: CurrentVisit) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in BOOK_FIELDS}
    proposal = await _proposal(visit, token)
    body = {
        "appointment_id": values["appointment_id"],
        "service": "maintenance",
        "slot_start": values["slot_start"],
        "name": values["name"],
        "phone": values["phone"],
        "plate": proposal["plate"],
        "vin": proposal["vin"],
        "model": proposal.get("model") or "-",
        "proposal_id": proposal["proposal_id"],
    }
    try:
        await visit.api.post(BOOKING, str(proposal["site_id"]), "appointments", body=body)
    except ApiError as error:
        if error.status in LINK_REFUSED:
            raise
        return await _book_page(
            visit, token, values, status=error.status, problem=visit.words.error(error.code), errors=error.fields
        )
    return redirect(_here(token, "?done=booked"))
