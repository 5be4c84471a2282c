"""The hold on an arrived appointment car's parts (docs/flow.md, "Parts held are given back"):
they stay held until its repair order is signed, or `ARRIVED_HOLD` after the arrival, when the
clock gives them back.

Booking's arrival and reception's check-in both start the clock (either may come first or
alone); it runs from the arrival, so a late-read event does not lengthen the hold. The policies
keep it with `events.timers.keep`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from events.catalog.booking import VehicleArrived
from events.catalog.reception import VehicleCheckedIn
from events.clocks import ClockChange, StartClock
from events.contract import Event

# How long an arrived appointment's parts stay held without a signed repair order: the working
# day the car came in. A repair order signed later reserves for its lines anew.
ARRIVED_HOLD = timedelta(hours=12)
ARRIVED_HOLD_ENDS = "parts.arrived_hold_ends"


def arrived_hold(event: Event, at: datetime) -> list[ClockChange]:
    """Start the hold of an appointment car that arrived; a walk-in holds nothing."""
    match event:
        case VehicleArrived():
            return [_hold(event.appointment_id, event.arrived_at)]
        case VehicleCheckedIn() if event.appointment_id is not None:
            return [_hold(event.appointment_id, event.arrived_at)]
    return []


def _hold(appointment_id: UUID, arrived_at: datetime) -> StartClock:
    payload = {"appointment_id": str(appointment_id)}
    return StartClock(f"parts:arrived-hold:{appointment_id}", ARRIVED_HOLD_ENDS, arrived_at + ARRIVED_HOLD, payload)
