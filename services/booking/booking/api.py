"""The booking HTTP API: parse, authorise, call a use case, answer with the new state.

Paths are relative to a site (`/sites/{site_id}/...`); the gateway serves them under `/api/v1`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response

from booking import preparation
from booking.domain.appointment_commands import (
    AppointmentCommand,
    CancelAppointment,
    ConfirmAppointment,
    MarkNoShow,
    RecordArrival,
    RescheduleAppointment,
)
from booking.domain.customer_vehicle import RegisterCustomer, RegisterVehicle, UpdateContact
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
    appointment_view,
    capacity_view,
    customer_view,
    free_slot_view,
    preparation_view,
)
from events.http import CurrentIdentity, SiteId, command_metadata, site_tenant
from events.identity import ADVISOR, CS_AGENT, DISPATCHER, SERVICE_MANAGER, SYSTEM, Identity
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Key, Limit, Listing, answer
from events.privacy import personal_view

router = APIRouter(tags=["booking"])

Day = Annotated[date, Query(alias="date", description="the site's local day, YYYY-MM-DD")]

BOOKERS = (ADVISOR, SERVICE_MANAGER)
CONFIRMERS = (ADVISOR, CS_AGENT, SERVICE_MANAGER)  # CS agents make the reminder calls
PLANNERS = (DISPATCHER, SERVICE_MANAGER)
READERS = (ADVISOR, DISPATCHER, CS_AGENT, SERVICE_MANAGER, SYSTEM)
# Personal fields of the responses: only for the roles that need them, and audited (events.privacy).
_USER, _CUSTOMER = ("user_name", "user_phone"), ("name", "phones")


def booking_of(request: Request) -> Booking:
    booking: Booking = request.app.state.booking
    return booking


# --- capacity and free slots ------------------------------------------------------------------


@router.put("/sites/{site_id}/capacity")
async def set_capacity(
    site_id: SiteId, body: CapacityBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """Set or change what the site can take by appointment; lowering it below the bookings
    still to come is refused (409 capacity_below_bookings)."""
    identity.require_role(*PLANNERS)
    metadata = command_metadata(identity, str(site_id), request)
    state, version = await booking_of(request).set_capacity(metadata, body.command(site_id, booking_of(request).now()))
    return capacity_view(state, version)


@router.get("/sites/{site_id}/capacity")
async def get_capacity(site_id: SiteId, identity: CurrentIdentity, request: Request) -> dict[str, Any]:
    state, version = await booking_of(request).capacity(site_tenant(identity, site_id, READERS))
    return capacity_view(state, version)


@router.get("/sites/{site_id}/free-slots")
async def free_slots(
    site_id: SiteId,
    day: Day,
    identity: CurrentIdentity,
    request: Request,
    minutes: Annotated[int, Query(gt=0, le=7 * 24 * 60)] = 60,
    advisor: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> list[dict[str, Any]]:
    """The slots of `date` where `minutes` of work would be accepted now, earliest first."""
    slots = await booking_of(request).free_slots(site_tenant(identity, site_id, READERS), day, minutes, advisor)
    return [free_slot_view(slot) for slot in slots]


# --- appointments -----------------------------------------------------------------------------


@router.post("/sites/{site_id}/appointments", status_code=201)
async def book(site_id: SiteId, body: BookingBody, identity: CurrentIdentity, request: Request) -> dict[str, Any]:
    """Book against the site's capacity: a full slot is refused (409 capacity_exceeded) and
    nothing is recorded."""
    identity.require_role(*BOOKERS)
    metadata = command_metadata(identity, str(site_id), request)
    outcome = await booking_of(request).book(metadata, body.command(booking_of(request).now()))
    return appointment_view(outcome.state, outcome.version)


@router.get("/sites/{site_id}/appointments/{appointment_id}")
async def get_appointment(
    site_id: SiteId, appointment_id: UUID, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    state, version = await booking_of(request).appointment(site_tenant(identity, site_id, READERS), appointment_id)
    return appointment_view(state, version)


async def _run(
    request: Request, identity: Identity, site_id: UUID, appointment_id: UUID, command: AppointmentCommand
) -> dict[str, Any]:
    outcome = await booking_of(request).run(command_metadata(identity, str(site_id), request), appointment_id, command)
    return appointment_view(outcome.state, outcome.version)


@router.post("/sites/{site_id}/appointments/{appointment_id}/confirm")
async def confirm(
    site_id: SiteId, appointment_id: UUID, body: ConfirmBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    identity.require_role(*CONFIRMERS)
    command = ConfirmAppointment(body.confirmation, body.channel, booking_of(request).now())
    return await _run(request, identity, site_id, appointment_id, command)


@router.post("/sites/{site_id}/appointments/{appointment_id}/reschedule")
async def reschedule(
    site_id: SiteId, appointment_id: UUID, body: RescheduleBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """Move to another slot (advisor, duration); a full slot is refused and the old one kept."""
    identity.require_role(*BOOKERS)
    command = RescheduleAppointment(
        body.slot_start,
        body.requested_by,
        body.reason,
        booking_of(request).now(),
        body.advisor_id,
        body.estimated_minutes,
    )
    metadata = command_metadata(identity, str(site_id), request)
    outcome = await booking_of(request).reschedule(metadata, appointment_id, command)
    return appointment_view(outcome.state, outcome.version)


@router.post("/sites/{site_id}/appointments/{appointment_id}/cancel")
async def cancel(
    site_id: SiteId, appointment_id: UUID, body: CancelBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    identity.require_role(*CONFIRMERS)
    command = CancelAppointment(body.requested_by, body.reason, booking_of(request).now())
    outcome = await booking_of(request).cancel(
        command_metadata(identity, str(site_id), request), appointment_id, command
    )
    return appointment_view(outcome.state, outcome.version)


@router.post("/sites/{site_id}/appointments/{appointment_id}/no-show")
async def no_show(site_id: SiteId, appointment_id: UUID, identity: CurrentIdentity, request: Request) -> dict[str, Any]:
    """Only after the slot start and its grace period (409 no_show_too_early before)."""
    identity.require_role(*BOOKERS)
    metadata = command_metadata(identity, str(site_id), request)
    outcome = await booking_of(request).mark_no_show(metadata, appointment_id, MarkNoShow(booking_of(request).now()))
    return appointment_view(outcome.state, outcome.version)


@router.post("/sites/{site_id}/appointments/{appointment_id}/arrival")
async def arrival(site_id: SiteId, appointment_id: UUID, identity: CurrentIdentity, request: Request) -> dict[str, Any]:
    """The car is here (booking.VehicleArrived: reception checks it in with appointment priority)."""
    identity.require_role(*BOOKERS)
    return await _run(request, identity, site_id, appointment_id, RecordArrival(booking_of(request).now()))


@router.get("/sites/{site_id}/appointments/{appointment_id}/preparation")
async def get_preparation(
    site_id: SiteId, appointment_id: UUID, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """The car's service history, the recommendations it declined before, the parts pre-check,
    and the preparation recorded so far."""
    tenant = site_tenant(identity, site_id, READERS)
    state, _ = await booking_of(request).appointment(tenant, appointment_id)
    assert state.booked is not None  # a loaded appointment was booked
    async with request.app.state.runtime.pool.acquire() as conn:
        known = await preparation.read(conn, tenant.group_id, state.booked)
    return preparation_view(state, known)


@router.post("/sites/{site_id}/appointments/{appointment_id}/preparation", status_code=201)
async def prepare(
    site_id: SiteId, appointment_id: UUID, body: PreparationBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    identity.require_role(*BOOKERS)
    metadata = command_metadata(identity, str(site_id), request)
    answers = {answer.finding_id: answer.response for answer in body.answers}
    parts = tuple(body.parts_checked) if body.parts_checked is not None else None
    outcome = await booking_of(request).prepare(metadata, appointment_id, answers, body.history_summary, parts)
    return appointment_view(outcome.state, outcome.version)


@router.get("/sites/{site_id}/appointment-lists")
async def appointment_list(
    site_id: SiteId,
    day: Day,
    identity: CurrentIdentity,
    request: Request,
    advisor: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> dict[str, Any]:
    """A day's appointments of the site (or one advisor) in arrival order, with their status:
    booked, confirmed, arrived, no_show or cancelled. The day is the site's local day."""
    tenant = site_tenant(identity, site_id, READERS)
    capacity, _ = await booking_of(request).capacity(tenant, must_exist=False)
    zone = ZoneInfo(capacity.plan.timezone) if capacity.plan else ZoneInfo("UTC")
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    rows = await request.app.state.runtime.pool.fetch(
        """SELECT appointment_id, advisor_id, slot_start, estimated_minutes,
                  CASE WHEN status = 'booked' AND cardinality(confirmations) > 0 THEN 'confirmed' ELSE status END
                      AS status,
                  kind, reason, user_name, user_phone, plate, vin, model, jobs, confirmations, confirmation_overdue,
                  prepared, parts_ready, arrived_at, priority
           FROM appointments
           WHERE group_id = $1 AND site_id = $2 AND slot_start >= $3 AND slot_start < $4
             AND ($5::text IS NULL OR advisor_id = $5)
           ORDER BY slot_start, booked_at, appointment_id""",
        tenant.group_id,
        tenant.site_id,
        start,
        end,
        advisor,
    )
    appointments = [
        {**dict(row), "appointment_id": str(row["appointment_id"]), "slot_start": row["slot_start"].astimezone(zone)}
        for row in rows
    ]
    appointments = await personal_view(
        request.app.state.runtime.pool, identity, request, appointments, fields=_USER, subject="appointment_id"
    )
    return {"date": day.isoformat(), "advisor": advisor, "appointments": appointments}


# --- customers and vehicles -------------------------------------------------------------------


@router.post("/sites/{site_id}/customers", status_code=201)
async def register_customer(
    site_id: SiteId, body: CustomerBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    identity.require_role(*CONFIRMERS)
    command = RegisterCustomer(
        body.customer_id,
        body.name,
        tuple(body.phones),
        body.preferred_contact,
        body.do_not_call,
        booking_of(request).now(),
    )
    outcome = await booking_of(request).register_customer(command_metadata(identity, str(site_id), request), command)
    return customer_view(outcome.state, outcome.version)


# By id, not by name: a cursor carries its row's sort key, and a name is personal data that some
# readers of this list may not see (docs/decisions/0004-personal-data.md).
CUSTOMERS = Listing("booking.customers", (Key("customer_id", UUID, nullable=False),))


@router.get("/sites/{site_id}/customers", responses=LIST_RESPONSES)
async def find_customers(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    phone: Annotated[str, Query(min_length=5, max_length=40)],
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[dict[str, Any]]:
    """Identify a caller by phone number (the customer database)."""
    tenant = site_tenant(identity, site_id, READERS)
    window = CUSTOMERS.window(cursor, limit, first=4)
    rows = await request.app.state.runtime.pool.fetch(
        f"""SELECT customer_id, name, phones, preferred_contact, do_not_call FROM customers
           WHERE group_id = $1 AND site_id = $2 AND $3 = ANY(phones) AND {window.after} {window.order}""",
        tenant.group_id,
        tenant.site_id,
        " ".join(phone.split()),
        *window.params,
    )
    found = [{**dict(row), "customer_id": str(row["customer_id"])} for row in answer(window, rows, request, response)]
    return await personal_view(
        request.app.state.runtime.pool, identity, request, found, fields=_CUSTOMER, subject="customer_id"
    )


@router.get("/sites/{site_id}/customers/{customer_id}")
async def get_customer(
    site_id: SiteId, customer_id: UUID, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    state, version = await booking_of(request).customer(site_tenant(identity, site_id, READERS), customer_id)
    pool = request.app.state.runtime.pool
    (shown,) = await personal_view(
        pool, identity, request, [customer_view(state, version)], fields=_CUSTOMER, subject="customer_id"
    )
    return shown


@router.patch("/sites/{site_id}/customers/{customer_id}")
async def update_contact(
    site_id: SiteId, customer_id: UUID, body: ContactBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    identity.require_role(*CONFIRMERS)
    command = UpdateContact(
        booking_of(request).now(),
        body.name,
        tuple(body.phones) if body.phones is not None else None,
        body.preferred_contact,
        body.do_not_call,
    )
    metadata = command_metadata(identity, str(site_id), request)
    outcome = await booking_of(request).change_customer(metadata, customer_id, command)
    return customer_view(outcome.state, outcome.version)


@router.post("/sites/{site_id}/customers/{customer_id}/vehicles", status_code=201)
async def register_vehicle(
    site_id: SiteId, customer_id: UUID, body: VehicleRegistrationBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    identity.require_role(*CONFIRMERS)
    command = RegisterVehicle(
        body.vehicle_id, body.vin, body.plate, body.model, body.year, booking_of(request).now(), body.vehicle_user
    )
    metadata = command_metadata(identity, str(site_id), request)
    outcome = await booking_of(request).change_customer(metadata, customer_id, command)
    return customer_view(outcome.state, outcome.version)


VEHICLES = Listing(
    "booking.vehicles",
    (Key("plate", str, nullable=False, sql="v.plate"), Key("vehicle_id", UUID, nullable=False, sql="v.vehicle_id")),
)


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
) -> list[dict[str, Any]]:
    """Identify a car by VIN or plate, with its owner (the customer database)."""
    tenant = site_tenant(identity, site_id, READERS)
    window = VEHICLES.window(cursor, limit, first=5)
    rows = await request.app.state.runtime.pool.fetch(
        f"""SELECT v.vehicle_id, v.customer_id, v.vin, v.plate, v.model, v.year, v.user_name, v.user_phone,
                  c.name AS customer_name, c.phones AS customer_phones
           FROM vehicles v LEFT JOIN customers c USING (customer_id)
           WHERE v.group_id = $1 AND v.site_id = $2
             AND ($3::text IS NULL OR v.vin = $3) AND ($4::text IS NULL OR v.plate = $4) AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        vin.strip().upper() if vin else None,
        plate.strip().upper() if plate else None,
        *window.params,
    )
    shown = answer(window, rows, request, response)
    return [
        {**dict(row), "vehicle_id": str(row["vehicle_id"]), "customer_id": str(row["customer_id"])} for row in shown
    ]
