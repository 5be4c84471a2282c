"""Appointment: booking (passive and active), the day-before reminder, confirmations,
reschedules and cancellations (docs/domain.md §1; seed 003 "预约")."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import pytest
from domain_helpers import (
    APPOINTMENT,
    BOOK,
    BOOKED,
    BOOKING_TIME,
    CUSTOMER,
    LI,
    SERVICE_JOB,
    SLOT,
    USER,
    VEHICLE,
    ZHANG,
    given,
    local,
    minutes_after,
    recorded,
)

from booking.domain.appointment import appointment, stream_id
from booking.domain.appointment_commands import (
    CancelAppointment,
    ConfirmAppointment,
    MarkNoShow,
    RecordArrival,
    RequestConfirmation,
    RescheduleAppointment,
)
from booking.domain.appointment_state import (
    BOOKED as BOOKED_STATUS,
)
from booking.domain.appointment_state import (
    AlreadyArrived,
    AlreadyBooked,
    AlreadyConfirmed,
    CancelledAppointment,
    DuplicateJob,
    EstimateTooShort,
    NoJobs,
    NoShowRecorded,
    NotBooked,
)
from booking.domain.errors import InvalidAmount, InvalidCode, MissingInformation, NothingToChange, TimeOutOfOrder
from events.catalog.booking import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentConfirmed,
    AppointmentRescheduled,
    ConfirmationRequested,
)
from events.catalog.booking_values import RequestedJob

REMINDER = RequestConfirmation(requested_at=local(10, 0, day=6))
DAY_BEFORE = ConfirmAppointment(confirmation="day_before", channel="phone", confirmed_at=local(10, 5, day=6))
HALF_AN_HOUR_BEFORE = ConfirmAppointment(confirmation="before_arrival", channel="wechat", confirmed_at=local(9, 0))
RESCHEDULE = RescheduleAppointment(
    slot_start=local(14, 30, day=8),
    requested_by="customer",
    reason="customer travels on Tuesday",
    rescheduled_at=local(15, 0, day=6),
)
CANCEL = CancelAppointment(requested_by="customer", reason="car sold", cancelled_at=local(15, 0, day=6))
CANCELLED = recorded(appointment, CANCEL, after=BOOKED)
ARRIVED = recorded(appointment, RecordArrival(arrived_at=local(9, 20)), after=BOOKED)
NO_SHOW = recorded(appointment, MarkNoShow(recorded_at=local(10, 0)), after=BOOKED)


def test_the_stream_is_named_after_the_appointment() -> None:
    assert stream_id(APPOINTMENT) == f"appointment-{APPOINTMENT}"


# --- booking ------------------------------------------------------------------------------


def test_a_passive_appointment_is_booked_with_the_customer_car_work_advisor_and_slot() -> None:
    state = (
        given(appointment)
        .when(BOOK)
        .then(
            AppointmentBooked(
                appointment_id=APPOINTMENT,
                kind="passive",
                reason="maintenance",
                channel="phone",
                customer=CUSTOMER,
                vehicle=VEHICLE,
                mileage_km=9800,
                vehicle_user=USER,
                requested_jobs=(SERVICE_JOB,),
                customer_words="due for the 10,000 km service",
                advisor_id=LI,
                slot_start=SLOT,
                estimated_minutes=50,
                booked_at=BOOKING_TIME,
            )
        )
    )
    assert state.status == BOOKED_STATUS
    assert (state.slot_start, state.advisor_id, state.estimated_minutes) == (SLOT, LI, 50)
    assert not state.confirmed


def test_the_caller_may_be_the_cars_user_rather_than_its_owner() -> None:
    (event,), _ = given(appointment).when(BOOK).accepted()
    assert isinstance(event, AppointmentBooked)
    assert event.customer == CUSTOMER
    assert event.vehicle_user == USER


def test_an_active_appointment_gives_the_dealers_reason() -> None:
    command = replace(BOOK, kind="active", reason="maintenance_due", channel="dealer_initiated")
    (event,), _ = given(appointment).when(command).accepted()
    assert isinstance(event, AppointmentBooked)
    assert (event.kind, event.reason) == ("active", "maintenance_due")


def test_an_active_appointment_cannot_give_a_customers_reason() -> None:
    given(appointment).when(replace(BOOK, kind="active", reason="repair")).then_refused(InvalidCode)


def test_a_passive_appointment_cannot_give_a_dealers_reason() -> None:
    given(appointment).when(replace(BOOK, reason="recall")).then_refused(InvalidCode)


def test_an_unknown_kind_is_refused() -> None:
    given(appointment).when(replace(BOOK, kind="walk_in")).then_refused(InvalidCode)


def test_a_recall_appointment_names_its_recall() -> None:
    recall = replace(BOOK, kind="active", reason="recall")
    given(appointment).when(recall).then_refused(MissingInformation)
    (event,), _ = given(appointment).when(replace(recall, reference=" RC-2024-07 ")).accepted()
    assert isinstance(event, AppointmentBooked)
    assert event.reference == "RC-2024-07"


def test_an_appointment_has_at_least_one_requested_job() -> None:
    given(appointment).when(replace(BOOK, requested_jobs=())).then_refused(NoJobs)


def test_a_job_is_requested_once() -> None:
    given(appointment).when(replace(BOOK, requested_jobs=(SERVICE_JOB, SERVICE_JOB))).then_refused(DuplicateJob)


def test_the_estimated_duration_covers_the_requested_jobs() -> None:
    brakes = RequestedJob(job_id=uuid4(), description="front brake pads", estimated_minutes=60)
    command = replace(BOOK, requested_jobs=(SERVICE_JOB, brakes), estimated_minutes=90)
    message = given(appointment).when(command).then_refused(EstimateTooShort)
    assert "100" in message
    (event,), _ = given(appointment).when(replace(command, estimated_minutes=100)).accepted()
    assert isinstance(event, AppointmentBooked)
    assert event.estimated_minutes == 100


def test_a_duration_of_nothing_is_refused() -> None:
    given(appointment).when(replace(BOOK, estimated_minutes=0)).then_refused(InvalidAmount)


def test_a_slot_in_the_past_cannot_be_booked() -> None:
    given(appointment).when(replace(BOOK, booked_at=minutes_after(SLOT, 1))).then_refused(TimeOutOfOrder)
    given(appointment).when(replace(BOOK, booked_at=SLOT)).then_refused(TimeOutOfOrder)


def test_a_negative_mileage_is_refused() -> None:
    given(appointment).when(replace(BOOK, mileage_km=-1)).then_refused(InvalidAmount)


def test_an_unknown_booking_channel_is_refused() -> None:
    given(appointment).when(replace(BOOK, channel="carrier_pigeon")).then_refused(InvalidCode)


def test_an_appointment_has_an_advisor() -> None:
    given(appointment).when(replace(BOOK, advisor_id="  ")).then_refused(MissingInformation)


def test_an_appointment_is_booked_once() -> None:
    given(appointment, *BOOKED).when(BOOK).then_refused(AlreadyBooked)


# --- the day-before reminder --------------------------------------------------------------


def test_the_day_before_reminder_asks_the_cars_user_to_confirm() -> None:
    state = (
        given(appointment, *BOOKED)
        .when(REMINDER)
        .then(
            ConfirmationRequested(
                appointment_id=APPOINTMENT,
                slot_start=SLOT,
                advisor_id=LI,
                contact=USER,
                requested_at=REMINDER.requested_at,
            )
        )
    )
    assert state.reminded


def test_the_reminder_fires_once_per_slot() -> None:
    reminded = recorded(appointment, REMINDER, after=BOOKED)
    given(appointment, *reminded).when(REMINDER).then()
    # a new slot needs a new reminder
    moved = recorded(appointment, RESCHEDULE, after=reminded)
    (event,), _ = given(appointment, *moved).when(RequestConfirmation(local(10, 0, day=7))).accepted()
    assert isinstance(event, ConfirmationRequested)
    assert event.slot_start == RESCHEDULE.slot_start


def test_a_reminder_after_cancellation_or_after_the_slot_began_is_moot() -> None:
    given(appointment, *CANCELLED).when(REMINDER).then()
    given(appointment, *BOOKED).when(RequestConfirmation(requested_at=SLOT)).then()
    given(appointment, *ARRIVED).when(REMINDER).then()
    given(appointment).when(REMINDER).then()


# --- confirmations ------------------------------------------------------------------------


def test_the_day_before_confirmation_is_recorded_as_such() -> None:
    state = (
        given(appointment, *BOOKED)
        .when(DAY_BEFORE)
        .then(
            AppointmentConfirmed(
                appointment_id=APPOINTMENT,
                confirmation="day_before",
                channel="phone",
                slot_start=SLOT,
                confirmed_at=DAY_BEFORE.confirmed_at,
            )
        )
    )
    assert state.confirmations == ("day_before",)


def test_the_customers_own_confirmation_half_an_hour_before_is_recorded_too() -> None:
    confirmed = recorded(appointment, DAY_BEFORE, after=BOOKED)
    (event,), state = given(appointment, *confirmed).when(HALF_AN_HOUR_BEFORE).accepted()
    assert isinstance(event, AppointmentConfirmed)
    assert event.confirmation == "before_arrival"
    assert state.confirmations == ("day_before", "before_arrival")


def test_the_same_confirmation_is_recorded_once() -> None:
    confirmed = recorded(appointment, DAY_BEFORE, after=BOOKED)
    given(appointment, *confirmed).when(DAY_BEFORE).then_refused(AlreadyConfirmed)


def test_a_new_slot_needs_new_confirmations() -> None:
    moved = recorded(appointment, DAY_BEFORE, RESCHEDULE, after=BOOKED)
    (event,), _ = given(appointment, *moved).when(replace(DAY_BEFORE, confirmed_at=local(16, 0, day=7))).accepted()
    assert isinstance(event, AppointmentConfirmed)
    assert event.slot_start == RESCHEDULE.slot_start


def test_a_cancelled_appointment_cannot_be_confirmed() -> None:
    given(appointment, *CANCELLED).when(DAY_BEFORE).then_refused(CancelledAppointment)


def test_an_appointment_that_was_never_booked_cannot_be_confirmed() -> None:
    given(appointment).when(DAY_BEFORE).then_refused(NotBooked)


def test_a_confirmation_after_the_slot_began_is_refused() -> None:
    given(appointment, *BOOKED).when(replace(HALF_AN_HOUR_BEFORE, confirmed_at=SLOT)).then_refused(TimeOutOfOrder)


@pytest.mark.parametrize(
    "command", [replace(DAY_BEFORE, confirmation="maybe"), replace(DAY_BEFORE, channel="fax")], ids=["kind", "channel"]
)
def test_confirmations_use_the_published_codes(command: ConfirmAppointment) -> None:
    given(appointment, *BOOKED).when(command).then_refused(InvalidCode)


# --- reschedule ---------------------------------------------------------------------------


def test_an_appointment_moves_to_a_new_slot_and_keeps_its_advisor() -> None:
    state = (
        given(appointment, *BOOKED)
        .when(RESCHEDULE)
        .then(
            AppointmentRescheduled(
                appointment_id=APPOINTMENT,
                previous_slot_start=SLOT,
                slot_start=RESCHEDULE.slot_start,
                advisor_id=LI,
                estimated_minutes=50,
                requested_by="customer",
                reason="customer travels on Tuesday",
                rescheduled_at=RESCHEDULE.rescheduled_at,
            )
        )
    )
    assert state.slot_start == RESCHEDULE.slot_start


def test_a_reschedule_may_change_the_advisor_and_the_duration() -> None:
    command = replace(RESCHEDULE, slot_start=SLOT, advisor_id=ZHANG, estimated_minutes=60)
    (event,), state = given(appointment, *BOOKED).when(command).accepted()
    assert isinstance(event, AppointmentRescheduled)
    assert (state.advisor_id, state.estimated_minutes) == (ZHANG, 60)


def test_a_reschedule_to_the_same_slot_changes_nothing() -> None:
    given(appointment, *BOOKED).when(replace(RESCHEDULE, slot_start=SLOT)).then_refused(NothingToChange)


def test_a_reschedule_into_the_past_is_refused() -> None:
    late = replace(RESCHEDULE, slot_start=local(9, 30, day=6))
    given(appointment, *BOOKED).when(late).then_refused(TimeOutOfOrder)


def test_a_reschedule_keeps_the_duration_long_enough_for_the_jobs() -> None:
    given(appointment, *BOOKED).when(replace(RESCHEDULE, estimated_minutes=30)).then_refused(EstimateTooShort)


def test_a_reschedule_says_why() -> None:
    given(appointment, *BOOKED).when(replace(RESCHEDULE, reason="")).then_refused(MissingInformation)
    given(appointment, *BOOKED).when(replace(RESCHEDULE, requested_by="weather")).then_refused(InvalidCode)


def test_an_arrived_car_is_not_rescheduled() -> None:
    given(appointment, *ARRIVED).when(RESCHEDULE).then_refused(AlreadyArrived)


def test_a_no_show_is_not_rescheduled() -> None:
    given(appointment, *NO_SHOW).when(RESCHEDULE).then_refused(NoShowRecorded)


def test_a_cancelled_appointment_is_not_rescheduled() -> None:
    given(appointment, *CANCELLED).when(RESCHEDULE).then_refused(CancelledAppointment)


# --- cancel -------------------------------------------------------------------------------


def test_the_customer_cancels() -> None:
    state = (
        given(appointment, *BOOKED)
        .when(CANCEL)
        .then(
            AppointmentCancelled(
                appointment_id=APPOINTMENT,
                slot_start=SLOT,
                requested_by="customer",
                reason="car sold",
                cancelled_at=CANCEL.cancelled_at,
            )
        )
    )
    assert state.status == "cancelled"


def test_an_appointment_is_cancelled_once() -> None:
    given(appointment, *CANCELLED).when(CANCEL).then_refused(CancelledAppointment)


def test_an_arrived_car_is_not_cancelled() -> None:
    given(appointment, *ARRIVED).when(CANCEL).then_refused(AlreadyArrived)


def test_a_cancellation_says_who_and_why() -> None:
    given(appointment, *BOOKED).when(replace(CANCEL, requested_by="nobody")).then_refused(InvalidCode)
    given(appointment, *BOOKED).when(replace(CANCEL, reason=" ")).then_refused(MissingInformation)
