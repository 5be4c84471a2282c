"""The reception HTTP API: parse, authorise, call a use case, answer with the new state.

Paths are relative to a site (`/sites/{site_id}/...`); the gateway serves them under `/api/v1`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Path, Request, Response
from fastapi.exceptions import RequestValidationError

from events.commands import Outcome
from events.envelope import Metadata
from events.http import CurrentIdentity, SiteId, command_metadata, site_tenant
from events.identity import ADVISOR, CASHIER, SERVICE_MANAGER, Identity
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Key, Limit, Listing, answer
from reception.domain.repair_order_state import RepairOrder
from reception.handlers import Reception
from reception.personal import answer_for, visit_as_seen, visits_as_seen
from reception.schemas import (
    AddLineBody,
    ApproveBody,
    CheckInBody,
    ConcernBody,
    DamageBody,
    DeclineBody,
    DeliveryBody,
    EstimateBody,
    ExitSlipBody,
    HandOverBody,
    PromisedTimeBody,
    RemoveLineBody,
    SettlementBody,
    SignBody,
    WalkAroundBody,
    repair_order_view,
)

router = APIRouter(tags=["reception"])

RepairOrderId = Annotated[UUID, Path(description="the repair order (visit) id")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="names a walk-in's visit: the same key and body again answer with the same visit",
    ),
]

DESK = (ADVISOR, SERVICE_MANAGER)
CASH_DESK = (*DESK, CASHIER)
# Findings and readiness come from the workshop (its dispatcher, or a system reacting to it).

Action = Callable[[Reception, Metadata, datetime], Awaitable[Outcome[RepairOrder]]]


def reception_of(request: Request) -> Reception:
    reception: Reception = request.app.state.reception
    return reception


async def _act(
    request: Request, identity: Identity, site_id: UUID, roles: tuple[str, ...], action: Action
) -> dict[str, Any]:
    identity.require_role(*roles)
    metadata = command_metadata(identity, str(site_id), request)
    reception = reception_of(request)
    outcome = await action(reception, metadata, reception.now())
    return answer_for(identity, repair_order_view(outcome.state, outcome.version))


# --- reading --------------------------------------------------------------------------------


VISITS = Listing(
    "reception.repair_orders",
    (Key("checked_in_at", datetime, descending=True, nullable=False), Key("repair_order_id", UUID, nullable=False)),
)


@router.get("/sites/{site_id}/repair-orders", responses=LIST_RESPONSES)
async def list_repair_orders(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    open_only: bool = True,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[dict[str, Any]]:
    """The site's visits, newest first; `open_only` (default): not yet delivered or ended by an exit slip."""
    tenant = site_tenant(identity, site_id)
    pool = request.app.state.runtime.pool
    window = VISITS.window(cursor, limit, first=4)
    rows = await pool.fetch(
        f"""SELECT repair_order_id, status, advisor, plate, vin, customer_name, arrival_kind, priority,
                  customer_waiting, promised_at, checked_in_at, greeted_at, signed, ready, settled, delivered,
                  invoice_total, currency, updated_at
           FROM repair_orders WHERE group_id = $1 AND site_id = $2
             AND (NOT $3 OR status NOT IN ('delivered', 'exit_slip')) AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        open_only,
        *window.params,
    )
    shown = answer(window, rows, request, response)
    listed = [{**dict(row), "repair_order_id": str(row["repair_order_id"])} for row in shown]
    return await visits_as_seen(pool, identity, request, listed)


@router.get("/sites/{site_id}/repair-orders/{repair_order_id}")
async def get_repair_order(
    site_id: SiteId, repair_order_id: RepairOrderId, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    state, version = await reception_of(request).repair_order_state(site_tenant(identity, site_id), repair_order_id)
    return await visit_as_seen(request.app.state.runtime.pool, identity, request, repair_order_view(state, version))


# --- at the reception desk ------------------------------------------------------------------


@router.post("/sites/{site_id}/repair-orders", status_code=201)
async def check_in(
    site_id: SiteId,
    body: CheckInBody,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Greet and receive the car; the advisor is the caller. 201 with the new visit; 200 with
    the visit this check-in already started (the same appointment, or a retry with the same
    `repair_order_id` or `Idempotency-Key` and body). An appointment car is checked in once
    booking has recorded its arrival (409 arrival_not_recorded until then; 404
    appointment_not_found if booking has no such appointment at the site)."""
    if idempotency_key is not None and body.repair_order_id is not None:
        raise RequestValidationError(
            [
                {
                    "loc": ("header", "Idempotency-Key"),
                    "msg": "send a key or a repair_order_id, not both",
                    "type": "value_error",
                }
            ]
        )
    identity.require_role(*DESK)
    metadata = command_metadata(identity, str(site_id), request)
    reception = reception_of(request)
    now = reception.now()
    outcome = await reception.check_in(
        metadata,
        lambda ro: body.command(ro, identity.user_id, now),
        appointment_id=body.appointment_id,
        chosen_id=body.repair_order_id,
        idempotency_key=idempotency_key,
    )
    if not outcome.recorded:
        response.status_code = 200
    return answer_for(identity, repair_order_view(outcome.state, outcome.version))


@router.post("/sites/{site_id}/repair-orders/{repair_order_id}/walk-around", status_code=201)
async def walk_around(
    site_id: SiteId, repair_order_id: RepairOrderId, body: WalkAroundBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    return await _act(
        request, identity, site_id, DESK, lambda r, m, now: r.record_walk_around(m, repair_order_id, body.command(now))
    )


@router.post("/sites/{site_id}/repair-orders/{repair_order_id}/damages", status_code=201)
async def report_damage(
    site_id: SiteId, repair_order_id: RepairOrderId, body: DamageBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    return await _act(
        request,
        identity,
        site_id,
        DESK,
        lambda r, m, now: r.report_damage(m, repair_order_id, body.command(identity.user_id, now)),
    )


@router.post("/sites/{site_id}/repair-orders/{repair_order_id}/concerns", status_code=201)
async def record_concern(
    site_id: SiteId, repair_order_id: RepairOrderId, body: ConcernBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    return await _act(
        request, identity, site_id, DESK, lambda r, m, now: r.record_concern(m, repair_order_id, body.command(now))
    )


@router.post("/sites/{site_id}/repair-orders/{repair_order_id}/estimate", status_code=201)
async def prepare_estimate(
    site_id: SiteId, repair_order_id: RepairOrderId, body: EstimateBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    return await _act(
        request, identity, site_id, DESK, lambda r, m, now: r.prepare_estimate(m, repair_order_id, body.command(now))
    )


@router.post("/sites/{site_id}/repair-orders/{repair_order_id}/sign")
async def sign(
    site_id: SiteId, repair_order_id: RepairOrderId, body: SignBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    return await _act(request, identity, site_id, DESK, lambda r, m, now: r.sign(m, repair_order_id, body.command(now)))


@router.post("/sites/{site_id}/repair-orders/{repair_order_id}/exit-slip", status_code=201)
async def issue_exit_slip(
    site_id: SiteId, repair_order_id: RepairOrderId, body: ExitSlipBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    return await _act(
        request, identity, site_id, DESK, lambda r, m, now: r.issue_exit_slip(m, repair_order_id, body.command(now))
    )


# --- changes after signing (the domain asks for the customer's consent) ---------------------


@router.post("/sites/{site_id}/repair-orders/{repair_order_id}/lines", status_code=201)
async def add_line(
    site_id: SiteId, repair_order_id: RepairOrderId, body: AddLineBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    return await _act(
        request, identity, site_id, DESK, lambda r, m, now: r.add_line(m, repair_order_id, body.command(now))
    )


@router.post("/sites/{site_id}/repair-orders/{repair_order_id}/lines/{line_id}/remove")
async def remove_line(
    site_id: SiteId,
    repair_order_id: RepairOrderId,
    line_id: UUID,
    body: RemoveLineBody,
    identity: CurrentIdentity,
    request: Request,
) -> dict[str, Any]:
    return await _act(
        request,
        identity,
        site_id,
        DESK,
        lambda r, m, now: r.remove_line(m, repair_order_id, body.command(line_id, now)),
    )


@router.post("/sites/{site_id}/repair-orders/{repair_order_id}/promised-time")
async def revise_promised_time(
    site_id: SiteId, repair_order_id: RepairOrderId, body: PromisedTimeBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    return await _act(
        request,
        identity,
        site_id,
        DESK,
        lambda r, m, now: r.revise_promised_time(m, repair_order_id, body.command(now)),
    )


# --- workshop and additional work -------------------------------------------------------------


@router.post("/sites/{site_id}/repair-orders/{repair_order_id}/hand-over")
async def hand_over(
    site_id: SiteId, repair_order_id: RepairOrderId, body: HandOverBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    return await _act(
        request, identity, site_id, DESK, lambda r, m, now: r.hand_over(m, repair_order_id, body.command(now))
    )


@router.post("/sites/{site_id}/repair-orders/{repair_order_id}/additional-work/{finding_id}/approve")
async def approve_additional_work(
    site_id: SiteId,
    repair_order_id: RepairOrderId,
    finding_id: UUID,
    body: ApproveBody,
    identity: CurrentIdentity,
    request: Request,
) -> dict[str, Any]:
    return await _act(
        request,
        identity,
        site_id,
        DESK,
        lambda r, m, now: r.approve_additional_work(m, repair_order_id, body.command(finding_id, now)),
    )


@router.post("/sites/{site_id}/repair-orders/{repair_order_id}/additional-work/{finding_id}/decline")
async def decline_additional_work(
    site_id: SiteId,
    repair_order_id: RepairOrderId,
    finding_id: UUID,
    body: DeclineBody,
    identity: CurrentIdentity,
    request: Request,
) -> dict[str, Any]:
    return await _act(
        request,
        identity,
        site_id,
        DESK,
        lambda r, m, now: r.decline_additional_work(m, repair_order_id, body.command(finding_id, now)),
    )


# --- the end of the visit -------------------------------------------------------------------


@router.post("/sites/{site_id}/repair-orders/{repair_order_id}/settlement")
async def settle(
    site_id: SiteId, repair_order_id: RepairOrderId, body: SettlementBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    return await _act(
        request, identity, site_id, CASH_DESK, lambda r, m, now: r.settle(m, repair_order_id, body.command(now))
    )


@router.post("/sites/{site_id}/repair-orders/{repair_order_id}/delivery")
async def deliver(
    site_id: SiteId, repair_order_id: RepairOrderId, body: DeliveryBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    return await _act(
        request, identity, site_id, DESK, lambda r, m, now: r.deliver(m, repair_order_id, body.command(now))
    )
