"""Self-booking on the customer portal (issue 21; `booking.domain.self_booking` has the rules):
`/public/self-booking/{site_id}/...`, served by the gateway at `/api/v1/public/...` without
signing in. The customer sees the site's services (the catalogue's menus for their model family,
or a general maintenance or repair visit) and its free slots, and books one.

Nothing here reveals anyone else: no customer or vehicle is looked up, the answer to a booking
repeats only what the request carried, and free slots name no advisor. A retried booking (the
same `appointment_id` from the same phone) answers as the first did and books nothing again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID, uuid4, uuid5

from fastapi import APIRouter, Query, Request
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from booking.api import booking_of
from booking.catalogue import CataloguePick, menu_pick
from booking.domain.appointment_state import AlreadyBooked
from booking.domain.self_booking import (
    GENERAL_SERVICES,
    advisor_for,
    general_job,
    phone_digest,
    require_room,
    self_booking,
)
from booking.domain.site_capacity import SiteCapacity, free_slots
from booking.handlers import Booking
from booking.public_site import bookable_site
from booking.schemas import Vin
from events.catalog.booking_values import Contact, RequestedJob, VehicleIdentity
from events.connection import Connection
from events.envelope import Metadata, Tenant
from events.http import REQUEST_ID_HEADER
from events.identity import SYSTEM, Identity
from events.openapi import refusals
from events.peers import PeerUnavailable
from events.runtime import now

router = APIRouter(tags=["public"])

ACTOR = "customer.self-booking"
PATH = "/public/self-booking/{site_id}"
Service = Literal["maintenance", "repair"]
# A phone as people type it: digits, spaces, dashes and a leading +, 7 to 15 digits in all.
PHONE = r"^\+?[0-9][0-9 \-]{5,22}[0-9]$"


def _in_our_time(moment: datetime | date) -> datetime | date:
    # Anything else is a typing slip or a probe, and would not survive a conversion to site time.
    if not 2000 <= moment.year <= 2200:
        raise ValueError("a time between the years 2000 and 2200")
    return moment


# A slot's start as a customer's form sends it, and a day to look at.
SlotStart = Annotated[AwareDatetime, AfterValidator(_in_our_time)]
PublicDay = Annotated[
    date, Query(alias="date", description="the site's local day, YYYY-MM-DD"), AfterValidator(_in_our_time)
]


def catalogue_identity(tenant: Tenant) -> Identity:
    """Booking asks the catalogue for this one site as a system: the catalogue applies its own
    tenancy to the call, and no person's identity is borrowed."""
    return Identity(ACTOR, "self-booking", tenant.group_id, frozenset({SYSTEM}), frozenset({tenant.site_id}))


# --- what the customer sees -----------------------------------------------------------------


class _Public(BaseModel):
    model_config = ConfigDict(frozen=True)


class MenuChoice(_Public):
    menu_id: str
    name_zh: str
    name_en: str
    interval_km: int | None = None


class SiteServices(_Public):
    time_zone: str
    general_services: list[str] = Field(description="what may be booked without a menu: maintenance, repair")
    menus: list[MenuChoice] = Field(description="the catalogue's service menus for `model_family`, if named")


class PublicSlots(_Public):
    date: date
    time_zone: str
    minutes: int = Field(description="the workshop time the picked service holds")
    slots: list[datetime] = Field(description="free slot starts, earliest first; no advisor is named")


class SelfBookingBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    appointment_id: UUID = Field(description="chosen by the form; sending it again books nothing twice")
    service: Service = "maintenance"
    menu_id: str | None = Field(default=None, min_length=1, max_length=40, description="a service menu instead")
    slot_start: SlotStart
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(pattern=PHONE)
    plate: str = Field(min_length=1, max_length=20)
    vin: Vin
    model: str = Field(min_length=1, max_length=200, description="the car's model family")
    mileage_km: int | None = Field(default=None, ge=0, le=5_000_000)
    customer_words: str = Field(default="", max_length=500)
    proposal_id: UUID | None = Field(default=None, description="followup's proposal this answers, from its link")


class SelfBooked(_Public):
    """The booking as the customer sent it, and the slot and work it holds: nothing else."""

    appointment_id: UUID
    status: str
    slot_start: datetime
    time_zone: str
    minutes: int
    work: list[str]
    name: str
    phone: str
    plate: str
    model: str


# --- routes ---------------------------------------------------------------------------------


@router.get(PATH, responses=refusals())
async def site_services(
    site_id: UUID,
    request: Request,
    model_family: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> SiteServices:
    """What this site can be booked for. The menus need the car's model family; without the
    catalogue (down) the general services are still offered."""
    booking = booking_of(request)
    tenant, capacity = await bookable_site(booking, site_id)
    assert capacity.plan is not None  # a bookable site has a plan
    menus: list[MenuChoice] = []
    if model_family is not None:
        try:
            found = await booking.peers.get(
                "catalogue",
                f"/sites/{tenant.site_id}/service-menus",
                catalogue_identity(tenant),
                params={"model_family": model_family},
            )
        except PeerUnavailable:
            found = []
        menus = [MenuChoice.model_validate(menu) for menu in _menus(found)]
    return SiteServices(time_zone=capacity.plan.timezone, general_services=list(GENERAL_SERVICES), menus=menus)


def _menus(found: object) -> list[dict[str, object]]:
    if not isinstance(found, list):
        return []
    keys = ("menu_id", "name_zh", "name_en", "interval_km")
    return [{key: menu.get(key) for key in keys} for menu in found if isinstance(menu, dict)]


@router.get(f"{PATH}/free-slots", responses=refusals("no_flat_rate_time", "unknown_reference"))
async def public_free_slots(
    site_id: UUID,
    request: Request,
    day: PublicDay,
    service: Service = "maintenance",
    menu_id: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    model_family: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> PublicSlots:
    """The slots of `date` that would take the picked service now."""
    booking = booking_of(request)
    tenant, capacity = await bookable_site(booking, site_id)
    assert capacity.plan is not None
    minutes = sum(job.estimated_minutes for job in await _jobs(booking, tenant, service, menu_id, model_family))
    slots = free_slots(capacity, day, minutes, None, not_before=now(request))
    return PublicSlots(date=day, time_zone=capacity.plan.timezone, minutes=minutes, slots=[s.start for s in slots])


@router.post(
    f"{PATH}/appointments",
    status_code=201,
    responses=refusals(
        "too_many_open_bookings",
        "capacity_exceeded",
        "slot_not_bookable",
        "already_booked",
        "time_out_of_order",
        "no_flat_rate_time",
        "unknown_reference",
    ),
)
async def self_book(site_id: UUID, body: SelfBookingBody, request: Request) -> SelfBooked:
    """Book the picked slot as the customer (channel `internet`). Refused: a slot no longer free
    (409 capacity_exceeded), a phone with too many open bookings here (409 too_many_open_bookings)."""
    booking = booking_of(request)
    tenant, capacity = await bookable_site(booking, site_id)
    assert capacity.plan is not None
    digest = phone_digest(body.phone)
    jobs = await _jobs(booking, tenant, body.service, body.menu_id, body.model, body.appointment_id)
    minutes = sum(job.estimated_minutes for job in jobs)
    answer = _booked(body, capacity, jobs)
    already = await booking.store.pool.fetchval(
        "SELECT phone_digest FROM self_bookings WHERE appointment_id = $1", body.appointment_id
    )
    if already == digest:
        return answer  # the same booking sent again: it stands, nothing is booked twice
    if already is not None:
        raise AlreadyBooked("that booking number is taken: reload the page and book again")
    at = now(request)
    local_day = body.slot_start.astimezone(capacity.plan.zone).date()
    advisor = advisor_for(free_slots(capacity, local_day, minutes, None, not_before=at), body.slot_start)
    contact = Contact(name=body.name.strip(), phone=body.phone.strip())
    command = self_booking(
        appointment_id=body.appointment_id,
        service=body.service,
        contact=contact,
        vehicle=VehicleIdentity(vin=body.vin, plate=body.plate.strip(), model=body.model.strip()),
        jobs=jobs,
        advisor_id=advisor,
        slot_start=body.slot_start,
        booked_at=at,
        customer_words=body.customer_words,
        menu_id=body.menu_id,
        mileage_km=body.mileage_km,
        proposal_id=body.proposal_id,
    )

    async def within_limit(conn: Connection) -> None:
        # Under the site's booking lock (Booking.book): two bookings of one phone are counted in turn.
        open_bookings = await conn.fetchval(
            """SELECT count(*) FROM self_bookings s LEFT JOIN appointments a USING (appointment_id)
               WHERE s.group_id = $1 AND s.site_id = $2 AND s.phone_digest = $3 AND s.slot_start > $4
                 AND coalesce(a.status, 'booked') = 'booked'""",
            tenant.group_id,
            tenant.site_id,
            digest,
            at,
        )
        require_room(int(open_bookings))
        await conn.execute(
            """INSERT INTO self_bookings (appointment_id, group_id, site_id, phone_digest, slot_start, booked_at)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            body.appointment_id,
            tenant.group_id,
            tenant.site_id,
            digest,
            body.slot_start,
            at,
        )

    metadata = Metadata(tenant, ACTOR, request.headers.get(REQUEST_ID_HEADER) or str(uuid4()))
    await booking.book(metadata, command, within_limit)
    return answer


async def _jobs(
    booking: Booking,
    tenant: Tenant,
    service: str,
    menu_id: str | None,
    model_family: str | None,
    appointment_id: UUID | None = None,
) -> tuple[RequestedJob, ...]:
    """The work the choice means: the catalogue's menu for the model family, or a general visit
    (its job id fixed by the booking's, so a retry books the very same job)."""
    if menu_id is not None:
        pick: CataloguePick = menu_pick(menu_id, model_family)
        return await booking.quoted_jobs(catalogue_identity(tenant), tenant, pick)
    return (general_job(service, uuid5(appointment_id or UUID(int=0), "general-job")),)


def _booked(body: SelfBookingBody, capacity: SiteCapacity, jobs: tuple[RequestedJob, ...]) -> SelfBooked:
    assert capacity.plan is not None
    return SelfBooked(
        appointment_id=body.appointment_id,
        status="booked",
        slot_start=body.slot_start.astimezone(capacity.plan.zone),
        time_zone=capacity.plan.timezone,
        minutes=sum(job.estimated_minutes for job in jobs),
        work=[job.description for job in jobs],
        name=body.name.strip(),
        phone=body.phone.strip(),
        plate=body.plate.strip(),
        model=body.model.strip(),
    )
