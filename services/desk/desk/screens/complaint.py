"""The complaint handler's desk: the site's open complaints, opening a new one (the customer found
by phone in booking's customer database), and one complaint's page where the seven steps are
actions — receive, listen (5W2H, restated), confirm the facts and responsibility, decide the
remedy, explain it and record the customer's agreement, act, follow up. The complaints service
decides each step's order, the SLA clock and the authority: a decision beyond the person's limit
is refused (`approval_required`) and the page offers the escalation — the proposal as a link
for the service manager, whose own decision the service records as the approval. The read-only
complaint desk (`/complaints`, the gateway's page) stays as it is."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from desk.gateway_api import ApiError
from desk.screens.workshop_floor import fen_of
from desk.web import Visit, redirect, screen
from events.catalog import complaints_values as codes

router = APIRouter()
COMPLAINT = screen("complaint")

# The steps' routes below a complaint (the API's), in the order of the seven steps after receipt.
STEPS = ("listen", "facts", "decision", "explanation", "action", "follow-up")
# The API's `step` (the last one done) → the action that comes next: which form opens first.
NEXT = {
    "received": "listen",
    "listened": "facts",
    "facts_confirmed": "decision",
    "decided": "explanation",
    "explained": "action",
    "acted": "follow-up",
    "followed_up": "follow-up",
}
ACCOUNT = ("what", "where", "when", "who", "why", "how", "how_much")
CHOICES = {
    "channels": codes.CHANNELS,
    "kinds": codes.KINDS,
    "categories": codes.CATEGORIES,
    "serious_reasons": codes.SERIOUS_REASONS,
    "responsibilities": codes.RESPONSIBILITIES,
    "remedies": codes.REMEDIES,
    "follow_up_channels": codes.FOLLOW_UP_CHANNELS,
    "redo_steps": codes.REDO_STEPS,
}


async def form_of(request: Request) -> dict[str, str]:
    form = await request.form()
    values = {key: value for key, value in form.items() if isinstance(value, str) and key != "csrf_token"}
    values["serious_reasons"] = ",".join(str(v) for v in form.getlist("serious_reasons"))
    return values


# --- the list, and a new complaint --------------------------------------------------------------


@router.get("/complaints/handle", name="complaint")
async def open_complaints(visit: Visit = COMPLAINT) -> HTMLResponse:
    listed = await visit.api.get("complaints")
    return visit.render("complaint_list.html", complaints=listed, time_zone=await visit.time_zone())


@router.get("/complaints/new")
async def new_complaint(request: Request, visit: Visit = COMPLAINT) -> HTMLResponse:
    values = dict(request.query_params)
    values.setdefault("complaint_id", str(uuid.uuid4()))  # one id per form: sent twice, received once
    return visit.render("complaint_new.html", **await _new_context(visit, values), values=values, errors={})


@router.post("/complaints/new")
async def receive(request: Request, visit: Visit = COMPLAINT) -> Response:
    values = await form_of(request)
    body: dict[str, Any] = {
        "complaint_id": values.get("complaint_id") or str(uuid.uuid4()),
        "channel": values.get("channel", ""),
        "kind": values.get("kind", ""),
        "category": values.get("category", ""),
        "customer_words": values.get("customer_words", "").strip(),
        "customer_id": values.get("customer_id", "").strip(),
        "serious_reasons": [r for r in values.get("serious_reasons", "").split(",") if r],
    }
    for name in ("vin", "repair_order_id", "callback_id"):
        if values.get(name, "").strip():
            body[name] = values[name].strip()
    try:
        received = await visit.api.post("complaints", body)
    except ApiError as error:
        return visit.form_again("complaint_new.html", error, values, **await _new_context(visit, values))
    return redirect(f"/complaints/handle/{received['complaint_id']}?done=received", request)


async def _new_context(visit: Visit, values: dict[str, str]) -> dict[str, Any]:
    """The customers booking knows by the phone typed (none until one is typed)."""
    phone = values.get("phone", "").strip()
    found: list[dict[str, Any]] = []
    problem = None
    if len(phone) >= 5:
        try:
            found = await visit.api.get("customers", phone=phone)
        except ApiError as error:
            problem = visit.words.error(error.code)
    return {**CHOICES, "found": found, "looked_up": bool(phone), "lookup_problem": problem}


# --- one complaint: the steps -------------------------------------------------------------------


@router.get("/complaints/handle/{complaint_id}")
async def complaint_page(complaint_id: UUID, request: Request, visit: Visit = COMPLAINT) -> HTMLResponse:
    """A proposal escalated by link arrives as the query: the decision form comes filled in."""
    values = {key: value for key, value in request.query_params.items() if key != "done"}
    return visit.render("complaint_page.html", **await _context(visit, complaint_id), values=values, errors={})


@router.post("/complaints/handle/{complaint_id}/{step}")
async def take_step(complaint_id: UUID, step: str, request: Request, visit: Visit = COMPLAINT) -> Response:
    if step not in STEPS:
        return visit.render("error.html", 404, message=visit.words.error("not_found"), code="not_found")
    values = await form_of(request)
    zone = await visit.time_zone()
    headers = {"If-Match": values["version"]} if values.get("version") else {}
    try:
        await visit.api.post(f"complaints/{complaint_id}/{step}", _body(step, values, zone), **headers)
    except ApiError as error:
        error.fields = {f"{step}.{name}": message for name, message in error.fields.items()}
        context = await _context(visit, complaint_id)
        escalation = _escalation(complaint_id, step, error, values)
        return visit.form_again("complaint_page.html", error, values, failed=step, escalation=escalation, **context)
    return redirect(f"/complaints/handle/{complaint_id}?done={step}", request)


def _escalation(complaint_id: UUID, step: str, error: ApiError, values: dict[str, str]) -> dict[str, str] | None:
    """Beyond the person's authority: the proposal, as typed, in a link for the service manager
    (or, beyond the dealer's, the manufacturer's authorisation to record)."""
    if step != "decision" or error.code not in ("approval_required", "manufacturer_referral_required"):
        return None
    proposal = {key: value for key, value in values.items() if key.startswith("decision.") and value}
    return {"code": error.code, "link": f"/complaints/handle/{complaint_id}?{urlencode(proposal)}"}


def _body(step: str, values: dict[str, str], zone: str) -> dict[str, Any]:
    """The API's body from the step's inputs (named `<step>.<the API's field>`); numbers and times
    the API checks go as typed when they do not parse, for its field error."""

    def text(name: str) -> str:
        return values.get(f"{step}.{name}", "").strip()

    def flag(name: str) -> bool:
        return text(name) in ("on", "yes", "true")

    match step:
        case "listen":
            return {"account": {name: text(name) for name in ACCOUNT}, "restated_words": text("restated_words")}
        case "facts":
            return {
                "responsibility": text("responsibility"),
                "cause": text("cause"),
                "findings": text("findings"),
                "reproduced": flag("reproduced"),
                "reproduced_by": text("reproduced_by") or None,
                "vip": flag("vip"),
                "repeat_visitor": flag("repeat_visitor"),
            }
        case "decision":
            body: dict[str, Any] = {
                "remedy": text("remedy"),
                "description": text("description"),
                "cost": fen_of(text("cost")),
                "remedy_due": _aware(text("remedy_due"), zone),
                "spokesperson": text("spokesperson"),
                "compromise": text("compromise"),
            }
            if text("manufacturer_authorisation.person") or text("manufacturer_authorisation.reference"):
                body["manufacturer_authorisation"] = {
                    "person": text("manufacturer_authorisation.person"),
                    "reference": text("manufacturer_authorisation.reference"),
                }
            return body
        case "explanation":
            return {"agreed": flag("agreed"), "customer_response": text("customer_response")}
        case "action":
            return {
                "description": text("description"),
                "cost": fen_of(text("cost")),
                "in_customer_presence": flag("in_customer_presence"),
                "customer_satisfied": flag("customer_satisfied"),
            }
        case _:
            satisfied = flag("satisfied")
            return {
                "satisfied": satisfied,
                "channel": text("channel"),
                "back_to": None if satisfied else (text("back_to") or None),
                "customer_words": text("customer_words"),
                "report_summary": text("report_summary"),
            }


def _aware(local: str, zone: str) -> str:
    """`2026-12-08T10:00` typed at the site → an aware time; anything else as typed (the API refuses it)."""
    try:
        return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).isoformat()
    except ValueError:
        return local


async def _context(visit: Visit, complaint_id: UUID) -> dict[str, Any]:
    found = await visit.api.get(f"complaints/{complaint_id}")
    return {
        **CHOICES,
        "complaint": found,
        "next_step": NEXT.get(found["step"]),
        "steps": STEPS,
        "account": ACCOUNT,
        "time_zone": await visit.time_zone(),
        "done": visit.request.query_params.get("done"),
    }
