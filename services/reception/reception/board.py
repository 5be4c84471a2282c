"""The advisor board (domain.md "Boards and queues"): per site and advisor, today's appointments
(booked, confirmed, arrived, no-show) and the cars in for service by stage (waiting dispatch,
in progress, waiting approval, waiting parts, quality check, ready), the promise against the
workshop's forecast, late cars highlighted, appointment cars marked.

Fed from booking's, reception's and the workshop's topics (a Kafka-fed projection, rebuilt from
the topics). Every change is announced with `NOTIFY advisor_board, '<site>'` in the same
transaction, so the board's live stream sends it as soon as it is committed.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from events.catalog import booking
from events.catalog import reception as rec
from events.catalog import workshop as ws
from events.connection import Connection
from events.contract import Event
from events.envelope import Envelope

CHANNEL = "advisor_board"
_ONE_JOB_DONE = (
    "open_jobs = GREATEST(open_jobs - 1, 0), stage = CASE WHEN open_jobs <= 1 THEN 'quality_check' ELSE stage END"
)


def _types(module: Any) -> set[str]:
    return {
        m.event_type
        for m in vars(module).values()
        if isinstance(m, type) and issubclass(m, Event) and hasattr(m, "event_type")
    }


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


class AdvisorBoard:
    name = "reception.advisor_board"
    tables = ("advisor_board",)
    handles = frozenset(
        {
            booking.AppointmentBooked.event_type,
            booking.AppointmentConfirmed.event_type,
            booking.AppointmentRescheduled.event_type,
            booking.AppointmentCancelled.event_type,
            booking.AppointmentNoShow.event_type,
            booking.VehicleArrived.event_type,
            rec.VehicleCheckedIn.event_type,
            rec.RepairOrderSigned.event_type,
            rec.PromisedTimeRevised.event_type,
            rec.VehicleHandedOver.event_type,
            rec.InvoiceSettled.event_type,
            rec.VehicleDelivered.event_type,
            rec.ExitSlipIssued.event_type,
        }
        | _types(ws)
    )

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event, tenant, at = envelope.event, envelope.tenant, envelope.recorded_at
        match event:
            case booking.AppointmentBooked():
                await conn.execute(
                    """INSERT INTO advisor_board (card_id, group_id, site_id, kind, appointment_id, advisor, plate,
                           customer_name, appointment_car, slot_start, status, day, updated_at)
                       SELECT $1, $2, $3, 'appointment', $1, $4, $5, $6, true, $7, 'booked', $8, $9
                       -- booking's topic may trail reception's own log: a car already checked in keeps one card
                       WHERE NOT EXISTS (SELECT 1 FROM advisor_board WHERE appointment_id = $1)
                       ON CONFLICT (card_id) DO NOTHING""",
                    event.appointment_id,
                    tenant.group_id,
                    tenant.site_id,
                    event.advisor_id,
                    event.vehicle.plate,
                    event.vehicle_user.name,
                    event.slot_start,
                    _day(event.slot_start),
                    at,
                )
            case booking.AppointmentConfirmed():
                await self._card(conn, event.appointment_id, "status = 'confirmed'", at, "status = 'booked'")
            case booking.AppointmentRescheduled():
                await self._card(
                    conn, event.appointment_id, "slot_start = $3, day = $4, advisor = $5", at, None,
                    event.slot_start, _day(event.slot_start), event.advisor_id,
                )  # fmt: skip
            case booking.AppointmentCancelled():
                await self._card(conn, event.appointment_id, "status = 'cancelled'", at)
            case booking.AppointmentNoShow():
                await self._card(conn, event.appointment_id, "status = 'no_show'", at)
            case booking.VehicleArrived():
                await self._card(
                    conn, event.appointment_id, "status = 'arrived'", at, "status IN ('booked', 'confirmed')"
                )
            case rec.VehicleCheckedIn():
                if event.appointment_id is not None:  # the appointment's card becomes the visit's
                    await conn.execute("DELETE FROM advisor_board WHERE card_id = $1", event.appointment_id)
                await conn.execute(
                    """INSERT INTO advisor_board (card_id, group_id, site_id, kind, appointment_id, repair_order_id,
                           advisor, plate, customer_name, appointment_car, status, customer_waiting, day, updated_at)
                       VALUES ($1, $2, $3, 'visit', $4, $1, $5, $6, $7, $8, 'checked_in', $9, $10, $11)
                       ON CONFLICT (card_id) DO UPDATE SET appointment_id = EXCLUDED.appointment_id,
                           advisor = EXCLUDED.advisor, plate = EXCLUDED.plate,
                           customer_name = EXCLUDED.customer_name, appointment_car = EXCLUDED.appointment_car,
                           customer_waiting = EXCLUDED.customer_waiting""",
                    event.repair_order_id,
                    tenant.group_id,
                    tenant.site_id,
                    event.appointment_id,
                    event.service_advisor,
                    event.vehicle.plate,
                    event.vehicle_user.name,
                    event.priority == "appointment",
                    event.customer_waiting,
                    _day(event.arrived_at),
                    at,
                )
            case rec.RepairOrderSigned():
                await self._card(conn, event.repair_order_id, "promised_at = $3", at, None, event.promised_at)
            case rec.PromisedTimeRevised():
                await self._card(
                    conn, event.repair_order_id, "promised_at = $3, late = false", at, None, event.promised_at
                )
            case rec.VehicleHandedOver():
                await self._card(conn, event.repair_order_id, "status = 'in_workshop'", at)
            case rec.InvoiceSettled():
                await self._card(conn, event.repair_order_id, "status = 'settled'", at)
            case rec.VehicleDelivered() | rec.ExitSlipIssued():
                await self._card(conn, event.repair_order_id, "status = 'delivered', late = false", at)
            case ws.WorkOrderOpened():
                # The workshop's topic may run ahead of reception's: the card may not exist yet.
                await conn.execute(
                    """INSERT INTO advisor_board (card_id, group_id, site_id, kind, repair_order_id, plate, status,
                           stage, open_jobs, promised_at, customer_waiting, day, updated_at)
                       VALUES ($1, $2, $3, 'visit', $1, $4, 'in_workshop', 'waiting_dispatch', $5, $6, $7, $8, $9)
                       ON CONFLICT (card_id) DO UPDATE
                       SET stage = 'waiting_dispatch', open_jobs = EXCLUDED.open_jobs""",
                    event.repair_order_id,
                    tenant.group_id,
                    tenant.site_id,
                    event.vehicle.plate,
                    len(event.jobs),
                    event.promised_at,
                    event.customer_waiting,
                    _day(event.opened_at),
                    at,
                )
            case ws.JobsAdded():
                sql = "open_jobs = open_jobs + $3, stage = 'in_progress'"
                await self._card(conn, event.repair_order_id, sql, at, None, len(event.jobs))
            case ws.JobWithdrawn() | ws.JobCompleted():
                await self._card(conn, event.repair_order_id, _ONE_JOB_DONE, at)
            case ws.JobDispatched() | ws.JobStarted() | ws.FindingDeclined():
                await self._card(conn, event.repair_order_id, "stage = 'in_progress'", at, "stage <> 'ready'")
            case ws.AdditionalWorkFound():
                await self._card(conn, event.repair_order_id, "stage = 'waiting_approval'", at)
            case ws.JobWaitingForParts():
                await self._card(conn, event.repair_order_id, "stage = 'waiting_parts'", at)
            case ws.JobPartsArrived() if not event.still_missing:
                await self._card(conn, event.repair_order_id, "stage = 'in_progress'", at, "stage = 'waiting_parts'")
            case ws.QualityCheckFailed():
                sql = "open_jobs = open_jobs + $3, stage = 'in_progress'"
                await self._card(conn, event.repair_order_id, sql, at, None, len(event.rework_job_ids))
            case ws.ProgressCheckDue():
                sql = "forecast_ready_at = $3, late = $4"
                await self._card(
                    conn, event.repair_order_id, sql, at, None, event.forecast_ready_at, not event.on_track
                )
            case ws.JobRunningLate():
                sql = "forecast_ready_at = $3, late = true"
                await self._card(conn, event.repair_order_id, sql, at, None, event.forecast_ready_at)
            case ws.VehicleReadyForDelivery():
                await self._card(conn, event.repair_order_id, "stage = 'ready', late = false", at)
            case _:
                return
        await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, tenant.site_id)

    async def _card(
        self, conn: Connection, card_id: UUID, assignments: str, at: datetime, when: str | None = None, *args: Any
    ) -> None:
        """Update one card: `$1` is its id, `$2` the time, `$3…` the `args`."""
        condition = f" AND {when}" if when else ""
        await conn.execute(
            f"UPDATE advisor_board SET {assignments}, updated_at = $2 WHERE card_id = $1{condition}", card_id, at, *args
        )


_BOARD = """
SELECT card_id, kind, appointment_id, repair_order_id, advisor, plate, customer_name, appointment_car, slot_start,
       status, stage, promised_at, forecast_ready_at, late, customer_waiting, updated_at
FROM advisor_board
WHERE group_id = $1 AND site_id = $2 AND ($3::text IS NULL OR advisor = $3)
  AND (day = $4 OR (kind = 'visit' AND status NOT IN ('delivered')))
ORDER BY late DESC, kind, coalesce(slot_start, promised_at), plate
"""


async def snapshot(pool: Any, group_id: str, site_id: str, advisor: str | None, day: date) -> dict[str, Any]:
    """The board as the page shows it: the day's appointments, and the cars in for service."""
    rows = [dict(row) for row in await pool.fetch(_BOARD, group_id, site_id, advisor, day)]
    for row in rows:
        for key in ("card_id", "appointment_id", "repair_order_id"):
            row[key] = None if row[key] is None else str(row[key])
    return {
        "site_id": site_id,
        "day": day.isoformat(),
        "advisor": advisor,
        "appointments": [r for r in rows if r["kind"] == "appointment"],
        "cars": [r for r in rows if r["kind"] == "visit"],
    }


class BoardFeed:
    """One LISTEN connection per process, fanned out to every open board stream of a site:
    a tablet's stream costs a queue, not a database connection."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[None]]] = {}
        self._connection: Any = None
        self._lock = asyncio.Lock()

    async def subscribe(self, database_url: str, site_id: str) -> asyncio.Queue[None]:
        async with self._lock:
            if self._connection is None or self._connection.is_closed():
                self._connection = await asyncpg.connect(database_url)
                await self._connection.add_listener(CHANNEL, self._notified)
        queue: asyncio.Queue[None] = asyncio.Queue(maxsize=1)
        self._subscribers.setdefault(site_id, set()).add(queue)
        return queue

    def unsubscribe(self, site_id: str, queue: asyncio.Queue[None]) -> None:
        self._subscribers.get(site_id, set()).discard(queue)

    def _notified(self, _conn: Any, _pid: int, _channel: str, site_id: str) -> None:
        for queue in self._subscribers.get(site_id, ()):
            if queue.empty():  # one pending "changed" is enough: the stream sends the latest board
                queue.put_nowait(None)

    async def close(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            await self._connection.close()
