"""The workshop HTTP API. A command route parses its body (which builds the domain command),
authorises with one dependency (`Dispatcher`, `Worker`, `Inspector`) and runs the command: a
work order's with the `Workshop.run` use case (it keeps the floor and the progress clocks in the
same transaction), the site's settings with `events.commands.execute`. A query route checks the
site, then reads the work order or a read model's query (`projections.py`).

Paths are relative to a site (`/sites/{site_id}/...`); the gateway serves them under `/api/v1`.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path, Request, Response

from events.commands import load
from events.http import Actor, CurrentIdentity, SiteId, acting, site_tenant
from events.identity import (
    ADVISOR,
    DISPATCHER,
    PARTS_CLERK,
    QC_INSPECTOR,
    SERVICE_MANAGER,
    SYSTEM,
    TECHNICIAN,
)
from events.openapi import refusals
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Limit, answer
from events.runtime import now, store_of
from workshop import projections
from workshop.domain import settings as site
from workshop.domain.commands import WorkOrderCommand
from workshop.domain.work_order import stream_id, work_order
from workshop.examples import DISPATCH_EXAMPLES, FINDINGS_EXAMPLES, PAUSE_EXAMPLES, QUALITY_CHECK_EXAMPLES
from workshop.handlers import Workshop
from workshop.schemas import (
    ClockBody,
    DispatchBody,
    FindingsBody,
    FindingsReported,
    PauseBody,
    QualityCheckBody,
    SettingsBody,
    SettingsView,
    TechnicianRow,
    TestDriveBody,
    WorkOrderRow,
    WorkOrderView,
    findings_reported,
    settings_view,
    work_order_view,
)

router = APIRouter(tags=["workshop"])

RepairOrderId = Annotated[UUID, Path(description="the repair order (and its work order) id")]
JobId = Annotated[UUID, Path(description="the job id: the repair-order line id")]

DISPATCHERS = (DISPATCHER, SERVICE_MANAGER)
WORKERS = (TECHNICIAN, DISPATCHER, SERVICE_MANAGER)
INSPECTORS = (QC_INSPECTOR, DISPATCHER, SERVICE_MANAGER)
READERS = (ADVISOR, DISPATCHER, TECHNICIAN, QC_INSPECTOR, PARTS_CLERK, SERVICE_MANAGER, SYSTEM)

Dispatcher = Annotated[Actor, acting(*DISPATCHERS)]
Worker = Annotated[Actor, acting(*WORKERS)]
Inspector = Annotated[Actor, acting(*INSPECTORS)]

# Every command takes `If-Match`, so every one can meet a work order changed since. A command on
# a job is refused for a line never signed or approved, one the customer withdrew, and on a car
# already ready; the clock's commands also when dated before what the order records.
CONFLICT = "concurrency_conflict"
JOB = ("job_not_approved", "job_withdrawn", "already_ready_for_delivery", "time_out_of_order", CONFLICT)


def workshop_of(request: Request) -> Workshop:
    workshop: Workshop = request.app.state.workshop
    return workshop


def _technician(by: Actor, body: ClockBody) -> str:
    """Technicians clock themselves; a dispatcher or manager may clock for a named technician."""
    if body.technician_id is None or body.technician_id == by.identity.user_id:
        return by.identity.user_id
    by.identity.require_role(*DISPATCHERS)
    return body.technician_id


async def _work(request: Request, repair_order_id: UUID, command: WorkOrderCommand, by: Actor) -> WorkOrderView:
    outcome = await workshop_of(request).run(
        by.metadata, repair_order_id, command, expected_version=by.expected_version
    )
    return work_order_view(outcome.state, outcome.version, now(request))


# --- the workshop board and one car ----------------------------------------------------------


@router.get("/sites/{site_id}/work-orders", responses=LIST_RESPONSES)
async def list_work_orders(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    stage: str | None = None,
    include_ready: bool = True,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[WorkOrderRow]:
    """The site's cars in the workshop with stage, promise and forecast (late ones first)."""
    tenant = site_tenant(identity, site_id, READERS)
    window, rows = await projections.board(
        request.app.state.runtime.pool, tenant, stage=stage, include_ready=include_ready, cursor=cursor, limit=limit
    )
    return [WorkOrderRow.model_validate(dict(row)) for row in answer(window, rows, request, response)]


@router.get("/sites/{site_id}/work-orders/{repair_order_id}", responses=refusals())
async def get_work_order(
    site_id: SiteId, repair_order_id: RepairOrderId, identity: CurrentIdentity, request: Request
) -> WorkOrderView:
    tenant = site_tenant(identity, site_id, READERS)
    state, version = await load(store_of(request), work_order, stream_id(repair_order_id), tenant)
    return work_order_view(state, version, now(request))


# --- the dispatcher and the technicians ------------------------------------------------------


@router.post(
    "/sites/{site_id}/work-orders/{repair_order_id}/jobs/{job_id}/dispatch",
    responses=refusals(
        *JOB, "vehicle_not_handed_over", "job_already_done", "job_in_progress", "bay_occupied", "missing_information"
    ),
)
async def dispatch(
    repair_order_id: RepairOrderId,
    job_id: JobId,
    body: Annotated[DispatchBody, Body(openapi_examples=DISPATCH_EXAMPLES)],
    request: Request,
    by: Dispatcher,
) -> WorkOrderView:
    """Hand a job to a technician and a bay (a bay holds one open job at a time)."""
    return await _work(request, repair_order_id, body.command(job_id, by.identity.user_id, now(request)), by)


@router.post(
    "/sites/{site_id}/work-orders/{repair_order_id}/jobs/{job_id}/start",
    responses=refusals(
        *JOB,
        "job_not_dispatched",
        "job_already_done",
        "job_in_progress",
        "not_assigned_technician",
        "waiting_for_parts",
        "technician_busy",
        "bay_occupied",
    ),
)
async def start(
    repair_order_id: RepairOrderId, job_id: JobId, request: Request, by: Worker, body: ClockBody | None = None
) -> WorkOrderView:
    """Clock on a job (a technician on as many jobs at once as the site allows)."""
    clocking = body or ClockBody()
    command = clocking.start(job_id, _technician(by, clocking), now(request))
    return await _work(request, repair_order_id, command, by)


@router.post(
    "/sites/{site_id}/work-orders/{repair_order_id}/jobs/{job_id}/pause",
    responses=refusals(*JOB, "job_not_in_progress", "not_assigned_technician", "invalid_code"),
)
async def pause(
    repair_order_id: RepairOrderId,
    job_id: JobId,
    body: Annotated[PauseBody, Body(openapi_examples=PAUSE_EXAMPLES)],
    request: Request,
    by: Worker,
) -> WorkOrderView:
    command = body.pause(job_id, _technician(by, body), now(request))
    return await _work(request, repair_order_id, command, by)


@router.post(
    "/sites/{site_id}/work-orders/{repair_order_id}/jobs/{job_id}/complete",
    responses=refusals(*JOB, "job_not_in_progress", "not_assigned_technician"),
)
async def complete(
    repair_order_id: RepairOrderId, job_id: JobId, request: Request, by: Worker, body: ClockBody | None = None
) -> WorkOrderView:
    clocking = body or ClockBody()
    command = clocking.complete(job_id, _technician(by, clocking), now(request))
    return await _work(request, repair_order_id, command, by)


@router.post(
    "/sites/{site_id}/work-orders/{repair_order_id}/test-drives",
    status_code=201,
    responses=refusals("already_ready_for_delivery", CONFLICT),
)
async def test_drive(
    repair_order_id: RepairOrderId, body: TestDriveBody, request: Request, by: Worker
) -> WorkOrderView:
    return await _work(request, repair_order_id, body.command(by.identity.user_id, now(request)), by)


@router.post(
    "/sites/{site_id}/work-orders/{repair_order_id}/findings",
    status_code=201,
    responses=refusals("already_ready_for_delivery", "finding_round_not_allowed", CONFLICT),
)
async def report_findings(
    repair_order_id: RepairOrderId,
    body: Annotated[FindingsBody, Body(openapi_examples=FINDINGS_EXAMPLES)],
    request: Request,
    by: Worker,
) -> FindingsReported:
    """Additional work for the advisor to put to the customer (reception hears of it)."""
    command = body.command(by.identity.user_id, now(request))
    return findings_reported(await _work(request, repair_order_id, command, by), command.findings)


# --- quality check ---------------------------------------------------------------------------


@router.post(
    "/sites/{site_id}/work-orders/{repair_order_id}/quality-checks",
    status_code=201,
    responses=refusals(
        "already_ready_for_delivery",
        "work_not_finished",
        "customer_decision_pending",
        "job_not_approved",
        "job_withdrawn",
        "rework_of_unfinished_job",
        "missing_information",
        CONFLICT,
    ),
)
async def quality_check(
    repair_order_id: RepairOrderId,
    body: Annotated[QualityCheckBody, Body(openapi_examples=QUALITY_CHECK_EXAMPLES)],
    request: Request,
    by: Inspector,
) -> WorkOrderView:
    """Passed: the car is ready for delivery. Failed: the named jobs go back as rework."""
    return await _work(request, repair_order_id, body.command(by.identity.user_id, now(request)), by)


# --- the floor: the site's settings and its technicians --------------------------------------


@router.get("/sites/{site_id}/technicians/settings")
async def get_settings(site_id: SiteId, identity: CurrentIdentity, request: Request) -> SettingsView:
    """How many jobs a technician may be clocked on at once (one until the site sets more)."""
    tenant = site_tenant(identity, site_id, READERS)
    settings, version = await load(
        store_of(request), site.site_settings, site.stream_id(site_id), tenant, must_exist=False
    )
    return settings_view(settings, version)


@router.put("/sites/{site_id}/technicians/settings", responses=refusals(CONFLICT, not_found=False))
async def put_settings(site_id: SiteId, body: SettingsBody, request: Request, by: Dispatcher) -> SettingsView:
    outcome = await by.run(
        store_of(request),
        site.site_settings,
        site.stream_id(site_id),
        body.command(site_id, by.identity.user_id, now(request)),
        must_exist=False,
    )
    return settings_view(outcome.state, outcome.version)


@router.get("/sites/{site_id}/technicians")
async def technicians(site_id: SiteId, identity: CurrentIdentity, request: Request) -> list[TechnicianRow]:
    """Each technician's open jobs, the jobs they are clocked on and the minutes still planned
    on them (the dispatch board)."""
    tenant = site_tenant(identity, site_id, READERS)
    rows = await projections.technicians(request.app.state.runtime.pool, tenant)
    return [TechnicianRow.model_validate(dict(row)) for row in rows]
