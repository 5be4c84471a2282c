"""The dispatcher's floor: the cars waiting for work and their jobs, the technicians with what
each is clocked on, the bays in use; each open job dispatched (or re-dispatched) to a technician
and a bay by a form. The one-job-per-technician and one-job-per-bay rules are the workshop's: a
refusal comes back as the API's error, with the floor as it is now. Live: the workshop's own
stream says when its work orders changed (a pause too, which the advisor board does not show),
once the floor read here holds the change."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from desk.gateway_api import ApiError
from desk.screens import workshop_floor
from desk.web import Visit, screen

router = APIRouter()
DISPATCH = screen("dispatch")


@router.get("/dispatch", name="dispatch")
async def floor_page(visit: Visit = DISPATCH) -> HTMLResponse:
    return visit.render("dispatch_page.html", **await _floor(visit))


@router.get("/dispatch/floor")
async def floor_region(visit: Visit = DISPATCH) -> HTMLResponse:
    """The live region alone (htmx swaps it in when the stream says the floor changed)."""
    return visit.render("dispatch_floor.html", **await _floor(visit))


@router.post("/dispatch/{repair_order_id}/jobs/{job_id}")
async def dispatch(
    repair_order_id: str,
    job_id: str,
    technician_id: Annotated[str, Form()] = "",
    bay: Annotated[str, Form()] = "",
    visit: Visit = DISPATCH,
) -> Response:
    body = {"technician_id": technician_id.strip(), "bay": bay.strip()}
    try:
        await visit.api.post(f"work-orders/{repair_order_id}/jobs/{job_id}/dispatch", body)
    except ApiError as error:
        return visit.form_again("dispatch_page.html", error, body, failed_job=job_id, **await _floor(visit))
    return RedirectResponse(f"/dispatch?done={job_id}#job-{job_id}", status_code=303)


async def _floor(visit: Visit) -> dict[str, Any]:
    cars = await workshop_floor.cars(visit)
    technicians: list[dict[str, Any]] = await visit.api.get("technicians")
    jobs = {job["job_id"]: {**job, "plate": car["plate"]} for car in cars for job in workshop_floor.jobs_of(car)}
    return {
        "cars": cars,
        "technicians": technicians,
        "jobs_by_id": jobs,
        "bays": workshop_floor.bays(cars),
        "closed_jobs": workshop_floor.CLOSED_JOBS,
        "time_zone": await visit.time_zone(),
        "done": visit.request.query_params.get("done"),
    }
