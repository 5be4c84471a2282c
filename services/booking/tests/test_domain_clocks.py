"""The confirmation clocks (docs/domain.md §1): re-confirm the day before, expect the customer's
own confirmation half an hour before. Event in, clock changes out — no database."""

from __future__ import annotations

from datetime import UTC, timedelta

from domain_helpers import APPOINTMENT, BOOKED, SLOT, local, recorded

from booking.domain.appointment import appointment
from booking.domain.appointment_commands import (
    CancelAppointment,
    ConfirmAppointment,
    MarkNoShow,
    RecordArrival,
    RequestConfirmation,
    RescheduleAppointment,
)
from booking.domain.clocks import BEFORE_ARRIVAL, DAY_BEFORE, confirmation_clocks, timer_id
from events.clocks import StartClock, StopClock
from events.contract import Event

NOW = local(12, 0, day=3)  # days ahead of the slot: both clocks are still to come
PAYLOAD = {"appointment_id": str(APPOINTMENT)}
DAY_BEFORE_ID = f"booking.confirm-day-before:{APPOINTMENT}:{SLOT.astimezone(UTC).isoformat()}"
BEFORE_ARRIVAL_ID = f"booking.expect-confirmation:{APPOINTMENT}:{SLOT.astimezone(UTC).isoformat()}"


def last(*commands: object) -> Event:
    return recorded(appointment, *commands, after=BOOKED)[-1]


def test_a_booking_starts_both_clocks_under_the_ids_stored_timers_carry() -> None:
    assert confirmation_clocks(BOOKED[-1], NOW) == [
        StartClock(DAY_BEFORE_ID, DAY_BEFORE, SLOT - timedelta(days=1), PAYLOAD),
        StartClock(BEFORE_ARRIVAL_ID, BEFORE_ARRIVAL, SLOT - timedelta(minutes=30), PAYLOAD),
    ]


def test_a_clock_already_past_is_not_started() -> None:
    """Booked this afternoon for tomorrow morning: the day-before call is moot."""
    assert confirmation_clocks(BOOKED[-1], SLOT - timedelta(hours=5)) == [
        StartClock(BEFORE_ARRIVAL_ID, BEFORE_ARRIVAL, SLOT - timedelta(minutes=30), PAYLOAD)
    ]
    assert confirmation_clocks(BOOKED[-1], SLOT - timedelta(minutes=30)) == []


def test_a_new_slot_stops_the_old_slots_clocks_and_starts_its_own() -> None:
    new_slot = local(14, 30, day=8)
    moved = last(RescheduleAppointment(new_slot, "customer", "work meeting", NOW))
    assert confirmation_clocks(moved, NOW) == [
        StopClock(DAY_BEFORE_ID, NOW),
        StopClock(BEFORE_ARRIVAL_ID, NOW),
        StartClock(timer_id(DAY_BEFORE, APPOINTMENT, new_slot), DAY_BEFORE, new_slot - timedelta(days=1), PAYLOAD),
        StartClock(
            timer_id(BEFORE_ARRIVAL, APPOINTMENT, new_slot), BEFORE_ARRIVAL, new_slot - timedelta(minutes=30), PAYLOAD
        ),
    ]


def test_each_confirmation_stops_its_own_clock() -> None:
    day_before = last(ConfirmAppointment("day_before", "phone", local(10, 5, day=6)))
    own = last(ConfirmAppointment("before_arrival", "wechat", local(8, 50)))
    assert confirmation_clocks(day_before, NOW) == [StopClock(DAY_BEFORE_ID, NOW)]
    assert confirmation_clocks(own, NOW) == [StopClock(BEFORE_ARRIVAL_ID, NOW)]


def test_an_ended_or_arrived_appointment_stops_both_clocks() -> None:
    for ending in (
        CancelAppointment("customer", "sold the car", NOW),
        MarkNoShow(local(11, 0)),
        RecordArrival(local(9, 20)),
    ):
        assert confirmation_clocks(last(ending), NOW) == [
            StopClock(DAY_BEFORE_ID, NOW),
            StopClock(BEFORE_ARRIVAL_ID, NOW),
        ], ending


def test_other_events_leave_the_clocks_alone() -> None:
    assert confirmation_clocks(last(RequestConfirmation(local(9, 30, day=6))), NOW) == []
