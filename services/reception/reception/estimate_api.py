"""The repair order's lines and price over HTTP: the estimate (priced by the catalogue), a
service manager's approval of a discount beyond the advisor's authority, the customer's
signature — or the exit slip that ends the visit instead — and, once signed, the changes to its
lines and promised time that the domain asks the customer's consent for. Shared pieces: `api.py`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path, Request

from events.openapi import refusals
from events.runtime import now, store_of
from reception import examples
from reception.api import (
    CATALOGUE_DOWN,
    IN_PROGRESS,
    LINE_RULES,
    PRICED,
    UNSIGNED,
    VISIT,
    WORK_CHANGES,
    Desk,
    Manager,
    RepairOrderId,
    reception_of,
)
from reception.domain.repair_order import repair_order, stream_id
from reception.personal import answer_for
from reception.price_schemas import AddLineBody, DiscountApprovalBody, EstimateBody
from reception.schemas import ExitSlipBody, PromisedTimeBody, RemoveLineBody, SignBody
from reception.views import RepairOrderView, repair_order_view

router = APIRouter(tags=["reception"])

LineId = Annotated[UUID, Path(description="a line of the repair order")]


# --- the estimate and its signature ------------------------------------------------------


@router.post(
    f"{VISIT}/estimate",
    status_code=201,
    responses={
        **refusals(*UNSIGNED, *LINE_RULES, *PRICED, "promised_time_in_past", "invalid_code"),
        **CATALOGUE_DOWN,
    },
)
async def prepare_estimate(
    repair_order_id: RepairOrderId,
    body: Annotated[EstimateBody, Body(openapi_examples=examples.ESTIMATE)],
    request: Request,
    by: Desk,
) -> RepairOrderView:
    """The estimate, priced by the catalogue (a service menu, catalogue items) with any lines
    typed by hand. Recorded even when a discount is beyond the caller's authority
    (`discount_approval.required`): it is signed after a service manager's approval."""
    outcome = await reception_of(request).prepare_estimate(by, repair_order_id, body, now(request))
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


@router.post(
    f"{VISIT}/discount-approval",
    responses=refusals(*UNSIGNED, "estimate_required", "discount_approval_not_needed"),
)
async def approve_discount(
    repair_order_id: RepairOrderId, body: DiscountApprovalBody, request: Request, by: Manager
) -> RepairOrderView:
    """A service manager approves the estimate's discount beyond the advisor's authority."""
    command = body.command(by.identity.user_id, now(request))
    outcome = await by.run(store_of(request), repair_order, stream_id(repair_order_id), command)
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


@router.post(
    f"{VISIT}/sign",
    responses=refusals(
        *UNSIGNED,
        "estimate_required",
        "walk_around_required",
        "concern_required",
        "discount_approval_required",
        "promised_time_in_past",
        "missing_information",
    ),
)
async def sign(
    repair_order_id: RepairOrderId,
    body: Annotated[SignBody, Body(openapi_examples=examples.SIGN)],
    request: Request,
    by: Desk,
) -> RepairOrderView:
    outcome = await by.run(store_of(request), repair_order, stream_id(repair_order_id), body.command(now(request)))
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


@router.post(f"{VISIT}/exit-slip", status_code=201, responses=refusals(*UNSIGNED, "diagnosis_fee_not_allowed"))
async def issue_exit_slip(
    repair_order_id: RepairOrderId, body: ExitSlipBody, request: Request, by: Desk
) -> RepairOrderView:
    outcome = await by.run(store_of(request), repair_order, stream_id(repair_order_id), body.command(now(request)))
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


# --- changes after signing (the domain asks for the customer's consent) ---------------------


@router.post(
    f"{VISIT}/lines",
    status_code=201,
    responses={
        **refusals(*WORK_CHANGES, *LINE_RULES, *PRICED, "consent_required", "discount_beyond_authority"),
        **CATALOGUE_DOWN,
    },
)
async def add_line(repair_order_id: RepairOrderId, body: AddLineBody, request: Request, by: Desk) -> RepairOrderView:
    """A line priced like the estimate's; a discount beyond the caller's authority is refused."""
    outcome = await reception_of(request).add_line(by, repair_order_id, body, now(request))
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


@router.post(
    f"{VISIT}/lines/{{line_id}}/remove",
    responses=refusals(*WORK_CHANGES, "line_not_found", "last_line", "consent_required", "missing_information"),
)
async def remove_line(
    repair_order_id: RepairOrderId, line_id: LineId, body: RemoveLineBody, request: Request, by: Desk
) -> RepairOrderView:
    outcome = await by.run(
        store_of(request), repair_order, stream_id(repair_order_id), body.command(line_id, now(request))
    )
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


@router.post(
    f"{VISIT}/promised-time",
    responses=refusals(
        *IN_PROGRESS, "promised_time_unchanged", "promised_time_in_past", "consent_required", "missing_information"
    ),
)
async def revise_promised_time(
    repair_order_id: RepairOrderId, body: PromisedTimeBody, request: Request, by: Desk
) -> RepairOrderView:
    outcome = await by.run(store_of(request), repair_order, stream_id(repair_order_id), body.command(now(request)))
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))
