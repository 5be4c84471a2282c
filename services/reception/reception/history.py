"""The RO's history: every event of the visit's stream in order, each with its time, type, the
actor who caused it and a one-line summary — what the advisor reads to answer "what happened
to my car, and who agreed to what". Read-only; its readers are the RO's (every department works
from the RO). The summary names no customer (their name and phone stay behind `personal.py`'s
rules): it says what changed, with the codes and amounts the events carry (money in fen).

    GET /sites/{site_id}/repair-orders/{id}/history
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from events.catalog import reception as events
from events.envelope import Envelope
from events.errors import NotFound
from events.http import CurrentIdentity, SiteId, site_tenant
from events.openapi import refusals
from events.runtime import store_of
from reception.api import RepairOrderId
from reception.domain.repair_order import stream_id

router = APIRouter(tags=["reception"])

HISTORY = "/sites/{site_id}/repair-orders/{repair_order_id}/history"


class HistoryEntry(BaseModel):
    version: int = Field(description="the event's place in the RO's stream, from 1")
    event_type: str
    occurred_at: datetime
    actor: str = Field(description="who (or which service) caused it")
    summary: str = Field(description="one line: what changed (no customer's personal data)")


def _at(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _consent(consent: Any) -> str:
    return f"consent {consent.kind} {consent.reference}"


# One line per event type; an event type not listed is shown by its type alone.
SUMMARIES: dict[type[Any], Callable[[Any], str]] = {
    events.VehicleCheckedIn: lambda e: f"{e.arrival_kind}, priority {e.priority}, advisor {e.service_advisor}",
    events.WalkAroundRecorded: lambda e: f"{e.mileage_km} km, fuel {e.fuel_eighths}/8, {len(e.damages)} damage(s)",
    events.DamageReported: lambda e: f"{len(e.damages)} damage(s) reported by {e.channel}",
    events.ConcernRecorded: lambda e: e.what,
    events.RepairOrderOpened: lambda e: f"advisor {e.service_advisor}",
    events.EstimatePrepared: lambda e: f"{len(e.lines)} line(s), total {e.total} fen, promised {_at(e.promised_at)}",
    events.DiscountApproved: lambda e: f"discount {e.discount_total} fen approved by {e.approved_by}",
    events.RepairOrderSigned: lambda e: f"{len(e.lines)} line(s), promised {_at(e.promised_at)}",
    events.RepairLineAdded: lambda e: f"{e.line.description}, {e.line.price} fen, {_consent(e.consent)}",
    events.RepairLineRemoved: lambda e: f"{e.reason}, {_consent(e.consent)}",
    events.PromisedTimeRevised: lambda e: (
        f"{_at(e.previous_promised_at)} → {_at(e.promised_at)}: {e.reason}, {_consent(e.consent)}"
    ),
    events.VehicleHandedOver: lambda e: f"key tag {e.key_tag}",
    events.AdditionalWorkAwaitingApproval: lambda e: (
        f"{e.description}, {e.price} fen, +{e.extra_minutes} min{', safety-critical' if e.safety_critical else ''}"
    ),
    events.AdditionalWorkApproved: lambda e: f"+{e.extra_minutes} min, {_consent(e.consent)}",
    events.AdditionalWorkDeclined: lambda e: (
        f"{e.customer_reason}{', safety explained' if e.safety_explained else ''}, {_consent(e.consent)}"
    ),
    events.ReadyForDeliveryMarked: lambda e: "QC passed",
    events.InvoiceSettled: lambda e: f"invoice {e.invoice_number}, {e.total} fen, {e.payment_method}",
    events.VehicleDelivered: lambda e: (
        f"{'on time' if e.on_time else 'late'}, next service {e.next_service_due_date} / {e.next_service_due_km} km"
    ),
    events.ExitSlipIssued: lambda e: f"{e.exit_kind}, diagnosis fee {e.diagnosis_fee} fen",
}


def history_entry(envelope: Envelope[Any]) -> HistoryEntry:
    summarise = SUMMARIES.get(type(envelope.event))
    return HistoryEntry(
        version=envelope.stream_version,
        event_type=envelope.event_type,
        occurred_at=envelope.occurred_at,
        actor=envelope.metadata.actor,
        summary=summarise(envelope.event) if summarise else "",
    )


@router.get(HISTORY, responses=refusals())
async def repair_order_history(
    site_id: SiteId, repair_order_id: RepairOrderId, identity: CurrentIdentity, request: Request
) -> list[HistoryEntry]:
    """Every event of the RO, oldest first."""
    tenant = site_tenant(identity, site_id)
    recorded = await store_of(request).read_stream(stream_id(repair_order_id))
    # Another tenant's RO does not exist for the caller, exactly like a missing one.
    if not recorded or recorded[0].tenant != tenant:
        raise NotFound(f"repair order {repair_order_id}")
    return [history_entry(envelope) for envelope in recorded]
