"""The customer database over HTTP: customers registered with their contacts and vehicles, a
caller found by phone and a car by VIN or plate; names and phones only for the roles that talk
to customers, each read recorded (events.privacy). Shared pieces: `api.py`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from booking import projections
from booking.api import CONFLICT, CONTACT, READERS, USER, Confirmer
from booking.domain.customer_vehicle import CustomerCommand, customer_vehicle
from booking.domain.customer_vehicle import stream_id as customer_stream
from booking.schemas import ContactBody, CustomerBody, VehicleRegistrationBody
from booking.views import CustomerFound, CustomerView, VehicleFound, customer_view
from events.commands import load
from events.http import Actor, CurrentIdentity, SiteId, site_tenant
from events.openapi import refusals
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Limit, answer
from events.privacy import WITHHELD, personal_view, sees_personal_data
from events.runtime import now, store_of

router = APIRouter(tags=["booking"])

# Personal fields of the responses: only for the roles that need them, and audited (events.privacy).
_CUSTOMER = ("name", "phones")
_VEHICLE_PEOPLE = (*USER, "customer_name", "customer_phones")


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
