"""What the customer's approval page reads (`GET /public/approvals/{token}`), folded from the RO's
state, and what the advisor reads of the links sent. Prices are what the customer pays
(customer-pay lines; warranty and goodwill cost them nothing), in fen."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from events.catalog.reception_values import MediaRef, RepairLine
from events.links import token_digest
from reception.approval_links import consent_reference, token_of
from reception.domain.approvals import ADDITIONAL_WORK, round_of
from reception.domain.invoice import price
from reception.domain.repair_order_state import Finding, RepairOrder


class MediaView(BaseModel):
    media_id: UUID
    kind: str = Field(description="photo or video")
    content_type: str
    url: str = Field(description="the gateway's public path of the photo or video (the same link's token)")
    thumbnail_url: str


class LineView(BaseModel):
    description: str
    labour_minutes: int
    price: int = Field(description="what the customer pays for the line (0 for warranty or goodwill)")


class ItemView(BaseModel):
    item_id: UUID = Field(description="the finding (additional work), or the estimate's line")
    description: str
    severity: str | None = Field(description="red: safety, do it now; yellow: soon; null for an estimate's line")
    safety_critical: bool
    extra_minutes: int = Field(description="how much longer the car stays if it is approved")
    price: int
    lines: list[LineView]
    media: list[MediaView]
    decision: str | None = Field(description="approved or declined once decided; null while it awaits")


class VehicleView(BaseModel):
    plate: str
    model: str | None


class ApprovalPage(BaseModel):
    """One decision for the customer: a round of additional work, or the estimate to sign."""

    approval_of: str = Field(description="additional_work or estimate")
    repair_order_id: UUID
    vehicle: VehicleView
    currency: str
    items: list[ItemView]
    current_total: int = Field(description="what the customer pays for the work approved so far (the estimate's total)")
    promised_at: datetime | None
    expires_at: datetime
    decided_at: datetime | None = Field(description="when this link's decision was recorded; null until then")


class ApprovalRequestView(BaseModel):
    """A link sent to the customer, for the advisor: what it asks, until when, and its use."""

    approval_of: str
    scope: str
    finding_ids: list[UUID]
    link: str
    expires_at: datetime
    requested_at: datetime
    reference: str  # the consent's reference once the customer decided through this link
    decided_at: datetime | None
    user_agent: str | None
    client_address: str | None


def _customer_pays(lines: tuple[RepairLine, ...]) -> int:
    return price(lines).customer_pay


def _lines(lines: tuple[RepairLine, ...]) -> list[LineView]:
    return [
        LineView(description=x.description, labour_minutes=x.labour_minutes, price=_customer_pays((x,))) for x in lines
    ]


def _media(token: str, media: tuple[MediaRef, ...]) -> list[MediaView]:
    base = f"/api/v1/public/media/{token}"
    return [
        MediaView(
            media_id=m.media_id,
            kind=m.kind,
            content_type=m.content_type,
            url=f"{base}/{m.media_id}",
            thumbnail_url=f"{base}/{m.media_id}/thumbnail",
        )
        for m in media
    ]


def _finding(token: str, finding: Finding) -> ItemView:
    return ItemView(
        item_id=finding.finding_id,
        description=finding.description,
        severity=finding.grade,
        safety_critical=finding.safety_critical,
        extra_minutes=finding.extra_minutes,
        price=_customer_pays(finding.lines),
        lines=_lines(finding.lines),
        media=_media(token, finding.media),
        decision=finding.decision,
    )


def _estimate_line(line: RepairLine, signed: bool) -> ItemView:
    return ItemView(
        item_id=line.line_id,
        description=line.description,
        severity=None,
        safety_critical=line.safety_critical,
        extra_minutes=line.labour_minutes,
        price=_customer_pays((line,)),
        lines=_lines((line,)),
        media=[],
        decision="approved" if signed else None,
    )


def approval_page(
    state: RepairOrder, token: str, approval_of: str, scope: str, expires_at: datetime, decided: datetime | None
) -> ApprovalPage:
    assert state.checked_in is not None  # a link is only minted for a visit
    if approval_of == ADDITIONAL_WORK:
        items = [_finding(token, f) for f in round_of(state, scope)]
    else:
        items = [_estimate_line(line, state.signed_at is not None) for line in state.lines]
    vehicle = state.checked_in.vehicle
    return ApprovalPage(
        approval_of=approval_of,
        repair_order_id=state.checked_in.repair_order_id,
        vehicle=VehicleView(plate=vehicle.plate, model=vehicle.model),
        currency=state.checked_in.currency,
        items=items,
        current_total=_customer_pays(state.lines),
        promised_at=state.promised_at,
        expires_at=expires_at,
        decided_at=decided,
    )


def approval_requests(state: RepairOrder, used: Mapping[str, Mapping[str, Any]]) -> list[ApprovalRequestView]:
    views = []
    for request in state.approval_requests:
        digest = token_digest(token_of(request.link))
        decision = used.get(digest, {})
        views.append(
            ApprovalRequestView(
                approval_of=request.approval_of,
                scope=request.scope,
                finding_ids=list(request.finding_ids),
                link=request.link,
                expires_at=request.expires_at,
                requested_at=request.requested_at,
                reference=consent_reference(digest),
                decided_at=decision.get("decided_at"),
                user_agent=decision.get("user_agent"),
                client_address=decision.get("client_address"),
            )
        )
    return views
