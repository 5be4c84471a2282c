"""SiteCapacity's state, folded from its events (`evolve`), the slot arithmetic of a plan, and
the refusals. Pure: no I/O, no clock; local times come from the site's IANA time zone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property
from uuid import UUID
from zoneinfo import ZoneInfo

from events.catalog.booking import CapacitySet, SlotReleased, SlotReserved
from events.contract import Event
from events.errors import DomainError

_WEEKDAYS = ("", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class CapacityExceeded(DomainError):
    code = "capacity_exceeded"


class CapacityNotSet(DomainError):
    code = "capacity_not_set"


class CapacityBelowBookings(DomainError):
    code = "capacity_below_bookings"


class SlotNotBookable(DomainError):
    """The start is not a slot: outside opening hours, on a closed day, or between two slots."""

    code = "slot_not_bookable"


class AdvisorNotAvailable(DomainError):
    code = "advisor_not_available"


class InvalidOpeningHours(DomainError):
    code = "invalid_opening_hours"


class WorkshopMinutesBeyondStaff(DomainError):
    code = "workshop_minutes_beyond_staff"


class SiteMismatch(DomainError):
    code = "site_mismatch"


class AlreadyReserved(DomainError):
    code = "already_reserved"


class ReservationNotFound(DomainError):
    code = "reservation_not_found"


@dataclass(frozen=True)
class SlotPlan:
    """The site's bookable capacity: when slots are, who receives, how much work fits."""

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

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def slots_per_day(self) -> int:
        day = date(2000, 1, 3)  # any date: slots are counted in wall-clock time
        opening = datetime.combine(day, self.opens_at)
        closing = datetime.combine(day, self.closes_at)
        open_minutes = (closing - opening) // timedelta(minutes=1)
        return max(open_minutes // self.slot_minutes, 0)

    def slots(self, day: date) -> list[datetime]:
        """The slot starts of a local day; none on a closed weekday. A slot ends by closing time."""
        if day.isoweekday() not in self.open_weekdays:
            return []
        first = datetime.combine(day, self.opens_at, tzinfo=self.zone)
        step = timedelta(minutes=self.slot_minutes)
        return [first + n * step for n in range(self.slots_per_day())]

    def slot_at(self, moment: datetime) -> datetime | None:
        """`moment` as a slot start in local time, or None if no slot starts then."""
        local = moment.astimezone(self.zone)
        return next((slot for slot in self.slots(local.date()) if slot == local), None)

    def is_slot(self, moment: datetime) -> bool:
        return self.slot_at(moment) is not None

    def label(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def describe(self) -> str:
        days = ", ".join(_WEEKDAYS[day] for day in self.open_weekdays)
        return (
            f"slots of {self.slot_minutes} minutes from {self.opens_at:%H:%M} to {self.closes_at:%H:%M} "
            f"({self.timezone}) on {days}"
        )

    @classmethod
    def of(cls, event: CapacitySet) -> SlotPlan:
        return cls(
            timezone=event.timezone,
            opens_at=event.opens_at,
            closes_at=event.closes_at,
            slot_minutes=event.slot_minutes,
            open_weekdays=event.open_weekdays,
            advisors=event.advisors,
            receptions_per_advisor=event.receptions_per_advisor,
            technicians=event.technicians,
            bays=event.bays,
            workshop_minutes_per_slot=event.workshop_minutes_per_slot,
        )


@dataclass(frozen=True)
class Reservation:
    """An appointment's hold on the workshop: its arrival slot and advisor, and the minutes it
    takes from each slot (as recorded when it was booked)."""

    appointment_id: UUID
    advisor_id: str
    slot_start: datetime
    minutes: int
    allocations: tuple[tuple[datetime, int], ...]


@dataclass(frozen=True)
class SiteCapacity:
    """`used` and `receptions` are running totals of the reservations, kept so that checking a
    slot does not walk every booking the site ever took."""

    site_id: UUID | None = None
    plan: SlotPlan | None = None
    reservations: Mapping[UUID, Reservation] = field(default_factory=dict)
    used: Mapping[datetime, int] = field(default_factory=dict)
    receptions: Mapping[tuple[datetime, str], int] = field(default_factory=dict)

    def minutes_used(self, slot: datetime, moving: UUID | None = None) -> int:
        used = self.used.get(slot, 0)
        own = self.reservations.get(moving) if moving is not None else None
        if own is not None:
            used -= sum(minutes for start, minutes in own.allocations if start == slot)
        return used

    def receptions_in(self, slot: datetime, advisor_id: str, moving: UUID | None = None) -> int:
        taken = self.receptions.get((slot, advisor_id), 0)
        own = self.reservations.get(moving) if moving is not None else None
        if own is not None and (own.slot_start, own.advisor_id) == (slot, advisor_id):
            taken -= 1
        return taken


INITIAL = SiteCapacity()


def _add(totals: Mapping[datetime, int], slot: datetime, minutes: int) -> dict[datetime, int]:
    updated = dict(totals)
    updated[slot] = updated.get(slot, 0) + minutes
    if not updated[slot]:
        del updated[slot]
    return updated


def _count(
    totals: Mapping[tuple[datetime, str], int], key: tuple[datetime, str], by: int
) -> dict[tuple[datetime, str], int]:
    updated = dict(totals)
    updated[key] = updated.get(key, 0) + by
    if not updated[key]:
        del updated[key]
    return updated


def _reserved(state: SiteCapacity, event: SlotReserved) -> SiteCapacity:
    allocations = tuple((a.slot_start, a.minutes) for a in event.allocations)
    reservation = Reservation(event.appointment_id, event.advisor_id, event.slot_start, event.minutes, allocations)
    used = state.used
    for slot, minutes in allocations:
        used = _add(used, slot, minutes)
    return replace(
        state,
        reservations={**state.reservations, event.appointment_id: reservation},
        used=used,
        receptions=_count(state.receptions, (event.slot_start, event.advisor_id), 1),
    )


def _released(state: SiteCapacity, event: SlotReleased) -> SiteCapacity:
    reservation = state.reservations[event.appointment_id]
    used = state.used
    for slot, minutes in reservation.allocations:
        used = _add(used, slot, -minutes)
    reservations = {k: v for k, v in state.reservations.items() if k != event.appointment_id}
    key = (reservation.slot_start, reservation.advisor_id)
    return replace(state, reservations=reservations, used=used, receptions=_count(state.receptions, key, -1))


def evolve(state: SiteCapacity, event: Event) -> SiteCapacity:
    match event:
        case CapacitySet():
            return replace(state, site_id=event.site_id, plan=SlotPlan.of(event))
        case SlotReserved():
            return _reserved(state, event)
        case SlotReleased():
            return _released(state, event)
        case _:
            return state
