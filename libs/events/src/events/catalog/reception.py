"""Published events of the reception service: check-in, walk-around, concerns, estimate, the
repair order and its consented changes, additional-work decisions, promised time, hand-over,
settlement, delivery and exit slips (docs/domain.md §2 and §5).

Stream: `repair_order-<uuid>` (STAR RepairOrder); the stream starts at check-in, the repair
order is *opened* with the first estimate (a consultation that ends with an exit slip never
opens one). Every event carries `repair_order_id`; group and site travel in the envelope.
The site's reception settings are the one other stream (`events.catalog.reception_settings`).
Money is an `int` in minor units (currency in the RO header, `CNY` by default); labour time is
`int` minutes; times are timezone-aware.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, field_validator

from events.catalog.reception_values import (
    APPROVAL_SUBJECTS,
    ARRIVAL_KINDS,
    COURTESY_TRANSPORTS,
    ESTIMATE_METHODS,
    EXIT_KINDS,
    FINDING_SEVERITIES,
    NOTICE_CHANNELS,
    OLD_PART_CHOICES,
    PAYMENT_METHODS,
    PRIORITIES,
    Consent,
    Contact,
    Damage,
    MaintenanceRecord,
    MediaRef,
    Payment,
    PayTypeTotal,
    PriceAdjustment,
    Recommendation,
    RepairLine,
    VehicleIdentity,
    check_code,
)
from events.contract import Event
from events.personal_fields import PersonalData


class _RepairOrderEvent(Event):
    """Abstract base: every reception event concerns one repair order."""

    repair_order_id: UUID


class VehicleCheckedIn(_RepairOrderEvent, type="reception.VehicleCheckedIn", version=1):
    """The customer was greeted and the car received. `priority` is "appointment" for
    appointments, first visits and tow-ins, "normal" for walk-ins (the advisor board's mark)."""

    arrival_kind: str
    priority: str
    appointment_id: UUID | None = None
    customer: Contact
    vehicle: VehicleIdentity
    vehicle_user: Contact
    service_advisor: str
    currency: str = "CNY"
    arrived_at: AwareDatetime
    greeted_at: AwareDatetime
    customer_waiting: bool
    contact_phone: Annotated[str, PersonalData(subject="vehicle_user")]  # the callback number
    courtesy_offered: tuple[str, ...] = ()
    courtesy_accepted: str | None = None

    @field_validator("arrival_kind")
    @classmethod
    def arrival_kind_is_known(cls, value: str) -> str:
        return check_code(value, ARRIVAL_KINDS, "arrival kind")

    @field_validator("priority")
    @classmethod
    def priority_is_known(cls, value: str) -> str:
        return check_code(value, PRIORITIES, "priority")

    @field_validator("courtesy_offered")
    @classmethod
    def courtesy_offered_is_known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_code(offer, COURTESY_TRANSPORTS, "courtesy transport") for offer in value)

    @field_validator("courtesy_accepted")
    @classmethod
    def courtesy_accepted_is_known(cls, value: str | None) -> str | None:
        return None if value is None else check_code(value, COURTESY_TRANSPORTS, "courtesy transport")


class WalkAroundRecorded(_RepairOrderEvent, type="reception.WalkAroundRecorded", version=1):
    """The walk-around inspection (odometer in, fuel, lamps, damage, valuables, covers). With
    `declined_by_customer` the advisor inspected alone and must report later-found damage."""

    mileage_km: int = Field(ge=0)
    fuel_eighths: int = Field(ge=0, le=8)
    warning_lamps: tuple[str, ...] = ()
    damages: tuple[Damage, ...] = ()
    valuables_reminded: bool
    spare_tyre_present: bool | None = None
    tools_present: bool | None = None
    protective_covers_fitted: bool
    declined_by_customer: bool
    recorded_at: AwareDatetime


class DamageReported(_RepairOrderEvent, type="reception.DamageReported", version=1):
    """Damage found after a declined walk-around was reported to the customer."""

    damages: tuple[Damage, ...] = Field(min_length=1)
    channel: str
    reported_by: str
    found_at: AwareDatetime
    reported_at: AwareDatetime

    @field_validator("channel")
    @classmethod
    def channel_is_known(cls, value: str) -> str:
        return check_code(value, NOTICE_CHANNELS, "notice channel")


class ConcernRecorded(_RepairOrderEvent, type="reception.ConcernRecorded", version=1):
    """A concern in the customer's own words, with the 5W2H answers, read back and confirmed."""

    concern_id: UUID
    customer_words: str = Field(min_length=1)
    what: str
    when: str
    where: str
    who: str
    how_often: str
    recorded_at: AwareDatetime


class RepairOrderOpened(_RepairOrderEvent, type="reception.RepairOrderOpened", version=1):
    """The repair order was written: published with the first estimate (STAR "opened" time)."""

    appointment_id: UUID | None = None
    vehicle: VehicleIdentity
    service_advisor: str
    priority: str
    opened_at: AwareDatetime

    @field_validator("priority")
    @classmethod
    def priority_is_known(cls, value: str) -> str:
        return check_code(value, PRIORITIES, "priority")


class EstimatePrepared(_RepairOrderEvent, type="reception.EstimatePrepared", version=1):
    """An estimate (parts + labour + promised time) for the customer to sign; a new one before
    signing replaces the previous one. Lines come priced from the catalogue: `price_lists` names
    the versions it priced with (`labour_rates`, `parts`), `menu_id` the service menu picked;
    `adjustments` are the lines whose price or time is not the catalogue's (each with its
    reason), `discount_total` what they take off the catalogue's prices. With
    `discount_approval_required` a discount is beyond the advisor's authority: the RO is signed
    only after a service manager's `DiscountApproved`."""

    lines: tuple[RepairLine, ...] = Field(min_length=1)
    totals: tuple[PayTypeTotal, ...]
    total: int = Field(ge=0)
    customer_pay_total: int = Field(ge=0)
    currency: str
    estimate_method: str
    promised_at: AwareDatetime
    payment_method: str
    old_parts: str
    wash: bool
    prepared_at: AwareDatetime
    model_family: str | None = None
    menu_id: str | None = None
    price_lists: dict[str, str] = Field(default_factory=dict)
    adjustments: tuple[PriceAdjustment, ...] = ()
    discount_total: int = 0
    discount_approval_required: bool = False

    @field_validator("estimate_method")
    @classmethod
    def estimate_method_is_known(cls, value: str) -> str:
        return check_code(value, ESTIMATE_METHODS, "estimate method")

    @field_validator("payment_method")
    @classmethod
    def payment_method_is_known(cls, value: str) -> str:
        return check_code(value, PAYMENT_METHODS, "payment method")

    @field_validator("old_parts")
    @classmethod
    def old_parts_is_known(cls, value: str) -> str:
        return check_code(value, OLD_PART_CHOICES, "old-parts choice")


class DiscountApproved(_RepairOrderEvent, type="reception.DiscountApproved", version=1):
    """A service manager approved the current estimate's discount beyond the advisor's authority."""

    approved_by: str = Field(min_length=1)
    discount_total: int
    approved_at: AwareDatetime


class RepairOrderSigned(_RepairOrderEvent, type="reception.RepairOrderSigned", version=1):
    """The customer signed the RO: the workshop opens one job per approved line, parts reserves.
    `consent` when the customer signed on their phone through an approval link (kind `digital`;
    `signature_ref` is then the link's reference); None for a signature drawn at the desk."""

    appointment_id: UUID | None = None
    vehicle: VehicleIdentity
    priority: str
    customer_waiting: bool
    lines: tuple[RepairLine, ...] = Field(min_length=1)
    promised_at: AwareDatetime
    signature_ref: str
    signed_at: AwareDatetime
    consent: Consent | None = None

    @field_validator("priority")
    @classmethod
    def priority_is_known(cls, value: str) -> str:
        return check_code(value, PRIORITIES, "priority")


class RepairLineAdded(_RepairOrderEvent, type="reception.RepairLineAdded", version=1):
    """A line was added after signing, with the customer's recorded consent; priced like the
    estimate's (`price_lists`; `adjustment` when its price or time is not the catalogue's)."""

    line: RepairLine
    consent: Consent
    added_at: AwareDatetime
    price_lists: dict[str, str] = Field(default_factory=dict)
    adjustment: PriceAdjustment | None = None


class RepairLineRemoved(_RepairOrderEvent, type="reception.RepairLineRemoved", version=1):
    """A line was taken off after signing, with the customer's recorded consent."""

    line_id: UUID
    reason: str
    consent: Consent
    removed_at: AwareDatetime


class PromisedTimeRevised(_RepairOrderEvent, type="reception.PromisedTimeRevised", version=1):
    """The customer agreed a new promised time. `informed_before_promise` is False when the
    customer was told only after the old promise had passed (docs/domain.md §3)."""

    previous_promised_at: AwareDatetime
    promised_at: AwareDatetime
    reason: str
    consent: Consent
    informed_before_promise: bool
    revised_at: AwareDatetime


class VehicleHandedOver(_RepairOrderEvent, type="reception.VehicleHandedOver", version=1):
    """Car, RO and numbered key were handed to the dispatcher."""

    key_tag: str
    handed_over_at: AwareDatetime


class AdditionalWorkAwaitingApproval(_RepairOrderEvent, type="reception.AdditionalWorkAwaitingApproval", version=1):
    """The workshop reported a finding; the advisor must now ask the customer (STAR
    AWAITING_CUSTOMER_AUTHORIZATION). No work is done on it until approved. `round` (the
    workshop's report it came in), `severity` and `media` came with the digital inspection
    (issue 21): absent on findings received before."""

    finding_id: UUID
    description: str
    proposed_lines: tuple[RepairLine, ...] = Field(min_length=1)
    safety_critical: bool
    evidence_refs: tuple[str, ...] = ()
    extra_minutes: int = Field(ge=0)
    price: int = Field(ge=0)
    received_at: AwareDatetime
    round: int | None = Field(default=None, ge=1)
    severity: str | None = None
    media: tuple[MediaRef, ...] = ()

    @field_validator("severity")
    @classmethod
    def severity_is_known(cls, value: str | None) -> str | None:
        return None if value is None else check_code(value, FINDING_SEVERITIES, "finding severity")


class ApprovalRequested(_RepairOrderEvent, type="reception.ApprovalRequested", version=1):
    """The customer is asked to decide on their phone: `link` opens the portal's approval page
    for one decision (`approval_of`: a round of additional work, or the estimate to sign), until
    `expires_at`. `scope` names that decision (`round-<n>`, `estimate-<n>`); `finding_ids` the
    findings it covers. The link is the customer's only credential for it, so it is personal
    data (sealed in the log, erased with the customer); notifications sends it
    (docs/approval-links.md)."""

    approval_of: str
    scope: str = Field(min_length=1)
    finding_ids: tuple[UUID, ...] = ()
    customer: Contact
    link: Annotated[str, PersonalData(subject="customer")]
    expires_at: AwareDatetime
    requested_at: AwareDatetime

    @field_validator("approval_of")
    @classmethod
    def approval_of_is_known(cls, value: str) -> str:
        return check_code(value, APPROVAL_SUBJECTS, "approval subject")


class AdditionalWorkApproved(_RepairOrderEvent, type="reception.AdditionalWorkApproved", version=1):
    """The customer approved a finding: its lines join the RO and go back to the workshop."""

    finding_id: UUID
    lines: tuple[RepairLine, ...] = Field(min_length=1)
    extra_minutes: int = Field(ge=0)
    consent: Consent
    approved_at: AwareDatetime


class AdditionalWorkDeclined(_RepairOrderEvent, type="reception.AdditionalWorkDeclined", version=1):
    """The customer declined a finding: the recommendation is kept for the next visit."""

    vehicle: VehicleIdentity
    customer_id: UUID | None = None
    recommendation: Recommendation
    customer_reason: str
    safety_explained: bool
    consent: Consent
    declined_at: AwareDatetime


class ReadyForDeliveryMarked(_RepairOrderEvent, type="reception.ReadyForDeliveryMarked", version=1):
    """The workshop passed QC: the car may be settled and delivered."""

    ready_at: AwareDatetime


class InvoiceSettled(_RepairOrderEvent, type="reception.InvoiceSettled", version=1):
    """The invoice was paid (or closed at zero), computed only from the approved lines.
    `health_record` is the national maintenance record to upload after settlement. Recorded when
    billing reports the invoice paid (`billing.InvoicePaid`): `invoice_number` is the one billing
    issued, `invoice_id` billing's invoice, `payments` how it was paid (`payment_method` the one
    method, or "split" for several)."""

    invoice_number: str
    payment_method: str
    currency: str
    totals: tuple[PayTypeTotal, ...]
    labour_total: int = Field(ge=0)
    parts_total: int = Field(ge=0)
    total: int = Field(ge=0)
    customer_pay_total: int = Field(ge=0)
    health_record: MaintenanceRecord
    settled_at: AwareDatetime
    invoice_id: UUID | None = None
    payments: tuple[Payment, ...] = ()

    @field_validator("payment_method")
    @classmethod
    def payment_method_is_known(cls, value: str) -> str:
        return check_code(value, PAYMENT_METHODS, "payment method")


class VehicleDelivered(_RepairOrderEvent, type="reception.VehicleDelivered", version=1):
    """The car went back to the customer. `on_time` compares with the promise in force (after
    consented revisions); `original_promised_at` is the one signed."""

    vehicle: VehicleIdentity
    customer: Contact
    vehicle_user: Contact
    mileage_km: int = Field(ge=0)
    promised_at: AwareDatetime
    original_promised_at: AwareDatetime
    on_time: bool
    work_explained: bool
    old_parts_shown: bool
    old_parts_returned: bool
    next_service_due_date: date | None = None
    next_service_due_km: int | None = Field(default=None, ge=0)
    pending_recommendations: tuple[Recommendation, ...] = ()
    delivered_at: AwareDatetime
    next_service_menu_id: str | None = None


class ExitSlipIssued(_RepairOrderEvent, type="reception.ExitSlipIssued", version=1):
    """The visit ended without signed work: a consultation answered on the spot, or a customer
    who declined the repair (optionally owing a diagnosis fee). No repair order follows."""

    exit_kind: str
    advice: str
    diagnosis_fee: int = Field(ge=0)
    currency: str
    vehicle: VehicleIdentity
    issued_at: AwareDatetime

    @field_validator("exit_kind")
    @classmethod
    def exit_kind_is_known(cls, value: str) -> str:
        return check_code(value, EXIT_KINDS, "exit kind")
