"""The booking HTTP API: what its routes share, and the appointments. A command route parses its
body (which builds the domain command), authorises with one dependency (`Planner`, `Booker`,
`Confirmer`, `Desk`) and runs the command with `events.commands.execute` — or a use case of
`handlers.py` where one stream is not enough (booking, moving and ending an appointment also
change the site's capacity) or the command keeps the confirmation clocks. A query route checks the
site, then reads the aggregate or a read model's query (`projections.py`, `preparation.py`).

The routes, by resource (each module a router of the app): the site's capacity and free slots
(`capacity_api.py`), the appointments with their preparation and the day's list (here), and the
customers and their vehicles (`customers_api.py`).

Paths are relative to a site (`/sites/{site_id}/...`); the gateway serves them under `/api/v1`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request

from booking import preparation, projections
from booking.domain.appointment import appointment
from booking.domain.appointment import stream_id as appointment_stream
from booking.domain.appointment_commands import MarkNoShow, RecordArrival
from booking.handlers import Booking
from booking.schemas import BookingBody, CancelBody, ConfirmBody, PreparationBody, RescheduleBody
from booking.views import (
    AppointmentListRow,
    AppointmentListView,
    AppointmentView,
    PreparationView,
    appointment_view,
    preparation_view,
)
from events.commands import load
from events.http import Actor, CurrentIdentity, SiteId, acting, site_tenant
from events.identity import ADVISOR, CS_AGENT, DISPATCHER, SERVICE_MANAGER, SYSTEM
from events.openapi import refusals
from events.privacy import personal_view
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
USER = ("user_name", "user_phone")  # a car's user, in the day's list and with a vehicle found
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
    shown = await personal_view(pool, identity, request, listed, fields=USER, subject="appointment_id")
    return AppointmentListView(
        date=day, advisor=advisor, appointments=[AppointmentListRow.model_validate(row) for row in shown]
    )
