"""The car's arrival at the reception desk, over HTTP: the check-in (a walk-in, or an
appointment car once booking recorded its arrival), the walk-around with the damages found on
the car, and the customer's concerns, read back to them. Shared pieces: `api.py`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Request, Response
from fastapi.exceptions import RequestValidationError

from events.openapi import refusals
from events.runtime import now, store_of
from reception import examples
from reception.api import ON_A_VISIT, UNSIGNED, VISIT, Desk, RepairOrderId, reception_of
from reception.domain.repair_order import repair_order, stream_id
from reception.personal import answer_for
from reception.schemas import CheckInBody, ConcernBody, DamageBody, WalkAroundBody
from reception.views import RepairOrderView, repair_order_view

router = APIRouter(tags=["reception"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="names a walk-in's visit: the same key and body again answer with the same visit",
    ),
]


@router.post(
    "/sites/{site_id}/repair-orders",
    status_code=201,
    responses=refusals(
        "idempotency_key_reused",
        "arrival_not_recorded",
        "appointment_cancelled",
        "appointment_mismatch",
        "time_out_of_order",
        "contact_required",
        "invalid_courtesy_transport",
        "invalid_code",
        "concurrency_conflict",
    ),
)
async def check_in(
    body: Annotated[CheckInBody, Body(openapi_examples=examples.CHECK_IN)],
    request: Request,
    response: Response,
    by: Desk,
    idempotency_key: IdempotencyKey = None,
) -> RepairOrderView:
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
    greeted_at = now(request)
    outcome = await reception_of(request).check_in(
        by.metadata,
        lambda ro: body.command(ro, by.identity.user_id, greeted_at),
        appointment_id=body.appointment_id,
        chosen_id=body.repair_order_id,
        idempotency_key=idempotency_key,
        expected_version=by.expected_version,
    )
    if not outcome.recorded:
        response.status_code = 200
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


@router.post(
    f"{VISIT}/walk-around",
    status_code=201,
    responses=refusals(*UNSIGNED, "walk_around_already_recorded", "overnight_check_incomplete"),
)
async def walk_around(
    repair_order_id: RepairOrderId, body: WalkAroundBody, request: Request, by: Desk
) -> RepairOrderView:
    outcome = await by.run(store_of(request), repair_order, stream_id(repair_order_id), body.command(now(request)))
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


@router.post(
    f"{VISIT}/damages",
    status_code=201,
    responses=refusals(*ON_A_VISIT, "walk_around_required", "already_delivered", "invalid_code"),
)
async def report_damage(
    repair_order_id: RepairOrderId, body: DamageBody, request: Request, by: Desk
) -> RepairOrderView:
    outcome = await by.run(
        store_of(request), repair_order, stream_id(repair_order_id), body.command(by.identity.user_id, now(request))
    )
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


@router.post(
    f"{VISIT}/concerns",
    status_code=201,
    responses=refusals(*UNSIGNED, "duplicate_concern", "concern_not_read_back", "missing_information"),
)
async def record_concern(
    repair_order_id: RepairOrderId, body: ConcernBody, request: Request, by: Desk
) -> RepairOrderView:
    outcome = await by.run(store_of(request), repair_order, stream_id(repair_order_id), body.command(now(request)))
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))
