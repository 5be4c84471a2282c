"""The parts HTTP API: parse, authorise, call a use case, answer with the new state.

Paths are relative to a site (`/sites/{site_id}/...`); the gateway serves them under `/api/v1`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Path, Request, Response

from events.errors import NotFound
from events.http import CurrentIdentity, SiteId, command_metadata, site_tenant
from events.identity import ADVISOR, DISPATCHER, PARTS_CLERK, SERVICE_MANAGER, SYSTEM, TECHNICIAN, Identity
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Key, Limit, Listing, answer
from parts.domain.old_part import DisposeOldPart, RecordOldPart
from parts.domain.parts_order import ReceivedLine
from parts.domain.stock_commands import AdjustStock, Issue, ReceiveStock, ReleaseReservation, Reserve, ReturnParts
from parts.handlers import Parts
from parts.schemas import (
    CountBody,
    DispositionBody,
    EmergencyOrderBody,
    IssueBody,
    OldPartBody,
    OrderReceiptBody,
    ReceiptBody,
    ReleaseBody,
    ReserveBody,
    ReturnBody,
    TransferBody,
    old_part_view,
    order_view,
    stock_view,
)

router = APIRouter(tags=["parts"])

PartNumber = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9\-./]*$")]

CLERKS = (PARTS_CLERK, SERVICE_MANAGER)
REQUESTERS = (PARTS_CLERK, ADVISOR, DISPATCHER, TECHNICIAN, SERVICE_MANAGER, SYSTEM)


def parts_of(request: Request) -> Parts:
    parts: Parts = request.app.state.parts
    return parts


# --- stock ----------------------------------------------------------------------------------


STOCK = Listing("parts.stock", (Key("part_number", str, nullable=False),))


@router.get("/sites/{site_id}/stock", responses=LIST_RESPONSES)
async def list_stock(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    short: bool = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[dict[str, Any]]:
    """The site's stock list; `short=true`: only parts that jobs are waiting for."""
    tenant = site_tenant(identity, site_id)
    window = STOCK.window(cursor, limit, first=4)
    rows = await request.app.state.runtime.pool.fetch(
        f"""SELECT part_number, on_hand, reserved, on_hand - reserved AS available, backordered, updated_at
           FROM stock_levels WHERE group_id = $1 AND site_id = $2 AND (NOT $3 OR backordered > 0) AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        short,
        *window.params,
    )
    return [dict(row) for row in answer(window, rows, request, response)]


@router.get("/sites/{site_id}/stock/{part_number}")
async def get_stock(
    site_id: SiteId, part_number: PartNumber, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    state, version = await parts_of(request).stock_state(site_tenant(identity, site_id), part_number)
    return stock_view(state, part_number, version)


async def _stock_command(
    request: Request, identity: Identity, site_id: UUID, command: Any, roles: tuple[str, ...]
) -> dict[str, Any]:
    identity.require_role(*roles)
    metadata = command_metadata(identity, str(site_id), request)
    outcome = await parts_of(request).stock(metadata, command)
    return stock_view(outcome.state, command.part_number, outcome.version)


@router.post("/sites/{site_id}/stock/{part_number}/receipts", status_code=201)
async def receive_stock(
    site_id: SiteId, part_number: PartNumber, body: ReceiptBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    command = ReceiveStock(part_number, body.quantity, body.unit_cost, body.source, parts_of(request).now())
    return await _stock_command(request, identity, site_id, command, CLERKS)


@router.post("/sites/{site_id}/stock/{part_number}/counts", status_code=201)
async def count_stock(
    site_id: SiteId, part_number: PartNumber, body: CountBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    command = AdjustStock(part_number, body.counted_quantity, body.reason, parts_of(request).now())
    return await _stock_command(request, identity, site_id, command, CLERKS)


@router.post("/sites/{site_id}/stock/{part_number}/reservations", status_code=201)
async def reserve(
    site_id: SiteId, part_number: PartNumber, body: ReserveBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    command = Reserve(
        part_number,
        body.reservation_id,
        body.quantity,
        parts_of(request).now(),
        body.repair_order_id,
        body.line_id,
        body.appointment_id,
    )
    return await _stock_command(request, identity, site_id, command, REQUESTERS)


@router.post("/sites/{site_id}/stock/{part_number}/reservations/{reservation_id}/release")
async def release(
    site_id: SiteId,
    part_number: PartNumber,
    reservation_id: UUID,
    body: ReleaseBody,
    identity: CurrentIdentity,
    request: Request,
) -> dict[str, Any]:
    command = ReleaseReservation(part_number, reservation_id, body.reason, parts_of(request).now())
    return await _stock_command(request, identity, site_id, command, REQUESTERS)


@router.post("/sites/{site_id}/stock/{part_number}/issues", status_code=201)
async def issue(
    site_id: SiteId, part_number: PartNumber, body: IssueBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    command = Issue(
        part_number, body.repair_order_id, body.line_id, body.quantity, parts_of(request).now(), body.reservation_id
    )
    return await _stock_command(request, identity, site_id, command, CLERKS)


@router.post("/sites/{site_id}/stock/{part_number}/returns", status_code=201)
async def return_parts(
    site_id: SiteId, part_number: PartNumber, body: ReturnBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    command = ReturnParts(part_number, body.repair_order_id, body.line_id, body.quantity, parts_of(request).now())
    return await _stock_command(request, identity, site_id, command, CLERKS)


# --- orders and transfers -------------------------------------------------------------------


ORDERS = Listing(
    "parts.orders",
    (Key("updated_at", datetime, descending=True, nullable=False), Key("parts_order_id", UUID, nullable=False)),
)


@router.get("/sites/{site_id}/parts-orders", responses=LIST_RESPONSES)
async def list_orders(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    open_only: bool = True,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[dict[str, Any]]:
    """Orders this site placed, and transfers other sites asked of it; the latest changed first."""
    tenant = site_tenant(identity, site_id)
    window = ORDERS.window(cursor, limit, first=4)
    rows = await request.app.state.runtime.pool.fetch(
        f"""SELECT parts_order_id, site_id, kind, status, supplier, from_site_id, expected_at, lines,
                  outstanding, updated_at
           FROM parts_orders WHERE group_id = $1 AND (site_id = $2 OR from_site_id = $2)
             AND (NOT $3 OR status NOT IN ('received', 'cancelled')) AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        open_only,
        *window.params,
    )
    return [
        {**dict(row), "parts_order_id": str(row["parts_order_id"])} for row in answer(window, rows, request, response)
    ]


@router.get("/sites/{site_id}/parts-orders/{order_id}")
async def get_order(site_id: SiteId, order_id: UUID, identity: CurrentIdentity, request: Request) -> dict[str, Any]:
    state, version = await parts_of(request).order_state(site_tenant(identity, site_id), order_id)
    return order_view(state, version)


@router.post("/sites/{site_id}/parts-orders/emergency", status_code=201)
async def place_emergency_order(
    site_id: SiteId, body: EmergencyOrderBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    identity.require_role(*CLERKS)
    metadata = command_metadata(identity, str(site_id), request)
    lines = tuple(line.request() for line in body.lines)
    outcome = await parts_of(request).place_emergency_order(metadata, body.supplier, lines, body.expected_at)
    return order_view(outcome.state, outcome.version)


@router.post("/sites/{site_id}/parts-orders/transfers", status_code=201)
async def request_transfer(
    site_id: SiteId, body: TransferBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """Ask another site of the group for parts. A site of another group is refused (409)."""
    identity.require_role(*CLERKS)
    metadata = command_metadata(identity, str(site_id), request)
    from_group = await request.app.state.runtime.pool.fetchval(
        "SELECT group_id FROM known_sites WHERE site_id = $1", str(body.from_site_id)
    )
    if from_group is None:
        raise NotFound(f"site {body.from_site_id} is not known to the parts service")
    lines = tuple(line.request() for line in body.lines)
    outcome = await parts_of(request).request_transfer(metadata, body.from_site_id, _as_uuid(from_group), lines)
    return order_view(outcome.state, outcome.version)


@router.post("/sites/{site_id}/parts-orders/{order_id}/dispatch")
async def dispatch_transfer(
    site_id: SiteId, order_id: UUID, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """The giving site (this one) sends the parts of a transfer another site asked for."""
    identity.require_role(*CLERKS)
    outcome = await parts_of(request).dispatch_transfer(command_metadata(identity, str(site_id), request), order_id)
    return order_view(outcome.state, outcome.version)


@router.post("/sites/{site_id}/parts-orders/{order_id}/receipts")
async def receive_order(
    site_id: SiteId, order_id: UUID, body: OrderReceiptBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    identity.require_role(*CLERKS)
    lines = tuple(ReceivedLine(line.line_number, line.quantity) for line in body.lines)
    outcome = await parts_of(request).receive_order(command_metadata(identity, str(site_id), request), order_id, lines)
    return order_view(outcome.state, outcome.version)


@router.post("/sites/{site_id}/parts-orders/{order_id}/cancel")
async def cancel_order(
    site_id: SiteId, order_id: UUID, body: ReleaseBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    identity.require_role(*CLERKS)
    outcome = await parts_of(request).cancel_order(
        command_metadata(identity, str(site_id), request), order_id, body.reason
    )
    return order_view(outcome.state, outcome.version)


# --- old parts ------------------------------------------------------------------------------


@router.post("/sites/{site_id}/old-parts", status_code=201)
async def record_old_part(
    site_id: SiteId, body: OldPartBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    identity.require_role(*CLERKS, TECHNICIAN, ADVISOR)
    command = RecordOldPart(
        uuid4(),
        body.repair_order_id,
        body.line_id,
        body.part_number,
        body.quantity,
        body.warranty,
        body.customer_choice,
        parts_of(request).now(),
    )
    outcome = await parts_of(request).record_old_part(command_metadata(identity, str(site_id), request), command)
    return old_part_view(outcome.state, outcome.version)


@router.get("/sites/{site_id}/old-parts/{old_part_id}")
async def get_old_part(
    site_id: SiteId, old_part_id: UUID, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    state, version = await parts_of(request).old_part_state(site_tenant(identity, site_id), old_part_id)
    return old_part_view(state, version)


@router.post("/sites/{site_id}/old-parts/{old_part_id}/disposition")
async def dispose_old_part(
    site_id: SiteId, old_part_id: UUID, body: DispositionBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    identity.require_role(*CLERKS)
    command = DisposeOldPart(body.disposition, parts_of(request).now(), body.reference)
    outcome = await parts_of(request).dispose_old_part(
        command_metadata(identity, str(site_id), request), old_part_id, command
    )
    return old_part_view(outcome.state, outcome.version)


def _as_uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(f"site group {value} is not a dealer-group id") from None
