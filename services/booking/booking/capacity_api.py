"""The site's capacity over HTTP: what it can take by appointment (opening hours, advisors,
workshop minutes), set by its planners, and the free slots it has for some minutes of work or a
service menu. Shared pieces: `api.py`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from booking.api import CATALOGUE, CONFLICT, READERS, Day, Planner, booking_of
from booking.catalogue import menu_pick
from booking.schemas import CapacityBody
from booking.views import CapacityView, FreeSlotView, capacity_view, free_slot_view
from events.http import CurrentIdentity, SiteId, site_tenant
from events.openapi import refusals
from events.runtime import now

router = APIRouter(tags=["booking"])


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
