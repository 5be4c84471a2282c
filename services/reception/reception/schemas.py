"""What the reception API accepts (request bodies, validated: 422 with field errors) and answers
(views). Published value objects (contacts, vehicle, damage, consent, repair lines) are the
catalog's own models, so a body is checked against exactly the shape the events carry."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from events.catalog.reception_values import (
    Consent,
    Contact,
    Damage,
    Payment,
    PriceAdjustment,
    RepairLine,
    VehicleIdentity,
)
from reception.domain.next_service import NextService
from reception.domain.repair_order_commands import (
    ApproveAdditionalWork,
    CheckIn,
    DeclineAdditionalWork,
    Deliver,
    HandOverToWorkshop,
    IssueExitSlip,
    RecordConcern,
    RecordWalkAround,
    RemoveRepairLine,
    ReportDamage,
    RevisePromisedTime,
    SignRepairOrder,
)
from reception.domain.repair_order_state import RepairOrder

Text = Field(min_length=1, max_length=500)
Code = Field(min_length=1, max_length=40)
LongText = Field(min_length=1, max_length=4000)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckInBody(Body):
    """The greeting is now (the advisor checks the car in while greeting the customer). An
    appointment car's arrival is booking's record; anyone else's is `arrived_at`, recorded by
    whoever met the car. `repair_order_id` (or the `Idempotency-Key` header) names a walk-in's
    visit, so that a retry finds it instead of opening another; an appointment names its own."""

    arrival_kind: str = Code
    customer: Contact
    vehicle: VehicleIdentity
    vehicle_user: Contact | None = Field(default=None, description="the driver, if not the customer")
    customer_waiting: bool
    contact_phone: str | None = Field(default=None, min_length=1, max_length=40)
    appointment_id: UUID | None = None
    repair_order_id: UUID | None = Field(default=None, description="the visit's id, chosen by the client")
    arrived_at: AwareDatetime | None = Field(
        default=None, validate_default=True, description="when the car arrived, unless by appointment"
    )
    courtesy_offered: tuple[str, ...] = Field(default=(), max_length=10)
    courtesy_accepted: str | None = Field(default=None, max_length=40)
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")

    @field_validator("repair_order_id")
    @classmethod
    def appointment_names_its_visit(cls, value: UUID | None, info: ValidationInfo) -> UUID | None:
        if value is not None and info.data.get("appointment_id") is not None:
            raise ValueError("an appointment car's visit is named by its appointment; send no repair_order_id")
        return value

    @field_validator("arrived_at")
    @classmethod
    def arrival_is_recorded(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        if value is None and "appointment_id" in info.data and info.data["appointment_id"] is None:
            raise ValueError("record when the car arrived (an appointment car's arrival is booking's)")
        return value

    def command(self, repair_order_id: UUID, advisor: str, now: datetime) -> CheckIn:
        return CheckIn(
            repair_order_id,
            self.arrival_kind,
            self.customer,
            self.vehicle,
            self.vehicle_user or self.customer,
            advisor,
            self.arrived_at,
            now,
            self.customer_waiting,
            self.contact_phone,
            self.appointment_id,
            self.courtesy_offered,
            self.courtesy_accepted,
            self.currency,
        )


class WalkAroundBody(Body):
    mileage_km: int = Field(ge=0, le=5_000_000)
    fuel_eighths: int = Field(ge=0, le=8)
    valuables_reminded: bool
    protective_covers_fitted: bool
    declined_by_customer: bool = False
    warning_lamps: tuple[str, ...] = Field(default=(), max_length=30)
    damages: tuple[Damage, ...] = Field(default=(), max_length=50)
    overnight: bool = False
    spare_tyre_present: bool | None = None
    tools_present: bool | None = None

    def command(self, now: datetime) -> RecordWalkAround:
        return RecordWalkAround(
            self.mileage_km,
            self.fuel_eighths,
            self.valuables_reminded,
            self.protective_covers_fitted,
            self.declined_by_customer,
            now,
            self.warning_lamps,
            self.damages,
            self.overnight,
            self.spare_tyre_present,
            self.tools_present,
        )


class DamageBody(Body):
    damages: tuple[Damage, ...] = Field(min_length=1, max_length=50)
    channel: str = Code
    found_at: AwareDatetime

    def command(self, reported_by: str, now: datetime) -> ReportDamage:
        return ReportDamage(self.damages, self.channel, reported_by, self.found_at, now)


class ConcernBody(Body):
    concern_id: UUID = Field(default_factory=uuid4)
    customer_words: str = LongText
    what: str = Text
    when: str = Text
    where: str = Text
    who: str = Text
    how_often: str = Text
    read_back_confirmed: bool

    def command(self, now: datetime) -> RecordConcern:
        return RecordConcern(
            self.concern_id,
            self.customer_words,
            self.what,
            self.when,
            self.where,
            self.who,
            self.how_often,
            self.read_back_confirmed,
            now,
        )


class SignBody(Body):
    signature_ref: str = Text

    def command(self, now: datetime) -> SignRepairOrder:
        return SignRepairOrder(self.signature_ref, now)


class ExitSlipBody(Body):
    advice: str = LongText
    customer_declined_repair: bool = False
    diagnosis_fee: int = Field(default=0, ge=0, le=10_000_000, description="minor units (fen)")

    def command(self, now: datetime) -> IssueExitSlip:
        return IssueExitSlip(self.advice, now, self.customer_declined_repair, self.diagnosis_fee)


class RemoveLineBody(Body):
    reason: str = Text
    consent: Consent | None = None

    def command(self, line_id: UUID, now: datetime) -> RemoveRepairLine:
        return RemoveRepairLine(line_id, self.reason, self.consent, now)


class PromisedTimeBody(Body):
    promised_at: AwareDatetime
    reason: str = Text
    consent: Consent | None = None

    def command(self, now: datetime) -> RevisePromisedTime:
        return RevisePromisedTime(self.promised_at, self.reason, self.consent, now)


class HandOverBody(Body):
    key_tag: str = Code

    def command(self, now: datetime) -> HandOverToWorkshop:
        return HandOverToWorkshop(self.key_tag, now)


class ApproveBody(Body):
    consent: Consent | None = None

    def command(self, finding_id: UUID, now: datetime) -> ApproveAdditionalWork:
        return ApproveAdditionalWork(finding_id, self.consent, now)


class DeclineBody(Body):
    consent: Consent | None = None
    customer_reason: str = Text
    safety_explained: bool = False

    def command(self, finding_id: UUID, now: datetime) -> DeclineAdditionalWork:
        return DeclineAdditionalWork(finding_id, self.consent, self.customer_reason, now, self.safety_explained)


class DeliveryBody(Body):
    work_explained: bool
    old_parts_shown: bool
    old_parts_returned: bool
    next_service_due_date: date | None = None
    next_service_due_km: int | None = Field(default=None, ge=0, le=5_000_000)

    @property
    def next_service_given(self) -> bool:
        return self.next_service_due_date is not None and self.next_service_due_km is not None

    def command(self, now: datetime, computed: NextService | None = None) -> Deliver:
        """`computed`: the next service reception worked out, for what the desk did not give."""
        due_date, due_km = self.next_service_due_date, self.next_service_due_km
        if computed is not None:
            due_date = computed.due_date if due_date is None else due_date
            due_km = computed.due_km if due_km is None else due_km
        return Deliver(
            now,
            self.work_explained,
            self.old_parts_shown,
            self.old_parts_returned,
            due_date,
            due_km,
            computed.menu_id if computed else None,
        )


# --- views ----------------------------------------------------------------------------------


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
    concerns: list[ConcernView]
    lines: list[RepairLine] = Field(description="the estimate's lines; once signed, the approved ones")
    estimate_total: int | None = Field(description="minor units (fen)")
    price_lists: dict[str, str] = Field(description="the catalogue's price list versions the estimate used")
    menu_id: str | None = Field(description="the service menu the estimate was priced from")
    price_adjustments: list[PriceAdjustment] = Field(
        description="the estimate's lines not at the catalogue's price or time, with their reasons"
    )
    discount_total: int = Field(description="minor units (fen) off the catalogue's prices")
    discount_approval: DiscountApprovalView | None
    promised_at: datetime | None
    original_promised_at: datetime | None
    signed_at: datetime | None
    handed_over_at: datetime | None
    findings: list[FindingView]
    ready: bool
    invoice: InvoiceView | None
    delivered: bool
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
        concerns=[ConcernView(concern_id=c.concern_id, customer_words=c.customer_words) for c in state.concerns],
        lines=list(state.lines),
        estimate_total=estimate.total if estimate else None,
        price_lists=estimate.price_lists if estimate else {},
        menu_id=estimate.menu_id if estimate else None,
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
        handed_over_at=state.handed_over_at,
        findings=[
            FindingView(
                finding_id=f.finding_id,
                description=f.description,
                safety_critical=f.safety_critical,
                extra_minutes=f.extra_minutes,
                decision=f.decision,
                lines=list(f.lines),
            )
            for f in state.findings
        ],
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
        next_service_due_date=delivery.next_service_due_date if delivery else None,
        next_service_due_km=delivery.next_service_due_km if delivery else None,
        next_service_menu_id=delivery.next_service_menu_id if delivery else None,
    )
