"""Suggested free slots, and the promise behind them: whatever is booked, moved or released,
no slot ever holds more workshop minutes or advisor receptions than the site allows."""

from __future__ import annotations

from uuid import uuid4

import pytest
from domain_helpers import BOOKING_TIME, CAPACITY_SET, LI, SUNDAY, TUESDAY, ZHANG, local, recorded, reserve
from hypothesis import given as for_all
from hypothesis import settings
from hypothesis import strategies as st

from booking.domain.errors import InvalidAmount
from booking.domain.site_capacity import (
    FreeSlot,
    MoveReservation,
    ReleaseSlot,
    ReserveSlot,
    SiteCapacity,
    free_slots,
    site_capacity,
)
from events.decider import fold
from events.errors import DomainError


def _state(*commands: ReserveSlot) -> SiteCapacity:
    return fold(site_capacity, recorded(site_capacity, *commands, after=CAPACITY_SET))


def test_no_slots_are_suggested_before_capacity_is_set() -> None:
    assert free_slots(site_capacity.initial_state, TUESDAY, 40) == []


def test_an_empty_day_offers_every_slot_with_both_advisors() -> None:
    slots = free_slots(_state(), TUESDAY, 40)
    assert [slot.start for slot in slots] == [local(h, 30) for h in range(8, 17)]
    assert all(slot.advisors == (LI, ZHANG) and slot.workshop_minutes_left == 120 for slot in slots)


def test_a_closed_day_offers_nothing() -> None:
    assert free_slots(_state(), SUNDAY, 40) == []


def test_a_full_slot_is_not_suggested() -> None:
    slots = free_slots(_state(reserve(120)), TUESDAY, 30)
    assert local(9, 30) not in [slot.start for slot in slots]
    assert local(10, 30) in [slot.start for slot in slots]


def test_the_minutes_left_are_shown_for_a_partly_booked_slot() -> None:
    (slot,) = [s for s in free_slots(_state(reserve(90)), TUESDAY, 30) if s.start == local(9, 30)]
    assert slot == FreeSlot(start=local(9, 30), workshop_minutes_left=30, advisors=(LI, ZHANG))


def test_an_advisor_without_receptions_left_is_not_offered() -> None:
    state = _state(reserve(20), reserve(20))
    (slot,) = [s for s in free_slots(state, TUESDAY, 20) if s.start == local(9, 30)]
    assert slot.advisors == (ZHANG,)
    assert local(9, 30) not in [s.start for s in free_slots(state, TUESDAY, 20, advisor_id=LI)]


def test_a_long_job_is_offered_only_where_the_day_has_room_for_it() -> None:
    # 200 minutes need the arrival slot and most of the next one: not offered at 16:30.
    starts = [slot.start for slot in free_slots(_state(), TUESDAY, 200)]
    assert starts[-1] == local(15, 30)


def test_slots_already_begun_are_not_offered() -> None:
    starts = [slot.start for slot in free_slots(_state(), TUESDAY, 30, not_before=local(12, 0))]
    assert starts[0] == local(12, 30)


def test_a_suggestion_needs_some_minutes() -> None:
    with pytest.raises(InvalidAmount):
        free_slots(_state(), TUESDAY, 0)


def test_every_suggested_slot_is_accepted_when_booked() -> None:
    state = _state(reserve(120), reserve(100, start=local(10, 30), advisor=ZHANG))
    for slot in free_slots(state, TUESDAY, 60):
        for advisor in slot.advisors:
            assert site_capacity.decide(state, reserve(60, start=slot.start, advisor=advisor))


# --- no overbooking, ever -----------------------------------------------------------------

HOURS = [local(h, 30) for h in range(8, 17)]
APPOINTMENTS = [uuid4() for _ in range(6)]

commands = st.one_of(
    st.builds(
        lambda a, start, minutes, advisor: ReserveSlot(a, start, minutes, advisor, BOOKING_TIME),
        st.sampled_from(APPOINTMENTS),
        st.sampled_from(HOURS),
        st.integers(min_value=1, max_value=300),
        st.sampled_from([LI, ZHANG]),
    ),
    st.builds(
        lambda a, start, minutes, advisor: MoveReservation(a, start, minutes, advisor, BOOKING_TIME),
        st.sampled_from(APPOINTMENTS),
        st.sampled_from(HOURS),
        st.integers(min_value=1, max_value=300),
        st.sampled_from([LI, ZHANG]),
    ),
    st.builds(
        lambda a, reason: ReleaseSlot(a, reason, BOOKING_TIME),
        st.sampled_from(APPOINTMENTS),
        st.sampled_from(["cancelled", "no_show"]),
    ),
)


def _reception_counts(state: SiteCapacity) -> dict[tuple[object, str], int]:
    counts: dict[tuple[object, str], int] = {}
    for reservation in state.reservations.values():
        key = (reservation.slot_start, reservation.advisor_id)
        counts[key] = counts.get(key, 0) + 1
    return counts


@settings(max_examples=150, deadline=None)
@for_all(st.lists(commands, max_size=25))
def test_no_sequence_of_commands_overbooks_a_slot(sequence: list[ReserveSlot | MoveReservation | ReleaseSlot]) -> None:
    state = fold(site_capacity, CAPACITY_SET)
    for command in sequence:
        try:
            state = fold(site_capacity, site_capacity.decide(state, command), state)
        except DomainError:
            continue
        used: dict[object, int] = {}
        for reservation in state.reservations.values():
            assert sum(minutes for _, minutes in reservation.allocations) == reservation.minutes
            for slot, minutes in reservation.allocations:
                used[slot] = used.get(slot, 0) + minutes
        assert all(total <= 120 for total in used.values())
        assert used == {slot: total for slot, total in state.used.items()}
        assert all(count <= 2 for count in _reception_counts(state).values())
        assert _reception_counts(state) == dict(state.receptions)
