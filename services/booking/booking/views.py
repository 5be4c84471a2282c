"""What the booking API answers: the views of appointments, the site's capacity and free
slots, customers and their vehicles, and an appointment's preparation."""

from __future__ import annotations

from datetime import date as date_
from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
)

from booking.domain.appointment_state import Appointment
from booking.domain.customer_vehicle import Customer
from booking.domain.site_capacity import FreeSlot, SiteCapacity
from booking.preparation import Preparation
from events.catalog.booking import AppointmentPrepared
from events.catalog.booking_values import (
    Contact,
    PartCheck,
    RequestedJob,
    VehicleIdentity,
)
from events.catalog.workshop import MediaRef


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


class EvidenceView(View):
    """A photo or video of a declined finding, kept by the workshop (staff of the RO's site)."""

    media_id: UUID
    kind: str
    content_type: str
    url: str
    thumbnail_url: str | None = Field(description="photos only")


class OpenRecommendationView(View):
    finding_id: UUID
    repair_order_id: UUID
    description: str
    safety_critical: bool
    labour_minutes: int
    price: int = Field(description="labour and parts, in fen")
    declined_at: Instant
    severity: str | None = Field(default=None, description="yellow or red, as graded on the inspection")
    evidence: list[EvidenceView] = Field(default_factory=list, description="last visit's photos and videos")


def _evidence(site_id: str, media: tuple[MediaRef, ...]) -> list[EvidenceView]:
    views = []
    for ref in media:
        url = f"/api/v1/sites/{site_id}/media/{ref.media_id}"
        thumbnail = f"{url}/thumbnail" if ref.kind == "photo" else None
        views.append(
            EvidenceView(
                media_id=ref.media_id, kind=ref.kind, content_type=ref.content_type, url=url, thumbnail_url=thumbnail
            )
        )
    return views


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
                severity=r.severity,
                evidence=_evidence(r.site_id, r.media),
            )
            for r in known.recommendations
        ],
        parts_check=list(checks),
        parts_ready=all(check.available for check in checks),
        recorded=state.preparation,
    )
