"""SiteCapacity: giving reservations back (cancel, no-show) and moving them (reschedule) in
one decision, so the old slot is never lost when the new one is full."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID, uuid4

from domain_helpers import (
    BOOKING_TIME,
    CAPACITY_SET,
    LI,
    SITE,
    ZHANG,
    given,
    local,
    recorded,
    reserve,
)

from booking.domain.errors import InvalidCode, NothingToChange, TimeOutOfOrder
from booking.domain.site_capacity import (
    CapacityExceeded,
    MoveReservation,
    ReleaseSlot,
    ReservationNotFound,
    site_capacity,
)
from events.catalog.booking import SlotReleased, SlotReserved
from events.catalog.booking_values import SlotAllocation

# --- releasing and moving -----------------------------------------------------------------


def test_a_cancelled_appointment_gives_its_minutes_back() -> None:
    command = reserve(120)
    history = recorded(site_capacity, command, after=CAPACITY_SET)
    release = ReleaseSlot(appointment_id=command.appointment_id, reason="cancelled", released_at=BOOKING_TIME)
    state = (
        given(site_capacity, *history)
        .when(release)
        .then(
            SlotReleased(
                site_id=SITE,
                appointment_id=command.appointment_id,
                slot_start=local(9, 30),
                minutes=120,
                reason="cancelled",
                released_at=BOOKING_TIME,
            )
        )
    )
    assert state.minutes_used(local(9, 30)) == 0
    assert state.receptions_in(local(9, 30), LI) == 0
    # the freed slot takes a new booking that was refused before the release
    given(site_capacity, *history).when(reserve(60, advisor=ZHANG)).then_refused(CapacityExceeded)
    after = recorded(site_capacity, release, after=history)
    (event,), _ = given(site_capacity, *after).when(reserve(60, advisor=ZHANG)).accepted()
    assert isinstance(event, SlotReserved)
    assert event.minutes == 60


def test_releasing_a_spread_booking_frees_every_slot_it_used() -> None:
    first = reserve(100)
    history = recorded(site_capacity, reserve(90), first, after=CAPACITY_SET)
    release = ReleaseSlot(appointment_id=first.appointment_id, reason="no_show", released_at=local(10, 30))
    (event,), state = given(site_capacity, *history).when(release).accepted()
    assert isinstance(event, SlotReleased)
    assert (event.minutes, event.reason) == (100, "no_show")
    assert state.minutes_used(local(9, 30)) == 90
    assert state.minutes_used(local(10, 30)) == 0


def test_releasing_an_unknown_reservation_is_refused() -> None:
    release = ReleaseSlot(appointment_id=uuid4(), reason="cancelled", released_at=BOOKING_TIME)
    given(site_capacity, *CAPACITY_SET).when(release).then_refused(ReservationNotFound)


def test_a_release_needs_a_known_reason() -> None:
    command = reserve(20)
    history = recorded(site_capacity, command, after=CAPACITY_SET)
    release = ReleaseSlot(appointment_id=command.appointment_id, reason="bored", released_at=BOOKING_TIME)
    given(site_capacity, *history).when(release).then_refused(InvalidCode)


def _move(appointment_id: UUID, minutes: int, start: datetime, advisor: str = LI) -> MoveReservation:
    return MoveReservation(
        appointment_id=appointment_id,
        start=start,
        minutes=minutes,
        advisor_id=advisor,
        moved_at=BOOKING_TIME,
    )


def test_a_reschedule_moves_the_reservation_in_one_decision() -> None:
    command = reserve(60)
    history = recorded(site_capacity, command, after=CAPACITY_SET)
    move = _move(command.appointment_id, 60, local(14, 30), ZHANG)
    state = (
        given(site_capacity, *history)
        .when(move)
        .then(
            SlotReleased(
                site_id=SITE,
                appointment_id=command.appointment_id,
                slot_start=local(9, 30),
                minutes=60,
                reason="rescheduled",
                released_at=BOOKING_TIME,
            ),
            SlotReserved(
                site_id=SITE,
                appointment_id=command.appointment_id,
                advisor_id=ZHANG,
                slot_start=local(14, 30),
                minutes=60,
                allocations=(SlotAllocation(slot_start=local(14, 30), minutes=60),),
                reserved_at=BOOKING_TIME,
            ),
        )
    )
    assert state.minutes_used(local(9, 30)) == 0
    assert state.minutes_used(local(14, 30)) == 60


def test_a_longer_job_in_the_same_slot_counts_its_own_minutes_only_once() -> None:
    command = reserve(60)
    other = reserve(30, advisor=ZHANG)
    history = recorded(site_capacity, command, other, after=CAPACITY_SET)
    # 90 of 120 used; the job grows from 60 to 90: 30 others + 90 = 120 fits.
    move = _move(command.appointment_id, 90, local(9, 30))
    (released, reserved), state = given(site_capacity, *history).when(move).accepted()
    assert isinstance(released, SlotReleased)
    assert released.minutes == 60
    assert isinstance(reserved, SlotReserved)
    assert reserved.minutes == 90
    assert state.minutes_used(local(9, 30)) == 120
    assert state.receptions_in(local(9, 30), LI) == 1


def test_a_move_to_a_full_slot_is_refused_and_the_old_slot_is_kept() -> None:
    command = reserve(30)
    history = recorded(site_capacity, command, reserve(120, start=local(13, 30), advisor=ZHANG), after=CAPACITY_SET)
    given(site_capacity, *history).when(_move(command.appointment_id, 30, local(13, 30))).then_refused(CapacityExceeded)


def test_moving_an_unknown_reservation_is_refused() -> None:
    given(site_capacity, *CAPACITY_SET).when(_move(uuid4(), 30, local(13, 30))).then_refused(ReservationNotFound)


def test_moving_to_the_same_slot_changes_nothing() -> None:
    command = reserve(30)
    history = recorded(site_capacity, command, after=CAPACITY_SET)
    given(site_capacity, *history).when(_move(command.appointment_id, 30, local(9, 30))).then_refused(NothingToChange)


def test_a_move_into_the_past_is_refused() -> None:
    command = reserve(30)
    history = recorded(site_capacity, command, after=CAPACITY_SET)
    move = replace(_move(command.appointment_id, 30, local(10, 30)), moved_at=local(11, 0))
    given(site_capacity, *history).when(move).then_refused(TimeOutOfOrder)


def test_a_move_within_the_slot_does_not_count_its_own_reception_against_the_advisor() -> None:
    command = reserve(30)
    history = recorded(site_capacity, command, reserve(30), after=CAPACITY_SET)  # both of Li's receptions
    (_, reserved), state = (
        given(site_capacity, *history).when(_move(command.appointment_id, 45, local(9, 30))).accepted()
    )
    assert isinstance(reserved, SlotReserved)
    assert state.receptions_in(local(9, 30), LI) == 2
