"""The CS agent's contact queue (docs/reminders.md): the proposals to call (maintenance due,
declined work, campaign, recall), due first, with the customer, the car and why; the customer's
answer recorded (later with a day, not interested, opt out) or an appointment booked at once
in a free slot with the proposal, so followup counts the conversion; and the messages that did
not reach a customer, until someone has called them. followup and booking decide; the screen
shows what they answer and their refusals."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from desk.gateway_api import ApiError
from desk.web import Visit, screen

router = APIRouter()
QUEUE = screen("contact_queue")
ANSWERS = ("later", "not_interested", "opt_out")
# What the agent books for: the proposal's reason is booking's active reason of the same name.
BOOKED_MINUTES = 60


@router.get("/contact-queue", name="contact_queue")
async def contact_queue(visit: Visit = QUEUE) -> HTMLResponse:
    return visit.render("contact_queue_list.html", **await _queue(visit))


@router.post("/contact-queue/{proposal_id}/answer")
async def answer(proposal_id: str, request: Request, visit: Visit = QUEUE) -> Response:
    form = await request.form()
    given = str(form.get("answer", ""))
    body: dict[str, Any] = {"answer": given, "note": str(form.get("note", "")).strip()}
    if given == "later":
        body["call_again_on"] = str(form.get("call_again_on", "")) or None
    try:
        await visit.api.post(f"contact-queue/{proposal_id}/answers", body)
    except ApiError as error:
        values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
        return visit.form_again("contact_queue_list.html", error, values, failed=proposal_id, **await _queue(visit))
    return RedirectResponse(f"/contact-queue?done={given}", status_code=303)


@router.post("/contact-queue/failed/{message_id}/handled")
async def handled(message_id: str, request: Request, visit: Visit = QUEUE) -> Response:
    form = await request.form()
    try:
        await visit.api.post(f"failed-messages/{message_id}/handled", {"note": str(form.get("note", "")).strip()})
    except ApiError as error:
        return visit.form_again("contact_queue_list.html", error, {}, failed=message_id, **await _queue(visit))
    return RedirectResponse("/contact-queue?done=handled", status_code=303)


@router.get("/contact-queue/{proposal_id}/book")
async def book_page(proposal_id: str, visit: Visit = QUEUE, day: str = "") -> HTMLResponse:
    return visit.render("contact_queue_book.html", **await _booking(visit, proposal_id, day))


@router.post("/contact-queue/{proposal_id}/book")
async def book(proposal_id: str, request: Request, visit: Visit = QUEUE) -> Response:
    form = await request.form()
    context = await _booking(visit, proposal_id, str(form.get("day", "")))
    item = context["item"]
    slot = str(form.get("slot", ""))
    start, _, advisor = slot.partition("|")
    body: dict[str, Any] = {
        "appointment_id": str(form.get("appointment_id") or uuid4()),
        "kind": "active",
        "reason": item["reason"],
        "reference": item["campaign_id"],
        "channel": "phone",
        "customer": {"name": item["contact_name"], "phone": item["phone"]},
        "vehicle": {"vin": item["vin"], "plate": item["plate"], "model": item["model"]},
        "requested_jobs": [
            {"description": visit.words(f"contact_queue.reason.{item['reason']}"), "estimated_minutes": BOOKED_MINUTES}
        ],
        "advisor_id": advisor,
        "slot_start": start,
        "proposal_id": proposal_id,
    }
    try:
        await visit.api.post("appointments", body)
    except ApiError as error:
        return visit.form_again("contact_queue_book.html", error, {"slot": slot}, **context)
    return RedirectResponse("/contact-queue?done=booked", status_code=303)


async def _queue(visit: Visit) -> dict[str, Any]:
    return {
        "items": await visit.api.get("contact-queue"),
        "failed_messages": await visit.api.get("failed-messages"),
        "time_zone": await visit.time_zone(),
        "answers": ANSWERS,
        "done": visit.request.query_params.get("done"),
    }


async def _booking(visit: Visit, proposal_id: str, day: str) -> dict[str, Any]:
    items = await visit.api.get("contact-queue")
    found = [item for item in items if item["proposal_id"] == proposal_id]
    if not found:
        raise ApiError(404, "not_found")
    zone = await visit.time_zone()
    try:
        picked = date.fromisoformat(day)
    except ValueError:
        picked = datetime.now(ZoneInfo(zone)).date() + timedelta(days=1)
    slots = await visit.api.get("free-slots", date=picked.isoformat(), minutes=BOOKED_MINUTES)
    return {
        "item": found[0],
        "slots": slots,
        "day": picked.isoformat(),
        "time_zone": zone,
        "appointment_id": str(uuid4()),
    }
