"""The appointment link of the day-before message (`booking.domain.appointment_link` says what it
covers): minted when the reminder fires, and its routes `/public/appointment-links/{token}/...`,
served by the gateway at `/api/v1/public/...` without signing in.

The token is the only credential. It is checked before anything is read: a tampered, malformed
or other purpose's token, or one whose appointment is not at the site it names, is 404
`link_invalid` (never saying which); past the slot start 410 `link_expired`; a decision already
taken with it 409 `link_used`. The appointment is the one the token names, so no link can act on
another. Decisions go through booking's own use cases and rules, with the link spent for that
decision in the same transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from booking.api import ENDED, SLOT, booking_of
from booking.domain.appointment import stream_id as appointment_stream
from booking.domain.appointment_commands import CancelAppointment, ConfirmAppointment, RescheduleAppointment
from booking.domain.appointment_link import ACTOR, CONFIRMATION_CHANNEL, DECISIONS, PURPOSE, claims_for
from booking.domain.appointment_state import Appointment
from booking.domain.self_booking import advisor_for
from booking.domain.site_capacity import free_slots
from booking.handlers import Booking, Guard
from booking.public_site import stream_owner
from booking.self_booking import PublicDay, SlotStart
from events.connection import Connection
from events.envelope import Metadata, Tenant
from events.http import REQUEST_ID_HEADER
from events.link_refusals import LinkRefused, link_refusals, read_or_refuse, subject_id
from events.links import sign_link, token_digest
from events.runtime import now

router = APIRouter(tags=["public"])
PATH = "/public/appointment-links/{token}"
# A link may confirm, cancel and reschedule, each once: used up for one decision, not for all.
USED_FOR_THAT = "this link has already been used for that"


@dataclass(frozen=True)
class AppointmentLinks:
    """Mints and reads appointment links with the service's link key (LINK_SECRET)."""

    key: bytes
    portal_url: str

    def url_for(self, site_id: str, appointment_id: UUID, slot_start: datetime) -> str:
        token = sign_link(claims_for(site_id, appointment_id, slot_start), self.key)
        return f"{self.portal_url.rstrip('/')}/appointment/{token}"


@dataclass(frozen=True)
class Held:
    """A genuine link's appointment, with its tenant and the token's digest."""

    tenant: Tenant
    appointment_id: UUID
    state: Appointment
    digest: str


async def held(request: Request, token: str) -> Held:
    links: AppointmentLinks = request.app.state.appointment_links
    claims = read_or_refuse(token, links.key, purpose=PURPOSE, now=now(request))
    appointment_id = subject_id(claims)
    booking = booking_of(request)
    tenant = await stream_owner(booking, appointment_stream(appointment_id))
    if tenant is None or tenant.site_id != claims.site_id:
        raise LinkRefused("link_invalid")
    state, _ = await booking.appointment(tenant, appointment_id)
    return Held(tenant, appointment_id, state, token_digest(token))


def spending(held: Held, decision: str, at: datetime) -> Guard:
    """The guard that spends the link for `decision` in the decision's own transaction."""
    assert decision in DECISIONS

    async def spend(conn: Connection) -> None:
        spent = await conn.fetchval(
            """INSERT INTO appointment_links_used (digest, decision, appointment_id, used_at)
               VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING digest""",
            held.digest,
            decision,
            held.appointment_id,
            at,
        )
        if spent is None:
            raise LinkRefused("link_used", USED_FOR_THAT)

    return spend


async def _decided(
    booking: Booking, held: Held, spend: Guard, run: Callable[[Connection], Awaitable[None]]
) -> LinkedAppointment:
    async with booking.store.transaction() as conn:
        await spend(conn)
        await run(conn)
    return await _view(booking, held)


# --- what the customer sees -----------------------------------------------------------------


class LinkedAppointment(BaseModel):
    """The appointment the link is for, as its customer may see it: when, which car, what work,
    where it stands, and what the link still allows."""

    model_config = ConfigDict(frozen=True)

    status: str = Field(description="booked, confirmed, arrived, no_show or cancelled")
    slot_start: datetime
    time_zone: str
    minutes: int
    plate: str
    model: str | None
    work: list[str]
    name: str
    may: list[str] = Field(description="what the link may still do now: confirm, cancel, reschedule")


class CancelLinkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class RescheduleLinkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slot_start: SlotStart


class LinkSlots(BaseModel):
    date: date
    time_zone: str
    minutes: int
    slots: list[datetime] = Field(description="free slot starts, earliest first")


async def _view(booking: Booking, found: Held) -> LinkedAppointment:
    state, _ = await booking.appointment(found.tenant, found.appointment_id)
    capacity, _ = await booking.capacity(found.tenant, must_exist=False)
    zone = capacity.plan.timezone if capacity.plan else "UTC"
    booked = state.booked
    assert booked is not None  # a loaded appointment was booked
    assert state.slot_start is not None
    used = await booking.store.pool.fetch("SELECT decision FROM appointment_links_used WHERE digest = $1", found.digest)
    open_ = state.status == "booked"
    may = [d for d in DECISIONS if open_ and d not in {row["decision"] for row in used}]
    if "day_before" in state.confirmations and "confirm" in may:
        may.remove("confirm")
    return LinkedAppointment(
        status="confirmed" if open_ and state.confirmed else str(state.status),
        slot_start=state.slot_start.astimezone(capacity.plan.zone) if capacity.plan else state.slot_start,
        time_zone=zone,
        minutes=state.estimated_minutes,
        plate=booked.vehicle.plate,
        model=booked.vehicle.model,
        work=[job.description for job in booked.requested_jobs],
        name=booked.vehicle_user.name,
        may=may,
    )


def _metadata(request: Request, found: Held) -> Metadata:
    return Metadata(found.tenant, ACTOR, request.headers.get(REQUEST_ID_HEADER) or str(uuid4()))


# --- routes ---------------------------------------------------------------------------------


@router.get(PATH, responses=link_refusals())
async def linked_appointment(token: str, request: Request) -> LinkedAppointment:
    return await _view(booking_of(request), await held(request, token))


@router.get(f"{PATH}/free-slots", responses=link_refusals())
async def linked_free_slots(
    token: str,
    request: Request,
    day: PublicDay,
) -> LinkSlots:
    """Where the appointment could move on `date`: slots that take its workshop time now."""
    booking = booking_of(request)
    found = await held(request, token)
    capacity, _ = await booking.capacity(found.tenant, must_exist=False)
    minutes = found.state.estimated_minutes
    slots = free_slots(capacity, day, minutes, None, not_before=now(request)) if minutes > 0 else []
    zone = capacity.plan.timezone if capacity.plan else "UTC"
    return LinkSlots(date=day, time_zone=zone, minutes=minutes, slots=[s.start for s in slots])


@router.post(f"{PATH}/confirm", responses=link_refusals("link_used", "already_confirmed", *ENDED))
async def confirm_by_link(token: str, request: Request) -> LinkedAppointment:
    """The customer confirms the day before, through the message's link."""
    booking = booking_of(request)
    found = await held(request, token)
    at = now(request)
    command = ConfirmAppointment("day_before", CONFIRMATION_CHANNEL, at)

    async def run(conn: Connection) -> None:
        await booking.run(_metadata(request, found), found.appointment_id, command, conn=conn)

    return await _decided(booking, found, spending(found, "confirm", at), run)


@router.post(f"{PATH}/cancel", responses=link_refusals("link_used", *ENDED))
async def cancel_by_link(token: str, body: CancelLinkBody, request: Request) -> LinkedAppointment:
    """The customer cancels (with their reason); the slot is given back."""
    booking = booking_of(request)
    found = await held(request, token)
    at = now(request)
    command = CancelAppointment("customer", body.reason.strip(), at)
    await booking.cancel(_metadata(request, found), found.appointment_id, command, guard=spending(found, "cancel", at))
    return await _view(booking, found)


@router.post(f"{PATH}/reschedule", responses=link_refusals("link_used", *SLOT, "nothing_to_change", *ENDED))
async def reschedule_by_link(token: str, body: RescheduleLinkBody, request: Request) -> LinkedAppointment:
    """The customer moves to another free slot (their advisor if free then, else another)."""
    booking = booking_of(request)
    found = await held(request, token)
    at = now(request)
    capacity, _ = await booking.capacity(found.tenant, must_exist=False)
    minutes = found.state.estimated_minutes
    zone = capacity.plan.zone if capacity.plan else None
    day = body.slot_start.astimezone(zone).date() if zone else body.slot_start.date()
    slots = free_slots(capacity, day, minutes, None, not_before=at) if minutes > 0 else []
    advisor = advisor_for(slots, body.slot_start, found.state.advisor_id)
    command = RescheduleAppointment(
        body.slot_start, "customer", "moved by the customer through their link", at, advisor
    )
    guard = spending(found, "reschedule", at)
    await booking.reschedule(_metadata(request, found), found.appointment_id, command, guard=guard)
    return await _view(booking, found)
