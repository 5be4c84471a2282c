"""The appointment's confirmation clocks (docs/domain.md §1): re-confirm the day before, and
expect the customer's own confirmation about half an hour before the slot.

The events that change the slot start, move or stop them; the handlers keep them with
`events.timers.keeping`, judged against the service's clock (`now`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from events.catalog.booking import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentConfirmed,
    AppointmentNoShow,
    AppointmentRescheduled,
    VehicleArrived,
)
from events.clocks import ClockChange, StartClock, StopClock
from events.contract import Event

DAY_BEFORE = "booking.confirm-day-before"
BEFORE_ARRIVAL = "booking.expect-confirmation"
CLOCKS = {DAY_BEFORE: timedelta(days=1), BEFORE_ARRIVAL: timedelta(minutes=30)}


def timer_id(kind: str, appointment_id: UUID, slot_start: datetime) -> str:
    # The slot is part of the id: a rescheduled appointment gets clocks of its own, even after
    # the old slot's reminder fired.
    return f"{kind}:{appointment_id}:{slot_start.astimezone(UTC).isoformat()}"


def confirmation_clocks(event: Event, now: datetime) -> list[ClockChange]:
    """Start, move or stop the confirmation clocks with the events that change the slot."""
    match event:
        case AppointmentBooked() if event.channel == "internet":
            return _start(event.appointment_id, event.slot_start, now, confirm_now=True)
        case AppointmentBooked():
            return _start(event.appointment_id, event.slot_start, now)
        case AppointmentRescheduled() if event.slot_start != event.previous_slot_start:
            return [
                *_stop(event.appointment_id, event.previous_slot_start, now),
                *_start(event.appointment_id, event.slot_start, now),
            ]
        case AppointmentConfirmed():
            kind = DAY_BEFORE if event.confirmation == "day_before" else BEFORE_ARRIVAL
            return [StopClock(timer_id(kind, event.appointment_id, event.slot_start), now)]
        case AppointmentCancelled() | AppointmentNoShow() | VehicleArrived():
            return _stop(event.appointment_id, event.slot_start, now)
    return []


def _start(appointment_id: UUID, slot: datetime, now: datetime, *, confirm_now: bool = False) -> list[ClockChange]:
    """A clock already past is not started: an appointment booked this afternoon for tomorrow
    morning was confirmed on the phone just now. One the customer booked online was confirmed
    by no one (`confirm_now`): its day-before confirmation, with the link, goes at once."""
    payload = {"appointment_id": str(appointment_id)}
    started: list[ClockChange] = []
    for kind, ahead in CLOCKS.items():
        due = slot - ahead
        if due > now:
            started.append(StartClock(timer_id(kind, appointment_id, slot), kind, due, payload))
        elif confirm_now and kind == DAY_BEFORE and slot > now:
            started.append(StartClock(timer_id(kind, appointment_id, slot), kind, now, payload))
    return started


def _stop(appointment_id: UUID, slot: datetime, now: datetime) -> list[ClockChange]:
    return [StopClock(timer_id(kind, appointment_id, slot), now) for kind in CLOCKS]
