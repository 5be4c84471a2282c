"""The technician's tablet: my jobs (the open jobs the workshop records as mine, a car's concern
in the customer's own words beside them), clock on, pause with a reason, resume, complete, and
the findings of a car (additional work with its proposed line priced) for the advisor to put to
the customer. Big buttons, one form per action; the workshop decides whether each is allowed."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from desk.gateway_api import ApiError
from desk.screens import workshop_floor
from desk.web import Visit, screen
from events.catalog.reception_values import PAY_TYPES

router = APIRouter()
TECHNICIAN = screen("technician")

# The workshop's pause reasons (its `PauseBody`), in the order a technician meets them.
PAUSE_REASONS = ("break", "waiting_parts", "waiting_approval", "waiting_tools", "end_of_shift", "other")
ACTIONS = ("start", "pause", "complete")
LINE = "findings.0.proposed_lines.0."  # the finding form's inputs are named as the API names its fields


@router.get("/technician", name="technician")
async def my_jobs(visit: Visit = TECHNICIAN) -> HTMLResponse:
    return visit.render("technician_jobs.html", **await _my_jobs(visit))


@router.get("/technician/jobs")
async def my_jobs_region(visit: Visit = TECHNICIAN) -> HTMLResponse:
    """The live region alone, fetched again when the workshop's stream says the floor changed."""
    return visit.render("technician_jobs_list.html", **await _my_jobs(visit))


@router.post("/technician/{repair_order_id}/jobs/{job_id}/{action}")
async def clock(
    repair_order_id: str, job_id: str, action: str, reason: Annotated[str, Form()] = "", visit: Visit = TECHNICIAN
) -> Response:
    if action not in ACTIONS:
        return visit.render("error.html", 404, message=visit.words.error("not_found"), code="not_found")
    body = {"reason": reason} if action == "pause" else {}
    try:
        await visit.api.post(f"work-orders/{repair_order_id}/jobs/{job_id}/{action}", body)
    except ApiError as error:
        context = await _my_jobs(visit)
        return visit.form_again("technician_jobs.html", error, {"reason": reason}, failed_job=job_id, **context)
    return RedirectResponse(f"/technician?done={action}#job-{job_id}", status_code=303)


@router.get("/technician/{repair_order_id}/findings")
async def findings_form(repair_order_id: str, visit: Visit = TECHNICIAN) -> HTMLResponse:
    return visit.render("technician_findings.html", **await _car(visit, repair_order_id), values=_blank())


@router.post("/technician/{repair_order_id}/findings")
async def report_findings(repair_order_id: str, request: Request, visit: Visit = TECHNICIAN) -> Response:
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    values = {key: value for key, value in form.items() if key != "csrf_token"}
    try:
        await visit.api.post(f"work-orders/{repair_order_id}/findings", _findings_body(values))
    except ApiError as error:
        context = await _car(visit, repair_order_id)
        return visit.form_again("technician_findings.html", error, values, **context)
    return RedirectResponse("/technician?done=findings", status_code=303)


def _blank() -> dict[str, str]:
    """A new finding's form: its line's id chosen now, so sending the same form twice names the
    same line (and the pay type most additional work has)."""
    return {f"{LINE}line_id": str(uuid.uuid4()), f"{LINE}pay_type": "CUSTOMER_PAY", f"{LINE}parts.0.quantity": "1"}


def _findings_body(values: dict[str, str]) -> dict[str, Any]:
    """The API's findings body from the form: one finding, one proposed line (with its part, if
    one is named). Money typed in yuan goes as fen; numbers the API checks go as typed."""

    def number(name: str) -> int | str:
        text = values.get(name, "").strip()
        return int(text) if text.isdigit() else text

    line: dict[str, Any] = {
        "line_id": values.get(f"{LINE}line_id", ""),
        "labour_operation": values.get(f"{LINE}labour_operation", "").strip(),
        "description": values.get(f"{LINE}description", "").strip() or values.get("findings.0.description", "").strip(),
        "labour_minutes": number(f"{LINE}labour_minutes"),
        "labour_price": workshop_floor.fen_of(values.get(f"{LINE}labour_price", "")),
        "pay_type": values.get(f"{LINE}pay_type", ""),
        "safety_critical": "findings.0.safety_critical" in values,
        "parts": [],
    }
    if values.get(f"{LINE}parts.0.part_number", "").strip():
        part = f"{LINE}parts.0."
        line["parts"] = [
            {
                "part_number": values[f"{part}part_number"].strip(),
                "description": values.get(f"{part}description", "").strip() or values[f"{part}part_number"].strip(),
                "quantity": number(f"{part}quantity"),
                "unit_price": workshop_floor.fen_of(values.get(f"{part}unit_price", "")),
            }
        ]
    finding = {
        "description": values.get("findings.0.description", "").strip(),
        "safety_critical": "findings.0.safety_critical" in values,
        "proposed_lines": [line],
        "extra_minutes": number("findings.0.extra_minutes"),
    }
    return {"findings": [finding]}


async def _my_jobs(visit: Visit) -> dict[str, Any]:
    """The cars with an open job the workshop records as mine, each with my jobs and its concerns."""
    me = visit.session.person.user_id
    mine = []
    for car in await workshop_floor.cars(visit):
        jobs = [j for j in workshop_floor.jobs_of(car) if j["technician_id"] == me and j["status"] != "withdrawn"]
        if any(job["status"] != "completed" for job in jobs):
            mine.append({**car, "my_jobs": jobs})
    words = await asyncio.gather(*(workshop_floor.concerns(visit, car["repair_order_id"]) for car in mine))
    return {
        "cars": [{**car, "concerns": concerns} for car, concerns in zip(mine, words, strict=True)],
        "reasons": PAUSE_REASONS,
        "time_zone": await visit.time_zone(),
        "done": visit.request.query_params.get("done"),
    }


async def _car(visit: Visit, repair_order_id: str) -> dict[str, Any]:
    order, concerns = await asyncio.gather(
        visit.api.get(f"work-orders/{repair_order_id}"), workshop_floor.concerns(visit, repair_order_id)
    )
    return {"order": order, "concerns": concerns, "pay_types": PAY_TYPES, "line": LINE}
