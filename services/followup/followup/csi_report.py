"""The CSI/VOC report's routes (docs/reports.md): callback reach, satisfaction, dissatisfaction
categories, complaints and the operational KPIs per week, month or year (`reports.py`), as JSON
or CSV — per site, or for the group (every site the caller may see). Its period, start and scope
parameters are the conversion report's too (`conversion_report.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import Field

from events.http import CurrentIdentity, SiteId, site_tenant
from events.identity import GROUP_ADMIN, SERVICE_MANAGER, Forbidden, Identity
from events.openapi import refusals
from events.runtime import now
from followup.api import READERS, REPORT_READERS
from followup.reports import DEFAULT_TZ, csi_rows, to_csv
from followup.schemas import View
from followup.time_zones import parse_zone

router = APIRouter(tags=["followup"])


class CsiReport(View):
    """CSI/VOC figures and the operational KPIs, one row per site (or the group) and period."""

    scope: str
    period: str
    time_zone: str
    rows: list[dict[str, Any]] = Field(description="one per site (or `group`) and period; see the CSV for the columns")


Period = Annotated[Literal["week", "month", "year"], Query(description="ISO weeks, calendar months or calendar years")]
Scope = Annotated[Literal["site", "group"], Query(description="this site, or every site of the group you may see")]
Since = Annotated[
    date | None,
    Query(alias="from", description="first day counted (default: 12 weeks ago; for years, 1 January of last year)"),
]


@dataclass(frozen=True)
class Window:
    """What a report reads: the group, its sites (None: every site of the group), the site's zone
    and the first moment counted."""

    group_id: str
    sites: list[str] | None
    zone: ZoneInfo
    start: datetime


def report_window(
    request: Request, identity: Identity, site_id: UUID, period: str, since: date | None, scope: str, tz: str
) -> Window:
    """The reports' (CSI/VOC and conversion) reader, zone, start and scope, each checked: a
    group's figures are for service managers and group administrators, over the sites they see."""
    tenant = site_tenant(identity, site_id, READERS)
    identity.require_role(*REPORT_READERS)
    zone = parse_zone(tz)
    first = since or default_start(now(request).astimezone(zone).date(), period)
    sites: list[str] | None = [tenant.site_id]
    if scope == "group":
        if not identity.roles & {SERVICE_MANAGER, GROUP_ADMIN}:
            raise Forbidden("the group's figures are for service managers and group administrators")
        sites = None if identity.all_sites else sorted(identity.site_ids)
    return Window(tenant.group_id, sites, zone, datetime.combine(first, time(), zone))


async def _report(
    request: Request, identity: Identity, site_id: UUID, period: str, since: date | None, scope: str, tz: str
) -> list[dict[str, Any]]:
    window = report_window(request, identity, site_id, period, since, scope, tz)
    pool = request.app.state.runtime.pool
    return await csi_rows(pool, window.group_id, window.sites, scope == "group", period, window.start, window.zone)


def default_start(today: date, period: str) -> date:
    # A year-end summary is read in the first weeks of the new year: last year must be whole.
    if period == "year":
        return date(today.year - 1, 1, 1)
    return today - timedelta(weeks=12)


@router.get("/sites/{site_id}/reports/csi", responses=refusals("unknown_time_zone", not_found=False))
async def csi_report(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    period: Period = "week",
    since: Since = None,
    scope: Scope = "site",
    tz: str = DEFAULT_TZ,
) -> CsiReport:
    """Callback reach within 72 h, satisfaction, dissatisfaction categories, complaints and the
    operational KPIs per week, month or year."""
    rows = await _report(request, identity, site_id, period, since, scope, tz)
    return CsiReport(scope=scope, period=period, time_zone=tz, rows=rows)


@router.get(
    "/sites/{site_id}/reports/csi.csv",
    responses={
        200: {"content": {"text/csv": {}}, "description": "the same rows as CSV"},
        **refusals("unknown_time_zone", not_found=False),
    },
)
async def csi_report_csv(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    period: Period = "week",
    since: Since = None,
    scope: Scope = "site",
    tz: str = DEFAULT_TZ,
) -> Response:
    rows = await _report(request, identity, site_id, period, since, scope, tz)
    return Response(
        to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="csi-{scope}-{period}.csv"'},
    )
