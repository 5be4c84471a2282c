"""What the reception API answers: the views its OpenAPI document names (request bodies are
`schemas.py`'s). A visit's view is folded from its state (`repair_order_view`); it carries what
the desk's screens and the gateway's printed documents read (docs/documents.md): the
walk-around, the signature, each finding's consent, the estimate's choices, the delivery
checklist. Customers' names and phones are withheld by role in `personal.py`."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from events.catalog.reception_values import (
    Consent,
    Contact,
    Damage,
    MediaRef,
    Payment,
    PriceAdjustment,
    RepairLine,
    VehicleIdentity,
)
from reception.domain.invoice import price
from reception.domain.repair_order_state import Finding, RepairOrder


class View(BaseModel):
    """What the API answers: the shape its OpenAPI document names."""


class ConcernView(View):
    concern_id: UUID
    customer_words: str


class FindingView(View):
    finding_id: UUID
    description: str
    safety_critical: bool
    extra_minutes: int
    decision: str | None = Field(description="approved or declined; null while it awaits the customer")
    lines: list[RepairLine]
    consent: Consent | None = Field(description="how the customer's decision was recorded; null while it awaits")
    customer_reason: str | None = Field(description="why the customer declined; null unless declined")
    safety_explained: bool | None = Field(
        description="a declined finding's risk to safety was explained to the customer; null unless declined"
    )
    severity: str = Field(default="yellow", description="yellow or red (the digital inspection's grade)")
    media: list[MediaRef] = Field(default_factory=list, description="the finding's photos and videos")


class WalkAroundView(View):
    """The walk-around inspection at check-in. With `declined_by_customer` the advisor inspected
    alone (damage found later is reported to the customer separately)."""

    mileage_km: int
    fuel_eighths: int = Field(description="the fuel gauge, in eighths of a tank")
    warning_lamps: list[str]
    damages: list[Damage]
    valuables_reminded: bool
    protective_covers_fitted: bool
    declined_by_customer: bool
    spare_tyre_present: bool | None = Field(description="null: not checked")
    tools_present: bool | None = Field(description="null: not checked")
    recorded_at: datetime


class DeliveryView(View):
    """The delivery checklist gone through with the customer as the car went back."""

    work_explained: bool
    old_parts_shown: bool
    old_parts_returned: bool
    delivered_at: datetime
    on_time: bool = Field(description="delivered by the promise in force (after consented revisions)")


class InvoiceView(View):
    """Billing's invoice, as paid: its number, and how it was paid."""

    invoice_number: str
    invoice_id: UUID | None = Field(description="billing's invoice")
    payment_method: str = Field(description='the one method, or "split" for several')
    payments: list[Payment]
    labour_total: int = Field(description="minor units (fen)")
    parts_total: int = Field(description="minor units (fen)")
    total: int = Field(description="minor units (fen)")
    customer_pay_total: int = Field(description="minor units (fen): what the customer pays")


class DiscountApprovalView(View):
    required: bool = Field(description="a discount is beyond the advisor's authority")
    approved_by: str | None
    approved_at: datetime | None


class RepairOrderView(View):
    """One visit, from check-in to delivery. `version` is what `If-Match` names. A reader
    without the duty to see customers gets `[withheld]` for their names and phones."""

    repair_order_id: UUID
    version: int
    status: str = Field(
        description="checked_in, estimated, signed, in_workshop, awaiting_approval, ready, settled, "
        "delivered or exit_slip"
    )
    arrival_kind: str
    priority: str
    service_advisor: str
    customer: Contact
    vehicle: VehicleIdentity
    vehicle_user: Contact
    customer_waiting: bool
    currency: str
    arrived_at: datetime
    greeted_at: datetime
    greeting_seconds: int = Field(description="from the car's arrival to the greeting")
    walk_around_recorded: bool
    walk_around: WalkAroundView | None
    concerns: list[ConcernView]
    lines: list[RepairLine] = Field(description="the estimate's lines; once signed, the approved ones")
    estimate_total: int | None = Field(description="minor units (fen)")
    invoice_in_force: str | None = Field(
        default=None,
        description="the number of billing's invoice issued for the RO's work and not paid yet: the lines are "
        "locked (409 repair_order_invoiced) until it is paid or voided",
    )
    current_total: int | None = Field(
        description="minor units (fen): the work on the RO now, the estimate's lines and the additional work "
        "approved since (the invoice, once settled, has the final amounts); null before an estimate"
    )
    price_lists: dict[str, str] = Field(description="the catalogue's price list versions the estimate used")
    menu_id: str | None = Field(description="the service menu the estimate was priced from")
    estimate_method: str | None = Field(description="system, symptom or item; null before an estimate")
    old_parts: str | None = Field(description="the customer's choice for old parts: keep or discard")
    wash: bool | None = Field(description="the customer wants the car washed; null before an estimate")
    price_adjustments: list[PriceAdjustment] = Field(
        description="the estimate's lines not at the catalogue's price or time, with their reasons"
    )
    discount_total: int = Field(description="minor units (fen) off the catalogue's prices")
    discount_approval: DiscountApprovalView | None
    promised_at: datetime | None
    original_promised_at: datetime | None
    signed_at: datetime | None
    signature_ref: str | None = Field(description="the customer's signed repair order (its scan or e-signature)")
    signed_with: Consent | None = Field(
        default=None, description="signed on the customer's phone through an approval link (kind digital); else null"
    )
    handed_over_at: datetime | None
    key_tag: str | None = Field(description="the tag on the car's keys, taken at the hand-over; null before")
    findings: list[FindingView]
    ready: bool
    invoice: InvoiceView | None
    delivered: bool
    delivery: DeliveryView | None
    next_service_due_date: date | None = Field(description="told the customer at delivery")
    next_service_due_km: int | None
    next_service_menu_id: str | None = Field(description="the catalogue's service menu due next, if it has one")


class RepairOrderSummary(View):
    """A visit on the list of a site's visits (the `repair_orders` read model)."""

    repair_order_id: UUID
    status: str
    advisor: str
    plate: str
    vin: str
    customer_name: str | None
    arrival_kind: str
    priority: str
    customer_waiting: bool
    promised_at: datetime | None
    checked_in_at: datetime
    greeted_at: datetime | None
    signed: bool
    ready: bool
    settled: bool
    delivered: bool
    invoice_total: int | None = Field(description="minor units (fen)")
    currency: str
    updated_at: datetime


class BoardCard(View):
    """An appointment of the day (`kind` appointment) or a car in for service (`kind` visit)."""

    card_id: UUID
    kind: str
    appointment_id: UUID | None
    repair_order_id: UUID | None
    advisor: str | None
    plate: str | None
    customer_name: str | None
    appointment_car: bool
    slot_start: datetime | None
    status: str
    stage: str | None
    promised_at: datetime | None
    forecast_ready_at: datetime | None
    late: bool
    customer_waiting: bool
    updated_at: datetime


class AdvisorBoardView(View):
    site_id: str
    day: date = Field(description="the board's day, in the site's time zone")
    time_zone: str
    advisor: str | None
    appointments: list[BoardCard]
    cars: list[BoardCard] = Field(description="late ones first")


def _status(state: RepairOrder) -> str:
    if state.closed_by_exit_slip:
        return "exit_slip"
    if state.delivered:
        return "delivered"
    if state.settled is not None:
        return "settled"
    if state.ready:
        return "ready"
    if state.pending_findings:
        return "awaiting_approval"
    if state.handed_over_at is not None:
        return "in_workshop"
    if state.signed_at is not None:
        return "signed"
    return "estimated" if state.estimate is not None else "checked_in"


def repair_order_view(state: RepairOrder, version: int) -> RepairOrderView:
    visit = state.checked_in
    assert visit is not None  # `load` refuses a stream that does not exist, and check-in starts every one
    settled, estimate, approval, delivery = state.settled, state.estimate, state.discount_approved, state.delivery
    return RepairOrderView(
        repair_order_id=visit.repair_order_id,
        version=version,
        status=_status(state),
        arrival_kind=visit.arrival_kind,
        priority=visit.priority,
        service_advisor=visit.service_advisor,
        customer=visit.customer,
        vehicle=visit.vehicle,
        vehicle_user=visit.vehicle_user,
        customer_waiting=visit.customer_waiting,
        currency=visit.currency,
        arrived_at=visit.arrived_at,
        greeted_at=visit.greeted_at,
        # Greeting time (seeds: within 1-3 minutes): from the car's arrival to the greeting.
        greeting_seconds=int((visit.greeted_at - visit.arrived_at).total_seconds()),
        walk_around_recorded=state.walk_around is not None,
        walk_around=_walk_around(state),
        concerns=[ConcernView(concern_id=c.concern_id, customer_words=c.customer_words) for c in state.concerns],
        lines=list(state.lines),
        estimate_total=estimate.total if estimate else None,
        current_total=price(state.lines).total if estimate else None,
        invoice_in_force=state.invoice_in_force.invoice_number if state.invoice_in_force else None,
        price_lists=estimate.price_lists if estimate else {},
        menu_id=estimate.menu_id if estimate else None,
        estimate_method=estimate.estimate_method if estimate else None,
        old_parts=estimate.old_parts if estimate else None,
        wash=estimate.wash if estimate else None,
        price_adjustments=list(estimate.adjustments) if estimate else [],
        discount_total=estimate.discount_total if estimate else 0,
        discount_approval=None
        if estimate is None
        else DiscountApprovalView(
            required=estimate.discount_approval_required,
            approved_by=approval.approved_by if approval else None,
            approved_at=approval.approved_at if approval else None,
        ),
        promised_at=state.promised_at,
        original_promised_at=state.original_promised_at,
        signed_at=state.signed_at,
        signature_ref=state.signature_ref,
        signed_with=state.signed_with,
        handed_over_at=state.handed_over_at,
        key_tag=state.key_tag,
        findings=[_finding(f) for f in state.findings],
        ready=state.ready,
        invoice=None
        if settled is None
        else InvoiceView(
            invoice_number=settled.invoice_number,
            invoice_id=settled.invoice_id,
            payment_method=settled.payment_method,
            payments=list(settled.payments),
            labour_total=settled.labour_total,
            parts_total=settled.parts_total,
            total=settled.total,
            customer_pay_total=settled.customer_pay_total,
        ),
        delivered=state.delivered,
        delivery=None
        if delivery is None
        else DeliveryView(
            work_explained=delivery.work_explained,
            old_parts_shown=delivery.old_parts_shown,
            old_parts_returned=delivery.old_parts_returned,
            delivered_at=delivery.delivered_at,
            on_time=delivery.on_time,
        ),
        next_service_due_date=delivery.next_service_due_date if delivery else None,
        next_service_due_km=delivery.next_service_due_km if delivery else None,
        next_service_menu_id=delivery.next_service_menu_id if delivery else None,
    )


def _walk_around(state: RepairOrder) -> WalkAroundView | None:
    done = state.walk_around
    if done is None:
        return None
    return WalkAroundView(
        mileage_km=done.mileage_km,
        fuel_eighths=done.fuel_eighths,
        warning_lamps=list(done.warning_lamps),
        damages=list(done.damages),
        valuables_reminded=done.valuables_reminded,
        protective_covers_fitted=done.protective_covers_fitted,
        declined_by_customer=done.declined_by_customer,
        spare_tyre_present=done.spare_tyre_present,
        tools_present=done.tools_present,
        recorded_at=done.recorded_at,
    )


def _finding(finding: Finding) -> FindingView:
    return FindingView(
        finding_id=finding.finding_id,
        description=finding.description,
        safety_critical=finding.safety_critical,
        extra_minutes=finding.extra_minutes,
        decision=finding.decision,
        lines=list(finding.lines),
        consent=finding.consent,
        customer_reason=finding.customer_reason,
        safety_explained=finding.safety_explained,
        severity=finding.grade,
        media=list(finding.media),
    )
