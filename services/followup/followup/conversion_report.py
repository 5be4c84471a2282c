"""The conversion report (docs/reports.md): proposals made per period and reason, and how many
were answered, booked and arrived (`followup.domain.conversion`), from the contact queue's read
model — per site, or for the group (every site the caller may see)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from events.http import CurrentIdentity, SiteId
from events.openapi import refusals
from followup.csi_report import Period, Since, report_window
from followup.domain.conversion import ConversionRow, ProposalFact, conversion
from followup.reports import DEFAULT_TZ

router = APIRouter(tags=["followup"])


class ConversionReport(BaseModel):
    scope: str
    period: str
    time_zone: str
    rows: list[ConversionRow]


@router.get("/sites/{site_id}/reports/conversion", responses=refusals("unknown_time_zone", not_found=False))
async def conversion_report(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    period: Period = "month",
    since: Since = None,
    scope: Annotated[Literal["site", "group"], Query()] = "site",
    tz: str = DEFAULT_TZ,
) -> ConversionReport:
    """Per reason (maintenance due, declined work, campaign, recall) and period: proposed,
    answered, booked, arrived, and the share booked."""
    window = report_window(request, identity, site_id, period, since, scope, tz)
    rows = await request.app.state.runtime.pool.fetch(
        """SELECT reason, queued_at, last_answer IS NOT NULL AS answered, booked_at IS NOT NULL AS booked,
                  arrived_at IS NOT NULL AS arrived
           FROM contact_queue WHERE group_id = $1 AND ($2::text[] IS NULL OR site_id = ANY($2)) AND queued_at >= $3""",
        window.group_id,
        window.sites,
        window.start,
    )
    facts = [ProposalFact(r["reason"], r["queued_at"], r["answered"], r["booked"], r["arrived"]) for r in rows]
    return ConversionReport(scope=scope, period=period, time_zone=tz, rows=conversion(facts, period, window.zone))
