"""The repair e-record routes: the period's records and their status, one record, a
resubmission after a fix, and the period's export file."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from billing import erecord_views as views
from billing.erecord import STATUSES
from billing.erecord_handlers import ERecords
from events.errors import NotFound
from events.http import Actor, CurrentIdentity, SiteId, acting, site_tenant
from events.identity import ADVISOR, CASHIER, SERVICE_MANAGER, SYSTEM
from events.openapi import refusals
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Limit, answer

router = APIRouter(tags=["repair e-record"])

RecordId = Annotated[UUID, Path(description="the e-record id")]
From = Annotated[date | None, Query(alias="from", description="first settlement date, YYYY-MM-DD")]
To = Annotated[date | None, Query(alias="to", description="last settlement date (included), YYYY-MM-DD")]
READERS = (CASHIER, SERVICE_MANAGER, ADVISOR, SYSTEM)
Desk = Annotated[Actor, acting(CASHIER, SERVICE_MANAGER)]


class ERecordView(BaseModel):
    record_id: UUID
    repair_order_id: UUID
    invoice_number: str
    status: str = Field(description="pending, sent, accepted or rejected (see reason)")
    attempts: int = Field(description="uploads sent in this submission")
    submission: int = Field(description="1, +1 per resubmission")
    last_error: str | None = Field(description="why the last upload did not reach the platform")
    retry_at: datetime | None
    reason: str | None = Field(description="the platform's reason, when rejected")
    platform_record_id: str | None
    record: dict[str, Any] = Field(description="the record's fields (JT/T 1132), as last built")
    settled_at: datetime
    prepared_at: datetime
    updated_at: datetime


def erecords_of(request: Request) -> ERecords:
    erecords: ERecords = request.app.state.erecords
    return erecords


def _period(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        error = {"loc": ("query", "to"), "msg": "the period ends before it starts", "type": "value_error"}
        raise RequestValidationError([error])


@router.get("/sites/{site_id}/e-records", responses=LIST_RESPONSES)
async def list_erecords(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    start: From = None,
    end: To = None,
    status: Annotated[str | None, Query(description=f"one of {', '.join(STATUSES)}")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[ERecordView]:
    """The site's e-records settled in the period, oldest settlement first."""
    tenant = site_tenant(identity, site_id, READERS)
    _period(start, end)
    if status is not None and status not in STATUSES:
        error = {"loc": ("query", "status"), "msg": f"one of {', '.join(STATUSES)}", "type": "value_error"}
        raise RequestValidationError([error])
    window, rows = await views.period(
        erecords_of(request).runtime.pool, tenant, start=start, end=end, status=status, cursor=cursor, limit=limit
    )
    return [ERecordView(**views.view(row)) for row in answer(window, rows, request, response)]


@router.get(
    "/sites/{site_id}/e-records/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "the period's records, UTF-8 CSV with a BOM"}},
)
async def export_erecords(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    start: Annotated[date, Query(alias="from", description="first settlement date, YYYY-MM-DD")],
    end: Annotated[date, Query(alias="to", description="last settlement date (included), YYYY-MM-DD")],
) -> Response:
    """The period's records as a file: CSV, UTF-8 with a byte-order mark (Excel and WPS open it
    with the Chinese intact), one row per settlement with every field of the record and its status."""
    tenant = site_tenant(identity, site_id, READERS)
    _period(start, end)
    rows = await views.whole_period(erecords_of(request).runtime.pool, tenant, start, end)
    filename = f"e-records-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(
        views.export_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/sites/{site_id}/e-records/{record_id}", responses=refusals())
async def get_erecord(site_id: SiteId, record_id: RecordId, identity: CurrentIdentity, request: Request) -> ERecordView:
    tenant = site_tenant(identity, site_id, READERS)
    row = await views.one(erecords_of(request).runtime.pool, tenant, record_id)
    if row is None:
        raise NotFound(f"no e-record {record_id} at this site")
    return ERecordView(**views.view(row))


@router.post(
    "/sites/{site_id}/e-records/{record_id}/resubmission",
    status_code=202,
    responses=refusals("erecord_upload_in_progress"),
)
async def resubmit_erecord(record_id: RecordId, request: Request, by: Desk) -> ERecordView:
    """Send a rejected (or accepted, then corrected) record again, built with the site's
    enterprise identity as it is now (e.g. after the licence number was corrected)."""
    erecords = erecords_of(request)
    await erecords.resubmit(by.metadata, record_id)
    row = await views.one(erecords.runtime.pool, by.tenant, record_id)
    assert row is not None  # written with the resubmission's events
    return ERecordView(**views.view(row))
