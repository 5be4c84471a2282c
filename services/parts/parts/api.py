"""The parts HTTP API. A command route parses its body (which builds the domain command),
authorises with one dependency (`Clerk`, `Requester`, `OldPartRecorder`) and runs the command
with `events.commands.execute` — or a use case of `handlers.py` where one stream is not
enough. A query route checks the site, then reads the aggregate or a read model's query
(`projections.py`).

Paths are relative to a site (`/sites/{site_id}/...`); the gateway serves them under `/api/v1`.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Path, Request, Response

from events.commands import load
from events.http import Actor, CurrentIdentity, SiteId, acting, site_tenant
from events.identity import ADVISOR, DISPATCHER, PARTS_CLERK, SERVICE_MANAGER, SYSTEM, TECHNICIAN
from events.openapi import refusals
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Limit, answer
from events.runtime import now, store_of
from parts import projections
from parts.domain import old_part, parts_order, stock_item
from parts.handlers import Parts
from parts.schemas import (
    CancelBody,
    CountBody,
    DispositionBody,
    EmergencyOrderBody,
    IssueBody,
    OldPartBody,
    OldPartView,
    OrderListView,
    OrderReceiptBody,
    OrderView,
    ReceiptBody,
    ReleaseBody,
    ReserveBody,
    ReturnBody,
    StockLevelView,
    StockView,
    TransferBody,
    old_part_view,
    order_view,
    stock_view,
)

router = APIRouter(tags=["parts"])

PartNumber = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9\-./]*$")]

CLERKS = (PARTS_CLERK, SERVICE_MANAGER)
REQUESTERS = (PARTS_CLERK, ADVISOR, DISPATCHER, TECHNICIAN, SERVICE_MANAGER, SYSTEM)

Clerk = Annotated[Actor, acting(*CLERKS)]
Requester = Annotated[Actor, acting(*REQUESTERS)]
OldPartRecorder = Annotated[Actor, acting(*CLERKS, TECHNICIAN, ADVISOR)]

# Every command takes `If-Match`, so every one can meet a record changed since; each route
# adds the rules it can refuse on.
CONFLICT = "concurrency_conflict"
# A part number the path accepts may still be blank once trimmed.
BAD_PART = "invalid_part_number"


def parts_of(request: Request) -> Parts:
    parts: Parts = request.app.state.parts
    return parts


# --- stock ----------------------------------------------------------------------------------


@router.get("/sites/{site_id}/stock", responses=LIST_RESPONSES)
async def list_stock(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    short: bool = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[StockLevelView]:
    """The site's stock list; `short=true`: only parts that jobs are waiting for."""
    tenant = site_tenant(identity, site_id)
    window, rows = await projections.stock_list(request.app.state.runtime.pool, tenant, short, cursor, limit)
    return [StockLevelView.model_validate(dict(row)) for row in answer(window, rows, request, response)]


@router.get("/sites/{site_id}/stock/{part_number}")
async def get_stock(site_id: SiteId, part_number: PartNumber, identity: CurrentIdentity, request: Request) -> StockView:
    """One part's shelf at the site; a part never received shows as empty (version 0)."""
    tenant = site_tenant(identity, site_id)
    stream = stock_item.stream_id(site_id, part_number)
    state, version = await load(store_of(request), stock_item.stock_item, stream, tenant, must_exist=False)
    return stock_view(state, part_number, version)


async def _stock_command(
    request: Request, site_id: UUID, part_number: str, command: stock_item.StockCommand, by: Actor
) -> StockView:
    outcome = await by.run(
        store_of(request), stock_item.stock_item, stock_item.stream_id(site_id, part_number), command, must_exist=False
    )
    return stock_view(outcome.state, part_number, outcome.version)


@router.post(
    "/sites/{site_id}/stock/{part_number}/receipts",
    status_code=201,
    responses=refusals("invalid_stock_source", BAD_PART, CONFLICT),
)
async def receive_stock(
    site_id: SiteId, part_number: PartNumber, body: ReceiptBody, request: Request, by: Clerk
) -> StockView:
    """Parts arrive on the shelf; jobs waiting for them are served first."""
    return await _stock_command(request, site_id, part_number, body.command(part_number, now(request)), by)


@router.post(
    "/sites/{site_id}/stock/{part_number}/counts",
    status_code=201,
    responses=refusals("reason_required", BAD_PART, CONFLICT),
)
async def count_stock(
    site_id: SiteId, part_number: PartNumber, body: CountBody, request: Request, by: Clerk
) -> StockView:
    return await _stock_command(request, site_id, part_number, body.command(part_number, now(request)), by)


@router.post(
    "/sites/{site_id}/stock/{part_number}/reservations",
    status_code=201,
    responses=refusals("reservation_exists", "invalid_demand", BAD_PART, CONFLICT),
)
async def reserve(
    site_id: SiteId, part_number: PartNumber, body: ReserveBody, request: Request, by: Requester
) -> StockView:
    """Hold parts for a repair-order line or an appointment; what the shelf lacks is back-ordered."""
    return await _stock_command(request, site_id, part_number, body.command(part_number, now(request)), by)


@router.post(
    "/sites/{site_id}/stock/{part_number}/reservations/{reservation_id}/release",
    responses=refusals("unknown_reservation", "reason_required", BAD_PART, CONFLICT),
)
async def release(
    site_id: SiteId,
    part_number: PartNumber,
    reservation_id: UUID,
    body: ReleaseBody,
    request: Request,
    by: Requester,
) -> StockView:
    command = body.command(part_number, reservation_id, now(request))
    return await _stock_command(request, site_id, part_number, command, by)


@router.post(
    "/sites/{site_id}/stock/{part_number}/issues",
    status_code=201,
    responses=refusals("insufficient_stock", "unknown_reservation", "reservation_for_other_line", BAD_PART, CONFLICT),
)
async def issue(site_id: SiteId, part_number: PartNumber, body: IssueBody, request: Request, by: Clerk) -> StockView:
    return await _stock_command(request, site_id, part_number, body.command(part_number, now(request)), by)


@router.post(
    "/sites/{site_id}/stock/{part_number}/returns",
    status_code=201,
    responses=refusals("return_exceeds_issued", BAD_PART, CONFLICT),
)
async def return_parts(
    site_id: SiteId, part_number: PartNumber, body: ReturnBody, request: Request, by: Clerk
) -> StockView:
    return await _stock_command(request, site_id, part_number, body.command(part_number, now(request)), by)


# --- orders and transfers -------------------------------------------------------------------


@router.get("/sites/{site_id}/parts-orders", responses=LIST_RESPONSES)
async def list_orders(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    open_only: bool = True,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[OrderListView]:
    """Orders this site placed, and transfers other sites asked of it; the latest changed first."""
    tenant = site_tenant(identity, site_id)
    window, rows = await projections.order_list(request.app.state.runtime.pool, tenant, open_only, cursor, limit)
    return [OrderListView.model_validate(dict(row)) for row in answer(window, rows, request, response)]


@router.get("/sites/{site_id}/parts-orders/{order_id}", responses=refusals())
async def get_order(site_id: SiteId, order_id: UUID, identity: CurrentIdentity, request: Request) -> OrderView:
    tenant = site_tenant(identity, site_id)
    state, version = await load(store_of(request), parts_order.parts_order, parts_order.stream_id(order_id), tenant)
    return order_view(state, version)


async def _order_command(
    request: Request, order_id: UUID, command: parts_order.PartsOrderCommand, by: Actor, *, must_exist: bool = True
) -> OrderView:
    outcome = await by.run(
        store_of(request), parts_order.parts_order, parts_order.stream_id(order_id), command, must_exist=must_exist
    )
    return order_view(outcome.state, outcome.version)


@router.post(
    "/sites/{site_id}/parts-orders/emergency",
    status_code=201,
    responses=refusals(
        "supplier_required", "expected_before_ordered", "invalid_demand", BAD_PART, CONFLICT, not_found=False
    ),
)
async def place_emergency_order(site_id: SiteId, body: EmergencyOrderBody, request: Request, by: Clerk) -> OrderView:
    """Order parts a job waits for from a supplier; on receipt they go to that job's line first."""
    order_id = uuid4()
    return await _order_command(request, order_id, body.command(order_id, now(request)), by, must_exist=False)


@router.post(
    "/sites/{site_id}/parts-orders/transfers",
    status_code=201,
    responses=refusals("cross_group_transfer", "transfer_to_same_site", "invalid_demand", BAD_PART, CONFLICT),
)
async def request_transfer(site_id: SiteId, body: TransferBody, request: Request, by: Clerk) -> OrderView:
    """Ask another site of the group for parts. A site of another group is refused (409); a
    site the service has not seen is 404."""
    lines = tuple(line.request() for line in body.lines)
    outcome = await parts_of(request).request_transfer(
        by.metadata, body.from_site_id, lines, expected_version=by.expected_version
    )
    return order_view(outcome.state, outcome.version)


@router.post(
    "/sites/{site_id}/parts-orders/{order_id}/dispatch",
    responses=refusals("order_cancelled", "not_a_transfer", "transfer_already_dispatched", CONFLICT),
)
async def dispatch_transfer(site_id: SiteId, order_id: UUID, request: Request, by: Clerk) -> OrderView:
    """The giving site (this one) sends the parts of a transfer another site asked for."""
    outcome = await parts_of(request).dispatch_transfer(by.metadata, order_id, expected_version=by.expected_version)
    return order_view(outcome.state, outcome.version)


@router.post(
    "/sites/{site_id}/parts-orders/{order_id}/receipts",
    responses=refusals("order_cancelled", "transfer_not_dispatched", "unknown_order_line", "over_receipt", CONFLICT),
)
async def receive_order(
    site_id: SiteId, order_id: UUID, body: OrderReceiptBody, request: Request, by: Clerk
) -> OrderView:
    """The ordered parts arrive (all or some lines); they go on the shelf, waiting jobs first."""
    return await _order_command(request, order_id, body.command(now(request)), by)


@router.post(
    "/sites/{site_id}/parts-orders/{order_id}/cancel",
    responses=refusals("order_cancelled", "order_completed", "transfer_in_transit", "reason_required", CONFLICT),
)
async def cancel_order(site_id: SiteId, order_id: UUID, body: CancelBody, request: Request, by: Clerk) -> OrderView:
    return await _order_command(request, order_id, body.command(now(request)), by)


# --- old parts ------------------------------------------------------------------------------


async def _old_part_command(
    request: Request, old_part_id: UUID, command: old_part.OldPartCommand, by: Actor, *, must_exist: bool = True
) -> OldPartView:
    outcome = await by.run(
        store_of(request), old_part.old_part, old_part.stream_id(old_part_id), command, must_exist=must_exist
    )
    return old_part_view(outcome.state, outcome.version)


@router.post(
    "/sites/{site_id}/old-parts",
    status_code=201,
    responses=refusals("invalid_customer_choice", "warranty_part_must_return", BAD_PART, CONFLICT, not_found=False),
)
async def record_old_part(site_id: SiteId, body: OldPartBody, request: Request, by: OldPartRecorder) -> OldPartView:
    old_part_id = uuid4()
    return await _old_part_command(request, old_part_id, body.command(old_part_id, now(request)), by, must_exist=False)


@router.get("/sites/{site_id}/old-parts/{old_part_id}", responses=refusals())
async def get_old_part(site_id: SiteId, old_part_id: UUID, identity: CurrentIdentity, request: Request) -> OldPartView:
    tenant = site_tenant(identity, site_id)
    state, version = await load(store_of(request), old_part.old_part, old_part.stream_id(old_part_id), tenant)
    return old_part_view(state, version)


@router.post(
    "/sites/{site_id}/old-parts/{old_part_id}/disposition",
    responses=refusals(
        "old_part_already_disposed",
        "invalid_disposition",
        "warranty_part_must_return",
        "customer_keeps_old_part",
        CONFLICT,
    ),
)
async def dispose_old_part(
    site_id: SiteId, old_part_id: UUID, body: DispositionBody, request: Request, by: Clerk
) -> OldPartView:
    return await _old_part_command(request, old_part_id, body.command(now(request)), by)
