"""What the booking API accepts (request bodies, validated: 422 with field errors) and answers
(views). Code lists stay plain strings checked by the domain (409 `invalid_code`), as in every
service; shapes, ranges and identifiers are checked here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date as date_
from datetime import datetime, time
from typing import Annotated
from uuid import UUID, uuid4

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    PlainSerializer,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict

from booking.catalogue import CataloguePick
from booking.domain.appointment_commands import (
    BookAppointment,
    CancelAppointment,
    ConfirmAppointment,
    RescheduleAppointment,
)
from booking.domain.appointment_state import Appointment
from booking.domain.customer_vehicle import Customer, RegisterCustomer, RegisterVehicle, UpdateContact
from booking.domain.site_capacity import FreeSlot, SetCapacity, SiteCapacity
from booking.preparation import Preparation
from events.catalog.booking import AppointmentPrepared
from events.catalog.booking_values import (
    RECOMMENDATION_RESPONSES,
    Contact,
    PartCheck,
    RequestedJob,
    RequestedPart,
    VehicleIdentity,
    check_code,
    check_vin,
)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _examples(*examples: JsonDict) -> ConfigDict:
    """A body's config with the examples its OpenAPI schema shows."""
    shown: list[JsonValue] = [*examples]
    return ConfigDict(extra="forbid", json_schema_extra={"examples": shown})


def _vin(value: str) -> str:
    return check_vin(value.strip().upper())


# A VIN as people type it: upper-cased here, then 17 characters without I, O or Q.
Vin = Annotated[str, AfterValidator(_vin)]


# --- capacity -------------------------------------------------------------------------------


class CapacityBody(Body):
    timezone: str = Field(min_length=1, max_length=64, description="IANA name, e.g. Asia/Shanghai")
    opens_at: time
    closes_at: time
    slot_minutes: int = Field(gt=0, le=480)
    open_weekdays: list[int] = Field(min_length=1, max_length=7, description="ISO weekdays, 1 = Monday")
    advisors: list[str] = Field(min_length=1, max_length=100)
    receptions_per_advisor: int = Field(gt=0, le=50)
    technicians: int = Field(gt=0, le=1000)
    bays: int = Field(gt=0, le=1000)
    workshop_minutes_per_slot: int = Field(gt=0, le=100_000)

    def command(self, site_id: UUID, now: datetime) -> SetCapacity:
        return SetCapacity(
            site_id=site_id,
            timezone=self.timezone,
            opens_at=self.opens_at,
            closes_at=self.closes_at,
            slot_minutes=self.slot_minutes,
            open_weekdays=tuple(self.open_weekdays),
            advisors=tuple(self.advisors),
            receptions_per_advisor=self.receptions_per_advisor,
            technicians=self.technicians,
            bays=self.bays,
            workshop_minutes_per_slot=self.workshop_minutes_per_slot,
            set_at=now,
        )


# --- appointments ---------------------------------------------------------------------------


class VehicleBody(Body):
    vin: Vin
    plate: str = Field(min_length=1, max_length=200)
    model: str | None = Field(default=None, max_length=200)
    vehicle_id: UUID | None = None

    def identity(self) -> VehicleIdentity:
        return VehicleIdentity(vin=self.vin, plate=self.plate, model=self.model, vehicle_id=self.vehicle_id)


class JobBody(Body):
    job_id: UUID = Field(default_factory=uuid4)
    description: str = Field(min_length=1, max_length=500)
    labour_operation: str | None = Field(default=None, max_length=40)
    estimated_minutes: int = Field(gt=0, le=24 * 60)
    parts: list[RequestedPart] = Field(default=[], max_length=50)

    def job(self) -> RequestedJob:
        return RequestedJob(
            job_id=self.job_id,
            description=self.description,
            labour_operation=self.labour_operation,
            estimated_minutes=self.estimated_minutes,
            parts=tuple(self.parts),
        )


class BookingBody(Body):
    """`vehicle_user`: who drives the car and takes our calls, when not the customer.
    The work: `requested_jobs` typed, and/or picked from the catalogue — a service menu
    (`menu_id`) or labour operations (`labour_operations`) for the car's model family (its
    `vehicle.model`), which become requested jobs with the catalogue's flat-rate minutes and
    parts. `estimated_minutes`: the jobs' minutes when left out."""

    model_config = _examples(
        {
            "reason": "maintenance",
            "customer": {"name": "Wang Lei", "phone": "13900000001"},
            "vehicle": {"vin": "LFV2A21K8G3000001", "plate": "京A12345", "model": "Sagitar"},
            "mileage_km": 9800,
            "requested_jobs": [
                {
                    "description": "10,000 km service",
                    "labour_operation": "10K",
                    "estimated_minutes": 40,
                    "parts": [{"part_number": "90915-YZZE1", "description": "oil filter", "quantity": 1}],
                }
            ],
            "customer_words": "the usual service, and the brakes squeak",
            "advisor_id": "sa-li",
            "slot_start": "2031-05-07T09:00:00+08:00",
        },
        {
            "reason": "maintenance",
            "customer": {"name": "Wang Lei", "phone": "13900000001"},
            "vehicle": {"vin": "LFV2A21K8G3000001", "plate": "京A12345", "model": "Sagitar"},
            "mileage_km": 9800,
            "menu_id": "10K",
            "requested_jobs": [{"description": "the brakes squeak when cold", "estimated_minutes": 20}],
            "advisor_id": "sa-li",
            "slot_start": "2031-05-07T09:00:00+08:00",
        },
    )

    appointment_id: UUID = Field(default_factory=uuid4)
    kind: str = Field(default="passive", description="passive or active")
    reason: str = Field(description="passive: maintenance, repair, accident, consultation; active: see docs")
    reference: str | None = Field(default=None, max_length=200)
    channel: str = Field(default="phone", description="phone, internet, in_person, dealer_initiated")
    customer: Contact
    vehicle: VehicleBody
    vehicle_user: Contact | None = None
    mileage_km: int | None = Field(default=None, ge=0, le=5_000_000)
    # Before `requested_jobs`, whose check reads them.
    menu_id: str | None = Field(default=None, min_length=1, max_length=40, description="a service menu's id")
    labour_operations: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default=[], max_length=30, description="labour operation codes of the catalogue"
    )
    requested_jobs: list[JobBody] = Field(default=[], max_length=30, validate_default=True)
    customer_words: str = Field(default="", max_length=2000)
    advisor_id: str = Field(min_length=1, max_length=200)
    slot_start: AwareDatetime
    estimated_minutes: int | None = Field(default=None, gt=0, le=7 * 24 * 60)

    @field_validator("requested_jobs")
    @classmethod
    def names_its_work(cls, jobs: list[JobBody], info: ValidationInfo) -> list[JobBody]:
        if not (jobs or info.data.get("menu_id") or info.data.get("labour_operations")):
            raise ValueError("ask the customer's needs: give requested_jobs, a menu_id or labour_operations")
        return jobs

    @model_validator(mode="after")
    def catalogue_knows_the_model(self) -> BookingBody:
        if (self.menu_id or self.labour_operations) and not (self.vehicle.model or "").strip():
            raise ValueError("vehicle.model is needed to book from the catalogue: it is the model family it prices")
        return self

    def catalogue_pick(self) -> CataloguePick | None:
        """What to ask the catalogue for; None when every job is typed."""
        if not (self.menu_id or self.labour_operations):
            return None
        assert self.vehicle.model is not None  # checked with the body
        return CataloguePick(self.vehicle.model.strip(), self.menu_id, tuple(self.labour_operations))

    def command(self, now: datetime, quoted: Sequence[RequestedJob] = ()) -> BookAppointment:
        """`quoted`: the jobs the catalogue gave for `catalogue_pick`, after the typed ones."""
        jobs = (*(job.job() for job in self.requested_jobs), *quoted)
        return BookAppointment(
            appointment_id=self.appointment_id,
            kind=self.kind,
            reason=self.reason,
            customer=self.customer,
            vehicle=self.vehicle.identity(),
            vehicle_user=self.vehicle_user or self.customer,
            requested_jobs=jobs,
            advisor_id=self.advisor_id,
            slot_start=self.slot_start,
            estimated_minutes=self.estimated_minutes or sum(job.estimated_minutes for job in jobs),
            booked_at=now,
            mileage_km=self.mileage_km,
            channel=self.channel,
            reference=self.reference,
            customer_words=self.customer_words,
            menu_id=self.menu_id,
        )


class ConfirmBody(Body):
    model_config = _examples(
        {"confirmation": "day_before", "channel": "phone"}, {"confirmation": "before_arrival", "channel": "wechat"}
    )

    confirmation: str = Field(description="day_before (our call) or before_arrival (the customer's own)")
    channel: str = Field(default="phone", description="phone, sms, wechat, email")

    def command(self, now: datetime) -> ConfirmAppointment:
        return ConfirmAppointment(self.confirmation, self.channel, now)


class RescheduleBody(Body):
    slot_start: AwareDatetime
    requested_by: str = Field(description="customer or dealer")
    reason: str = Field(min_length=1, max_length=500)
    advisor_id: str | None = Field(default=None, min_length=1, max_length=200)
    estimated_minutes: int | None = Field(default=None, gt=0, le=7 * 24 * 60)

    def command(self, now: datetime) -> RescheduleAppointment:
        return RescheduleAppointment(
            self.slot_start, self.requested_by, self.reason, now, self.advisor_id, self.estimated_minutes
        )


class CancelBody(Body):
    requested_by: str = Field(description="customer or dealer")
    reason: str = Field(min_length=1, max_length=500)

    def command(self, now: datetime) -> CancelAppointment:
        return CancelAppointment(self.requested_by, self.reason, now)


class AnswerBody(Body):
    finding_id: UUID
    response: str = Field(description="accepted, declined or undecided")

    @field_validator("response")
    @classmethod
    def response_is_known(cls, value: str) -> str:
        return check_code(value, RECOMMENDATION_RESPONSES, "response")


class PreparationBody(Body):
    """All optional: the history summary and the parts pre-check default to what the service
    knows; every open recommendation is offered, `undecided` unless answered here."""

    model_config = _examples(
        {},
        {
            "answers": [{"finding_id": "6f1c2a52-3c1e-4c55-9a43-1f8e0f0b9d11", "response": "accepted"}],
            "history_summary": "last visit 5,000 km service; brake pads declined (3 mm)",
        },
    )

    answers: list[AnswerBody] = Field(default=[], max_length=100)
    history_summary: str | None = Field(default=None, min_length=1, max_length=4000)
    parts_checked: list[PartCheck] | None = Field(default=None, max_length=200)

    def answers_by_finding(self) -> dict[UUID, str]:
        return {answer.finding_id: answer.response for answer in self.answers}

    def parts(self) -> tuple[PartCheck, ...] | None:
        return tuple(self.parts_checked) if self.parts_checked is not None else None


# --- customers and vehicles -----------------------------------------------------------------


class CustomerBody(Body):
    customer_id: UUID = Field(default_factory=uuid4)
    name: str = Field(min_length=1, max_length=200)
    phones: list[str] = Field(min_length=1, max_length=10)
    preferred_contact: str = Field(default="phone", description="phone, sms, wechat, email")
    do_not_call: bool = False

    def command(self, now: datetime) -> RegisterCustomer:
        return RegisterCustomer(
            self.customer_id, self.name, tuple(self.phones), self.preferred_contact, self.do_not_call, now
        )


class ContactBody(Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    phones: list[str] | None = Field(default=None, min_length=1, max_length=10)
    preferred_contact: str | None = None
    do_not_call: bool | None = None

    def command(self, now: datetime) -> UpdateContact:
        phones = tuple(self.phones) if self.phones is not None else None
        return UpdateContact(now, self.name, phones, self.preferred_contact, self.do_not_call)


class VehicleRegistrationBody(Body):
    vehicle_id: UUID = Field(default_factory=uuid4)
    vin: Vin
    plate: str = Field(min_length=1, max_length=200)
    model: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=1886, le=2200)
    vehicle_user: Contact | None = None

    def command(self, now: datetime) -> RegisterVehicle:
        return RegisterVehicle(self.vehicle_id, self.vin, self.plate, self.model, self.year, now, self.vehicle_user)


# --- views ----------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.isoformat()


# A moment as the API has always written it: with the offset it was recorded in (`+00:00`, not `Z`).
Instant = Annotated[AwareDatetime, PlainSerializer(_iso, return_type=str)]


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class AppointmentView(View):
    appointment_id: UUID
    status: str = Field(description="booked, confirmed, arrived, no_show or cancelled")
    kind: str
    reason: str
    reference: str | None
    channel: str
    customer: Contact
    vehicle: VehicleIdentity
    vehicle_user: Contact
    mileage_km: int | None
    requested_jobs: list[RequestedJob]
    menu_id: str | None = Field(description="the catalogue's service menu the requested jobs came from")
    customer_words: str
    advisor_id: str | None
    slot_start: Instant | None
    estimated_minutes: int
    confirmations: list[str]
    reminded: bool
    confirmation_overdue: bool
    prepared: bool
    parts_ready: bool | None
    arrived_at: Instant | None
    booked_at: Instant
    version: int = Field(description="send it back as `If-Match` with the next command")


def appointment_view(state: Appointment, version: int) -> AppointmentView:
    booked = state.booked
    assert booked is not None  # only booked appointments are shown
    return AppointmentView(
        appointment_id=booked.appointment_id,
        status="confirmed" if state.status == "booked" and state.confirmed else state.status,
        kind=booked.kind,
        reason=booked.reason,
        reference=booked.reference,
        channel=booked.channel,
        customer=booked.customer,
        vehicle=booked.vehicle,
        vehicle_user=booked.vehicle_user,
        mileage_km=booked.mileage_km,
        requested_jobs=list(booked.requested_jobs),
        menu_id=booked.menu_id,
        customer_words=booked.customer_words,
        advisor_id=state.advisor_id,
        slot_start=state.slot_start,
        estimated_minutes=state.estimated_minutes,
        confirmations=list(state.confirmations),
        reminded=state.reminded,
        confirmation_overdue=state.overdue,
        prepared=state.preparation is not None,
        parts_ready=state.preparation.parts_ready if state.preparation else None,
        arrived_at=state.arrived_at,
        booked_at=booked.booked_at,
        version=version,
    )


class CapacityView(View):
    site_id: UUID
    timezone: str
    opens_at: str = Field(examples=["08:00"], description="local time, HH:MM")
    closes_at: str = Field(examples=["18:00"], description="local time, HH:MM")
    slot_minutes: int
    open_weekdays: list[int]
    advisors: list[str]
    receptions_per_advisor: int
    technicians: int
    bays: int
    workshop_minutes_per_slot: int
    reservations: int = Field(description="appointments holding workshop time")
    version: int


def capacity_view(state: SiteCapacity, version: int) -> CapacityView:
    plan = state.plan
    assert plan is not None  # capacity streams start with the plan
    return CapacityView(
        site_id=state.site_id,
        timezone=plan.timezone,
        opens_at=plan.opens_at.isoformat(timespec="minutes"),
        closes_at=plan.closes_at.isoformat(timespec="minutes"),
        slot_minutes=plan.slot_minutes,
        open_weekdays=list(plan.open_weekdays),
        advisors=list(plan.advisors),
        receptions_per_advisor=plan.receptions_per_advisor,
        technicians=plan.technicians,
        bays=plan.bays,
        workshop_minutes_per_slot=plan.workshop_minutes_per_slot,
        reservations=len(state.reservations),
        version=version,
    )


class FreeSlotView(View):
    start: Instant
    workshop_minutes_left: int
    advisors: list[str] = Field(description="the advisors free at this slot")


def free_slot_view(slot: FreeSlot) -> FreeSlotView:
    return FreeSlotView(
        start=slot.start, workshop_minutes_left=slot.workshop_minutes_left, advisors=list(slot.advisors)
    )


class AppointmentListRow(View):
    """One appointment of a day list; `user_name`/`user_phone` are `[withheld]` for roles that
    do not talk to customers (docs/decisions/0004-personal-data.md)."""

    appointment_id: UUID
    advisor_id: str
    slot_start: Instant
    estimated_minutes: int
    status: str = Field(description="booked, confirmed, arrived, no_show or cancelled")
    kind: str
    reason: str
    user_name: str
    user_phone: str
    plate: str
    vin: str
    model: str | None
    jobs: list[str]
    confirmations: list[str]
    confirmation_overdue: bool
    prepared: bool
    parts_ready: bool | None
    arrived_at: Instant | None
    priority: str | None


class AppointmentListView(View):
    date: date_
    advisor: str | None
    appointments: list[AppointmentListRow]


class VehicleOfCustomer(View):
    vehicle_id: UUID
    vin: str
    plate: str
    model: str
    year: int
    vehicle_user: Contact | None


class CustomerView(View):
    """`name` and `phones` are `[withheld]` for roles that do not talk to customers."""

    customer_id: UUID
    name: str
    phones: list[str]
    preferred_contact: str
    do_not_call: bool
    vehicles: list[VehicleOfCustomer]
    version: int


def customer_view(state: Customer, version: int) -> CustomerView:
    return CustomerView(
        customer_id=state.customer_id,
        name=state.name,
        phones=list(state.phones),
        preferred_contact=state.preferred_contact,
        do_not_call=state.do_not_call,
        vehicles=[
            VehicleOfCustomer(
                vehicle_id=v.vehicle_id,
                vin=v.vin,
                plate=v.plate,
                model=v.model,
                year=v.year,
                vehicle_user=v.vehicle_user,
            )
            for v in state.vehicles
        ],
        version=version,
    )


class CustomerFound(View):
    """A customer found by phone; `name` and `phones` withheld by role as in `CustomerView`."""

    customer_id: UUID
    name: str
    phones: list[str]
    preferred_contact: str
    do_not_call: bool


class VehicleFound(View):
    """A car found by VIN or plate, with its user and owner: their names and phones are
    `[withheld]` for roles that do not talk to customers."""

    vehicle_id: UUID
    customer_id: UUID
    vin: str
    plate: str
    model: str
    year: int
    user_name: str | None
    user_phone: str | None
    customer_name: str | None
    customer_phones: list[str] | None


class VisitView(View):
    repair_order_id: UUID
    on: date_ | None
    mileage_km: int | None
    work_done: list[str]
    invoice_number: str | None


class OpenRecommendationView(View):
    finding_id: UUID
    repair_order_id: UUID
    description: str
    safety_critical: bool
    labour_minutes: int
    price: int = Field(description="labour and parts, in fen")
    declined_at: Instant


class PreparationView(View):
    appointment_id: UUID
    vehicle: VehicleIdentity
    history_summary: str
    history: list[VisitView] = Field(description="the car's newest visits first")
    service_history_more: bool = Field(description="the car has older visits than `history` lists")
    recommendations: list[OpenRecommendationView]
    parts_check: list[PartCheck]
    parts_ready: bool
    recorded: AppointmentPrepared | None = Field(description="the preparation recorded so far")


def preparation_view(state: Appointment, known: Preparation) -> PreparationView:
    """What the advisor sees before the visit: history, offers, parts — and what was recorded."""
    booked = state.booked
    assert booked is not None
    checks = known.parts_check(booked.requested_jobs)
    return PreparationView(
        appointment_id=booked.appointment_id,
        vehicle=booked.vehicle,
        history_summary=known.summary(),
        history=[
            VisitView(
                repair_order_id=v.repair_order_id,
                on=v.on,
                mileage_km=v.mileage_km,
                work_done=list(v.work_done),
                invoice_number=v.invoice_number,
            )
            for v in known.history
        ],
        service_history_more=known.more_history,
        recommendations=[
            OpenRecommendationView(
                finding_id=r.finding_id,
                repair_order_id=r.repair_order_id,
                description=r.description,
                safety_critical=r.safety_critical,
                labour_minutes=r.labour_minutes,
                price=r.labour_price + r.parts_price,
                declined_at=r.declined_at,
            )
            for r in known.recommendations
        ],
        parts_check=list(checks),
        parts_ready=all(check.available for check in checks),
        recorded=state.preparation,
    )
