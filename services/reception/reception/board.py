"""The advisor board (docs/domain.md "Boards and queues"): per site and advisor, today's appointments
(booked, confirmed, arrived, no-show) and the cars in for service by stage (waiting dispatch,
in progress, waiting approval, waiting parts, quality check, ready), the promise against the
workshop's forecast, late cars highlighted, appointment cars marked.

Fed from booking's, reception's and the workshop's topics (a Kafka-fed projection, rebuilt from
the topics). Every change is announced with `NOTIFY advisor_board, '<site>'` in the same
transaction, so the board's live stream sends it as soon as it is committed.

The day is the site's local day, in the time zone of the site's capacity (booking's); a car
leaves the board when it is delivered; a car is late when the workshop's latest forecast is past
the promise in force, or when the promise has passed and the car is not ready (docs/flow.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from events.envelope import Envelope
from events.rows import Key, Row, RowProjection, Rows, Table
from events.views import views_in
from reception import board_views as v

CHANNEL = "advisor_board"
# A site whose capacity was never set: the dealer groups this serves are in China.
DEFAULT_TIME_ZONE = "Asia/Shanghai"

BOARD = Table(
    "advisor_board",
    ("card_id",),
    (
        "card_id", "group_id", "site_id", "kind", "appointment_id", "repair_order_id", "advisor", "plate",
        "customer_name", "appointment_car", "slot_start", "status", "stage", "open_jobs", "promised_at",
        "forecast_ready_at", "late", "customer_waiting", "updated_at",
    ),
    {"appointment_car": False, "open_jobs": 0, "late": False, "customer_waiting": False},
)  # fmt: skip
MERGED = Table("advisor_board_merged", ("appointment_id",), ("appointment_id", "card_id"))
SITES = Table("advisor_board_site", ("group_id", "site_id"), ("group_id", "site_id", "time_zone"))


class AdvisorBoard(RowProjection):
    name = "reception.advisor_board"
    models = (BOARD, MERGED)
    # Only what changes a card: the workshop's other events (a test drive, a pause) leave it as it is.
    views = views_in(v)

    def reads(self, envelope: Envelope[Any]) -> Iterable[tuple[Table, Key]]:
        event = envelope.event
        if isinstance(event, v.CapacitySet):
            return ((SITES, (envelope.tenant.group_id, envelope.tenant.site_id)),)
        if isinstance(event, v.OfAppointment):
            return ((BOARD, event.appointment_id), (MERGED, event.appointment_id))
        card: UUID = event.repair_order_id
        appointment = event.appointment_id if isinstance(event, v.VehicleCheckedIn) else None
        if appointment is None:
            return ((BOARD, card),)
        return ((BOARD, card), (BOARD, appointment), (MERGED, appointment))

    def fold(self, rows: Rows, envelope: Envelope[Any]) -> None:
        event, tenant, at = envelope.event, envelope.tenant, envelope.recorded_at
        site = {"group_id": tenant.group_id, "site_id": tenant.site_id}
        match event:
            case v.CapacitySet():
                rows.put(SITES, SITES.new(time_zone=event.timezone, **site))
            case v.AppointmentBooked():
                # booking's topic may trail reception's own log: a car already checked in keeps one card
                card = event.appointment_id
                if rows.get(BOARD, card) is None and rows.get(MERGED, card) is None:
                    rows.put(BOARD, BOARD.new(
                        card_id=card, kind="appointment", appointment_id=card, advisor=event.advisor_id,
                        plate=event.vehicle.plate, customer_name=event.vehicle_user.name, appointment_car=True,
                        slot_start=event.slot_start, status="booked", updated_at=at, **site,
                    ))  # fmt: skip
            case v.AppointmentConfirmed():
                _card(rows, event.appointment_id, at, lambda c: c["status"] == "booked", status="confirmed")
            case v.AppointmentRescheduled():
                _card(rows, event.appointment_id, at, None, slot_start=event.slot_start, advisor=event.advisor_id)
            case v.AppointmentCancelled():
                _card(rows, event.appointment_id, at, None, status="cancelled")
            case v.AppointmentNoShow():
                _card(rows, event.appointment_id, at, None, status="no_show")
            case v.VehicleArrived():
                waiting = ("booked", "confirmed")
                _card(rows, event.appointment_id, at, lambda c: c["status"] in waiting, status="arrived")
            case v.VehicleCheckedIn():
                self._check_in(rows, event, at, site)
            case v.RepairOrderSigned():
                _card(rows, event.repair_order_id, at, None, promised_at=event.promised_at)
            case v.PromisedTimeRevised():
                _card(rows, event.repair_order_id, at, None, promised_at=event.promised_at)
            case v.VehicleHandedOver():
                _card(rows, event.repair_order_id, at, None, status="in_workshop")
            case v.InvoiceSettled():
                _card(rows, event.repair_order_id, at, None, status="settled")
            case v.VehicleDelivered() | v.ExitSlipIssued():
                _card(rows, event.repair_order_id, at, None, status="delivered")
            case v.WorkOrderOpened():
                # The workshop's topic may run ahead of reception's: the card may not exist yet.
                jobs = len(event.jobs)
                if rows.update(BOARD, event.repair_order_id, stage="waiting_dispatch", open_jobs=jobs) is None:
                    rows.put(BOARD, BOARD.new(
                        card_id=event.repair_order_id, kind="visit", repair_order_id=event.repair_order_id,
                        plate=event.vehicle.plate, status="in_workshop", stage="waiting_dispatch", open_jobs=jobs,
                        promised_at=event.promised_at, customer_waiting=event.customer_waiting, updated_at=at, **site,
                    ))  # fmt: skip
            case v.JobsAdded():
                _more_jobs(rows, event.repair_order_id, at, len(event.jobs))
            case v.QualityCheckFailed():
                _more_jobs(rows, event.repair_order_id, at, len(event.rework_job_ids))
            case v.JobWithdrawn() | v.JobCompleted():
                visit = rows.get(BOARD, event.repair_order_id)
                if visit is not None:
                    open_jobs = visit["open_jobs"]
                    stage = "quality_check" if open_jobs <= 1 else visit["stage"]
                    _card(rows, event.repair_order_id, at, None, open_jobs=max(open_jobs - 1, 0), stage=stage)
            case v.JobDispatched() | v.JobStarted() | v.FindingDeclined():
                # (SQL's `stage <> 'ready'`: a card with no stage yet is left as it is)
                working = ("ready", None)
                _card(rows, event.repair_order_id, at, lambda c: c["stage"] not in working, stage="in_progress")
            case v.AdditionalWorkFound():
                _card(rows, event.repair_order_id, at, None, stage="waiting_approval")
            case v.JobWaitingForParts():
                _card(rows, event.repair_order_id, at, None, stage="waiting_parts")
            case v.JobPartsArrived() if not event.still_missing:
                _card(rows, event.repair_order_id, at, lambda c: c["stage"] == "waiting_parts", stage="in_progress")
            case v.ProgressCheckDue() | v.JobRunningLate():
                _forecast(rows, event.repair_order_id, at, event.forecast_ready_at, event.promised_at)
            case v.VehicleReadyForDelivery() | v.ReadyForDeliveryMarked():
                # Both: the workshop's event moves the card, reception's (its RO recorded ready by
                # a policy, a moment later or earlier) is announced too, so a screen that reads the
                # RO on the board's notice never stays on the status from before.
                _card(rows, event.repair_order_id, at, None, stage="ready")
            case _:
                return
        rows.notify(CHANNEL, tenant.site_id)

    @staticmethod
    def _check_in(rows: Rows, event: v.VehicleCheckedIn, at: datetime, site: dict[str, str]) -> None:
        appointment = event.appointment_id
        if appointment is not None:  # the appointment's card becomes the visit's
            if rows.get(BOARD, appointment) is not None:
                rows.delete(BOARD, appointment)
            rows.put(MERGED, MERGED.new(appointment_id=appointment, card_id=event.repair_order_id))
        known = {
            "appointment_id": appointment,
            "advisor": event.service_advisor,
            "plate": event.vehicle.plate,
            "customer_name": event.vehicle_user.name,
            "appointment_car": event.priority == "appointment",
            "customer_waiting": event.customer_waiting,
        }
        if rows.update(BOARD, event.repair_order_id, **known) is None:
            rows.put(BOARD, BOARD.new(
                card_id=event.repair_order_id, kind="visit", repair_order_id=event.repair_order_id,
                status="checked_in", updated_at=at, **known, **site,
            ))  # fmt: skip


def _card(rows: Rows, card_id: UUID, at: datetime, when: Callable[[Row], bool] | None, **changes: Any) -> None:
    """Change one card, if it is there (and meets `when`). Whatever changed, its late flag is
    worked out again: a new promise, forecast, stage or status may each make or unmake it."""
    card = rows.get(BOARD, card_id)
    if card is not None and (when is None or when(card)):
        rows.update(BOARD, card_id, **changes, late=_running_late({**card, **changes}), updated_at=at)


def _running_late(card: Row) -> bool:
    """The workshop's latest forecast is past the promise in force (the workshop's own check
    says so only at half and three quarters of the promised time, and against its own copy of
    the promise, which a revision on reception's topic may have overtaken)."""
    forecast, promised = card["forecast_ready_at"], card["promised_at"]
    if forecast is None or promised is None or card["stage"] == "ready" or card["status"] == "delivered":
        return False
    return bool(forecast > promised)


def _forecast(rows: Rows, card_id: UUID, at: datetime, forecast: datetime, promised_at: datetime) -> None:
    """The workshop's forecast, read against the board's promise: reception's, the one in force;
    the workshop's copy only while reception's topic has not brought one yet."""
    card = rows.get(BOARD, card_id)
    if card is not None:
        _card(rows, card_id, at, None, forecast_ready_at=forecast, promised_at=card["promised_at"] or promised_at)


def _more_jobs(rows: Rows, card_id: UUID, at: datetime, jobs: int) -> None:
    card = rows.get(BOARD, card_id)
    if card is not None:
        _card(rows, card_id, at, None, open_jobs=card["open_jobs"] + jobs, stage="in_progress")


# The day's appointments (by their slot, between the site's local midnights) and every car not yet
# delivered, whatever day it came in: a car kept overnight is still the advisor's business.
_BOARD = """
SELECT card_id, kind, appointment_id, repair_order_id, advisor, plate, customer_name, appointment_car, slot_start,
       status, stage, promised_at, forecast_ready_at, late, customer_waiting, updated_at
FROM advisor_board
WHERE group_id = $1 AND site_id = $2 AND ($3::text IS NULL OR advisor = $3)
  AND ((kind = 'appointment' AND slot_start >= $4 AND slot_start < $5) OR (kind = 'visit' AND status <> 'delivered'))
ORDER BY kind, coalesce(slot_start, promised_at), plate
"""
_TIME_ZONE = "SELECT time_zone FROM advisor_board_site WHERE group_id = $1 AND site_id = $2"


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The day from the site's midnight to the next (23 or 25 hours on a daylight-saving change),
    as instants in UTC: arithmetic on two times of one zone would ignore the change."""
    start, end = (datetime.combine(d, time(), zone) for d in (day, day + timedelta(days=1)))
    return start.astimezone(UTC), end.astimezone(UTC)


def _late(card: Row, now: datetime) -> bool:
    """Late by the forecast, or because the promise has passed and the car is not ready: any
    forecast made now would be past the promise, whether or not the workshop has checked yet."""
    promised = card["promised_at"]
    return bool(card["late"]) or (card["stage"] != "ready" and promised is not None and promised <= now)


def turns_late_at(board: dict[str, Any], now: datetime) -> datetime | None:
    """When the next car on the board turns late with no event at all: the earliest promise still
    ahead of a car that is not ready (the live stream sends the board again then)."""
    ahead = [
        c["promised_at"]
        for c in board["cars"]
        if not c["late"] and c["stage"] != "ready" and c["promised_at"] is not None and c["promised_at"] > now
    ]
    return min(ahead, default=None)


async def site_zone(pool: Any, group_id: str, site_id: str) -> ZoneInfo:
    return ZoneInfo(await pool.fetchval(_TIME_ZONE, group_id, site_id) or DEFAULT_TIME_ZONE)


async def snapshot(
    pool: Any, group_id: str, site_id: str, advisor: str | None, day: date | None, now: datetime
) -> dict[str, Any]:
    """The board as the page shows it: the day's appointments (today's at the site unless `day`
    is given), and the cars in for service, late ones first."""
    zone = await site_zone(pool, group_id, site_id)
    day = day or now.astimezone(zone).date()
    rows = [dict(row) for row in await pool.fetch(_BOARD, group_id, site_id, advisor, *day_bounds(day, zone))]
    for row in rows:
        row["late"] = _late(row, now)
        for key in ("card_id", "appointment_id", "repair_order_id"):
            row[key] = None if row[key] is None else str(row[key])
    rows.sort(key=lambda row: not row["late"])  # stable: the query's order within each
    return {
        "site_id": site_id,
        "day": day.isoformat(),
        "time_zone": zone.key,
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
