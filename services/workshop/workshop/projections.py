"""The workshop read models, fed from the service's own event log: each car in the workshop
with its stage, promise and forecast (the dispatch board, and the advisor board's workshop
column), and each job with its technician, bay and clocked time. The queries the API answers
from them are at the end."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from events.catalog import workshop as ev
from events.connection import Connection
from events.envelope import Envelope, Tenant
from events.paging import Key, Listing, Window

# The stages the advisor board shows (docs/domain.md "Boards and queues").
WAITING_DISPATCH, DISPATCHED, IN_PROGRESS = "waiting_dispatch", "dispatched", "in_progress"
WAITING_APPROVAL, WAITING_PARTS, QUALITY_CHECK, READY = "waiting_approval", "waiting_parts", "quality_check", "ready"


def stage(jobs: Iterable[tuple[str, int]], pending_findings: int, ready: bool) -> str:
    """The one stage a car is in, from its jobs' (status, missing parts) — most urgent first."""
    if ready:
        return READY
    open_jobs = [(status, missing) for status, missing in jobs if status not in ("completed", "withdrawn")]
    if any(status == "in_progress" for status, _ in open_jobs):
        return IN_PROGRESS
    if pending_findings:
        return WAITING_APPROVAL
    if any(missing for _, missing in open_jobs):
        return WAITING_PARTS
    if not open_jobs:
        return QUALITY_CHECK
    if any(status == "planned" for status, _ in open_jobs):
        return WAITING_DISPATCH
    return DISPATCHED


_INSERT_JOB = """
INSERT INTO work_order_jobs (job_id, repair_order_id, group_id, site_id, labour_operation, description,
                             planned_minutes, status, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, 'planned', $8)
ON CONFLICT (job_id) DO NOTHING
"""


class WorkOrders:
    name = "workshop.work_orders"
    tables = ("work_orders", "work_order_jobs")
    # Every event of a work order; the technicians' and bays' streams are not a car's.
    handles = frozenset(
        m.event_type
        for m in vars(ev).values()
        if isinstance(m, type) and issubclass(m, ev._WorkOrderEvent) and hasattr(m, "event_type")
    )

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event, tenant, at = envelope.event, envelope.tenant, envelope.recorded_at
        ro = event.repair_order_id
        match event:
            case ev.WorkOrderOpened():
                await conn.execute(
                    """INSERT INTO work_orders (repair_order_id, group_id, site_id, vin, plate, priority,
                           customer_waiting, stage, promised_at, opened_at, updated_at)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, 'waiting_dispatch', $8, $9, $10)
                       ON CONFLICT (repair_order_id) DO NOTHING""",
                    ro,
                    tenant.group_id,
                    tenant.site_id,
                    event.vehicle.vin,
                    event.vehicle.plate,
                    event.priority,
                    event.customer_waiting,
                    event.promised_at,
                    event.opened_at,
                    at,
                )
                await self._add_jobs(conn, envelope, event.jobs)
            case ev.JobsAdded():
                await self._add_jobs(conn, envelope, event.jobs)
            case ev.JobWithdrawn():
                await self._job(conn, event.job_id, "status = 'withdrawn'", at)
            case ev.JobDispatched():
                await conn.execute(
                    """UPDATE work_order_jobs SET technician_id = $2, bay = $3, updated_at = $4,
                           status = CASE WHEN status = 'paused' THEN status ELSE 'dispatched' END
                       WHERE job_id = $1""",
                    event.job_id,
                    event.technician_id,
                    event.bay,
                    at,
                )
            case ev.JobStarted():
                await self._job(conn, event.job_id, "status = 'in_progress'", at)
            case ev.JobPaused():
                sql = "status = 'paused', worked_minutes = worked_minutes + $3"
                await self._job(conn, event.job_id, sql, at, event.worked_minutes)
            case ev.JobCompleted():
                sql = "status = 'completed', rework = false, worked_minutes = $3"
                await self._job(conn, event.job_id, sql, at, event.total_worked_minutes)
            case ev.JobWaitingForParts():
                await self._job(conn, event.job_id, "missing_parts = missing_parts + $3", at, event.missing_quantity)
            case ev.JobPartsArrived():
                sql = "missing_parts = CASE WHEN $3 THEN 0 ELSE GREATEST(missing_parts - $4, 1) END"
                await self._job(conn, event.job_id, sql, at, not event.still_missing, event.quantity)
            case ev.AdditionalWorkFound():
                await self._order(conn, ro, "pending_findings = pending_findings + $2", at, len(event.findings))
            case ev.FindingDeclined():
                await self._order(conn, ro, "pending_findings = GREATEST(pending_findings - 1, 0)", at)
            case ev.PromisedTimeUpdated():
                await self._order(conn, ro, "promised_at = $2, running_late = false", at, event.promised_at)
            case ev.ProgressCheckDue():
                sql = "forecast_ready_at = $2, running_late = $3"
                await self._order(conn, ro, sql, at, event.forecast_ready_at, not event.on_track)
            case ev.QualityCheckFailed():
                await self._order(conn, ro, "failed_checks = failed_checks + 1", at)
                await conn.execute(
                    """UPDATE work_order_jobs SET status = 'dispatched', rework = true, updated_at = $2
                       WHERE job_id = ANY($1::uuid[])""",
                    list(event.rework_job_ids),
                    at,
                )
            case ev.VehicleReadyForDelivery():
                await self._order(conn, ro, "ready_at = $2, running_late = false", at, event.ready_at)
        if isinstance(event, ev.JobsAdded) and event.finding_id is not None:
            await self._order(conn, ro, "pending_findings = GREATEST(pending_findings - 1, 0)", at)
        await self._restage(conn, ro)

    async def _add_jobs(self, conn: Connection, envelope: Envelope[Any], jobs: tuple[ev.Job, ...]) -> None:
        tenant = envelope.tenant
        for job in jobs:
            await conn.execute(
                _INSERT_JOB,
                job.job_id,
                envelope.event.repair_order_id,
                tenant.group_id,
                tenant.site_id,
                job.labour_operation,
                job.description,
                job.planned_minutes,
                envelope.recorded_at,
            )

    async def _job(self, conn: Connection, job_id: Any, assignments: str, at: Any, *args: Any) -> None:
        await conn.execute(
            f"UPDATE work_order_jobs SET {assignments}, updated_at = $2 WHERE job_id = $1", job_id, at, *args
        )

    async def _order(self, conn: Connection, ro: Any, assignments: str, at: Any, *args: Any) -> None:
        # $2.. in the assignments are the extra args; updated_at takes the next number.
        await conn.execute(
            f"UPDATE work_orders SET {assignments}, updated_at = ${len(args) + 2} WHERE repair_order_id = $1",
            ro,
            *args,
            at,
        )

    async def _restage(self, conn: Connection, ro: Any) -> None:
        order = await conn.fetchrow(
            "SELECT pending_findings, ready_at IS NOT NULL AS ready FROM work_orders WHERE repair_order_id = $1", ro
        )
        if order is None:
            return
        jobs = await conn.fetch("SELECT status, missing_parts FROM work_order_jobs WHERE repair_order_id = $1", ro)
        now = stage(((j["status"], j["missing_parts"]) for j in jobs), order["pending_findings"], order["ready"])
        await conn.execute("UPDATE work_orders SET stage = $2 WHERE repair_order_id = $1", ro, now)


# --- queries ----------------------------------------------------------------------------------

BOARD = Listing(
    "workshop.work_orders",
    (
        Key("running_late", bool, descending=True, nullable=False),
        Key("promised_at", datetime, nullable=False),
        Key("repair_order_id", UUID, nullable=False),
    ),
)


async def board(
    pool: asyncpg.Pool, tenant: Tenant, *, stage: str | None, include_ready: bool, cursor: str | None, limit: int
) -> tuple[Window, list[asyncpg.Record]]:
    """A page of the site's cars in the workshop (of one `stage`, if named): late ones first,
    then by promise."""
    window = BOARD.window(cursor, limit, first=5)
    rows: list[asyncpg.Record] = await pool.fetch(
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
    return window, rows


async def technicians(pool: asyncpg.Pool, tenant: Tenant) -> list[asyncpg.Record]:
    """Each technician with open jobs at the site: how many, the ones clocked on, the minutes
    still planned on them."""
    rows: list[asyncpg.Record] = await pool.fetch(
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
    return rows
