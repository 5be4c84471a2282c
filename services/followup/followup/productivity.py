"""Technician productivity and bay utilisation (issue 19; the definitions are in docs/reports.md):
the read model fed from the workshop's clocks and booking's opening hours, its figures (pure),
and the queries the report routes read it with (`followup.productivity_api`).

Facts, like the CSI/VOC ones: periods are cut when a report is asked for. Per technician:
- a **session** on a job, from the technician's clock-on (`workshop.JobStarted`) to the clock-off
  that ends it (`JobPaused`, `JobCompleted`; a job withdrawn while clocked on ends it too), with
  the minutes the workshop counted for it; a session counts once it has ended;
- a **sale**: the job's flat-rate minutes (`JobCompleted.planned_minutes`, the RO line's labour
  time), sold once, to the technician who completed it first; rework is clocked, not sold again.
Per bay, a **hold** from `BayTaken` to `BayFreed`; per site, the opening hours and bays of
booking's latest capacity plan (`booking.CapacitySet`).

`TechnicianClockedOn`/`Off` are not read: the workshop writes them with the job clocks above, at
the same moments. The workshop records no shift attendance, so a technician's attended time is
the span of their day on the floor: first clock-on to last clock-off of the sessions begun that
day (docs/reports.md says what this leaves out).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from events.catalog import booking as booking_events
from events.catalog import workshop as workshop_events
from events.envelope import Envelope, Tenant
from events.paging import Key as SortKey
from events.paging import Listing, Window
from events.rows import Key, Row, RowProjection, Rows, Table

DAY, WEEK, MONTH = "day", "week", "month"
PERIODS = (DAY, WEEK, MONTH)
BASIS_POINTS = 10_000

# What is clocked on now: a technician's session (`clock` "technician") or a bay's hold
# (`clock` "bay:<bay>"), per job, since when.
OPEN_CLOCKS = Table(
    "productivity_open_clocks",
    ("site_id", "clock", "job_id"),
    ("site_id", "clock", "job_id", "holder", "since"),
)
TECHNICIAN_SESSIONS = Table(
    "technician_sessions",
    ("job_id", "started_at"),
    (
        "job_id", "started_at", "group_id", "site_id", "repair_order_id", "technician_id", "ended_at",
        "worked_minutes",
    ),
)  # fmt: skip
TECHNICIAN_SALES = Table(
    "technician_sales",
    ("job_id",),
    ("job_id", "group_id", "site_id", "repair_order_id", "technician_id", "completed_at", "sold_minutes"),
)
BAY_HOLDS = Table(
    "bay_holds",
    ("site_id", "bay", "job_id", "taken_at"),
    ("site_id", "bay", "job_id", "taken_at", "group_id", "freed_at"),
)
OPENING_HOURS = Table(
    "site_opening_hours",
    ("site_id",),
    ("site_id", "group_id", "timezone", "opens_at", "closes_at", "open_weekdays", "bays"),
)
TECHNICIAN = "technician"


def _ended(event: Any) -> datetime | None:
    """When a job event ends the job's clock-on session, if it does."""
    match event:
        case workshop_events.JobPaused():
            return event.paused_at
        case workshop_events.JobCompleted():
            return event.completed_at
        case workshop_events.JobWithdrawn():
            return event.withdrawn_at
    return None


class WorkshopClocks(RowProjection):
    name = "followup.workshop_clocks"
    models = (OPEN_CLOCKS, TECHNICIAN_SESSIONS, TECHNICIAN_SALES, BAY_HOLDS, OPENING_HOURS)
    handles = frozenset(
        e.event_type
        for e in (
            workshop_events.JobStarted,
            workshop_events.JobPaused,
            workshop_events.JobCompleted,
            workshop_events.JobWithdrawn,
            workshop_events.BayTaken,
            workshop_events.BayFreed,
            booking_events.CapacitySet,
        )
    )

    def reads(self, envelope: Envelope[Any]) -> Iterable[tuple[Table, Key]]:
        event, site = envelope.event, envelope.tenant.site_id
        match event:
            case booking_events.CapacitySet():
                return ()
            case workshop_events.BayTaken() | workshop_events.BayFreed():
                return ((OPEN_CLOCKS, (site, f"bay:{event.bay}", event.job_id)),)
            case workshop_events.JobCompleted():
                return ((OPEN_CLOCKS, (site, TECHNICIAN, event.job_id)), (TECHNICIAN_SALES, event.job_id))
        return ((OPEN_CLOCKS, (site, TECHNICIAN, event.job_id)),)

    def fold(self, rows: Rows, envelope: Envelope[Any]) -> None:
        event, tenant = envelope.event, envelope.tenant
        site = tenant.site_id
        match event:
            case booking_events.CapacitySet():
                rows.put(
                    OPENING_HOURS,
                    OPENING_HOURS.new(
                        site_id=site, group_id=tenant.group_id, timezone=event.timezone, opens_at=event.opens_at,
                        closes_at=event.closes_at, open_weekdays=list(event.open_weekdays), bays=event.bays,
                    ),
                )  # fmt: skip
                return
            case workshop_events.JobStarted():
                self._open(rows, site, TECHNICIAN, event.job_id, event.technician_id, event.started_at)
                return
            case workshop_events.BayTaken():
                self._open(rows, site, f"bay:{event.bay}", event.job_id, event.bay, event.taken_at)
                return
            case workshop_events.BayFreed():
                taken = self._close(rows, site, f"bay:{event.bay}", event.job_id)
                if taken is not None:
                    rows.put(
                        BAY_HOLDS,
                        BAY_HOLDS.new(
                            site_id=site, bay=event.bay, job_id=event.job_id, taken_at=taken["since"],
                            group_id=tenant.group_id, freed_at=event.freed_at,
                        ),
                    )  # fmt: skip
                return
        if isinstance(event, workshop_events.JobCompleted) and rows.get(TECHNICIAN_SALES, event.job_id) is None:
            rows.put(
                TECHNICIAN_SALES,
                TECHNICIAN_SALES.new(
                    job_id=event.job_id, group_id=tenant.group_id, site_id=site, repair_order_id=event.repair_order_id,
                    technician_id=event.technician_id, completed_at=event.completed_at,
                    sold_minutes=event.planned_minutes,
                ),
            )  # fmt: skip
        ended = _ended(event)
        session = self._close(rows, site, TECHNICIAN, event.job_id) if ended else None
        if ended is None or session is None:
            return
        if isinstance(event, workshop_events.JobPaused | workshop_events.JobCompleted):
            worked = event.worked_minutes
        else:  # withdrawn: whole minutes, as the workshop counts a session
            worked = int((ended - session["since"]).total_seconds() // 60)
        rows.put(
            TECHNICIAN_SESSIONS,
            TECHNICIAN_SESSIONS.new(
                job_id=event.job_id, started_at=session["since"], group_id=tenant.group_id, site_id=site,
                repair_order_id=event.repair_order_id, technician_id=session["holder"], ended_at=ended,
                worked_minutes=worked,
            ),
        )  # fmt: skip

    @staticmethod
    def _open(rows: Rows, site: str, clock: str, job_id: Any, holder: str, since: datetime) -> None:
        rows.put(OPEN_CLOCKS, OPEN_CLOCKS.new(site_id=site, clock=clock, job_id=job_id, holder=holder, since=since))

    @staticmethod
    def _close(rows: Rows, site: str, clock: str, job_id: Any) -> Row | None:
        """The clock that was on (None: its start was never heard), now off."""
        key = (site, clock, job_id)
        opened = rows.get(OPEN_CLOCKS, key)
        if opened is not None:
            rows.delete(OPEN_CLOCKS, key)
        return opened


# --- figures (pure) -----------------------------------------------------------------------------


def ratio_bp(numerator: int, denominator: int) -> int | None:
    """numerator / denominator in basis points (10000 = 100 %), rounded half up; None for 0 / 0."""
    if denominator <= 0:
        return None
    return (2 * numerator * BASIS_POINTS + denominator) // (2 * denominator)


def period_start(day: date, period: str) -> date:
    if period == WEEK:
        return day - timedelta(days=day.weekday())
    if period == MONTH:
        return day.replace(day=1)
    return day


def period_label(start: date, period: str) -> str:
    """ "2031-05-07", ISO week "2031-W19", or "2031-05" — the CSI/VOC report's labels, plus days."""
    if period == WEEK:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if period == MONTH:
        return f"{start.year}-{start.month:02d}"
    return start.isoformat()


@dataclass(frozen=True)
class OpeningHours:
    timezone: str
    opens_at: time
    closes_at: time
    open_weekdays: tuple[int, ...]
    bays: int

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's opening hours as instants; None on a closed day."""
        if day.isoweekday() not in self.open_weekdays:
            return None
        zone = ZoneInfo(self.timezone)
        return datetime.combine(day, self.opens_at, zone), datetime.combine(day, self.closes_at, zone)


@dataclass(frozen=True)
class BayHold:
    bay: str
    taken_at: datetime
    freed_at: datetime


@dataclass
class BayFigures:
    period: str
    period_start: date
    bays: int
    open_minutes: int = 0
    held_minutes: int = 0
    by_bay: dict[str, int] = field(default_factory=dict)

    @property
    def utilisation_bp(self) -> int | None:
        return ratio_bp(self.held_minutes, self.open_minutes)


def _overlap_minutes(start: datetime, end: datetime, window: tuple[datetime, datetime]) -> int:
    seconds = (min(end, window[1]) - max(start, window[0])).total_seconds()
    return int(seconds // 60) if seconds > 0 else 0


def bay_utilisation(
    holds: Sequence[BayHold], hours: OpeningHours, period: str, first: date, last: date
) -> list[BayFigures]:
    """Per period from `first` to `last` (the site's local days, both counted): the minutes the
    bays were held inside opening hours against every bay's opening minutes on the open days."""
    figures: dict[date, BayFigures] = {}
    day = first
    while day <= last:
        window = hours.window(day)
        start = period_start(day, period)
        f = figures.setdefault(start, BayFigures(period_label(start, period), start, hours.bays))
        if window is not None:
            f.open_minutes += hours.bays * _overlap_minutes(window[0], window[1], window)
            for hold in holds:
                held = _overlap_minutes(hold.taken_at, hold.freed_at, window)
                if held:
                    f.held_minutes += held
                    f.by_bay[hold.bay] = f.by_bay.get(hold.bay, 0) + held
        day += timedelta(days=1)
    return [figures[start] for start in sorted(figures)]


# --- the queries the report reads them with -----------------------------------------------------

TECHNICIANS = Listing(
    "followup.technician_productivity",
    (SortKey("period_start", date, nullable=False), SortKey("technician_id", str, nullable=False)),
)

# Per technician and local day: minutes on jobs and the day's span on the floor (sessions by the
# day they began), and the flat-rate minutes sold (by the day the job was completed); then
# added up per period. $3 the zone, $4/$5 the instants the range starts and ends, $7 the period.
_TECHNICIAN_DAYS = """
WITH sessions AS (
    SELECT technician_id, (started_at AT TIME ZONE $3)::date AS day, started_at, ended_at, worked_minutes
    FROM technician_sessions
    WHERE group_id = $1 AND site_id = $2 AND started_at >= $4 AND started_at < $5
      AND ($6::text IS NULL OR technician_id = $6)
), worked AS (
    SELECT technician_id, day, sum(worked_minutes) AS on_jobs,
           floor(extract(epoch FROM max(ended_at) - min(started_at)) / 60) AS attended
    FROM sessions GROUP BY technician_id, day
), sold AS (
    SELECT technician_id, (completed_at AT TIME ZONE $3)::date AS day, sum(sold_minutes) AS sold
    FROM technician_sales
    WHERE group_id = $1 AND site_id = $2 AND completed_at >= $4 AND completed_at < $5
      AND ($6::text IS NULL OR technician_id = $6)
    GROUP BY 1, 2
)
SELECT technician_id, date_trunc($7::text, day::timestamp)::date AS period_start,
       coalesce(sum(s.sold), 0)::bigint AS sold_minutes, coalesce(sum(w.on_jobs), 0)::bigint AS on_job_minutes,
       coalesce(sum(w.attended), 0)::bigint AS attended_minutes
FROM worked w FULL JOIN sold s USING (technician_id, day)
GROUP BY 1, 2
"""


async def technician_periods(
    pool: asyncpg.Pool,
    tenant: Tenant,
    *,
    period: str,
    start: datetime,
    end: datetime,
    zone: str,
    technician: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[Window, list[asyncpg.Record]]:
    """A page of (period, technician) rows of the site, earliest period first."""
    window = TECHNICIANS.window(cursor, limit, first=8)
    rows: list[asyncpg.Record] = await pool.fetch(
        f"SELECT * FROM ({_TECHNICIAN_DAYS}) r WHERE {window.after} {window.order}",
        tenant.group_id,
        tenant.site_id,
        zone,
        start,
        end,
        technician,
        period,
        *window.params,
    )
    return window, rows


async def opening_hours(pool: asyncpg.Pool, tenant: Tenant) -> OpeningHours | None:
    row = await pool.fetchrow(
        "SELECT * FROM site_opening_hours WHERE group_id = $1 AND site_id = $2", tenant.group_id, tenant.site_id
    )
    if row is None:
        return None
    return OpeningHours(row["timezone"], row["opens_at"], row["closes_at"], tuple(row["open_weekdays"]), row["bays"])


async def bay_holds(pool: asyncpg.Pool, tenant: Tenant, start: datetime, end: datetime) -> list[BayHold]:
    """The site's bay holds that overlap [start, end)."""
    rows = await pool.fetch(
        """SELECT bay, taken_at, freed_at FROM bay_holds
           WHERE group_id = $1 AND site_id = $2 AND taken_at < $4 AND freed_at > $3""",
        tenant.group_id,
        tenant.site_id,
        start,
        end,
    )
    return [BayHold(r["bay"], r["taken_at"], r["freed_at"]) for r in rows]
