"""SiteCapacity: setting the site's capacity, and reserving workshop minutes without ever
overbooking (docs/domain.md §1: "against the site's workshop capacity ... No overbooking")."""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from uuid import uuid4

from domain_helpers import (
    BOOKING_TIME,
    CAPACITY_SET,
    LI,
    SET_CAPACITY,
    SITE,
    ZHANG,
    given,
    in_utc,
    local,
    recorded,
    reserve,
)

from booking.domain.errors import InvalidAmount, InvalidCode, MissingInformation, NothingToChange, TimeOutOfOrder
from booking.domain.site_capacity import (
    AdvisorNotAvailable,
    AlreadyReserved,
    CapacityBelowBookings,
    CapacityExceeded,
    CapacityNotSet,
    InvalidOpeningHours,
    SiteMismatch,
    SlotNotBookable,
    WorkshopMinutesBeyondStaff,
    site_capacity,
    stream_id,
)
from events.catalog.booking import CapacitySet, SlotReserved
from events.catalog.booking_values import SlotAllocation


def test_the_stream_is_named_after_the_site() -> None:
    assert stream_id(SITE) == f"capacity-{SITE}"


# --- setting capacity ---------------------------------------------------------------------


def test_the_site_sets_its_capacity() -> None:
    state = (
        given(site_capacity)
        .when(SET_CAPACITY)
        .then(
            CapacitySet(
                site_id=SITE,
                timezone="Asia/Shanghai",
                opens_at=time(8, 30),
                closes_at=time(17, 30),
                slot_minutes=60,
                open_weekdays=(1, 2, 3, 4, 5, 6),
                advisors=(LI, ZHANG),
                receptions_per_advisor=2,
                technicians=3,
                bays=4,
                workshop_minutes_per_slot=120,
                set_at=SET_CAPACITY.set_at,
            )
        )
    )
    assert state.plan is not None
    assert state.plan.slots(local(0).date())[0] == local(8, 30)
    assert len(state.plan.slots(local(0).date())) == 9  # 08:30 ... 16:30, the last ends at closing


def test_closing_before_opening_is_refused() -> None:
    command = replace(SET_CAPACITY, opens_at=time(18, 0))
    given(site_capacity).when(command).then_refused(InvalidOpeningHours)


def test_a_slot_longer_than_the_opening_hours_is_refused() -> None:
    command = replace(SET_CAPACITY, opens_at=time(9, 0), closes_at=time(9, 45), workshop_minutes_per_slot=60)
    message = given(site_capacity).when(command).then_refused(InvalidOpeningHours)
    assert "09:00" in message


def test_an_unknown_weekday_is_refused() -> None:
    given(site_capacity).when(replace(SET_CAPACITY, open_weekdays=(1, 8))).then_refused(InvalidOpeningHours)


def test_an_unknown_time_zone_is_refused() -> None:
    given(site_capacity).when(replace(SET_CAPACITY, timezone="Mars/Olympus")).then_refused(InvalidCode)


def test_more_workshop_minutes_than_the_technicians_can_work_are_refused() -> None:
    # 3 technicians work 180 minutes in an hour, not 200.
    message = (
        given(site_capacity)
        .when(replace(SET_CAPACITY, workshop_minutes_per_slot=200))
        .then_refused(WorkshopMinutesBeyondStaff)
    )
    assert "180" in message


def test_technicians_without_bays_cannot_work() -> None:
    # Five technicians but one bay: one car at a time, 60 minutes an hour.
    command = replace(SET_CAPACITY, technicians=5, bays=1, workshop_minutes_per_slot=90)
    given(site_capacity).when(command).then_refused(WorkshopMinutesBeyondStaff)


def test_the_bookable_minutes_may_equal_what_the_staff_can_work() -> None:
    _, state = given(site_capacity).when(replace(SET_CAPACITY, workshop_minutes_per_slot=180)).accepted()
    assert state.plan is not None
    assert state.plan.workshop_minutes_per_slot == 180


def test_a_workshop_without_technicians_is_refused() -> None:
    given(site_capacity).when(replace(SET_CAPACITY, technicians=0)).then_refused(InvalidAmount)


def test_capacity_names_at_least_one_advisor() -> None:
    given(site_capacity).when(replace(SET_CAPACITY, advisors=())).then_refused(AdvisorNotAvailable)
    given(site_capacity).when(replace(SET_CAPACITY, advisors=(LI, " "))).then_refused(MissingInformation)


def test_setting_the_same_capacity_again_changes_nothing() -> None:
    given(site_capacity, *CAPACITY_SET).when(replace(SET_CAPACITY, set_at=local(8))).then_refused(NothingToChange)


def test_another_sites_capacity_is_refused_on_this_stream() -> None:
    given(site_capacity, *CAPACITY_SET).when(replace(SET_CAPACITY, site_id=uuid4())).then_refused(SiteMismatch)


def test_capacity_can_grow_under_existing_bookings() -> None:
    history = recorded(site_capacity, reserve(120), after=CAPACITY_SET)
    bigger = replace(SET_CAPACITY, workshop_minutes_per_slot=180, set_at=BOOKING_TIME)
    (event,), state = given(site_capacity, *history).when(bigger).accepted()
    assert isinstance(event, CapacitySet)
    assert event.workshop_minutes_per_slot == 180
    assert state.minutes_used(local(9, 30)) == 120


def test_capacity_cannot_drop_below_the_minutes_booked() -> None:
    history = recorded(site_capacity, reserve(120), after=CAPACITY_SET)
    smaller = replace(SET_CAPACITY, workshop_minutes_per_slot=90, set_at=BOOKING_TIME)
    message = given(site_capacity, *history).when(smaller).then_refused(CapacityBelowBookings)
    assert "2024-05-07 09:30" in message
    assert "120" in message


def test_an_advisor_with_bookings_cannot_be_taken_off() -> None:
    history = recorded(site_capacity, reserve(30, advisor=ZHANG), after=CAPACITY_SET)
    without_zhang = replace(SET_CAPACITY, advisors=(LI,), set_at=BOOKING_TIME)
    given(site_capacity, *history).when(without_zhang).then_refused(CapacityBelowBookings)


def test_receptions_per_advisor_cannot_drop_below_the_booked_receptions() -> None:
    history = recorded(site_capacity, reserve(30), reserve(30), after=CAPACITY_SET)
    one_each = replace(SET_CAPACITY, receptions_per_advisor=1, set_at=BOOKING_TIME)
    given(site_capacity, *history).when(one_each).then_refused(CapacityBelowBookings)


def test_booked_slots_must_still_exist_in_the_new_plan() -> None:
    history = recorded(site_capacity, reserve(30), after=CAPACITY_SET)
    # Opening at 08:00 moves every slot to the full hour: 09:30 is no slot any more.
    shifted = replace(SET_CAPACITY, opens_at=time(8, 0), set_at=BOOKING_TIME)
    message = given(site_capacity, *history).when(shifted).then_refused(CapacityBelowBookings)
    assert "09:30" in message


def test_bookings_already_over_do_not_hold_capacity_back() -> None:
    history = recorded(site_capacity, reserve(120), after=CAPACITY_SET)
    next_week = replace(SET_CAPACITY, workshop_minutes_per_slot=60, set_at=local(8, 0, day=13))
    (event,), state = given(site_capacity, *history).when(next_week).accepted()
    assert isinstance(event, CapacitySet)
    assert state.plan is not None
    assert state.plan.workshop_minutes_per_slot == 60


# --- reserving ----------------------------------------------------------------------------


def test_nothing_is_reserved_before_capacity_is_set() -> None:
    given(site_capacity).when(reserve(40)).then_refused(CapacityNotSet)


def test_a_booking_that_fits_reserves_minutes_in_its_slot() -> None:
    command = reserve(40)
    state = (
        given(site_capacity, *CAPACITY_SET)
        .when(command)
        .then(
            SlotReserved(
                site_id=SITE,
                appointment_id=command.appointment_id,
                advisor_id=LI,
                slot_start=local(9, 30),
                minutes=40,
                allocations=(SlotAllocation(slot_start=local(9, 30), minutes=40),),
                reserved_at=BOOKING_TIME,
            )
        )
    )
    assert state.minutes_used(local(9, 30)) == 40
    assert state.receptions_in(local(9, 30), LI) == 1


def test_a_start_given_in_utc_is_the_same_local_slot() -> None:
    command = reserve(40, start=in_utc(local(9, 30)))
    (event,), _ = given(site_capacity, *CAPACITY_SET).when(command).accepted()
    assert isinstance(event, SlotReserved)
    assert event.slot_start == local(9, 30)


def test_a_long_job_takes_the_rest_of_its_time_from_the_following_slots() -> None:
    history = recorded(site_capacity, reserve(90), after=CAPACITY_SET)
    command = reserve(100)
    state = (
        given(site_capacity, *history)
        .when(command)
        .then(
            SlotReserved(
                site_id=SITE,
                appointment_id=command.appointment_id,
                advisor_id=LI,
                slot_start=local(9, 30),
                minutes=100,
                allocations=(
                    SlotAllocation(slot_start=local(9, 30), minutes=30),
                    SlotAllocation(slot_start=local(10, 30), minutes=70),
                ),
                reserved_at=BOOKING_TIME,
            )
        )
    )
    assert state.minutes_used(local(9, 30)) == 120
    assert state.minutes_used(local(10, 30)) == 70


def test_a_slot_can_be_filled_exactly() -> None:
    history = recorded(site_capacity, reserve(80), after=CAPACITY_SET)
    _, state = given(site_capacity, *history).when(reserve(40, advisor=ZHANG)).accepted()
    assert state.minutes_used(local(9, 30)) == 120


def test_a_full_slot_is_refused_naming_the_slot_and_what_is_left() -> None:
    history = recorded(site_capacity, reserve(120), after=CAPACITY_SET)
    message = given(site_capacity, *history).when(reserve(30, advisor=ZHANG)).then_refused(CapacityExceeded)
    assert "2024-05-07 09:30" in message
    assert "0 workshop minutes left" in message


def test_more_work_than_is_left_until_closing_is_refused() -> None:
    # The 16:30 slot is the last: 120 minutes until closing.
    message = given(site_capacity, *CAPACITY_SET).when(reserve(150, start=local(16, 30))).then_refused(CapacityExceeded)
    assert "120 until closing" in message
    assert "needs 150" in message


def test_an_advisor_receives_only_so_many_cars_per_slot() -> None:
    history = recorded(site_capacity, reserve(20), reserve(20), after=CAPACITY_SET)
    message = given(site_capacity, *history).when(reserve(20)).then_refused(CapacityExceeded)
    assert LI in message
    assert "2 of 2" in message
    # the other advisor still receives in that slot
    (event,), _ = given(site_capacity, *history).when(reserve(20, advisor=ZHANG)).accepted()
    assert isinstance(event, SlotReserved)
    assert event.advisor_id == ZHANG


def test_an_advisor_who_takes_no_appointments_is_refused() -> None:
    given(site_capacity, *CAPACITY_SET).when(reserve(20, advisor="SA Nobody")).then_refused(AdvisorNotAvailable)


def test_a_start_between_slots_is_refused() -> None:
    given(site_capacity, *CAPACITY_SET).when(reserve(20, start=local(9, 45))).then_refused(SlotNotBookable)


def test_a_start_before_opening_or_at_closing_is_refused() -> None:
    given(site_capacity, *CAPACITY_SET).when(reserve(20, start=local(7, 30))).then_refused(SlotNotBookable)
    given(site_capacity, *CAPACITY_SET).when(reserve(20, start=local(17, 30))).then_refused(SlotNotBookable)


def test_a_closed_day_has_no_slots() -> None:
    given(site_capacity, *CAPACITY_SET).when(reserve(20, start=local(9, 30, day=12))).then_refused(SlotNotBookable)


def test_a_slot_in_the_past_is_refused() -> None:
    command = replace(reserve(20), reserved_at=local(10, 0))
    given(site_capacity, *CAPACITY_SET).when(command).then_refused(TimeOutOfOrder)


def test_a_booking_of_no_minutes_is_refused() -> None:
    given(site_capacity, *CAPACITY_SET).when(reserve(0)).then_refused(InvalidAmount)


def test_an_appointment_holds_one_reservation() -> None:
    command = reserve(20)
    history = recorded(site_capacity, command, after=CAPACITY_SET)
    given(site_capacity, *history).when(replace(command, start=local(11, 30))).then_refused(AlreadyReserved)
