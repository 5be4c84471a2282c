"""Properties of booking's aggregates (issue 6), over any sequence of commands:

- SiteCapacity: however appointments are reserved, moved, released and the capacity itself is
  changed (fewer minutes, receptions or advisors, other hours), no slot ever holds more workshop
  minutes, and no advisor more receptions, than the plan in force allows; a reservation always
  sits with an advisor of that plan (docs/domain.md §1 "no overbooking beyond capacity");
- Appointment: however it is confirmed, rescheduled, cancelled, marked a no-show or arrived,
  it ends at most once and never both arrived and no-show; a no-show only after the grace
  period of the slot in force; nothing changes it once it has ended.

Expectations are kept from the events alone, not read from the state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta
from uuid import UUID, uuid4

from domain_helpers import BOOKED, BOOKING_TIME, CAPACITY_SET, LI, SET_CAPACITY, SLOT, ZHANG, local
from hypothesis import event as label
from hypothesis import given
from hypothesis import strategies as st

from booking.domain.appointment import appointment
from booking.domain.appointment_commands import (
    AppointmentCommand,
    CancelAppointment,
    CheckArrivalConfirmation,
    ConfirmAppointment,
    MarkNoShow,
    RecordArrival,
    RequestConfirmation,
    RescheduleAppointment,
)
from booking.domain.appointment_state import NO_SHOW_GRACE, Appointment
from booking.domain.site_capacity import (
    CapacityCommand,
    MoveReservation,
    ReleaseSlot,
    ReserveSlot,
    SiteCapacity,
    site_capacity,
)
from events.catalog import booking as ev
from events.catalog.booking_values import SlotAllocation
from events.contract import Event
from events.testing.properties import PROPERTY, run_commands

# --- SiteCapacity -------------------------------------------------------------------------

HOURS = [local(h, m) for h in range(8, 18) for m in (0, 30)]
APPOINTMENTS = [uuid4() for _ in range(8)]
ADVISORS = [LI, ZHANG, "SA Zhou"]


def _plan(minutes: int, receptions: int, advisors: tuple[str, ...], opens: time) -> CapacityCommand:
    return replace(
        SET_CAPACITY,
        workshop_minutes_per_slot=minutes,
        receptions_per_advisor=receptions,
        advisors=advisors,
        opens_at=opens,
    )


capacity_commands: st.SearchStrategy[CapacityCommand] = st.one_of(
    *[
        st.builds(
            lambda kind, a, start, minutes, advisor: kind(a, start, minutes, advisor, BOOKING_TIME),
            st.just(kind),
            st.sampled_from(APPOINTMENTS),
            st.sampled_from(HOURS),
            st.integers(-10, 300),
            st.sampled_from(ADVISORS),
        )
        for kind in (ReserveSlot, ReserveSlot, MoveReservation)
    ],
    st.builds(
        lambda a, reason: ReleaseSlot(a, reason, BOOKING_TIME),
        st.sampled_from(APPOINTMENTS),
        st.sampled_from(["cancelled", "no_show", "rescheduled", "bored"]),
    ),
    st.builds(
        _plan,
        st.sampled_from([60, 90, 120, 180]),
        st.integers(1, 3),
        st.sampled_from([(LI, ZHANG), (LI,), (ZHANG, "SA Zhou")]),
        st.sampled_from([time(8, 30), time(9, 0)]),
    ),
)


class Bookings:
    """The plan in force and the live reservations, from the events."""

    def __init__(self) -> None:
        self.plan: ev.CapacitySet | None = None
        self.live: dict[UUID, tuple[datetime, str, tuple[SlotAllocation, ...]]] = {}

    def advance(self, event: Event) -> None:
        match event:
            case ev.CapacitySet():
                self.plan = event
            case ev.SlotReserved():
                assert event.appointment_id not in self.live, "reserved twice"
                self.live[event.appointment_id] = (event.slot_start, event.advisor_id, event.allocations)
                assert sum(a.minutes for a in event.allocations) == event.minutes, "minutes lost in allocation"
            case ev.SlotReleased():
                del self.live[event.appointment_id]

    def check(self) -> None:
        assert self.plan is not None
        used: dict[datetime, int] = {}
        receptions: dict[tuple[datetime, str], int] = {}
        for start, advisor, allocations in self.live.values():
            assert advisor in self.plan.advisors, f"a car booked with {advisor}, who no longer receives"
            receptions[(start, advisor)] = receptions.get((start, advisor), 0) + 1
            for allocation in allocations:
                used[allocation.slot_start] = used.get(allocation.slot_start, 0) + allocation.minutes
        assert max(used.values(), default=0) <= self.plan.workshop_minutes_per_slot, "a slot is overbooked"
        assert max(receptions.values(), default=0) <= self.plan.receptions_per_advisor, "an advisor is overbooked"


@PROPERTY
@given(st.lists(capacity_commands, min_size=5, max_size=40))
def test_no_reserve_move_release_or_capacity_change_overbooks(plan: list[CapacityCommand]) -> None:
    bookings = Bookings()
    for event in CAPACITY_SET:
        bookings.advance(event)

    def invariant(history: Sequence[Event], decided: Sequence[Event], state: SiteCapacity) -> None:
        for event in decided:
            bookings.advance(event)
        bookings.check()
        assert set(state.reservations) == set(bookings.live)

    outcome = run_commands(site_capacity, plan, invariant, history=CAPACITY_SET)
    label(f"capacity changed under bookings: {len(outcome.recorded(ev.CapacitySet)) > 1 and bool(bookings.live)}")


# --- Appointment --------------------------------------------------------------------------

Build = Callable[[datetime], AppointmentCommand]


def _reschedule(offset_hours: int, advisor: str | None, minutes: int | None) -> Build:
    return lambda at: RescheduleAppointment(
        SLOT + timedelta(hours=offset_hours), "customer", "other day", at, advisor_id=advisor, estimated_minutes=minutes
    )


appointment_commands: st.SearchStrategy[Build] = st.one_of(
    st.just(lambda at: RequestConfirmation(at)),
    st.just(lambda at: CheckArrivalConfirmation(at)),
    st.sampled_from(["day_before", "before_arrival", "never"]).map(
        lambda kind: lambda at: ConfirmAppointment(kind, "phone", at)
    ),
    st.builds(_reschedule, st.integers(-30, 48), st.sampled_from([None, ZHANG, ""]), st.sampled_from([None, 10, 90])),
    st.sampled_from(["customer", "dealer", "cat"]).map(lambda by: lambda at: CancelAppointment(by, "ill", at)),
    st.just(lambda at: MarkNoShow(at)),
    st.just(lambda at: RecordArrival(at)),
)
ENDINGS = (ev.AppointmentCancelled, ev.AppointmentNoShow, ev.VehicleArrived)


@PROPERTY
@given(st.lists(st.tuples(appointment_commands, st.integers(-24 * 60, 72 * 60)), min_size=3, max_size=25))
def test_an_appointment_ends_once_and_is_never_both_arrived_and_no_show(plan: list[tuple[Build, int]]) -> None:
    slot = [SLOT]
    endings: list[Event] = []

    def invariant(history: Sequence[Event], decided: Sequence[Event], state: Appointment) -> None:
        for event in decided:
            assert not endings, f"{type(event).__name__} after the appointment ended"
            if isinstance(event, ev.AppointmentRescheduled):
                assert event.previous_slot_start == slot[0]
                assert event.slot_start > event.rescheduled_at, "rescheduled into the past"
                slot[0] = event.slot_start
            if isinstance(event, ev.AppointmentNoShow):
                assert event.recorded_at >= slot[0] + NO_SHOW_GRACE, "a no-show before the grace period ended"
            if isinstance(event, ENDINGS):
                endings.append(event)

    # Commands come at any time from a day before the slot to three days after it.
    commands = [build(SLOT + timedelta(minutes=offset)) for build, offset in plan]
    outcome = run_commands(appointment, commands, invariant, history=BOOKED)
    assert not (outcome.recorded(ev.VehicleArrived) and outcome.recorded(ev.AppointmentNoShow))
    label(f"ended: {type(endings[0]).__name__ if endings else 'no'}")
