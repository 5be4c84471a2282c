"""The workshop's part of the visit, as the desk records it over HTTP: the car and its key
handed over to the workshop, and the customer's decision on each piece of additional work the
workshop found (its findings and readiness come from the workshop itself, `policies.py`, not
from a route). Shared pieces: `api.py`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request

from events.openapi import refusals
from events.runtime import now, store_of
from reception.api import IN_PROGRESS, VISIT, WORK_CHANGES, Desk, RepairOrderId
from reception.domain.repair_order import repair_order, stream_id
from reception.personal import answer_for
from reception.schemas import ApproveBody, DeclineBody, HandOverBody
from reception.views import RepairOrderView, repair_order_view

router = APIRouter(tags=["reception"])

FindingId = Annotated[UUID, Path(description="the additional work the workshop found")]


@router.post(
    f"{VISIT}/hand-over",
    responses=refusals(*IN_PROGRESS, "already_handed_over", "key_tag_required", "time_out_of_order"),
)
async def hand_over(repair_order_id: RepairOrderId, body: HandOverBody, request: Request, by: Desk) -> RepairOrderView:
    outcome = await by.run(store_of(request), repair_order, stream_id(repair_order_id), body.command(now(request)))
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


@router.post(
    f"{VISIT}/additional-work/{{finding_id}}/approve",
    responses=refusals(*WORK_CHANGES, "finding_not_found", "finding_already_decided", "consent_required"),
)
async def approve_additional_work(
    repair_order_id: RepairOrderId, finding_id: FindingId, body: ApproveBody, request: Request, by: Desk
) -> RepairOrderView:
    outcome = await by.run(
        store_of(request), repair_order, stream_id(repair_order_id), body.command(finding_id, now(request))
    )
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


@router.post(
    f"{VISIT}/additional-work/{{finding_id}}/decline",
    responses=refusals(
        *IN_PROGRESS,
        "finding_not_found",
        "finding_already_decided",
        "consent_required",
        "safety_explanation_required",
    ),
)
async def decline_additional_work(
    repair_order_id: RepairOrderId, finding_id: FindingId, body: DeclineBody, request: Request, by: Desk
) -> RepairOrderView:
    outcome = await by.run(
        store_of(request), repair_order, stream_id(repair_order_id), body.command(finding_id, now(request))
    )
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))
