"""The parts price list over HTTP: import a price file as a new version, list the versions,
read one part's price on a date. The list is the dealer group's; a site in the path is where
the caller works (and whose today is the default date).

Import: a service manager or a group admin. Reads: any staff of the site.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from catalogue.price_list import lookup
from catalogue.price_list.importer import Imported, import_price_list
from catalogue.price_list.rows import MAX_LISTED, InvalidRows
from catalogue.zones import site_today
from events.errors import NotFound
from events.http import ERROR_CODE_KEY, Actor, CurrentIdentity, SiteId, acting, error_body, site_tenant
from events.identity import GROUP_ADMIN
from events.openapi import refusals
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Limit, answer
from events.runtime import ServiceRuntime, now, store_of

router = APIRouter(tags=["parts price list"])

# `require_role` lets a group admin through as well.
# The price list is the whole group's: an import replaces it at every site, so it is the group's
# administrator's, not one site's manager's.
Importer = Annotated[Actor, acting(GROUP_ADMIN)]
PartNumber = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9\-./]*$")]
# A price file of a million parts is about 60 MB; anything larger is not one.
MAX_FILE_BYTES = 64 * 1024 * 1024


class ImportedView(BaseModel):
    price_list_id: UUID
    version: int
    rows: int
    effective_from: date


class PriceListView(BaseModel):
    price_list_id: UUID
    version: int
    effective_from: date
    rows: int
    superseded: int
    site_id: str
    imported_by: str
    imported_at: datetime


class PartPriceView(BaseModel):
    part_number: str
    description: str
    list_price: int
    cost: int
    oem: bool
    superseded_by: str | None
    price_list_version: int


def runtime_of(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def _imported(imported: Imported) -> dict[str, Any]:
    view = ImportedView(
        price_list_id=imported.price_list_id,
        version=imported.version,
        rows=imported.rows,
        effective_from=imported.effective_from,
    )
    return view.model_dump(mode="json")


def _refused(request: Request, status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    request.scope[ERROR_CODE_KEY] = code  # counted by the command metrics, as the shared handlers do
    return JSONResponse(error_body(code, message, **extra), status_code=status)


async def _file(request: Request) -> bytes | None:
    """The request's body, or None once it passes `MAX_FILE_BYTES` (read no further)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FILE_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/sites/{site_id}/price-lists",
    status_code=201,
    responses={
        200: {"description": "a retry: the same file for the same date as the latest version, which is answered"},
        413: {"description": "the file is larger than 64 MiB (`file_too_large`)"},
        422: {
            "description": "`invalid_rows`: `rows` lists every bad row (the first 1,000) as {line, field, reason}, "
            "`count` counts them all; nothing was imported. `effective_in_the_past`: the date is before today"
        },
        **refusals("concurrency_conflict"),
    },
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_prices(
    site_id: SiteId,
    request: Request,
    by: Importer,
    effective_from: Annotated[date, Query(description="the day the new version takes effect (YYYY-MM-DD)")],
) -> Any:
    """Import the group's parts price file (CSV; docs/catalogue.md, "The parts price list") as a new
    version in force from `effective_from`. All or nothing."""
    data = await _file(request)
    if data is None:
        return _refused(
            request, 413, "file_too_large", f"a price file is at most {MAX_FILE_BYTES // (1024 * 1024)} MiB"
        )
    runtime = runtime_of(request)
    moment = now(request)
    today = await site_today(runtime.pool, by.tenant, moment)
    try:
        imported = await import_price_list(
            store_of(request), by.metadata, data, effective_from, now=moment, today=today
        )
    except InvalidRows as invalid:
        rows = [{"line": e.line, "field": e.field, "reason": e.reason} for e in invalid.errors.listed]
        return _refused(request, 422, invalid.code, str(invalid), rows=rows[:MAX_LISTED], count=invalid.errors.count)
    return JSONResponse(_imported(imported), status_code=200 if imported.replayed else 201)


@router.get("/sites/{site_id}/price-lists", responses=LIST_RESPONSES)
async def list_price_lists(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[PriceListView]:
    """The group's price-list versions, the latest first."""
    tenant = site_tenant(identity, site_id)
    async with runtime_of(request).pool.acquire() as conn:
        window, rows = await lookup.versions(conn, tenant.group_id, cursor, limit)
    return [PriceListView.model_validate(dict(row)) for row in answer(window, rows, request, response)]


@router.get("/sites/{site_id}/parts-prices/{part_number}", responses=refusals())
async def get_part_price(
    site_id: SiteId,
    part_number: PartNumber,
    identity: CurrentIdentity,
    request: Request,
    at: Annotated[date | None, Query(description="the day whose prices to read (default: today at the site)")] = None,
    follow: Annotated[bool, Query(description="a superseded part answers with the part that replaces it")] = False,
) -> PartPriceView:
    """One part as the group's price list in force on `at` lists it; 404 when that list does not
    hold it (or no list is in force yet)."""
    tenant = site_tenant(identity, site_id)
    runtime = runtime_of(request)
    day = at or await site_today(runtime.pool, tenant, now(request))
    async with runtime.pool.acquire() as conn:
        found = await lookup.prices(conn, tenant.group_id, [part_number], day, follow=follow)
    if part_number not in found:
        raise NotFound(f"part {lookup.normalise(part_number)} is not in the price list in force on {day.isoformat()}")
    return PartPriceView.model_validate(found[part_number], from_attributes=True)
