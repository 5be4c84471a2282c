"""What the booking API accepts: request bodies, validated (422 with field errors); its answers
are in `booking.views`. Code lists stay plain strings checked by the domain (409 `invalid_code`),
as in every service; shapes, ranges and identifiers are checked here."""

from __future__ import annotations

from collections.abc import Sequence
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
from booking.domain.customer_vehicle import RegisterCustomer, RegisterVehicle, UpdateContact
from booking.domain.site_capacity import SetCapacity
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
    proposal_id: UUID | None = Field(default=None, description="followup's appointment proposal this answers")

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
            proposal_id=self.proposal_id,
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
