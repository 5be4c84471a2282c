"""Approval from the customer's phone (docs/approval-links.md).

Public (the gateway's `/api/v1/public/approvals/...`, no sign-in: the link's token is the only
credential, and it names its site, RO and decision):

    GET  /public/approvals/{token}            the decision's items: description, grade, photos,
                                              price, extra time; the current total
    POST /public/approvals/{token}/decision   each finding approved or declined (or the estimate
                                              signed), recorded as the customer's digital consent

A link is refused 404 `link_invalid` (tampered, another purpose, no such visit: never which),
410 `link_expired`, 409 `link_used` once its decision is recorded; the domain's refusals pass
through with their codes (409), as for the advisor.

For the desk: `GET|POST /sites/{s}/repair-orders/{id}/approval-requests` lists the links sent
and their use (when, from which device), and sends one again (a new link for the decision
awaiting the customer: the latest round of findings, or the current estimate).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from events.catalog.reception_values import Consent
from events.commands import execute, load
from events.envelope import Metadata
from events.errors import NotFound
from events.http import Actor, CurrentIdentity, SiteId, acting, site_tenant
from events.link_refusals import LinkRefused, link_refusals
from events.openapi import refusals
from events.personal_data import phone_subject
from events.runtime import now, store_of
from reception.api import DESK, RepairOrderId
from reception.approval_links import ApprovalLinks, Device, consent_reference, decided_at, decisions_of, spend
from reception.approval_links import tenant_of as link_tenant
from reception.approval_views import ApprovalPage, ApprovalRequestView, approval_page, approval_requests
from reception.domain import errors
from reception.domain.approvals import (
    ADDITIONAL_WORK,
    ESTIMATE,
    approval_of_scope,
    current_estimate_scope,
    latest_pending_round,
)
from reception.domain.repair_order import repair_order, stream_id
from reception.domain.repair_order_commands import (
    DecideFindings,
    FindingDecision,
    RepairOrderCommand,
    RequestApproval,
    SignRepairOrder,
)
from reception.domain.repair_order_state import RepairOrder

public_router = APIRouter(tags=["approval links"])
router = APIRouter(tags=["reception"])

Token = Annotated[str, Path(description="the link's token, as the message carried it", max_length=2000)]
# A public operation needs no bearer token (the combined OpenAPI document says so per operation).
PUBLIC: dict[str, Any] = {"security": []}
# The customer is the actor of what their link records; their device is in `approval_decisions`.
CUSTOMER = "customer"


def links_of(request: Request) -> ApprovalLinks:
    links: ApprovalLinks = request.app.state.reception.links
    return links


async def _visit_of(request: Request, token: str) -> tuple[Any, Any, RepairOrder]:
    """The link's claims, the visit's tenant and its state; `LinkRefused` for a link that acts on nothing."""
    claims, repair_order_id = links_of(request).read(token, now(request))
    tenant = await link_tenant(request.app.state.runtime.pool, claims, repair_order_id)
    try:
        state, _ = await load(store_of(request), repair_order, stream_id(repair_order_id), tenant)
    except NotFound:
        raise LinkRefused("link_invalid") from None
    if state.checked_in is None:
        raise LinkRefused("link_invalid")
    return claims, tenant, state


def _require_current(state: RepairOrder, scope: str) -> None:
    if approval_of_scope(scope) == ESTIMATE and state.signed_at is None and scope != current_estimate_scope(state):
        raise errors.ApprovalOutdated(
            "the estimate was changed after this link was sent: your service advisor sends you the new one"
        )


@public_router.get(
    "/public/approvals/{token}",
    responses=link_refusals("approval_outdated"),
    openapi_extra=PUBLIC,
)
async def read_approval(token: Token, request: Request) -> ApprovalPage:
    """What the customer is asked to decide: each item with its grade, photos, price and extra
    time, and what the approved work costs so far. Still readable once decided (`decided_at`)."""
    claims, _, state = await _visit_of(request, token)
    _require_current(state, claims.scope)
    used = await decided_at(request.app.state.runtime.pool, token)
    return approval_page(state, token, approval_of_scope(claims.scope), claims.scope, claims.expires_at, used)


class ItemDecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    finding_id: UUID
    decision: Literal["approved", "declined"]
    reason: str = Field(default="", max_length=500, description="why it is declined (optional)")
    risk_acknowledged: bool = Field(
        default=False,
        description="declining a red (safety) item: the customer read the page's warning of the risk",
    )


class DecisionBody(BaseModel):
    """A round of additional work: `items`, every finding the link asks about. The estimate:
    `approved: true` (the customer signs it; to change it they call the advisor)."""

    model_config = ConfigDict(extra="forbid")

    items: list[ItemDecisionBody] = Field(default_factory=list, max_length=100)
    approved: bool | None = None


def _field_error(field: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("body", field), "msg": message, "type": "value_error"}])


def _decision_command(body: DecisionBody, scope: str, consent: Consent) -> RepairOrderCommand:
    if approval_of_scope(scope) == ESTIMATE:
        if body.items or body.approved is not True:
            raise _field_error("approved", "to sign the estimate send approved: true; to change it, call your advisor")
        return SignRepairOrder(consent.reference, consent.at, consent=consent, estimate_scope=scope)
    if not body.items or body.approved is not None:
        raise _field_error("items", "decide each item the link asks about")
    decisions = tuple(
        FindingDecision(item.finding_id, item.decision == "approved", item.reason.strip(), item.risk_acknowledged)
        for item in body.items
    )
    return DecideFindings(scope, decisions, consent, consent.at)


def _device(request: Request) -> Device:
    # Behind the gateway, the customer's address is the one it forwards (gateway.public).
    forwarded = request.headers.get("x-forwarded-for", "").split(",")[-1].strip()
    address = forwarded or (request.client.host if request.client else "")
    return Device(request.headers.get("user-agent", ""), address)


@public_router.post(
    "/public/approvals/{token}/decision",
    responses=link_refusals(
        "link_used",
        "approval_outdated",
        "decision_incomplete",
        "finding_not_found",
        "finding_already_decided",
        "safety_explanation_required",
        "already_signed",
        "not_signed",
        "already_settled",
        "already_delivered",
        "repair_order_invoiced",
    ),
    openapi_extra=PUBLIC,
)
async def decide(token: Token, body: DecisionBody, request: Request) -> ApprovalPage:
    """The customer's decision, recorded once as their digital consent (the link's digest, the
    time, the device): approved findings become work on the RO, declined ones stay as
    recommendations with their evidence; an approved estimate is the customer's signature."""
    claims, tenant, state = await _visit_of(request, token)
    _require_current(state, claims.scope)
    at = now(request)
    assert state.checked_in is not None
    customer = state.checked_in.customer
    subject = customer.customer_id or phone_subject(customer.phone)
    store = store_of(request)
    metadata = Metadata(tenant, CUSTOMER, request.headers.get("x-request-id") or str(uuid.uuid4()))
    async with store.transaction() as conn:
        digest = await spend(
            conn, token, tenant, state.checked_in.repair_order_id, claims.scope, subject, _device(request), at
        )
        consent = Consent(kind="digital", recorded_by=CUSTOMER, at=at, reference=consent_reference(digest))
        command = _decision_command(body, claims.scope, consent)
        outcome = await execute(
            store,
            repair_order,
            stream_id(state.checked_in.repair_order_id),
            command,
            metadata,
            must_exist=True,
            conn=conn,
        )
    return approval_page(outcome.state, token, approval_of_scope(claims.scope), claims.scope, claims.expires_at, at)


# --- for the desk ---------------------------------------------------------------------------

REQUESTS = "/sites/{site_id}/repair-orders/{repair_order_id}/approval-requests"


class ApprovalRequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approval_of: Literal["additional_work", "estimate"] = Field(
        description="additional_work: the latest round of findings awaiting the customer; estimate: the current one"
    )


@router.get(REQUESTS, responses=refusals())
async def list_approval_requests(
    site_id: SiteId, repair_order_id: RepairOrderId, identity: CurrentIdentity, request: Request
) -> list[ApprovalRequestView]:
    """The links sent to the customer (the desk's roles only: a link acts as the customer), and
    for each one used, when and from which device."""
    tenant = site_tenant(identity, site_id, DESK)
    state, _ = await load(store_of(request), repair_order, stream_id(repair_order_id), tenant)
    used = await decisions_of(request.app.state.runtime.pool, tenant, repair_order_id)
    return approval_requests(state, used)


@router.post(
    REQUESTS,
    status_code=201,
    responses=refusals("nothing_to_approve", "approval_outdated", "estimate_required", "not_signed", "already_signed"),
)
async def send_approval_request(
    repair_order_id: RepairOrderId,
    body: ApprovalRequestBody,
    request: Request,
    by: Annotated[Actor, acting(*DESK)],
) -> ApprovalRequestView:
    """A new link for the decision awaiting the customer (sent by notifications like the first)."""
    stream = stream_id(repair_order_id)
    state, _ = await load(store_of(request), repair_order, stream, by.tenant)
    scope = latest_pending_round(state) if body.approval_of == ADDITIONAL_WORK else current_estimate_scope(state)
    if scope is None:
        raise errors.NothingToApprove(f"nothing awaits the customer's decision ({body.approval_of})")
    at = now(request)
    link, expires_at = links_of(request).mint(by.tenant, repair_order_id, scope, at)
    outcome = await by.run(
        store_of(request), repair_order, stream, RequestApproval(body.approval_of, scope, link, expires_at, at)
    )
    return approval_requests(outcome.state, {})[-1]
