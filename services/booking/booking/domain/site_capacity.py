"""SiteCapacity, stream `capacity-<site_id>`: what one site's workshop can take by appointment,
and the reservations that use it (docs/domain.md §1: "against the site's workshop capacity
(advisors, technicians/bays, hours per slot). No overbooking beyond capacity.").

Decisions written down:
- A day is cut into slots of `slot_minutes` from opening time, in the site's local time; the
  car arrives in the slot its appointment starts in (seed 000's "预约能力分配表": the
  capacity is allotted per time slot).
- Each slot has two budgets: the advisors' receptions (each advisor receives at most
  `receptions_per_advisor` cars per slot) and the workshop minutes bookable per slot (at most
  what the technicians and bays can work in it). A job longer than what is left in its slot
  takes the rest from the following slots of the same day, in order: the technicians keep
  working on it. The arrival slot itself must have minutes left, otherwise the customer would
  wait for a technician, which an appointment promises not to do (seed 000: "顾客可以减少时间
  等待及优先处理").
- No overbooking, ever: a reservation that does not fit is refused (`capacity_exceeded`), and
  capacity cannot be lowered under the bookings still to come (`capacity_below_bookings`): move
  those appointments first.
- A reschedule moves the reservation in one decision (`MoveReservation`), so the old slot is
  not lost when the new one is full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from booking.domain.errors import (
    InvalidAmount,
    InvalidCode,
    NothingToChange,
    require_code,
    require_future,
    require_positive,
    require_text,
)
from booking.domain.site_capacity_commands import (
    CapacityCommand,
    MoveReservation,
    ReleaseSlot,
    ReserveSlot,
    SetCapacity,
)
from booking.domain.site_capacity_state import (
    INITIAL,
    AdvisorNotAvailable,
    AlreadyReserved,
    CapacityBelowBookings,
    CapacityExceeded,
    CapacityNotSet,
    InvalidOpeningHours,
    Reservation,
    ReservationNotFound,
    SiteCapacity,
    SiteMismatch,
    SlotNotBookable,
    SlotPlan,
    WorkshopMinutesBeyondStaff,
    evolve,
)
from events.catalog.booking import CapacitySet, SlotReleased, SlotReserved
from events.catalog.booking_values import RELEASE_REASONS, SlotAllocation, check_timezone
from events.contract import Event
from events.decider import Decider

__all__ = [
    "INITIAL",
    "AdvisorNotAvailable",
    "AlreadyReserved",
    "CapacityBelowBookings",
    "CapacityCommand",
    "CapacityExceeded",
    "CapacityNotSet",
    "InvalidOpeningHours",
    "MoveReservation",
    "ReleaseSlot",
    "Reservation",
    "ReservationNotFound",
    "ReserveSlot",
    "SetCapacity",
    "SiteCapacity",
    "SiteMismatch",
    "SlotNotBookable",
    "SlotPlan",
    "WorkshopMinutesBeyondStaff",
    "evolve",
]


def stream_id(site_id: UUID) -> str:
    return f"capacity-{site_id}"


# --- setting capacity ---------------------------------------------------------------------


def _checked_plan(command: SetCapacity) -> SlotPlan:
    try:
        check_timezone(command.timezone)
    except ValueError as error:
        raise InvalidCode(str(error)) from None
    for count, what in (
        (command.slot_minutes, "the slot length"),
        (command.receptions_per_advisor, "receptions per advisor and slot"),
        (command.technicians, "the number of technicians"),
        (command.bays, "the number of bays"),
        (command.workshop_minutes_per_slot, "the workshop minutes per slot"),
    ):
        require_positive(count, what)
    weekdays = tuple(sorted(set(command.open_weekdays)))
    if not weekdays or any(day < 1 or day > 7 for day in weekdays):
        raise InvalidOpeningHours("open weekdays are ISO numbers, 1 (Monday) to 7 (Sunday); give at least one")
    advisors = tuple(dict.fromkeys(require_text(a, "an advisor") for a in command.advisors))
    if not advisors:
        raise AdvisorNotAvailable("name at least one advisor who takes appointments")
    plan = SlotPlan(
        timezone=command.timezone,
        opens_at=command.opens_at,
        closes_at=command.closes_at,
        slot_minutes=command.slot_minutes,
        open_weekdays=weekdays,
        advisors=advisors,
        receptions_per_advisor=command.receptions_per_advisor,
        technicians=command.technicians,
        bays=command.bays,
        workshop_minutes_per_slot=command.workshop_minutes_per_slot,
    )
    if plan.slots_per_day() == 0:
        raise InvalidOpeningHours(
            f"no {command.slot_minutes}-minute slot fits between {command.opens_at} and {command.closes_at}"
        )
    # A car needs a technician and a bay: the workshop works at most min(technicians, bays) at once.
    workable = min(command.technicians, command.bays) * command.slot_minutes
    if command.workshop_minutes_per_slot > workable:
        raise WorkshopMinutesBeyondStaff(
            f"{command.technicians} technicians and {command.bays} bays work at most {workable} minutes "
            f"in a {command.slot_minutes}-minute slot; {command.workshop_minutes_per_slot} were asked"
        )
    return plan


def _check_bookings_fit(state: SiteCapacity, plan: SlotPlan, from_: datetime) -> None:
    """Every reservation still to come must fit the new plan exactly as it was booked."""
    old = state.plan
    assert old is not None  # reservations exist only under a plan
    upcoming = [
        r for r in state.reservations.values() if r.allocations[-1][0] + timedelta(minutes=old.slot_minutes) > from_
    ]
    used: dict[datetime, int] = {}
    receptions: dict[tuple[datetime, str], int] = {}
    for reservation in sorted(upcoming, key=lambda r: r.slot_start):
        where = plan.label(reservation.slot_start)
        if reservation.advisor_id not in plan.advisors:
            raise CapacityBelowBookings(
                f"advisor {reservation.advisor_id} has appointments from {where} on; move them first"
            )
        key = (reservation.slot_start, reservation.advisor_id)
        receptions[key] = receptions.get(key, 0) + 1
        if receptions[key] > plan.receptions_per_advisor:
            raise CapacityBelowBookings(
                f"advisor {reservation.advisor_id} has {receptions[key]} receptions booked in slot {where}; "
                f"the new limit is {plan.receptions_per_advisor}: move appointments first"
            )
        for slot, minutes in reservation.allocations:
            if not plan.is_slot(slot):
                raise CapacityBelowBookings(f"slot {plan.label(slot)} has bookings but is no slot in the new plan")
            used[slot] = used.get(slot, 0) + minutes
            if used[slot] > plan.workshop_minutes_per_slot:
                raise CapacityBelowBookings(
                    f"slot {plan.label(slot)} has {used[slot]} workshop minutes booked; the new plan allows "
                    f"{plan.workshop_minutes_per_slot}: move appointments first"
                )


def set_capacity(state: SiteCapacity, command: SetCapacity) -> Sequence[Event]:
    if state.site_id is not None and state.site_id != command.site_id:
        raise SiteMismatch(f"this is the capacity of site {state.site_id}, not {command.site_id}")
    plan = _checked_plan(command)
    if plan == state.plan:
        raise NothingToChange("the capacity is already set this way")
    if state.reservations:
        _check_bookings_fit(state, plan, command.set_at)
    return [
        CapacitySet(
            site_id=command.site_id,
            timezone=plan.timezone,
            opens_at=plan.opens_at,
            closes_at=plan.closes_at,
            slot_minutes=plan.slot_minutes,
            open_weekdays=plan.open_weekdays,
            advisors=plan.advisors,
            receptions_per_advisor=plan.receptions_per_advisor,
            technicians=plan.technicians,
            bays=plan.bays,
            workshop_minutes_per_slot=plan.workshop_minutes_per_slot,
            set_at=command.set_at,
        )
    ]


# --- reserving workshop minutes -----------------------------------------------------------


def _require_plan(state: SiteCapacity) -> tuple[UUID, SlotPlan]:
    if state.site_id is None or state.plan is None:
        raise CapacityNotSet("set the site's capacity (opening hours, advisors, technicians) before booking")
    return state.site_id, state.plan


def allocate(
    state: SiteCapacity, start: datetime, minutes: int, advisor_id: str, moving: UUID | None = None
) -> tuple[SlotAllocation, ...]:
    """The slots and minutes a booking would take, or the refusal that names the slot and what
    is left. `moving`: the appointment whose own reservation does not count (a reschedule)."""
    _, plan = _require_plan(state)
    require_positive(minutes, "the estimated workshop minutes")
    slot = plan.slot_at(start)
    if slot is None:
        raise SlotNotBookable(f"{start.isoformat()} is not a slot start: {plan.describe()}")
    if advisor_id not in plan.advisors:
        raise AdvisorNotAvailable(
            f"{advisor_id} does not take appointments here; choose one of {', '.join(plan.advisors)}"
        )
    taken = state.receptions_in(slot, advisor_id, moving)
    if taken >= plan.receptions_per_advisor:
        raise CapacityExceeded(
            f"advisor {advisor_id} has no reception left in slot {plan.label(slot)} "
            f"({taken} of {plan.receptions_per_advisor} taken); choose another advisor or slot"
        )
    following = plan.slots(slot.date())
    free = [(s, plan.workshop_minutes_per_slot - state.minutes_used(s, moving)) for s in following if s >= slot]
    left_in_slot, left_today = free[0][1], sum(max(left, 0) for _, left in free)
    if left_in_slot <= 0 or left_today < minutes:
        raise CapacityExceeded(
            f"slot {plan.label(slot)} has {max(left_in_slot, 0)} workshop minutes left "
            f"({left_today} until closing); this booking needs {minutes}"
        )
    allocations: list[SlotAllocation] = []
    needed = minutes
    for s, left in free:
        take = min(max(left, 0), needed)
        if take:
            allocations.append(SlotAllocation(slot_start=s, minutes=take))
            needed -= take
        if not needed:
            break
    return tuple(allocations)


def reserve(state: SiteCapacity, command: ReserveSlot) -> Sequence[Event]:
    site_id, _ = _require_plan(state)
    if command.appointment_id in state.reservations:
        raise AlreadyReserved(f"appointment {command.appointment_id} already has a slot; move it instead")
    require_future(command.start, command.reserved_at, "the slot")
    advisor = require_text(command.advisor_id, "the advisor")
    allocations = allocate(state, command.start, command.minutes, advisor)
    return [
        SlotReserved(
            site_id=site_id,
            appointment_id=command.appointment_id,
            advisor_id=advisor,
            slot_start=allocations[0].slot_start,
            minutes=command.minutes,
            allocations=allocations,
            reserved_at=command.reserved_at,
        )
    ]


def _require_reservation(state: SiteCapacity, appointment_id: UUID) -> Reservation:
    reservation = state.reservations.get(appointment_id)
    if reservation is None:
        raise ReservationNotFound(f"appointment {appointment_id} holds no slot at this site")
    return reservation


def move(state: SiteCapacity, command: MoveReservation) -> Sequence[Event]:
    site_id, _ = _require_plan(state)
    old = _require_reservation(state, command.appointment_id)
    require_future(command.start, command.moved_at, "the new slot")
    advisor = require_text(command.advisor_id, "the advisor")
    allocations = allocate(state, command.start, command.minutes, advisor, moving=command.appointment_id)
    if (allocations[0].slot_start, advisor, command.minutes) == (old.slot_start, old.advisor_id, old.minutes):
        raise NothingToChange("the reservation already has this slot, advisor and duration")
    return [
        SlotReleased(
            site_id=site_id,
            appointment_id=command.appointment_id,
            slot_start=old.slot_start,
            minutes=old.minutes,
            reason="rescheduled",
            released_at=command.moved_at,
        ),
        SlotReserved(
            site_id=site_id,
            appointment_id=command.appointment_id,
            advisor_id=advisor,
            slot_start=allocations[0].slot_start,
            minutes=command.minutes,
            allocations=allocations,
            reserved_at=command.moved_at,
        ),
    ]


def release(state: SiteCapacity, command: ReleaseSlot) -> Sequence[Event]:
    site_id, _ = _require_plan(state)
    reservation = _require_reservation(state, command.appointment_id)
    return [
        SlotReleased(
            site_id=site_id,
            appointment_id=command.appointment_id,
            slot_start=reservation.slot_start,
            minutes=reservation.minutes,
            reason=require_code(command.reason, RELEASE_REASONS, "release reason"),
            released_at=command.released_at,
        )
    ]


# --- suggestions --------------------------------------------------------------------------


@dataclass(frozen=True)
class FreeSlot:
    """A slot a booking of the asked minutes fits in, with the advisors who can still receive."""

    start: datetime
    workshop_minutes_left: int
    advisors: tuple[str, ...]


def free_slots(
    state: SiteCapacity, day: date, minutes: int, advisor_id: str | None = None, not_before: datetime | None = None
) -> list[FreeSlot]:
    """The slots of `day` (the site's local date) where `minutes` of work would be accepted now,
    earliest first: what the advisor suggests on the phone. Empty before capacity is set."""
    if minutes <= 0:
        raise InvalidAmount(f"the estimated workshop minutes must be more than zero; got {minutes}")
    if state.plan is None:
        return []
    plan = state.plan
    advisors = plan.advisors if advisor_id is None else (advisor_id,)
    suggestions = []
    for slot in plan.slots(day):
        if not_before is not None and slot <= not_before:
            continue
        fitting = tuple(a for a in advisors if _fits(state, slot, minutes, a))
        if fitting:
            left = plan.workshop_minutes_per_slot - state.minutes_used(slot)
            suggestions.append(FreeSlot(start=slot, workshop_minutes_left=left, advisors=fitting))
    return suggestions


def _fits(state: SiteCapacity, slot: datetime, minutes: int, advisor_id: str) -> bool:
    try:
        allocate(state, slot, minutes, advisor_id)
    except (CapacityExceeded, AdvisorNotAvailable):
        return False
    return True


# --- the decider --------------------------------------------------------------------------


def decide(state: SiteCapacity, command: CapacityCommand) -> Sequence[Event]:
    match command:
        case SetCapacity():
            return set_capacity(state, command)
        case ReserveSlot():
            return reserve(state, command)
        case MoveReservation():
            return move(state, command)
        case ReleaseSlot():
            return release(state, command)


site_capacity: Decider[CapacityCommand, SiteCapacity] = Decider(INITIAL, decide, evolve)
