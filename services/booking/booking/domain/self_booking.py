"""Customers booking themselves on the portal (issue 21 "Self-booking"): the rules on top of the
appointment's and the site's capacity's own, which decide as for any booking (no second copy).

- The appointment is `passive` (the customer asks), its channel `internet`; its work is a service
  menu of the catalogue for the car's model family, or a general maintenance or repair visit the
  advisor sizes at reception (an hour's workshop time held meanwhile).
- The advisor is not the customer's choice: the first who can still receive at the slot.
- A phone number holds at most `OPEN_BOOKINGS_PER_PHONE` open internet bookings at a site, so
  nobody fills a day's slots from one phone (the gateway also limits requests per address).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from booking.domain.appointment_commands import BookAppointment
from booking.domain.site_capacity import FreeSlot
from booking.domain.site_capacity_state import CapacityExceeded
from events.catalog.booking_values import Contact, RequestedJob, VehicleIdentity
from events.errors import DomainError

CHANNEL = "internet"
OPEN_BOOKINGS_PER_PHONE = 3
# What a customer may pick without a menu, and the workshop time held for it until reception.
GENERAL_SERVICES = ("maintenance", "repair")
GENERAL_MINUTES = 60
GENERAL_JOBS = {"maintenance": "保养 Maintenance", "repair": "维修 Repair"}


class TooManyOpenBookings(DomainError):
    code = "too_many_open_bookings"


def phone_digest(phone: str) -> str:
    """The phone as the limit counts it: its digits only, without China's country code (`+86 139
    0000 0001` and `13900000001` are one phone), kept as a digest rather than the number."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return hashlib.sha256(digits.encode("ascii")).hexdigest()


def require_room(open_bookings: int) -> None:
    if open_bookings >= OPEN_BOOKINGS_PER_PHONE:
        raise TooManyOpenBookings(
            f"this phone already holds {open_bookings} open bookings at this site; "
            "call the dealer to book more, or cancel one first"
        )


def advisor_for(slots: Sequence[FreeSlot], slot_start: datetime, current: str | None = None) -> str:
    """Who receives the car at `slot_start`: the current advisor when they still can (a move),
    else the first who can. A slot no longer free (or never one) is refused as full."""
    for slot in slots:
        if slot.start == slot_start:
            return current if current in slot.advisors else slot.advisors[0]
    raise CapacityExceeded("that time is no longer free: pick another one")


def general_job(service: str, job_id: UUID) -> RequestedJob:
    return RequestedJob(job_id=job_id, description=GENERAL_JOBS[service], estimated_minutes=GENERAL_MINUTES)


def self_booking(
    *,
    appointment_id: UUID,
    service: str,
    contact: Contact,
    vehicle: VehicleIdentity,
    jobs: tuple[RequestedJob, ...],
    advisor_id: str,
    slot_start: datetime,
    booked_at: datetime,
    customer_words: str = "",
    menu_id: str | None = None,
    mileage_km: int | None = None,
    proposal_id: UUID | None = None,
) -> BookAppointment:
    """The booking a customer's form makes: for a menu the visit is maintenance."""
    return BookAppointment(
        appointment_id=appointment_id,
        kind="passive",
        reason="maintenance" if menu_id is not None else service,
        customer=contact,
        vehicle=vehicle,
        vehicle_user=contact,
        requested_jobs=jobs,
        advisor_id=advisor_id,
        slot_start=slot_start,
        estimated_minutes=sum(job.estimated_minutes for job in jobs),
        booked_at=booked_at,
        mileage_km=mileage_km,
        channel=CHANNEL,
        customer_words=customer_words,
        menu_id=menu_id,
        proposal_id=proposal_id,
    )
