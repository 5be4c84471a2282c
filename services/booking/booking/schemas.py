"""What the booking API accepts (request bodies, validated: 422 with field errors) and answers
(views). Code lists stay plain strings checked by the domain (409 `invalid_code`), as in every
service; shapes, ranges and identifiers are checked here."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any
from uuid import UUID, uuid4

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from booking.domain.appointment_commands import BookAppointment
from booking.domain.appointment_state import Appointment
from booking.domain.customer_vehicle import Customer
from booking.domain.site_capacity import FreeSlot, SetCapacity, SiteCapacity
from booking.preparation import Preparation
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
    `estimated_minutes`: the jobs' minutes when left out."""

    appointment_id: UUID = Field(default_factory=uuid4)
    kind: str = Field(default="passive", description="passive or active")
    reason: str = Field(description="passive: maintenance, repair, accident, consultation; active: see docs")
    reference: str | None = Field(default=None, max_length=200)
    channel: str = Field(default="phone", description="phone, internet, in_person, dealer_initiated")
    customer: Contact
    vehicle: VehicleBody
    vehicle_user: Contact | None = None
    mileage_km: int | None = Field(default=None, ge=0, le=5_000_000)
    requested_jobs: list[JobBody] = Field(min_length=1, max_length=30)
    customer_words: str = Field(default="", max_length=2000)
    advisor_id: str = Field(min_length=1, max_length=200)
    slot_start: AwareDatetime
    estimated_minutes: int | None = Field(default=None, gt=0, le=7 * 24 * 60)

    def command(self, now: datetime) -> BookAppointment:
        jobs = tuple(job.job() for job in self.requested_jobs)
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
        )


class ConfirmBody(Body):
    confirmation: str = Field(description="day_before (our call) or before_arrival (the customer's own)")
    channel: str = Field(default="phone", description="phone, sms, wechat, email")


class RescheduleBody(Body):
    slot_start: AwareDatetime
    requested_by: str = Field(description="customer or dealer")
    reason: str = Field(min_length=1, max_length=500)
    advisor_id: str | None = Field(default=None, min_length=1, max_length=200)
    estimated_minutes: int | None = Field(default=None, gt=0, le=7 * 24 * 60)


class CancelBody(Body):
    requested_by: str = Field(description="customer or dealer")
    reason: str = Field(min_length=1, max_length=500)


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

    answers: list[AnswerBody] = Field(default=[], max_length=100)
    history_summary: str | None = Field(default=None, min_length=1, max_length=4000)
    parts_checked: list[PartCheck] | None = Field(default=None, max_length=200)


# --- customers and vehicles -----------------------------------------------------------------


class CustomerBody(Body):
    customer_id: UUID = Field(default_factory=uuid4)
    name: str = Field(min_length=1, max_length=200)
    phones: list[str] = Field(min_length=1, max_length=10)
    preferred_contact: str = Field(default="phone", description="phone, sms, wechat, email")
    do_not_call: bool = False


class ContactBody(Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    phones: list[str] | None = Field(default=None, min_length=1, max_length=10)
    preferred_contact: str | None = None
    do_not_call: bool | None = None


class VehicleRegistrationBody(Body):
    vehicle_id: UUID = Field(default_factory=uuid4)
    vin: Vin
    plate: str = Field(min_length=1, max_length=200)
    model: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=1886, le=2200)
    vehicle_user: Contact | None = None


# --- views ----------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def appointment_view(state: Appointment, version: int) -> dict[str, Any]:
    booked = state.booked
    assert booked is not None  # only booked appointments are shown
    status = "confirmed" if state.status == "booked" and state.confirmed else state.status
    return {
        "appointment_id": str(booked.appointment_id),
        "status": status,
        "kind": booked.kind,
        "reason": booked.reason,
        "reference": booked.reference,
        "channel": booked.channel,
        "customer": booked.customer.model_dump(mode="json"),
        "vehicle": booked.vehicle.model_dump(mode="json"),
        "vehicle_user": booked.vehicle_user.model_dump(mode="json"),
        "mileage_km": booked.mileage_km,
        "requested_jobs": [job.model_dump(mode="json") for job in booked.requested_jobs],
        "customer_words": booked.customer_words,
        "advisor_id": state.advisor_id,
        "slot_start": _iso(state.slot_start),
        "estimated_minutes": state.estimated_minutes,
        "confirmations": list(state.confirmations),
        "reminded": state.reminded,
        "confirmation_overdue": state.overdue,
        "prepared": state.preparation is not None,
        "parts_ready": state.preparation.parts_ready if state.preparation else None,
        "arrived_at": _iso(state.arrived_at),
        "booked_at": booked.booked_at.isoformat(),
        "version": version,
    }


def capacity_view(state: SiteCapacity, version: int) -> dict[str, Any]:
    plan = state.plan
    assert plan is not None  # capacity streams start with the plan
    return {
        "site_id": str(state.site_id),
        "timezone": plan.timezone,
        "opens_at": plan.opens_at.isoformat(timespec="minutes"),
        "closes_at": plan.closes_at.isoformat(timespec="minutes"),
        "slot_minutes": plan.slot_minutes,
        "open_weekdays": list(plan.open_weekdays),
        "advisors": list(plan.advisors),
        "receptions_per_advisor": plan.receptions_per_advisor,
        "technicians": plan.technicians,
        "bays": plan.bays,
        "workshop_minutes_per_slot": plan.workshop_minutes_per_slot,
        "reservations": len(state.reservations),
        "version": version,
    }


def free_slot_view(slot: FreeSlot) -> dict[str, Any]:
    return {
        "start": slot.start.isoformat(),
        "workshop_minutes_left": slot.workshop_minutes_left,
        "advisors": list(slot.advisors),
    }


def customer_view(state: Customer, version: int) -> dict[str, Any]:
    return {
        "customer_id": str(state.customer_id),
        "name": state.name,
        "phones": list(state.phones),
        "preferred_contact": state.preferred_contact,
        "do_not_call": state.do_not_call,
        "vehicles": [
            {
                "vehicle_id": str(v.vehicle_id),
                "vin": v.vin,
                "plate": v.plate,
                "model": v.model,
                "year": v.year,
                "vehicle_user": v.vehicle_user.model_dump(mode="json") if v.vehicle_user else None,
            }
            for v in state.vehicles
        ],
        "version": version,
    }


def preparation_view(state: Appointment, known: Preparation) -> dict[str, Any]:
    """What the advisor sees before the visit: history, offers, parts — and what was recorded."""
    booked = state.booked
    assert booked is not None
    checks = known.parts_check(booked.requested_jobs)
    recorded = state.preparation
    return {
        "appointment_id": str(booked.appointment_id),
        "vehicle": booked.vehicle.model_dump(mode="json"),
        "history_summary": known.summary(),
        "history": [
            {
                "repair_order_id": str(v.repair_order_id),
                "on": v.on.isoformat() if v.on else None,
                "mileage_km": v.mileage_km,
                "work_done": list(v.work_done),
                "invoice_number": v.invoice_number,
            }
            for v in known.history
        ],
        "recommendations": [
            {
                "finding_id": str(r.finding_id),
                "repair_order_id": str(r.repair_order_id),
                "description": r.description,
                "safety_critical": r.safety_critical,
                "labour_minutes": r.labour_minutes,
                "price": r.labour_price + r.parts_price,
                "declined_at": r.declined_at.isoformat(),
            }
            for r in known.recommendations
        ],
        "parts_check": [check.model_dump(mode="json") for check in checks],
        "parts_ready": all(check.available for check in checks),
        "recorded": recorded.model_dump(mode="json") if recorded else None,
    }
