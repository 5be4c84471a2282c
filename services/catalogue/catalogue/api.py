"""The catalogue HTTP API: labour operations, labour rates, service menus and quotes (the parts
price list is `catalogue.price_list.api`). Paths are relative to a site; the gateway serves them
under `/api/v1`.

Everyone at a site reads its catalogue and asks for quotes. A site's labour rates, menus and
labour-operation overrides are its service manager's; what applies to every site of the group
(`scope=group`) is the group admin's. Every change takes effect from a date at the site
(`effective_from`, today if omitted, never in the past); a read or a quote `at` a date sees
what was in force on that date.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated
from uuid import uuid4

from fastapi import APIRouter, Path, Query, Request, Response

from catalogue import tables
from catalogue.domain.effective import effective_from as starting
from catalogue.domain.labour import ChangeLabourOperation
from catalogue.domain.labour_file import InvalidLabourFile
from catalogue.domain.menus import Interval, SetServiceMenu, next_service
from catalogue.domain.rates import SetLabourRates
from catalogue.handlers import Catalogue
from catalogue.schemas import (
    ImportView,
    LabourOperationBody,
    LabourOperationView,
    MenuBody,
    MenuView,
    NextServiceView,
    QuoteBody,
    QuoteView,
    RatesBody,
    RatesView,
    labour_code,
    labour_row_view,
    labour_view,
    quote_view,
)
from events.errors import NotFound
from events.http import Actor, CurrentIdentity, SiteId, acting, site_tenant
from events.identity import GROUP_ADMIN, SERVICE_MANAGER
from events.openapi import refusals
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Limit, answer

router = APIRouter(tags=["catalogue"])

MANAGERS = (SERVICE_MANAGER,)  # a group admin passes every role check
Manager = Annotated[Actor, acting(*MANAGERS)]
Anyone = Annotated[Actor, acting()]

Code = Annotated[str, Path(description="the labour operation code", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")]
MenuId = Annotated[
    str, Path(description="the menu's id, e.g. camry-10000", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
]
At = Annotated[date | None, Query(description="the date to read as of (today at the site if omitted)")]
Family = Annotated[str | None, Query(max_length=64, description="the vehicle's model family, e.g. Camry")]
Scope = Annotated[str, Query(pattern="^(group|site)$", description="group: every site of the group; site: this one")]
EffectiveFrom = Annotated[date | None, Query(description="in force from this date (today at the site if omitted)")]

MAX_FILE_BYTES = 50 * 1024 * 1024
CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}}


def catalogue_of(request: Request) -> Catalogue:
    catalogue: Catalogue = request.app.state.catalogue
    return catalogue


# --- labour operations -----------------------------------------------------------------------------


@router.get("/sites/{site_id}/labour-operations", responses=LIST_RESPONSES)
async def labour_operations(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    model_family: Family = None,
    at: At = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[LabourOperationView]:
    """The operations in force at the site: for one family, the row that applies to it per code (the
    site's override before the group's, the family's own row before `*`); without, every row."""
    tenant = site_tenant(identity, site_id)
    on = at or await catalogue_of(request).today(tenant)
    window, rows = await tables.labour_page(request.app.state.runtime.pool, tenant, model_family, on, cursor, limit)
    return [labour_row_view(row) for row in answer(window, rows, request, response)]


@router.post(
    "/sites/{site_id}/labour-operations/imports",
    status_code=201,
    openapi_extra=CSV_BODY,
)
async def import_labour_operations(
    request: Request, by: Anyone, scope: Scope = "site", effective_from: EffectiveFrom = None
) -> ImportView:
    """A labour-time file (CSV: `code,model_family,description_zh,description_en,flat_rate_minutes,
    skill_level`). All or nothing: any bad row → 422 `invalid_rows` listing every bad row, nothing imported."""
    by.identity.require_role(GROUP_ADMIN if scope == "group" else SERVICE_MANAGER)
    catalogue = catalogue_of(request)
    start = starting(effective_from, await catalogue.today(by.tenant))
    data = await request.body()
    if len(data) > MAX_FILE_BYTES:
        raise InvalidLabourFile.too_large(MAX_FILE_BYTES)
    done = await catalogue.import_labour_operations(by.metadata, scope, start, data)
    return ImportView.model_validate(done)


@router.get("/sites/{site_id}/labour-operations/{code}", responses=refusals())
async def labour_operation(
    site_id: SiteId, code: Code, identity: CurrentIdentity, request: Request, model_family: Family = None, at: At = None
) -> LabourOperationView:
    """The operation in force for the family (`*` if none is named) at the site on the date."""
    tenant = site_tenant(identity, site_id)
    catalogue = catalogue_of(request)
    on = at or await catalogue.today(tenant)
    found = await catalogue.labour_operation(tenant, code.strip().upper(), model_family or "*", on)
    if found is None:
        raise NotFound(f"no labour operation {code} for {model_family or '*'} at this site on {on.isoformat()}")
    return labour_view(found)


@router.put("/sites/{site_id}/labour-operations/{code}")
async def change_labour_operation(
    code: Code, body: LabourOperationBody, request: Request, by: Anyone
) -> LabourOperationView:
    """Edit one operation for one family, in force from `effective_from` (422 `effective_in_the_past`
    before today); the same edit again records nothing."""
    by.identity.require_role(GROUP_ADMIN if body.scope == "group" else SERVICE_MANAGER)
    catalogue = catalogue_of(request)
    start = starting(body.effective_from, await catalogue.today(by.tenant), field="body.effective_from")
    command = ChangeLabourOperation(uuid4(), body.scope, body.operation(labour_code(code)), start, by.identity.user_id)
    return labour_view(await catalogue.change_labour_operation(by.metadata, command))


# --- labour rates -----------------------------------------------------------------------------------


@router.put("/sites/{site_id}/labour-rates", responses=refusals("concurrency_conflict", not_found=False))
async def set_labour_rates(site_id: SiteId, body: RatesBody, request: Request, by: Manager) -> RatesView:
    """The site's rates per pay type (fen per hour), in force from `effective_from` (422
    `effective_in_the_past` before today); the same rates from the same date again record nothing."""
    catalogue = catalogue_of(request)
    command = SetLabourRates(
        str(site_id), body.rates, body.effective_from, await catalogue.today(by.tenant), by.identity.user_id
    )
    outcome = await catalogue.set_labour_rates(by.metadata, command, by.expected_version)
    assert outcome.state is not None
    state = outcome.state
    return RatesView(
        site_id=state.site_id, effective_from=state.effective_from, rates=state.rates, version=outcome.version
    )


@router.get("/sites/{site_id}/labour-rates", responses=refusals())
async def labour_rates(site_id: SiteId, identity: CurrentIdentity, request: Request, at: At = None) -> RatesView:
    tenant = site_tenant(identity, site_id)
    on = at or await catalogue_of(request).today(tenant)
    row = await tables.rates_at(request.app.state.runtime.pool, tenant, on)
    if row is None:
        raise NotFound(f"the site has no labour rates in force on {on.isoformat()}")
    return RatesView(site_id=str(site_id), effective_from=row["effective_from"], rates=json.loads(row["rates"]))


# --- service menus ------------------------------------------------------------------------------------


@router.get("/sites/{site_id}/service-menus", responses=LIST_RESPONSES)
async def service_menus(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    model_family: Family = None,
    at: At = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[MenuView]:
    """The site's menus in force on the date (of one family, if named), by family and interval."""
    tenant = site_tenant(identity, site_id)
    on = at or await catalogue_of(request).today(tenant)
    window, menus = await tables.menus_page(request.app.state.runtime.pool, tenant, on, model_family, cursor, limit)
    return [MenuView.model_validate(menu) for menu in answer(window, menus, request, response)]


@router.get("/sites/{site_id}/service-menus/next", responses=refusals())
async def next_service_due(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    model_family: Annotated[str, Query(min_length=1, max_length=64)],
    mileage_km: Annotated[int, Query(ge=0, le=10_000_000)],
    on: Annotated[date | None, Query(description="the visit's date (today at the site if omitted)")] = None,
) -> NextServiceView:
    """The next service after a visit at `mileage_km` on `on`: due at the nearest menu mileage above,
    or after the family's shortest time interval, whichever comes first (docs/catalogue.md)."""
    tenant = site_tenant(identity, site_id)
    day = on or await catalogue_of(request).today(tenant)
    menus = await tables.menus_at(request.app.state.runtime.pool, tenant, day, model_family)
    intervals = [
        Interval(m["menu_id"], m["name_zh"], m["name_en"], m["interval_km"], m["interval_months"]) for m in menus
    ]
    due = next_service(intervals, mileage_km, day)
    if due is None:
        raise NotFound(f"no service menu for {model_family} at this site")
    return NextServiceView(**vars(due))


@router.get("/sites/{site_id}/service-menus/{menu_id}", responses=refusals())
async def service_menu(
    site_id: SiteId, menu_id: MenuId, identity: CurrentIdentity, request: Request, at: At = None
) -> MenuView:
    tenant = site_tenant(identity, site_id)
    on = at or await catalogue_of(request).today(tenant)
    menu = await tables.menu_at(request.app.state.runtime.pool, tenant, menu_id, on)
    if menu is None:
        raise NotFound(f"no service menu {menu_id} at this site on {on.isoformat()}")
    return MenuView.model_validate(menu)


@router.put(
    "/sites/{site_id}/service-menus/{menu_id}",
    responses=refusals("concurrency_conflict", not_found=False),
)
async def set_service_menu(menu_id: MenuId, body: MenuBody, request: Request, by: Manager) -> MenuView:
    """The menu, in force from `effective_from` (422 `effective_in_the_past` before today); the same
    menu again records nothing."""
    catalogue = catalogue_of(request)
    command = SetServiceMenu(
        menu_id,
        body.model_family,
        body.name_zh,
        body.name_en,
        body.interval_km,
        body.interval_months,
        body.items,
        body.effective_from,
        await catalogue.today(by.tenant),
        by.identity.user_id,
    )
    outcome = await catalogue.set_service_menu(by.metadata, command, by.expected_version)
    assert outcome.state is not None
    return MenuView.model_validate({**outcome.state.model_dump(), "version": outcome.version})


# --- quotes ------------------------------------------------------------------------------------------


@router.post("/sites/{site_id}/quotes", responses=refusals("no_labour_rate", not_found=False))
async def quote(site_id: SiteId, body: QuoteBody, identity: CurrentIdentity, request: Request) -> QuoteView:
    """Labour operations, parts, or a whole menu priced into repair-order lines as in force on `at`.
    labour_price = rate * flat_rate_minutes / 60, rounded half up to the fen, once per line. An unknown
    operation, part or menu: 422 `unknown_reference` naming each."""
    tenant = site_tenant(identity, site_id)
    catalogue = catalogue_of(request)
    on = body.at or await catalogue.today(tenant)
    return quote_view(await catalogue.quote(tenant, body.request(), body.menu_id, on), on)
