"""Choosing a campaign's or recall's targets (docs/reminders.md): by model, VIN range, mileage
or last visit among the cars the site's customer files know, or from an imported VIN list (CSV;
bad rows and VINs no file knows come back with their line and why). The answer's `file_ids` go
into `POST /sites/{site_id}/campaigns`."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from events.http import CurrentIdentity, SiteId, error_body, site_tenant
from events.openapi import refusals
from followup import targets
from followup.api import AGENTS, SUPERVISORS
from followup.domain.campaign_targets import RowError, TargetSelection, read_vin_list

router = APIRouter(tags=["followup"])
MAX_CSV = 2_000_000  # bytes: a maker's recall list of some tens of thousands of VINs


class SelectionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(default=None, min_length=1, max_length=200, description="e.g. Sagitar; % wildcards")
    vin_from: str | None = Field(default=None, min_length=1, max_length=17)
    vin_to: str | None = Field(default=None, min_length=1, max_length=17)
    min_mileage_km: int | None = Field(default=None, ge=0)
    max_mileage_km: int | None = Field(default=None, ge=0)
    last_visit_before: date | None = None
    last_visit_after: date | None = None

    def selection(self) -> TargetSelection:
        return TargetSelection(**self.model_dump())


class TargetCar(BaseModel):
    file_id: UUID
    vin: str
    plate: str
    model: str | None
    mileage_km: int
    last_visit_at: datetime


class RowProblem(BaseModel):
    line: int
    reason: str = Field(description="not_17_characters, invalid_characters, duplicate, no_vins, unknown_vin")


class Targets(BaseModel):
    targets: list[TargetCar]
    file_ids: list[UUID] = Field(description="each customer once: what a campaign's plan names")
    errors: list[RowProblem] = []


def _answer(rows: list[TargetCar], errors: list[RowError]) -> Targets:
    return Targets(
        targets=rows,
        file_ids=list(dict.fromkeys(row.file_id for row in rows)),
        errors=[RowProblem(line=e.line, reason=e.reason) for e in errors],
    )


@router.post("/sites/{site_id}/campaigns/targets", responses=refusals("missing_information", not_found=False))
async def select_targets(site_id: SiteId, body: SelectionBody, identity: CurrentIdentity, request: Request) -> Targets:
    """The cars matching every criterion given, with their customer file and last visit."""
    tenant = site_tenant(identity, site_id, (*AGENTS, *SUPERVISORS))
    rows = await targets.selected(request.app.state.runtime.pool, tenant, body.selection())
    return _answer([TargetCar.model_validate(dict(row)) for row in rows], [])


_CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}}


@router.post(
    "/sites/{site_id}/campaigns/targets/import",
    responses={**refusals(not_found=False), 413: {"description": "the list is too long"}},
    openapi_extra=_CSV_BODY,
)
async def import_targets(site_id: SiteId, identity: CurrentIdentity, request: Request) -> Targets:
    """A VIN list (CSV, the VIN in the first column): the cars found, and every row that was bad
    or named a car no customer file of the site knows (`unknown_vin`), with its line."""
    tenant = site_tenant(identity, site_id, (*AGENTS, *SUPERVISORS))
    raw = await request.body()
    if len(raw) > MAX_CSV:
        return JSONResponse(error_body("too_large", "at most 2 MB of VINs"), status_code=413)  # type: ignore[return-value]
    try:
        csv_text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return JSONResponse(error_body("not_utf8", "the list is not UTF-8 text"), status_code=422)  # type: ignore[return-value]
    vins, errors = read_vin_list(csv_text)
    rows = [
        TargetCar.model_validate(dict(row))
        for row in await targets.of_vins(request.app.state.runtime.pool, tenant, vins)
    ]
    known = {row.vin for row in rows}
    lines = _lines_of(csv_text)
    unknown = [RowError(lines[vin], "unknown_vin") for vin in vins if vin not in known]
    return _answer(rows, sorted([*errors, *unknown], key=lambda e: e.line))


def _lines_of(text: str) -> dict[str, int]:
    """Each VIN's first line (what `read_vin_list` kept)."""
    found: dict[str, int] = {}
    for line, raw in enumerate(text.splitlines(), start=1):
        vin = raw.split(",", 1)[0].strip().upper()
        found.setdefault(vin, line)
    return found
