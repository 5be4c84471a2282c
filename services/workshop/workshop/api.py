"""The workshop HTTP API: parse, authorise, call a use case, answer with the new state.

Paths are relative to a site (`/sites/{site_id}/...`); the gateway serves them under `/api/v1`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response

from events.http import CurrentIdentity, SiteId, command_metadata, site_tenant
from events.identity import (
    ADVISOR,
    DISPATCHER,
    PARTS_CLERK,
    QC_INSPECTOR,
    SERVICE_MANAGER,
    SYSTEM,
    TECHNICIAN,
    Identity,
)
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Key, Limit, Listing, answer
from workshop.domain.commands import (
    CompleteJob,
    DispatchJob,
    FailQualityCheck,
    PassQualityCheck,
    PauseJob,
    RecordTestDrive,
    ReportAdditionalWork,
    StartJob,
    WorkOrderCommand,
)
from workshop.domain.settings import SetWorkshopSettings
from workshop.handlers import Workshop
from workshop.schemas import (
    ClockBody,
    DispatchBody,
    FindingsBody,
    PauseBody,
    QualityCheckBody,
    SettingsBody,
    TestDriveBody,
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


def workshop_of(request: Request) -> Workshop:
    workshop: Workshop = request.app.state.workshop
    return workshop


def _technician(identity: Identity, body: ClockBody | None) -> str:
    """Technicians clock themselves; a dispatcher or manager may clock for a named technician."""
    if body is None or body.technician_id is None or body.technician_id == identity.user_id:
        return identity.user_id
    identity.require_role(*DISPATCHERS)
    return body.technician_id


async def _run(
    request: Request, identity: Identity, site_id: UUID, ro: UUID, command: WorkOrderCommand, roles: tuple[str, ...]
) -> dict[str, Any]:
    identity.require_role(*roles)
    metadata = command_metadata(identity, str(site_id), request)
    workshop = workshop_of(request)
    outcome = await workshop.run(metadata, ro, command)
    return work_order_view(outcome.state, outcome.version, workshop.now())


BOARD = Listing(
    "workshop.work_orders",
    (
        Key("running_late", bool, descending=True, nullable=False),
        Key("promised_at", datetime, nullable=False),
        Key("repair_order_id", UUID, nullable=False),
    ),
)


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
) -> list[dict[str, Any]]:
    """The site's cars in the workshop with stage, promise and forecast (late ones first)."""
    tenant = site_tenant(identity, site_id, READERS)
    window = BOARD.window(cursor, limit, first=5)
    rows = await request.app.state.runtime.pool.fetch(
        f"""SELECT repair_order_id, vin, plate, priority, customer_waiting, stage, promised_at, forecast_ready_at,
                  running_late, pending_findings, failed_checks, opened_at, ready_at, updated_at
           FROM work_orders
           WHERE group_id = $1 AND site_id = $2 AND ($3::text IS NULL OR stage = $3) AND ($4 OR stage <> 'ready')
             AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        stage,
        include_ready,
        *window.params,
    )
    shown = answer(window, rows, request, response)
    return [{**dict(row), "repair_order_id": str(row["repair_order_id"])} for row in shown]


@router.get("/sites/{site_id}/work-orders/{repair_order_id}")
async def get_work_order(
    site_id: SiteId, repair_order_id: RepairOrderId, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    workshop = workshop_of(request)
    state, version = await workshop.state(site_tenant(identity, site_id, READERS), repair_order_id)
    return work_order_view(state, version, workshop.now())


@router.post("/sites/{site_id}/work-orders/{repair_order_id}/jobs/{job_id}/dispatch")
async def dispatch(
    site_id: SiteId,
    repair_order_id: RepairOrderId,
    job_id: JobId,
    body: DispatchBody,
    identity: CurrentIdentity,
    request: Request,
) -> dict[str, Any]:
    command = DispatchJob(job_id, body.technician_id, body.bay, identity.user_id, workshop_of(request).now())
    return await _run(request, identity, site_id, repair_order_id, command, DISPATCHERS)


@router.post("/sites/{site_id}/work-orders/{repair_order_id}/jobs/{job_id}/start")
async def start(
    site_id: SiteId,
    repair_order_id: RepairOrderId,
    job_id: JobId,
    identity: CurrentIdentity,
    request: Request,
    body: ClockBody | None = None,
) -> dict[str, Any]:
    command = StartJob(job_id, _technician(identity, body), workshop_of(request).now())
    return await _run(request, identity, site_id, repair_order_id, command, WORKERS)


@router.post("/sites/{site_id}/work-orders/{repair_order_id}/jobs/{job_id}/pause")
async def pause(
    site_id: SiteId,
    repair_order_id: RepairOrderId,
    job_id: JobId,
    body: PauseBody,
    identity: CurrentIdentity,
    request: Request,
) -> dict[str, Any]:
    command = PauseJob(job_id, _technician(identity, body), body.reason, workshop_of(request).now())
    return await _run(request, identity, site_id, repair_order_id, command, WORKERS)


@router.post("/sites/{site_id}/work-orders/{repair_order_id}/jobs/{job_id}/complete")
async def complete(
    site_id: SiteId,
    repair_order_id: RepairOrderId,
    job_id: JobId,
    identity: CurrentIdentity,
    request: Request,
    body: ClockBody | None = None,
) -> dict[str, Any]:
    command = CompleteJob(job_id, _technician(identity, body), workshop_of(request).now())
    return await _run(request, identity, site_id, repair_order_id, command, WORKERS)


@router.post("/sites/{site_id}/work-orders/{repair_order_id}/test-drives", status_code=201)
async def test_drive(
    site_id: SiteId, repair_order_id: RepairOrderId, body: TestDriveBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    command = RecordTestDrive(identity.user_id, body.with_customer, body.notes, workshop_of(request).now())
    return await _run(request, identity, site_id, repair_order_id, command, WORKERS)


@router.post("/sites/{site_id}/work-orders/{repair_order_id}/findings", status_code=201)
async def report_findings(
    site_id: SiteId, repair_order_id: RepairOrderId, body: FindingsBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """Additional work for the advisor to put to the customer (reception hears of it)."""
    findings = tuple(f.finding() for f in body.findings)
    command = ReportAdditionalWork(findings, identity.user_id, workshop_of(request).now())
    view = await _run(request, identity, site_id, repair_order_id, command, WORKERS)
    return {**view, "reported": [f.model_dump(mode="json") for f in findings]}


@router.post("/sites/{site_id}/work-orders/{repair_order_id}/quality-checks", status_code=201)
async def quality_check(
    site_id: SiteId, repair_order_id: RepairOrderId, body: QualityCheckBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    now = workshop_of(request).now()
    command: WorkOrderCommand = (
        PassQualityCheck(identity.user_id, now)
        if body.passed
        else FailQualityCheck(identity.user_id, body.reasons, body.rework_job_ids, now)
    )
    return await _run(request, identity, site_id, repair_order_id, command, INSPECTORS)


@router.get("/sites/{site_id}/technicians/settings")
async def get_settings(site_id: SiteId, identity: CurrentIdentity, request: Request) -> dict[str, Any]:
    """How many jobs a technician may be clocked on at once (one until the site sets more)."""
    tenant = site_tenant(identity, site_id, READERS)
    return settings_view(await workshop_of(request).settings(tenant))


@router.put("/sites/{site_id}/technicians/settings")
async def put_settings(
    site_id: SiteId, body: SettingsBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    site_tenant(identity, site_id, DISPATCHERS)
    workshop = workshop_of(request)
    command = SetWorkshopSettings(site_id, body.jobs_per_technician, identity.user_id, workshop.now())
    outcome = await workshop.set_settings(command_metadata(identity, str(site_id), request), command)
    return settings_view(outcome.state)


@router.get("/sites/{site_id}/technicians")
async def technicians(site_id: SiteId, identity: CurrentIdentity, request: Request) -> list[dict[str, Any]]:
    """Each technician's open jobs, the jobs they are clocked on and the minutes still planned
    on them (the dispatch board)."""
    tenant = site_tenant(identity, site_id, READERS)
    rows = await request.app.state.runtime.pool.fetch(
        """SELECT technician_id,
                  count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
                  coalesce(array_agg(job_id::text ORDER BY updated_at, job_id)
                           FILTER (WHERE status = 'in_progress'), '{}') AS clocked_on,
                  count(*) AS open_jobs,
                  sum(GREATEST(planned_minutes - worked_minutes, 0)) AS planned_minutes_left
           FROM work_order_jobs
           WHERE group_id = $1 AND site_id = $2 AND technician_id IS NOT NULL
             AND status NOT IN ('completed', 'withdrawn')
           GROUP BY technician_id ORDER BY technician_id""",
        tenant.group_id,
        tenant.site_id,
    )
    return [dict(row) for row in rows]
