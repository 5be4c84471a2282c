"""The QC inspector's list: the cars whose work is finished (the workshop's `quality_check`
stage), each with its jobs and the concerns in the customer's own words to check against;
passed, or failed with the reasons and the jobs to rework (the workshop sends those back to
their technician). The cars sent back stay in sight until they return. Live: the workshop's own
stream says when the floor changed (a car completed into QC, a rework done), and the list is
read again without a reload."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from desk.gateway_api import ApiError
from desk.screens import workshop_floor
from desk.web import Visit, screen

router = APIRouter()
QC = screen("qc")


@router.get("/qc", name="qc")
async def awaiting(visit: Visit = QC) -> HTMLResponse:
    return visit.render("qc_list.html", **await _cars(visit))


@router.get("/qc/cars")
async def awaiting_region(visit: Visit = QC) -> HTMLResponse:
    """The live region alone, fetched again when the workshop's stream says the floor changed."""
    return visit.render("qc_cars.html", **await _cars(visit))


@router.post("/qc/{repair_order_id}")
async def check(repair_order_id: str, request: Request, visit: Visit = QC) -> Response:
    form = await request.form()
    passed = form.get("decision") == "pass"
    reasons = str(form.get("reasons") or "")
    rework = [str(job) for job in form.getlist("rework_job_ids")]
    body: dict[str, Any] = {"passed": passed}
    if not passed:
        body |= {"reasons": [r.strip() for r in reasons.splitlines() if r.strip()], "rework_job_ids": rework}
    try:
        await visit.api.post(f"work-orders/{repair_order_id}/quality-checks", body)
    except ApiError as error:
        values = {"reasons": reasons, "rework_job_ids": ",".join(rework)}
        return visit.form_again("qc_list.html", error, values, failed_car=repair_order_id, **await _cars(visit))
    outcome = "passed" if passed else "failed"
    return RedirectResponse(f"/qc?done={outcome}&checked={repair_order_id}", status_code=303)


async def _cars(visit: Visit) -> dict[str, Any]:
    """`checked`: the car just checked. The board's stages follow the work orders a moment later;
    until then the car just checked is no longer listed as awaiting QC, and one just failed is
    listed as back in rework (its jobs as its work order records them, which is current)."""
    cars = await workshop_floor.cars(visit)
    checked = visit.request.query_params.get("checked")
    failed = visit.request.query_params.get("done") == "failed"
    awaiting = [car for car in cars if car["stage"] == "quality_check" and str(car["repair_order_id"]) != checked]
    for car in awaiting:
        car["concerns"] = await workshop_floor.concerns(visit, car["repair_order_id"])
    return {
        "awaiting": awaiting,
        "reworking": [
            car
            for car in cars
            if (car["failed_checks"] and car["stage"] != "quality_check")
            or (failed and str(car["repair_order_id"]) == checked)
        ],
        "closed_jobs": workshop_floor.CLOSED_JOBS,
        "time_zone": await visit.time_zone(),
        "done": visit.request.query_params.get("done"),
    }
