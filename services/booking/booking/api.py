"""The booking HTTP API. A command route parses its body (which builds the domain command),
authorises with one dependency (`Planner`, `Booker`, `Confirmer`, `Desk`) and runs the command with
`events.commands.execute` — or a use case of `handlers.py` where one stream is not enough
(booking, moving and ending an appointment also change the site's capacity) or the command
keeps the confirmation clocks. A query route checks the site, then reads the aggregate or a
read model's query (`projections.py`, `preparation.py`).

Paths are relative to a site (`/sites/{site_id}/...`); the gateway serves them under `/api/v1`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response

from booking import preparation, projections
from booking.catalogue import menu_pick
from booking.domain.appointment import appointment
from booking.domain.appointment import stream_id as appointment_stream
from booking.domain.appointment_commands import MarkNoShow, RecordArrival
from booking.domain.customer_vehicle import CustomerCommand, customer_vehicle
from booking.domain.customer_vehicle import stream_id as customer_stream
from booking.handlers import Booking
from booking.schemas import (
    BookingBody,
    CancelBody,
    CapacityBody,
    ConfirmBody,
    ContactBody,
    CustomerBody,
    PreparationBody,
    RescheduleBody,
    VehicleRegistrationBody,
)
from booking.views import (
    AppointmentListRow,
    AppointmentListView,
    AppointmentView,
    CapacityView,
    CustomerFound,
    CustomerView,
    FreeSlotView,
    PreparationView,
    VehicleFound,
    appointment_view,
    capacity_view,
    customer_view,
    free_slot_view,
    preparation_view,
)
from events.commands import load
from events.http import Actor, CurrentIdentity, SiteId, acting, site_tenant
from events.identity import ADVISOR, CS_AGENT, DISPATCHER, SERVICE_MANAGER, SYSTEM
from events.openapi import refusals
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Limit, answer
from events.privacy import WITHHELD, personal_view, sees_personal_data
from events.runtime import now, store_of

router = APIRouter(tags=["booking"])

Day = Annotated[date, Query(alias="date", description="the site's local day, YYYY-MM-DD")]

DESK = (ADVISOR, SERVICE_MANAGER)  # the car's arrival, a no-show, the visit's preparation
# CS agents make the reminder calls and work the contact queue (seed 002): what the customer
# answers there they book, move or confirm themselves.
BOOKERS = CONFIRMERS = (ADVISOR, CS_AGENT, SERVICE_MANAGER)
PLANNERS = (DISPATCHER, SERVICE_MANAGER)
READERS = (ADVISOR, DISPATCHER, CS_AGENT, SERVICE_MANAGER, SYSTEM)

Booker = Annotated[Actor, acting(*BOOKERS)]
Desk = Annotated[Actor, acting(*DESK)]
Confirmer = Annotated[Actor, acting(*CONFIRMERS)]
Planner = Annotated[Actor, acting(*PLANNERS)]

# Personal fields of the responses: only for the roles that need them, and audited (events.privacy).
_USER, _CUSTOMER = ("user_name", "user_phone"), ("name", "phones")
_VEHICLE_PEOPLE = (*_USER, "customer_name", "customer_phones")
_APPOINTMENT_PEOPLE = ("customer", "vehicle_user")  # an appointment's contacts

# Every command on a recorded appointment, customer or capacity takes `If-Match`, so each can
# meet a record changed since; an appointment that ended or whose car arrived takes no more.
CONFLICT = "concurrency_conflict"
ENDED = ("appointment_cancelled", "no_show_recorded", "already_arrived")
SLOT = ("capacity_exceeded", "capacity_not_set", "slot_not_bookable", "advisor_not_available")
CONTACT = ("invalid_phone", "missing_information", "contact_preference_conflict", "invalid_code")
# A pick from the catalogue can meet an operation it gives no time (409); the catalogue's own
# refusals pass through with their status and code (an unknown menu or operation, a site without
# labour rates), and it being down is a 503 (`peer_unavailable`), nothing written.
CATALOGUE = ("no_flat_rate_time", "unknown_reference", "no_labour_rate")


def booking_of(request: Request) -> Booking:
    booking: Booking = request.app.state.booking
    return booking


# --- capacity and free slots ------------------------------------------------------------------


@router.put(
    "/sites/{site_id}/capacity",
    responses=refusals(
        "capacity_below_bookings",
        "invalid_opening_hours",
        "advisor_not_available",
        "workshop_minutes_beyond_staff",
        "invalid_code",
        CONFLICT,
        not_found=False,
    ),
)
async def set_capacity(site_id: SiteId, body: CapacityBody, request: Request, by: Planner) -> CapacityView:
    """Set or change what the site can take by appointment; lowering it below the bookings
    still to come is refused (409 capacity_below_bookings)."""
    command = body.command(site_id, now(request))
    state, version = await booking_of(request).set_capacity(by.metadata, command, by.expected_version)
    return capacity_view(state, version)


@router.get("/sites/{site_id}/capacity", responses=refusals())
async def get_capacity(site_id: SiteId, identity: CurrentIdentity, request: Request) -> CapacityView:
    state, version = await booking_of(request).capacity(site_tenant(identity, site_id, READERS))
    return capacity_view(state, version)


@router.get("/sites/{site_id}/free-slots", responses=refusals(*CATALOGUE))
async def free_slots(
    site_id: SiteId,
    day: Day,
    identity: CurrentIdentity,
    request: Request,
    minutes: Annotated[int, Query(gt=0, le=7 * 24 * 60)] = 60,
    advisor: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    menu_id: Annotated[str | None, Query(min_length=1, max_length=40, description="instead of `minutes`")] = None,
    model_family: Annotated[
        str | None, Query(min_length=1, max_length=200, description="the car's model; with `menu_id`")
    ] = None,
) -> list[FreeSlotView]:
    """The slots of `date` where `minutes` of work would be accepted now, earliest first; for a
    service menu (`menu_id` and the car's `model_family`), its flat-rate minutes by the catalogue."""
    tenant = site_tenant(identity, site_id, READERS)
    if menu_id is not None:
        minutes = await booking_of(request).menu_minutes(identity, tenant, menu_pick(menu_id, model_family))
    slots = await booking_of(request).free_slots(tenant, day, minutes, advisor)
    return [free_slot_view(slot) for slot in slots]


# --- appointments -----------------------------------------------------------------------------


@router.post(
    "/sites/{site_id}/appointments",
    status_code=201,
    responses=refusals(
        *SLOT,
        "already_booked",
        "already_reserved",
        "no_jobs",
        "duplicate_job",
        "estimate_too_short",
        "time_out_of_order",
        "missing_information",
        "invalid_code",
        *CATALOGUE,
    ),
)
async def book(body: BookingBody, request: Request, by: Booker) -> AppointmentView:
    """Book against the site's capacity: a full slot is refused (409 capacity_exceeded) and
    nothing is recorded. A service menu or labour operations become requested jobs with the
    catalogue's flat-rate minutes (404 for a menu it does not know; 503 peer_unavailable, and
    nothing booked, while it cannot be reached)."""
    booking = booking_of(request)
    pick = body.catalogue_pick()
    quoted = await booking.quoted_jobs(by.identity, by.tenant, pick) if pick else ()
    outcome = await booking.book(by.metadata, body.command(now(request), quoted))
    return appointment_view(outcome.state, outcome.version)


@router.get("/sites/{site_id}/appointments/{appointment_id}", responses=refusals())
async def get_appointment(
    site_id: SiteId, appointment_id: UUID, identity: CurrentIdentity, request: Request
) -> AppointmentView:
    tenant = site_tenant(identity, site_id, READERS)
    state, version = await load(store_of(request), appointment, appointment_stream(appointment_id), tenant)
    record = appointment_view(state, version).model_dump()
    people = {
        "appointment_id": str(appointment_id),
        **{f"{who}_{field}": record[who][field] for who in _APPOINTMENT_PEOPLE for field in ("name", "phone")},
    }
    (shown,) = await personal_view(
        request.app.state.runtime.pool, identity, request, [people], fields=tuple(people)[1:], subject="appointment_id"
    )
    for who in _APPOINTMENT_PEOPLE:
        record[who] |= {field: shown[f"{who}_{field}"] for field in ("name", "phone")}
    return AppointmentView.model_validate(record)


@router.post(
    "/sites/{site_id}/appointments/{appointment_id}/confirm",
    responses=refusals("already_confirmed", "time_out_of_order", "invalid_code", *ENDED, CONFLICT),
)
async def confirm(appointment_id: UUID, body: ConfirmBody, request: Request, by: Confirmer) -> AppointmentView:
    """Record the customer's confirmation: ours the day before, or theirs before they come."""
    outcome = await booking_of(request).run(
        by.metadata, appointment_id, body.command(now(request)), expected_version=by.expected_version
    )
    return appointment_view(outcome.state, outcome.version)


@router.post(
    "/sites/{site_id}/appointments/{appointment_id}/reschedule",
    responses=refusals(*SLOT, "nothing_to_change", "estimate_too_short", "time_out_of_order", *ENDED, CONFLICT),
)
async def reschedule(appointment_id: UUID, body: RescheduleBody, request: Request, by: Booker) -> AppointmentView:
    """Move to another slot (advisor, duration); a full slot is refused and the old one kept."""
    command = body.command(now(request))
    outcome = await booking_of(request).reschedule(by.metadata, appointment_id, command, by.expected_version)
    return appointment_view(outcome.state, outcome.version)


@router.post(
    "/sites/{site_id}/appointments/{appointment_id}/cancel",
    responses=refusals("invalid_code", "missing_information", *ENDED, CONFLICT),
)
async def cancel(appointment_id: UUID, body: CancelBody, request: Request, by: Confirmer) -> AppointmentView:
    """Cancel and give the slot back."""
    command = body.command(now(request))
    outcome = await booking_of(request).cancel(by.metadata, appointment_id, command, by.expected_version)
    return appointment_view(outcome.state, outcome.version)


@router.post(
    "/sites/{site_id}/appointments/{appointment_id}/no-show",
    responses=refusals("no_show_too_early", *ENDED, CONFLICT),
)
async def no_show(appointment_id: UUID, request: Request, by: Desk) -> AppointmentView:
    """Only after the slot start and its grace period (409 no_show_too_early before)."""
    command = MarkNoShow(now(request))
    outcome = await booking_of(request).mark_no_show(by.metadata, appointment_id, command, by.expected_version)
    return appointment_view(outcome.state, outcome.version)


@router.post(
    "/sites/{site_id}/appointments/{appointment_id}/arrival",
    responses=refusals("time_out_of_order", *ENDED, CONFLICT),
)
async def arrival(appointment_id: UUID, request: Request, by: Desk) -> AppointmentView:
    """The car is here (booking.VehicleArrived: reception checks it in with appointment priority)."""
    outcome = await booking_of(request).run(
        by.metadata, appointment_id, RecordArrival(now(request)), expected_version=by.expected_version
    )
    return appointment_view(outcome.state, outcome.version)


@router.get("/sites/{site_id}/appointments/{appointment_id}/preparation", responses=refusals())
async def get_preparation(
    site_id: SiteId, appointment_id: UUID, identity: CurrentIdentity, request: Request
) -> PreparationView:
    """The car's service history (newest first; `service_history_more` when it goes further back),
    the recommendations it declined before, the parts pre-check, and the preparation recorded so far."""
    tenant = site_tenant(identity, site_id, READERS)
    state, _ = await load(store_of(request), appointment, appointment_stream(appointment_id), tenant)
    assert state.booked is not None  # a loaded appointment was booked
    async with request.app.state.runtime.pool.acquire() as conn:
        known = await preparation.read(conn, tenant.group_id, state.booked)
    return preparation_view(state, known)


@router.post(
    "/sites/{site_id}/appointments/{appointment_id}/preparation",
    status_code=201,
    responses=refusals(
        "unknown_recommendation", "parts_check_incomplete", "duplicate_recommendation", *ENDED, CONFLICT
    ),
)
async def prepare(appointment_id: UUID, body: PreparationBody, request: Request, by: Desk) -> AppointmentView:
    """Record the preparation: every open recommendation offered (with the customer's answer),
    the history summary and the parts pre-check (what this service knows, unless given)."""
    outcome = await booking_of(request).prepare(
        by.metadata,
        appointment_id,
        body.answers_by_finding(),
        body.history_summary,
        body.parts(),
        expected_version=by.expected_version,
    )
    return appointment_view(outcome.state, outcome.version)


@router.get("/sites/{site_id}/appointment-lists")
async def appointment_list(
    site_id: SiteId,
    day: Day,
    identity: CurrentIdentity,
    request: Request,
    advisor: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> AppointmentListView:
    """A day's appointments of the site (or one advisor) in arrival order, with their status:
    booked, confirmed, arrived, no_show or cancelled. The day is the site's local day."""
    tenant = site_tenant(identity, site_id, READERS)
    capacity, _ = await booking_of(request).capacity(tenant, must_exist=False)
    zone = ZoneInfo(capacity.plan.timezone) if capacity.plan else ZoneInfo("UTC")
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    pool = request.app.state.runtime.pool
    rows = await projections.day_list(pool, tenant, start, end, advisor)
    listed = [{**dict(row), "slot_start": row["slot_start"].astimezone(zone)} for row in rows]
    shown = await personal_view(pool, identity, request, listed, fields=_USER, subject="appointment_id")
    return AppointmentListView(
        date=day, advisor=advisor, appointments=[AppointmentListRow.model_validate(row) for row in shown]
    )


# --- customers and vehicles -------------------------------------------------------------------


async def _customer_command(request: Request, customer_id: UUID, command: CustomerCommand, by: Actor) -> CustomerView:
    outcome = await by.run(store_of(request), customer_vehicle, customer_stream(customer_id), command)
    return customer_view(outcome.state, outcome.version)


@router.post(
    "/sites/{site_id}/customers",
    status_code=201,
    responses=refusals("customer_already_registered", *CONTACT, not_found=False),
)
async def register_customer(body: CustomerBody, request: Request, by: Confirmer) -> CustomerView:
    outcome = await by.run(
        store_of(request),
        customer_vehicle,
        customer_stream(body.customer_id),
        body.command(now(request)),
        must_exist=False,
    )
    return customer_view(outcome.state, outcome.version)


@router.get("/sites/{site_id}/customers", responses=LIST_RESPONSES)
async def find_customers(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    phone: Annotated[str, Query(min_length=5, max_length=40)],
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[CustomerFound]:
    """Identify a caller by phone number (the customer database)."""
    tenant = site_tenant(identity, site_id, READERS)
    pool = request.app.state.runtime.pool
    window, rows = await projections.customers_by_phone(pool, tenant, phone, cursor, limit)
    found = [dict(row) for row in answer(window, rows, request, response)]
    shown = await personal_view(pool, identity, request, found, fields=_CUSTOMER, subject="customer_id")
    return [CustomerFound.model_validate(row) for row in shown]


@router.get("/sites/{site_id}/customers/{customer_id}", responses=refusals())
async def get_customer(site_id: SiteId, customer_id: UUID, identity: CurrentIdentity, request: Request) -> CustomerView:
    tenant = site_tenant(identity, site_id, READERS)
    state, version = await load(store_of(request), customer_vehicle, customer_stream(customer_id), tenant)
    pool = request.app.state.runtime.pool
    record = customer_view(state, version).model_dump()
    (shown,) = await personal_view(pool, identity, request, [record], fields=_CUSTOMER, subject="customer_id")
    if not sees_personal_data(identity):  # the cars' users are people too
        for vehicle in shown["vehicles"]:
            if vehicle["vehicle_user"] is not None:
                vehicle["vehicle_user"] |= {"name": WITHHELD, "phone": WITHHELD}
    return CustomerView.model_validate(shown)


@router.patch(
    "/sites/{site_id}/customers/{customer_id}",
    responses=refusals("nothing_to_change", "customer_not_registered", *CONTACT, CONFLICT),
)
async def update_contact(customer_id: UUID, body: ContactBody, request: Request, by: Confirmer) -> CustomerView:
    return await _customer_command(request, customer_id, body.command(now(request)), by)


@router.post(
    "/sites/{site_id}/customers/{customer_id}/vehicles",
    status_code=201,
    responses=refusals(
        "vehicle_already_registered", "invalid_model_year", "invalid_vin", "missing_information", CONFLICT
    ),
)
async def register_vehicle(
    customer_id: UUID, body: VehicleRegistrationBody, request: Request, by: Confirmer
) -> CustomerView:
    return await _customer_command(request, customer_id, body.command(now(request)), by)


@router.get("/sites/{site_id}/vehicles", responses=LIST_RESPONSES)
async def find_vehicles(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    vin: Annotated[str | None, Query(min_length=1, max_length=17)] = None,
    plate: Annotated[str | None, Query(min_length=1, max_length=20)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[VehicleFound]:
    """Identify a car by VIN or plate, with its user and owner (the customer database); their
    names and phones only for the roles that talk to customers, each read recorded."""
    tenant = site_tenant(identity, site_id, READERS)
    pool = request.app.state.runtime.pool
    window, rows = await projections.vehicles(pool, tenant, vin, plate, cursor, limit)
    found = [dict(row) for row in answer(window, rows, request, response)]
    # The owner is the subject recorded: the user's name and phone come with the owner's car.
    shown = await personal_view(pool, identity, request, found, fields=_VEHICLE_PEOPLE, subject="customer_id")
    return [VehicleFound.model_validate(row) for row in shown]
