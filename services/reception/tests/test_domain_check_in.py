"""Check-in, walk-around, damage found later and concerns (docs/domain.md §1-2; seeds 000, 003)."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import pytest
from domain_helpers import (
    APPOINTMENT,
    ARRIVED,
    CHECK_IN,
    CHECKED_IN,
    CONCERN_WORDS,
    CUSTOMER,
    ESTIMATE,
    RECORD_CONCERN,
    RO,
    SIGNED,
    USER,
    VEHICLE,
    WALK_AROUND,
    at,
    given,
    recorded,
)

from events.catalog.reception import ConcernRecorded, DamageReported, VehicleCheckedIn, WalkAroundRecorded
from events.catalog.reception_values import Damage
from reception.domain import errors
from reception.domain.check_in import appointment_visit_id, keyed_visit_id
from reception.domain.repair_order_commands import BookedAppointment, IssueExitSlip, RecordConcern, ReportDamage


def checked_in(**changes: object) -> VehicleCheckedIn:
    fields: dict[str, object] = {
        "repair_order_id": RO,
        "arrival_kind": "appointment",
        "priority": "appointment",
        "appointment_id": APPOINTMENT,
        "customer": CUSTOMER,
        "vehicle": VEHICLE,
        "vehicle_user": USER,
        "service_advisor": "SA Li",
        "arrived_at": at(0),
        "greeted_at": at(2),
        "customer_waiting": False,
        "contact_phone": "13900000002",
        "courtesy_offered": ("shuttle", "loaner"),
        "courtesy_accepted": "shuttle",
    }
    return VehicleCheckedIn.model_validate({**fields, **changes})


# --- check-in -----------------------------------------------------------------------------


def test_an_appointment_car_is_checked_in_with_priority() -> None:
    state = given().when(CHECK_IN).then(checked_in())
    assert state.checked_in is not None
    assert state.checked_in.priority == "appointment"


WALK_IN = replace(CHECK_IN, arrival_kind="walk_in", appointment_id=None, booking=None, arrived_at=at(0))


@pytest.mark.parametrize(("kind", "priority"), [("first_visit", "appointment"), ("tow_in", "appointment")])
def test_first_visits_and_tow_ins_are_treated_like_appointments(kind: str, priority: str) -> None:
    command = replace(WALK_IN, arrival_kind=kind)
    given().when(command).then(checked_in(arrival_kind=kind, priority=priority, appointment_id=None))


def test_a_walk_in_has_normal_priority() -> None:
    given().when(WALK_IN).then(checked_in(arrival_kind="walk_in", priority="normal", appointment_id=None))


def test_an_appointment_arrival_names_its_appointment() -> None:
    given().when(replace(CHECK_IN, appointment_id=None)).then_refused(errors.AppointmentMismatch)


def test_a_walk_in_has_no_appointment() -> None:
    given().when(replace(CHECK_IN, arrival_kind="walk_in")).then_refused(errors.AppointmentMismatch)


def test_an_unknown_arrival_kind_is_refused() -> None:
    given().when(replace(CHECK_IN, arrival_kind="drone")).then_refused(errors.InvalidCode)


# --- what booking recorded of the appointment ----------------------------------------------


def test_an_appointment_unknown_at_this_site_is_not_found() -> None:
    with pytest.raises(errors.AppointmentNotFound) as refused:
        given().when(replace(CHECK_IN, booking=None)).decided()
    assert refused.value.code == "appointment_not_found"


def test_booking_must_have_recorded_the_arrival() -> None:
    booked = BookedAppointment(appointment_id=APPOINTMENT, status="booked")
    given().when(replace(CHECK_IN, booking=booked)).then_refused(errors.ArrivalNotRecorded)
    no_show = BookedAppointment(appointment_id=APPOINTMENT, status="no_show")
    given().when(replace(CHECK_IN, booking=no_show)).then_refused(errors.ArrivalNotRecorded)


def test_a_cancelled_appointment_is_not_checked_in() -> None:
    cancelled = BookedAppointment(appointment_id=APPOINTMENT, status="cancelled")
    given().when(replace(CHECK_IN, booking=cancelled)).then_refused(errors.AppointmentCancelled)


def test_the_priority_is_bookings_not_the_advisors() -> None:
    """A car that came after the grace period lost its appointment priority at booking: the
    advisor's "appointment" arrival kind does not give it back."""
    late = replace(ARRIVED, priority="normal")
    given().when(replace(CHECK_IN, booking=late)).then(checked_in(priority="normal"))


def test_the_arrival_time_is_bookings() -> None:
    state = (
        given().when(replace(CHECK_IN, booking=replace(ARRIVED, arrived_at=at(-3)))).then(checked_in(arrived_at=at(-3)))
    )
    assert state.checked_in is not None
    assert state.checked_in.greeted_at - state.checked_in.arrived_at == at(5) - at(0)


def test_an_appointment_cars_arrival_is_not_typed_at_the_desk() -> None:
    given().when(replace(CHECK_IN, arrived_at=at(1))).then_refused(errors.AppointmentMismatch)


def test_a_first_visit_with_an_appointment_keeps_first_visit_priority() -> None:
    late = replace(ARRIVED, priority="normal")
    command = replace(CHECK_IN, arrival_kind="first_visit", booking=late)
    given().when(command).then(checked_in(arrival_kind="first_visit", priority="appointment"))


# --- the greeting ---------------------------------------------------------------------------


def test_a_walk_ins_arrival_is_recorded_by_the_greeter() -> None:
    given().when(replace(WALK_IN, arrived_at=None)).then_refused(errors.MissingInformation)


def test_the_greeting_is_measured_from_the_walk_ins_arrival() -> None:
    state = (
        given()
        .when(replace(WALK_IN, arrived_at=at(-1)))
        .then(checked_in(arrival_kind="walk_in", priority="normal", appointment_id=None, arrived_at=at(-1)))
    )
    assert state.checked_in is not None
    assert state.checked_in.greeted_at - state.checked_in.arrived_at == at(3) - at(0)


def test_a_walk_in_does_not_arrive_after_the_greeting() -> None:
    given().when(replace(WALK_IN, arrived_at=at(3))).then_refused(errors.TimeOutOfOrder)


def test_the_customer_is_greeted_after_arriving() -> None:
    given().when(replace(CHECK_IN, greeted_at=at(-1))).then_refused(errors.TimeOutOfOrder)


# --- the rest of the desk's record ----------------------------------------------------------


def test_a_customer_who_leaves_gives_a_contact_number() -> None:
    given().when(replace(CHECK_IN, contact_phone="  ")).then_refused(errors.ContactRequired)


def test_a_waiting_customer_is_reached_on_the_vehicle_users_phone() -> None:
    command = replace(CHECK_IN, customer_waiting=True, contact_phone=None, courtesy_accepted=None)
    given().when(command).then(checked_in(customer_waiting=True, contact_phone=USER.phone, courtesy_accepted=None))


def test_courtesy_transport_accepted_must_have_been_offered() -> None:
    command = replace(CHECK_IN, courtesy_offered=("shuttle",), courtesy_accepted="loaner")
    given().when(command).then_refused(errors.InvalidCourtesyTransport)


def test_a_waiting_customer_takes_no_loaner() -> None:
    command = replace(CHECK_IN, customer_waiting=True, courtesy_accepted="loaner")
    given().when(command).then_refused(errors.InvalidCourtesyTransport)


def test_an_unknown_courtesy_transport_is_refused() -> None:
    command = replace(CHECK_IN, courtesy_offered=("helicopter",), courtesy_accepted=None)
    given().when(command).then_refused(errors.InvalidCode)


def test_the_visit_names_its_service_advisor() -> None:
    given().when(replace(CHECK_IN, service_advisor=" ")).then_refused(errors.MissingInformation)


# --- a check-in sent again ------------------------------------------------------------------


def test_an_appointment_checked_in_again_records_nothing_more() -> None:
    """The desk's retry, or a second advisor at the same car: the visit stays one visit."""
    given(*CHECKED_IN).when(replace(CHECK_IN, greeted_at=at(4), customer_waiting=True)).then()


def test_a_walk_in_sent_again_with_the_same_details_records_nothing_more() -> None:
    given(*recorded(WALK_IN)).when(replace(WALK_IN, greeted_at=at(3))).then()


def test_a_visit_id_reused_for_another_check_in_is_refused() -> None:
    given(*recorded(WALK_IN)).when(replace(WALK_IN, customer_waiting=True)).then_refused(errors.CheckInReused)
    given(*recorded(WALK_IN)).when(CHECK_IN).then_refused(errors.CheckInReused)


def test_each_appointment_and_each_key_name_one_visit_of_one_site() -> None:
    one = appointment_visit_id("group-1", "site-1", APPOINTMENT)
    assert one == appointment_visit_id("group-1", "site-1", APPOINTMENT)
    assert one not in {appointment_visit_id("group-1", "site-2", APPOINTMENT), APPOINTMENT}
    key = keyed_visit_id("group-1", "site-1", "advisor-1", "tablet-7:0001")
    assert key == keyed_visit_id("group-1", "site-1", "advisor-1", "tablet-7:0001")
    assert key != keyed_visit_id("group-1", "site-1", "advisor-2", "tablet-7:0001")
    assert key != keyed_visit_id("group-2", "site-1", "advisor-1", "tablet-7:0001")


# --- walk-around --------------------------------------------------------------------------


def walked_around(**changes: object) -> WalkAroundRecorded:
    fields: dict[str, object] = {
        "repair_order_id": RO,
        "mileage_km": 10012,
        "fuel_eighths": 5,
        "damages": (Damage(area="rear bumper", kind="scratch", note="10 cm, left"),),
        "valuables_reminded": True,
        "protective_covers_fitted": True,
        "declined_by_customer": False,
        "recorded_at": at(6),
    }
    return WalkAroundRecorded.model_validate({**fields, **changes})


def test_the_walk_around_is_recorded_with_the_customer() -> None:
    state = given(*CHECKED_IN).when(WALK_AROUND).then(walked_around())
    assert state.walk_around is not None
    assert state.walk_around.mileage_km == 10012


def test_a_declined_walk_around_is_recorded_as_declined() -> None:
    command = replace(WALK_AROUND, declined_by_customer=True)
    given(*CHECKED_IN).when(command).then(walked_around(declined_by_customer=True))


def test_an_overnight_car_gets_spare_tyre_and_tools_checked() -> None:
    given(*CHECKED_IN).when(replace(WALK_AROUND, overnight=True, tools_present=True)).then_refused(
        errors.OvernightCheckIncomplete
    )
    command = replace(WALK_AROUND, overnight=True, spare_tyre_present=True, tools_present=False)
    given(*CHECKED_IN).when(command).then(walked_around(spare_tyre_present=True, tools_present=False))


@pytest.mark.parametrize("fuel", [-1, 9])
def test_fuel_is_read_in_eighths(fuel: int) -> None:
    given(*CHECKED_IN).when(replace(WALK_AROUND, fuel_eighths=fuel)).then_refused(errors.InvalidAmount)


def test_mileage_is_not_negative() -> None:
    given(*CHECKED_IN).when(replace(WALK_AROUND, mileage_km=-5)).then_refused(errors.InvalidAmount)


def test_the_walk_around_needs_a_checked_in_car() -> None:
    given().when(WALK_AROUND).then_refused(errors.NotCheckedIn)


def test_the_walk_around_is_recorded_once() -> None:
    given(*recorded(WALK_AROUND, after=CHECKED_IN)).when(WALK_AROUND).then_refused(errors.WalkAroundAlreadyRecorded)


def test_nothing_is_recorded_after_an_exit_slip() -> None:
    closed = recorded(IssueExitSlip(advice="tyre pressure explained", issued_at=at(5)), after=CHECKED_IN)
    given(*closed).when(WALK_AROUND).then_refused(errors.VisitClosed)


# --- damage found later -------------------------------------------------------------------

SCRATCH = Damage(area="left mirror", kind="scratch", note="found while lifting")
REPORT = ReportDamage(damages=(SCRATCH,), channel="phone", reported_by="SA Li", found_at=at(40), reported_at=at(45))


def test_damage_found_after_a_declined_walk_around_is_reported() -> None:
    declined = recorded(replace(WALK_AROUND, declined_by_customer=True), after=CHECKED_IN)
    given(*declined).when(REPORT).then(
        DamageReported(
            repair_order_id=RO,
            damages=(SCRATCH,),
            channel="phone",
            reported_by="SA Li",
            found_at=at(40),
            reported_at=at(45),
        )
    )


def test_damage_is_reported_against_a_recorded_walk_around() -> None:
    given(*CHECKED_IN).when(REPORT).then_refused(errors.WalkAroundRequired)


def test_a_damage_report_lists_damage_and_a_known_channel() -> None:
    history = recorded(WALK_AROUND, after=CHECKED_IN)
    given(*history).when(replace(REPORT, damages=())).then_refused(errors.MissingInformation)
    given(*history).when(replace(REPORT, channel="pigeon")).then_refused(errors.InvalidCode)


# --- concerns -----------------------------------------------------------------------------


def concern_recorded(command: RecordConcern) -> ConcernRecorded:
    return ConcernRecorded(
        repair_order_id=RO,
        concern_id=command.concern_id,
        customer_words=command.customer_words,
        what=command.what,
        when=command.when,
        where=command.where,
        who=command.who,
        how_often=command.how_often,
        recorded_at=command.recorded_at,
    )


def test_the_concern_is_recorded_in_the_customers_words() -> None:
    state = given(*CHECKED_IN).when(RECORD_CONCERN).then(concern_recorded(RECORD_CONCERN))
    assert [c.customer_words for c in state.concerns] == [CONCERN_WORDS]
    assert state.concerns[0].where == "front wheels"


def test_the_concern_is_read_back_before_it_is_recorded() -> None:
    given(*CHECKED_IN).when(replace(RECORD_CONCERN, read_back_confirmed=False)).then_refused(errors.ConcernNotReadBack)


def test_a_concern_needs_the_customers_words() -> None:
    given(*CHECKED_IN).when(replace(RECORD_CONCERN, customer_words="  ")).then_refused(errors.MissingInformation)


def test_a_concern_is_recorded_once() -> None:
    given(*recorded(RECORD_CONCERN, after=CHECKED_IN)).when(RECORD_CONCERN).then_refused(errors.DuplicateConcern)


def test_a_second_concern_is_added_to_the_first() -> None:
    second = replace(RECORD_CONCERN, concern_id=uuid4(), customer_words="the radio loses its stations")
    state = given(*recorded(RECORD_CONCERN, after=CHECKED_IN)).when(second).then(concern_recorded(second))
    assert [c.customer_words for c in state.concerns] == [CONCERN_WORDS, "the radio loses its stations"]


def test_a_new_concern_after_signing_is_a_change_to_the_signed_order() -> None:
    given(*SIGNED).when(replace(RECORD_CONCERN, concern_id=uuid4())).then_refused(errors.AlreadySigned)


def test_the_estimate_is_refused_before_check_in() -> None:
    given().when(ESTIMATE).then_refused(errors.NotCheckedIn)
