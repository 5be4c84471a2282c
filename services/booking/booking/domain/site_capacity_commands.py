"""Commands of the SiteCapacity aggregate (stream `capacity-<site_id>`). Every time comes in on
the command: the handler reads the clock, the domain never does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from uuid import UUID


@dataclass(frozen=True)
class SetCapacity:
    """Set or change the site's bookable capacity. `open_weekdays` are ISO numbers (1 = Monday);
    opening and closing times are local to `timezone` (an IANA name)."""

    site_id: UUID
    timezone: str
    opens_at: time
    closes_at: time
    slot_minutes: int
    open_weekdays: tuple[int, ...]
    advisors: tuple[str, ...]
    receptions_per_advisor: int
    technicians: int
    bays: int
    workshop_minutes_per_slot: int
    set_at: datetime


@dataclass(frozen=True)
class ReserveSlot:
    """Reserve `minutes` of workshop time and one of the advisor's receptions for an appointment
    whose car arrives at `start` (a slot start)."""

    appointment_id: UUID
    start: datetime
    minutes: int
    advisor_id: str
    reserved_at: datetime


@dataclass(frozen=True)
class MoveReservation:
    """Move an appointment's reservation to another slot, advisor or duration (a reschedule)."""

    appointment_id: UUID
    start: datetime
    minutes: int
    advisor_id: str
    moved_at: datetime


@dataclass(frozen=True)
class ReleaseSlot:
    """Give the reservation back: `reason` is cancelled, rescheduled (to another site) or no_show."""

    appointment_id: UUID
    reason: str
    released_at: datetime


CapacityCommand = SetCapacity | ReserveSlot | MoveReservation | ReleaseSlot
