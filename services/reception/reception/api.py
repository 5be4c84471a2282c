"""The reception HTTP API. A command route parses its body (which builds the domain command
with the clock's `now`), authorises with one dependency (`Desk`, `Manager`) and runs the
command on the repair order with `events.commands.execute`, passing the caller's `If-Match` as
the version it expects; check-in, which looks booking's record up first, and the commands priced
by the catalogue (estimate, added line, delivery's next service) run their use cases
(`handlers.py`). A query route checks the site and calls its read model's query. Every answer
is a view of `views.py`, customers' details shown by role (`personal.py`).

The RO is settled by billing (`billing.InvoicePaid`, `policies.py`), not by a route.

Paths are relative to a site (`/sites/{site_id}/...`); the gateway serves them under `/api/v1`.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Header, Path, Request, Response
from fastapi.exceptions import RequestValidationError

from events.commands import load
from events.http import Actor, CurrentIdentity, SiteId, acting, site_tenant
from events.identity import ADVISOR, SERVICE_MANAGER
from events.openapi import ErrorBody, refusals
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Limit, answer
from events.runtime import now, store_of
from reception import examples
from reception.domain import reception_settings
from reception.domain.repair_order import repair_order, stream_id
from reception.handlers import Reception
from reception.personal import answer_for, visit_as_seen, visits_as_seen
from reception.price_schemas import (
    AddLineBody,
    DiscountApprovalBody,
    EstimateBody,
    ReceptionSettingsBody,
    ReceptionSettingsView,
    reception_settings_view,
)
from reception.projections import VISITS, visits
from reception.schemas import (
    ApproveBody,
    CheckInBody,
    ConcernBody,
    DamageBody,
    DeclineBody,
    DeliveryBody,
    ExitSlipBody,
    HandOverBody,
    PromisedTimeBody,
    RemoveLineBody,
    SignBody,
    WalkAroundBody,
)
from reception.views import RepairOrderSummary, RepairOrderView, repair_order_view

router = APIRouter(tags=["reception"])

RepairOrderId = Annotated[UUID, Path(description="the repair order (visit) id")]
FindingId = Annotated[UUID, Path(description="the additional work the workshop found")]
LineId = Annotated[UUID, Path(description="a line of the repair order")]
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
# Findings and readiness come from the workshop, settlement from billing (policies.py), not from a route.
Desk = Annotated[Actor, acting(*DESK)]
Manager = Annotated[Actor, acting(SERVICE_MANAGER)]

VISIT = "/sites/{site_id}/repair-orders/{repair_order_id}"

# The refusals every command on an existing visit shares: an exit slip ended it, or the
# caller's `If-Match` is behind. Before signing, a signed RO refuses; after, the RO must be
# signed and neither settled nor delivered.
_ON_A_VISIT = ("visit_closed", "concurrency_conflict")
_UNSIGNED = (*_ON_A_VISIT, "already_signed")
_IN_PROGRESS = (*_ON_A_VISIT, "not_signed", "already_settled", "already_delivered")
_LINE_RULES = ("duplicate_line", "goodwill_reason_required", "customer_supplied_part_priced")
# Lines priced by the catalogue: its refusals (an unknown code or part) pass through with their
# code; a line not at the catalogue's price needs a reason; 503 peer_unavailable: it is down.
_PRICED = ("price_reason_required", "model_family_required")
CATALOGUE_DOWN: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorBody, "description": "the catalogue cannot be reached (`peer_unavailable`): nothing was done"}
}


def reception_of(request: Request) -> Reception:
    reception: Reception = request.app.state.reception
    return reception


# --- reading --------------------------------------------------------------------------------


@router.get("/sites/{site_id}/repair-orders", responses={**LIST_RESPONSES, **refusals(not_found=False)})
async def list_repair_orders(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    open_only: bool = True,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[RepairOrderSummary]:
    """The site's visits, newest first; `open_only` (default): not yet delivered or ended by an exit slip."""
    tenant = site_tenant(identity, site_id)
    pool = request.app.state.runtime.pool
    window = VISITS.window(cursor, limit, first=4)
    shown = answer(window, await visits(pool, tenant, open_only, window), request, response)
    return await visits_as_seen(pool, identity, request, [dict(row) for row in shown])


@router.get(VISIT, responses=refusals())
async def get_repair_order(
    site_id: SiteId, repair_order_id: RepairOrderId, identity: CurrentIdentity, request: Request
) -> RepairOrderView:
    tenant = site_tenant(identity, site_id)
    state, version = await load(store_of(request), repair_order, stream_id(repair_order_id), tenant)
    return await visit_as_seen(request.app.state.runtime.pool, identity, request, repair_order_view(state, version))


# --- at the reception desk ------------------------------------------------------------------


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
    responses=refusals(*_UNSIGNED, "walk_around_already_recorded", "overnight_check_incomplete"),
)
async def walk_around(
    repair_order_id: RepairOrderId, body: WalkAroundBody, request: Request, by: Desk
) -> RepairOrderView:
    outcome = await by.run(store_of(request), repair_order, stream_id(repair_order_id), body.command(now(request)))
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


@router.post(
    f"{VISIT}/damages",
    status_code=201,
    responses=refusals(*_ON_A_VISIT, "walk_around_required", "already_delivered", "invalid_code"),
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
    responses=refusals(*_UNSIGNED, "duplicate_concern", "concern_not_read_back", "missing_information"),
)
async def record_concern(
    repair_order_id: RepairOrderId, body: ConcernBody, request: Request, by: Desk
) -> RepairOrderView:
    outcome = await by.run(store_of(request), repair_order, stream_id(repair_order_id), body.command(now(request)))
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


@router.post(
    f"{VISIT}/estimate",
    status_code=201,
    responses={
        **refusals(*_UNSIGNED, *_LINE_RULES, *_PRICED, "promised_time_in_past", "invalid_code"),
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
    responses=refusals(*_UNSIGNED, "estimate_required", "discount_approval_not_needed"),
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
        *_UNSIGNED,
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


@router.post(f"{VISIT}/exit-slip", status_code=201, responses=refusals(*_UNSIGNED, "diagnosis_fee_not_allowed"))
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
        **refusals(*_IN_PROGRESS, *_LINE_RULES, *_PRICED, "consent_required", "discount_beyond_authority"),
        **CATALOGUE_DOWN,
    },
)
async def add_line(repair_order_id: RepairOrderId, body: AddLineBody, request: Request, by: Desk) -> RepairOrderView:
    """A line priced like the estimate's; a discount beyond the caller's authority is refused."""
    outcome = await reception_of(request).add_line(by, repair_order_id, body, now(request))
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


@router.post(
    f"{VISIT}/lines/{{line_id}}/remove",
    responses=refusals(*_IN_PROGRESS, "line_not_found", "last_line", "consent_required", "missing_information"),
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
        *_IN_PROGRESS, "promised_time_unchanged", "promised_time_in_past", "consent_required", "missing_information"
    ),
)
async def revise_promised_time(
    repair_order_id: RepairOrderId, body: PromisedTimeBody, request: Request, by: Desk
) -> RepairOrderView:
    outcome = await by.run(store_of(request), repair_order, stream_id(repair_order_id), body.command(now(request)))
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


# --- workshop and additional work -------------------------------------------------------------


@router.post(
    f"{VISIT}/hand-over",
    responses=refusals(*_IN_PROGRESS, "already_handed_over", "key_tag_required", "time_out_of_order"),
)
async def hand_over(repair_order_id: RepairOrderId, body: HandOverBody, request: Request, by: Desk) -> RepairOrderView:
    outcome = await by.run(store_of(request), repair_order, stream_id(repair_order_id), body.command(now(request)))
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


@router.post(
    f"{VISIT}/additional-work/{{finding_id}}/approve",
    responses=refusals(*_IN_PROGRESS, "finding_not_found", "finding_already_decided", "consent_required"),
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
        *_IN_PROGRESS,
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


# --- the end of the visit -------------------------------------------------------------------

# What stands between a car back from the workshop and its settlement or delivery.
_NOT_YET_DUE = ("not_ready_for_delivery", "finding_awaiting_decision")


@router.post(
    f"{VISIT}/delivery",
    responses={
        **refusals(
            *_ON_A_VISIT,
            *_NOT_YET_DUE,
            "not_signed",
            "already_delivered",
            "not_settled",
            "explanation_required",
            "old_parts_not_returned",
        ),
        **CATALOGUE_DOWN,
    },
)
async def deliver(
    repair_order_id: RepairOrderId,
    body: Annotated[DeliveryBody, Body(openapi_examples=examples.DELIVERY)],
    request: Request,
    by: Desk,
) -> RepairOrderView:
    """The car goes back to the customer, after billing reported the invoice paid. The next
    service the desk does not give is the catalogue's next service menu for the car's model
    family, or the site's default interval."""
    outcome = await reception_of(request).deliver(by, repair_order_id, body, now(request))
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))


# --- the site's reception settings ----------------------------------------------------------

SETTINGS = "/sites/{site_id}/reception-settings"


@router.get(SETTINGS, responses=refusals(not_found=False))
async def get_reception_settings(site_id: SiteId, identity: CurrentIdentity, request: Request) -> ReceptionSettingsView:
    """The site's discount authority per role and default service interval (the defaults until set)."""
    tenant = site_tenant(identity, site_id)
    stream = reception_settings.stream_id(tenant.site_id)
    state, version = await load(
        store_of(request), reception_settings.reception_settings, stream, tenant, must_exist=False
    )
    return reception_settings_view(tenant.site_id, state, version)


@router.put(SETTINGS, responses=refusals("invalid_code", "invalid_amount", "concurrency_conflict", not_found=False))
async def set_reception_settings(body: ReceptionSettingsBody, request: Request, by: Manager) -> ReceptionSettingsView:
    """Set by the service manager; the same settings again change nothing."""
    site = by.tenant.site_id
    outcome = await by.run(
        store_of(request),
        reception_settings.reception_settings,
        reception_settings.stream_id(site),
        body.command(by.identity.user_id, now(request)),
        must_exist=False,
    )
    return reception_settings_view(site, outcome.state, outcome.version)
