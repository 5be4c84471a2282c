"""Appointment: preparation (history, declined recommendations offered again, parts
pre-check), arrival with appointment priority, and no-shows (docs/domain.md §1; seeds 000, 003)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import uuid4

from domain_helpers import (
    APPOINTMENT,
    BOOK,
    BOOKED,
    CUSTOMER,
    FILTER,
    LI,
    OIL,
    SERVICE_JOB,
    SLOT,
    USER,
    VEHICLE,
    given,
    local,
    minutes_after,
    recorded,
)

from booking.domain.appointment import appointment
from booking.domain.appointment_commands import (
    CancelAppointment,
    ConfirmAppointment,
    MarkNoShow,
    RecordArrival,
    RecordPreparation,
)
from booking.domain.appointment_state import (
    AlreadyArrived,
    CancelledAppointment,
    DuplicateRecommendation,
    NoShowRecorded,
    NoShowTooEarly,
    PartsCheckIncomplete,
)
from booking.domain.errors import InvalidAmount, MissingInformation, TimeOutOfOrder
from events.catalog.booking import AppointmentNoShow, AppointmentPrepared, VehicleArrived
from events.catalog.booking_values import OfferedRecommendation, PartCheck

OIL_CHECK = PartCheck(part_number=OIL.part_number, quantity=1, available=True)
FILTER_CHECK = PartCheck(part_number=FILTER.part_number, quantity=1, available=True)
WIPERS = OfferedRecommendation(
    finding_id=uuid4(), description="replace worn wiper blades", safety_critical=False, response="accepted"
)
TYRES = OfferedRecommendation(
    finding_id=uuid4(), description="rear tyres near the wear mark", safety_critical=True, response="undecided"
)
PREPARE = RecordPreparation(
    history_summary="last visit 5,000 km service; wipers recommended, declined",
    prepared_by=LI,
    prepared_at=local(16, 0, day=6),
    last_service_on=date(2023, 11, 6),
    last_service_km=5012,
    recommendations=(WIPERS, TYRES),
    parts_checked=(OIL_CHECK, FILTER_CHECK),
)
CANCELLED = recorded(
    appointment, CancelAppointment(requested_by="dealer", reason="workshop closed", cancelled_at=local(8)), after=BOOKED
)
NO_SHOW = recorded(appointment, MarkNoShow(recorded_at=local(10, 0)), after=BOOKED)


def arrival(hour: int, minute: int = 0) -> RecordArrival:
    return RecordArrival(arrived_at=local(hour, minute))


# --- preparation --------------------------------------------------------------------------


def test_the_advisor_prepares_the_visit() -> None:
    state = (
        given(appointment, *BOOKED)
        .when(PREPARE)
        .then(
            AppointmentPrepared(
                appointment_id=APPOINTMENT,
                history_summary=PREPARE.history_summary,
                last_service_on=date(2023, 11, 6),
                last_service_km=5012,
                recommendations=(WIPERS, TYRES),
                parts_checked=(OIL_CHECK, FILTER_CHECK),
                parts_ready=True,
                prepared_by=LI,
                prepared_at=PREPARE.prepared_at,
            )
        )
    )
    assert state.preparation is not None
    assert state.preparation.parts_ready


def test_a_missing_part_is_shown_as_not_ready() -> None:
    command = replace(PREPARE, parts_checked=(OIL_CHECK, replace_check(FILTER_CHECK, available=False)))
    (event,), _ = given(appointment, *BOOKED).when(command).accepted()
    assert isinstance(event, AppointmentPrepared)
    assert not event.parts_ready


def replace_check(check: PartCheck, **changes: object) -> PartCheck:
    return check.model_copy(update=changes)


def test_every_requested_part_is_pre_checked() -> None:
    message = (
        given(appointment, *BOOKED)
        .when(replace(PREPARE, parts_checked=(OIL_CHECK,)))
        .then_refused(PartsCheckIncomplete)
    )
    assert FILTER.part_number in message


def test_the_pre_check_covers_the_quantity_the_jobs_need() -> None:
    two_oils = SERVICE_JOB.model_copy(update={"parts": (OIL.model_copy(update={"quantity": 2}), FILTER)})
    booked = recorded(appointment, replace(BOOK, requested_jobs=(two_oils,)))
    given(appointment, *booked).when(PREPARE).then_refused(PartsCheckIncomplete)
    enough = replace(PREPARE, parts_checked=(replace_check(OIL_CHECK, quantity=2), FILTER_CHECK))
    (event,), _ = given(appointment, *booked).when(enough).accepted()
    assert isinstance(event, AppointmentPrepared)


def test_part_numbers_match_whatever_their_case() -> None:
    lower = replace(PREPARE, parts_checked=(replace_check(OIL_CHECK, part_number="oil-5w30-4l"), FILTER_CHECK))
    (event,), _ = given(appointment, *BOOKED).when(lower).accepted()
    assert isinstance(event, AppointmentPrepared)
    assert event.parts_ready


def test_a_declined_recommendation_is_offered_once() -> None:
    twice = replace(PREPARE, recommendations=(WIPERS, WIPERS))
    given(appointment, *BOOKED).when(twice).then_refused(DuplicateRecommendation)


def test_the_service_history_is_summarised_even_for_a_first_visit() -> None:
    given(appointment, *BOOKED).when(replace(PREPARE, history_summary="")).then_refused(MissingInformation)
    first_visit = replace(PREPARE, history_summary="first visit", last_service_on=None, last_service_km=None)
    (event,), _ = given(appointment, *BOOKED).when(first_visit).accepted()
    assert isinstance(event, AppointmentPrepared)
    assert event.last_service_on is None


def test_a_negative_last_service_mileage_is_refused() -> None:
    given(appointment, *BOOKED).when(replace(PREPARE, last_service_km=-5)).then_refused(InvalidAmount)


def test_a_later_preparation_replaces_the_earlier_one() -> None:
    prepared = recorded(appointment, PREPARE, after=BOOKED)
    again = replace(PREPARE, recommendations=(), prepared_at=local(8, 0))
    _, state = given(appointment, *prepared).when(again).accepted()
    assert state.preparation is not None
    assert state.preparation.recommendations == ()


def test_an_arrived_car_is_no_longer_prepared() -> None:
    arrived = recorded(appointment, arrival(9, 20), after=BOOKED)
    given(appointment, *arrived).when(PREPARE).then_refused(AlreadyArrived)


def test_a_cancelled_appointment_is_not_prepared() -> None:
    given(appointment, *CANCELLED).when(PREPARE).then_refused(CancelledAppointment)


# --- arrival ------------------------------------------------------------------------------


def test_an_early_car_arrives_with_appointment_priority() -> None:
    state = (
        given(appointment, *BOOKED)
        .when(arrival(9, 20))
        .then(
            VehicleArrived(
                appointment_id=APPOINTMENT,
                customer=CUSTOMER,
                vehicle=VEHICLE,
                vehicle_user=USER,
                advisor_id=LI,
                slot_start=SLOT,
                arrived_at=local(9, 20),
                priority="appointment",
                early_minutes=10,
                late_minutes=0,
                requested_jobs=(SERVICE_JOB,),
            )
        )
    )
    assert state.status == "arrived"
    assert state.arrived_at == local(9, 20)


def test_a_car_late_within_the_grace_period_keeps_its_priority() -> None:
    (event,), _ = given(appointment, *BOOKED).when(arrival(10, 0)).accepted()
    assert isinstance(event, VehicleArrived)
    assert (event.priority, event.early_minutes, event.late_minutes) == ("appointment", 0, 30)


def test_a_car_later_than_the_grace_period_is_received_like_a_walk_in() -> None:
    (event,), _ = given(appointment, *BOOKED).when(arrival(10, 1)).accepted()
    assert isinstance(event, VehicleArrived)
    assert (event.priority, event.late_minutes) == ("normal", 31)


def test_a_car_arrives_once() -> None:
    arrived = recorded(appointment, arrival(9, 20), after=BOOKED)
    given(appointment, *arrived).when(arrival(9, 25)).then_refused(AlreadyArrived)


def test_a_car_cannot_arrive_after_a_no_show_was_recorded() -> None:
    given(appointment, *NO_SHOW).when(arrival(10, 30)).then_refused(NoShowRecorded)


def test_a_car_cannot_arrive_on_a_cancelled_appointment() -> None:
    given(appointment, *CANCELLED).when(arrival(9, 30)).then_refused(CancelledAppointment)


def test_a_car_cannot_arrive_before_it_was_booked() -> None:
    given(appointment, *BOOKED).when(RecordArrival(arrived_at=local(11, 0, day=6))).then_refused(TimeOutOfOrder)


# --- no-show ------------------------------------------------------------------------------


def test_a_no_show_is_recorded_after_the_grace_period() -> None:
    confirmed = recorded(
        appointment,
        ConfirmAppointment(confirmation="day_before", channel="phone", confirmed_at=local(10, 0, day=6)),
        after=BOOKED,
    )
    state = (
        given(appointment, *confirmed)
        .when(MarkNoShow(recorded_at=local(10, 0)))
        .then(
            AppointmentNoShow(
                appointment_id=APPOINTMENT, slot_start=SLOT, advisor_id=LI, confirmed=True, recorded_at=local(10, 0)
            )
        )
    )
    assert state.status == "no_show"


def test_an_unconfirmed_no_show_says_so() -> None:
    (event,), _ = given(appointment, *BOOKED).when(MarkNoShow(recorded_at=local(11, 0))).accepted()
    assert isinstance(event, AppointmentNoShow)
    assert not event.confirmed


def test_a_no_show_is_not_recorded_within_the_grace_period() -> None:
    message = (
        given(appointment, *BOOKED).when(MarkNoShow(recorded_at=minutes_after(SLOT, 29))).then_refused(NoShowTooEarly)
    )
    assert "30 minutes" in message
    given(appointment, *BOOKED).when(MarkNoShow(recorded_at=local(9, 0))).then_refused(NoShowTooEarly)


def test_a_car_that_arrived_is_no_no_show() -> None:
    arrived = recorded(appointment, arrival(9, 20), after=BOOKED)
    given(appointment, *arrived).when(MarkNoShow(recorded_at=local(11, 0))).then_refused(AlreadyArrived)


def test_a_cancelled_appointment_is_no_no_show() -> None:
    given(appointment, *CANCELLED).when(MarkNoShow(recorded_at=local(11, 0))).then_refused(CancelledAppointment)


def test_a_no_show_is_recorded_once() -> None:
    given(appointment, *NO_SHOW).when(MarkNoShow(recorded_at=local(11, 0))).then_refused(NoShowRecorded)
