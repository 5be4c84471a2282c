"""What the reception API accepts: request bodies, validated (422 with field errors), each
building its domain command (what it answers is `views.py`). Published value objects (contacts,
vehicle, damage, consent, repair lines) are the catalog's own models, so a body is checked
against exactly the shape the events carry."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID, uuid4

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from events.catalog.reception_values import Consent, Contact, Damage, VehicleIdentity
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


def _not_digital(consent: Consent) -> Consent:
    # A digital consent is only ever the customer's own, through their link (approval_api.py).
    if consent.kind == "digital":
        raise ValueError("a digital consent is recorded by the customer's approval link, not typed at the desk")
    return consent


# The consent the desk records: a signature or a phone approval.
DeskConsent = Annotated[Consent, AfterValidator(_not_digital)]

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
    consent: DeskConsent | None = None

    def command(self, line_id: UUID, now: datetime) -> RemoveRepairLine:
        return RemoveRepairLine(line_id, self.reason, self.consent, now)


class PromisedTimeBody(Body):
    promised_at: AwareDatetime
    reason: str = Text
    consent: DeskConsent | None = None

    def command(self, now: datetime) -> RevisePromisedTime:
        return RevisePromisedTime(self.promised_at, self.reason, self.consent, now)


class HandOverBody(Body):
    key_tag: str = Code

    def command(self, now: datetime) -> HandOverToWorkshop:
        return HandOverToWorkshop(self.key_tag, now)


class ApproveBody(Body):
    consent: DeskConsent | None = None

    def command(self, finding_id: UUID, now: datetime) -> ApproveAdditionalWork:
        return ApproveAdditionalWork(finding_id, self.consent, now)


class DeclineBody(Body):
    consent: DeskConsent | None = None
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
