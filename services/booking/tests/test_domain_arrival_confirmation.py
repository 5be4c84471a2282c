"""The customer's own confirmation about half an hour before the slot (seed 003: "等待客户提前半小时
确认"): when it has not come, the advisor is told once per slot; otherwise nothing happens."""

from __future__ import annotations

from domain_helpers import APPOINTMENT, BOOKED, LI, SLOT, USER, given, local, recorded

from booking.domain.appointment import appointment
from booking.domain.appointment_commands import (
    CancelAppointment,
    CheckArrivalConfirmation,
    ConfirmAppointment,
    RescheduleAppointment,
)
from events.catalog.booking import ArrivalConfirmationOverdue

CHECK = CheckArrivalConfirmation(checked_at=local(9, 0))
DAY_BEFORE = ConfirmAppointment(confirmation="day_before", channel="phone", confirmed_at=local(10, 5, day=6))
OWN = ConfirmAppointment(confirmation="before_arrival", channel="wechat", confirmed_at=local(8, 50))


def test_a_missing_confirmation_half_an_hour_before_tells_the_advisor_to_call_the_cars_user() -> None:
    confirmed_the_day_before = recorded(appointment, DAY_BEFORE, after=BOOKED)
    state = (
        given(appointment, *confirmed_the_day_before)
        .when(CHECK)
        .then(
            ArrivalConfirmationOverdue(
                appointment_id=APPOINTMENT,
                slot_start=SLOT,
                advisor_id=LI,
                contact=USER,
                day_before_confirmed=True,
                noticed_at=CHECK.checked_at,
            )
        )
    )
    assert state.overdue


def test_nothing_is_overdue_once_the_customer_confirmed() -> None:
    given(appointment, *recorded(appointment, OWN, after=BOOKED)).when(CHECK).then()


def test_it_is_noticed_once_per_slot_and_a_new_slot_is_checked_again() -> None:
    noticed = recorded(appointment, CHECK, after=BOOKED)
    given(appointment, *noticed).when(CHECK).then()
    moved = recorded(
        appointment,
        RescheduleAppointment(
            slot_start=local(14, 30, day=8), requested_by="customer", reason="later", rescheduled_at=local(9, 5)
        ),
        after=noticed,
    )
    (event,), _ = given(appointment, *moved).when(CheckArrivalConfirmation(local(14, 0, day=8))).accepted()
    assert isinstance(event, ArrivalConfirmationOverdue)
    assert not event.day_before_confirmed


def test_a_check_after_cancellation_or_after_the_slot_began_is_moot() -> None:
    cancelled = recorded(
        appointment, CancelAppointment(requested_by="customer", reason="sold", cancelled_at=local(8, 0)), after=BOOKED
    )
    given(appointment, *cancelled).when(CHECK).then()
    given(appointment, *BOOKED).when(CheckArrivalConfirmation(checked_at=SLOT)).then()
    given(appointment).when(CHECK).then()
