"""The advisor's appointment list for the next day (seed 003: "打印预约表格将当天预约客户下班前
交至服务顾问": print the appointments and hand them to the advisors before the end of the shift).

Pure: it orders appointment states the caller has folded; the caller gives the site's time zone
so that "the day" is the site's local day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from uuid import UUID

from booking.domain.appointment_state import BOOKED, Appointment


@dataclass(frozen=True)
class AppointmentListEntry:
    """One line of the printed list: when, who (the car's user, who is the one coming), which
    car, what work, and what is still open (confirmation, preparation, parts, offers)."""

    appointment_id: UUID
    slot_start: datetime
    customer_name: str
    contact_phone: str
    plate: str
    model: str | None
    kind: str
    reason: str
    jobs: tuple[str, ...]
    estimated_minutes: int
    confirmed: bool
    prepared: bool
    parts_ready: bool | None
    recommendations_to_offer: tuple[str, ...]


def _entry(state: Appointment, slot_start: datetime) -> AppointmentListEntry:
    booking = state.booked
    assert booking is not None  # only booked appointments reach here
    preparation = state.preparation
    return AppointmentListEntry(
        appointment_id=booking.appointment_id,
        slot_start=slot_start,
        customer_name=booking.vehicle_user.name,
        contact_phone=booking.vehicle_user.phone,
        plate=booking.vehicle.plate,
        model=booking.vehicle.model,
        kind=booking.kind,
        reason=booking.reason,
        jobs=tuple(job.description for job in booking.requested_jobs),
        estimated_minutes=state.estimated_minutes,
        confirmed=state.confirmed,
        prepared=preparation is not None,
        parts_ready=None if preparation is None else preparation.parts_ready,
        # What the customer has not turned down again is still worth offering at reception.
        recommendations_to_offer=()
        if preparation is None
        else tuple(r.description for r in preparation.recommendations if r.response != "declined"),
    )


def next_day_appointment_list(
    appointments: Iterable[Appointment], advisor_id: str, day: date, zone: tzinfo
) -> list[AppointmentListEntry]:
    """The advisor's still-expected appointments of `day`, in arrival order; for one slot, first
    booked first. Cancelled appointments, no-shows and cars already here are left out."""
    chosen: list[tuple[datetime, datetime, str, AppointmentListEntry]] = []
    for state in appointments:
        booking, slot = state.booked, state.slot_start
        if booking is None or slot is None or state.status != BOOKED or state.advisor_id != advisor_id:
            continue
        local_slot = slot.astimezone(zone)
        if local_slot.date() == day:
            chosen.append((slot, booking.booked_at, str(booking.appointment_id), _entry(state, local_slot)))
    chosen.sort(key=lambda row: row[:3])
    return [row[3] for row in chosen]
