"""The workshop's operational KPIs over HTTP (issue 19; docs/reports.md): technician productivity
per day, week or month (paged) and bay utilisation against opening hours, for one site, from the
read model of `followup.productivity`. Served beside the CSI/VOC report (resource `reports`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from events.errors import DomainError
from events.http import CurrentIdentity, SiteId, site_tenant
from events.identity import DISPATCHER, SERVICE_MANAGER, SYSTEM
from events.openapi import refusals
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Limit, answer
from events.runtime import now
from followup import productivity
from followup.reports import DEFAULT_TZ
from followup.time_zones import parse_zone

router = APIRouter(tags=["followup"])

# The workshop's figures: its manager and the foreman who runs the technicians (customer service,
# which keeps the CSI/VOC figures, answers to the general manager and has no duty here).
READERS = (SERVICE_MANAGER, DISPATCHER, SYSTEM)
# A report of days covers at most a year: the query reads every session of the range.
LONGEST = timedelta(days=366)

Period = Annotated[Literal["day", "week", "month"], Query(description="local days, ISO weeks or calendar months")]
From = Annotated[date | None, Query(alias="from", description="first day counted (default: 4 weeks before `to`)")]
To = Annotated[date | None, Query(alias="to", description="last day counted (default: today)")]


class OpeningHoursUnknown(DomainError):
    code = "opening_hours_unknown"


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class TechnicianPeriod(_View):
    """Minutes are whole minutes; ratios in basis points (10000 = 100 %), rounded half up, null
    when their denominator is zero (docs/reports.md)."""

    technician_id: str
    period: str = Field(description='"2031-05-07", "2031-W19" or "2031-05"')
    period_start: date
    sold_minutes: int = Field(description="flat-rate minutes of the jobs the technician completed")
    on_job_minutes: int = Field(description="minutes clocked on jobs")
    attended_minutes: int = Field(description="each day's first clock-on to last clock-off, added up")
    productivity_bp: int | None = Field(description="on_job / attended")
    efficiency_bp: int | None = Field(description="sold / on_job")
    proficiency_bp: int | None = Field(description="sold / attended")


class BayPeriod(_View):
    period: str
    period_start: date
    bays: int
    open_minutes: int = Field(description="the bays times the opening minutes of the open days")
    held_minutes: int = Field(description="minutes the bays held a job inside opening hours")
    utilisation_bp: int | None
    by_bay: dict[str, int]


class BayUtilisation(_View):
    period: str
    time_zone: str = Field(description="the site's, from its capacity plan")
    rows: list[BayPeriod]


def _range(request: Request, zone: ZoneInfo, first: date | None, last: date | None) -> tuple[date, date]:
    last = last or now(request).astimezone(zone).date()
    first = first or last - timedelta(weeks=4)
    problem = "`from` comes after `to`" if first > last else "at most 366 days" if last - first > LONGEST else ""
    if problem:
        raise RequestValidationError([{"loc": ("query", "from"), "msg": problem, "type": "value_error"}])
    return first, last


def _instants(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(first, time(), zone), datetime.combine(last + timedelta(days=1), time(), zone)


@router.get(
    "/sites/{site_id}/reports/technician-productivity",
    responses={**LIST_RESPONSES, **refusals("unknown_time_zone", not_found=False)},
)
async def technician_productivity(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    period: Period = "week",
    first: From = None,
    last: To = None,
    technician: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    tz: str = DEFAULT_TZ,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[TechnicianPeriod]:
    """Per technician and period, earliest period first: flat-rate minutes sold, minutes on jobs,
    minutes attended, and productivity, efficiency and proficiency."""
    tenant = site_tenant(identity, site_id, READERS)
    zone = parse_zone(tz)
    start, end = _instants(*_range(request, zone, first, last), zone)
    window, rows = await productivity.technician_periods(
        request.app.state.runtime.pool, tenant, period=period, start=start, end=end, zone=tz,
        technician=technician, cursor=cursor, limit=limit,
    )  # fmt: skip
    return [
        TechnicianPeriod(
            technician_id=row["technician_id"],
            period=productivity.period_label(row["period_start"], period),
            period_start=row["period_start"],
            sold_minutes=row["sold_minutes"],
            on_job_minutes=row["on_job_minutes"],
            attended_minutes=row["attended_minutes"],
            productivity_bp=productivity.ratio_bp(row["on_job_minutes"], row["attended_minutes"]),
            efficiency_bp=productivity.ratio_bp(row["sold_minutes"], row["on_job_minutes"]),
            proficiency_bp=productivity.ratio_bp(row["sold_minutes"], row["attended_minutes"]),
        )
        for row in answer(window, rows, request, response)
    ]


@router.get("/sites/{site_id}/reports/bay-utilisation", responses=refusals("opening_hours_unknown", not_found=False))
async def bay_utilisation(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    period: Period = "week",
    first: From = None,
    last: To = None,
) -> BayUtilisation:
    """Per period: the minutes the site's bays held a job inside opening hours, against every
    bay's opening minutes (the site's opening hours and bays as booking's capacity plan sets them)."""
    tenant = site_tenant(identity, site_id, READERS)
    pool = request.app.state.runtime.pool
    hours = await productivity.opening_hours(pool, tenant)
    if hours is None:
        raise OpeningHoursUnknown("the site's opening hours are not known yet: set its capacity at booking")
    zone = ZoneInfo(hours.timezone)
    first, last = _range(request, zone, first, last)
    holds = await productivity.bay_holds(pool, tenant, *_instants(first, last, zone))
    figures = productivity.bay_utilisation(holds, hours, period, first, last)
    return BayUtilisation(
        period=period,
        time_zone=hours.timezone,
        rows=[
            BayPeriod(
                period=f.period, period_start=f.period_start, bays=f.bays, open_minutes=f.open_minutes,
                held_minutes=f.held_minutes, utilisation_bp=f.utilisation_bp, by_bay=dict(sorted(f.by_bay.items())),
            )
            for f in figures
        ],
    )  # fmt: skip
