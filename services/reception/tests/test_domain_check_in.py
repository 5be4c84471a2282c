"""Check-in, walk-around, damage found later and concerns (domain.md §1-2; seeds 000, 003)."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import pytest
from domain_helpers import (
    APPOINTMENT,
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
from reception.domain.repair_order_commands import IssueExitSlip, RecordConcern, ReportDamage


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


@pytest.mark.parametrize(("kind", "priority"), [("first_visit", "appointment"), ("tow_in", "appointment")])
def test_first_visits_and_tow_ins_are_treated_like_appointments(kind: str, priority: str) -> None:
    command = replace(CHECK_IN, arrival_kind=kind, appointment_id=None)
    given().when(command).then(checked_in(arrival_kind=kind, priority=priority, appointment_id=None))


def test_a_walk_in_has_normal_priority() -> None:
    command = replace(CHECK_IN, arrival_kind="walk_in", appointment_id=None)
    given().when(command).then(checked_in(arrival_kind="walk_in", priority="normal", appointment_id=None))


def test_an_appointment_arrival_names_its_appointment() -> None:
    given().when(replace(CHECK_IN, appointment_id=None)).then_refused(errors.AppointmentMismatch)


def test_a_walk_in_has_no_appointment() -> None:
    given().when(replace(CHECK_IN, arrival_kind="walk_in")).then_refused(errors.AppointmentMismatch)


def test_an_unknown_arrival_kind_is_refused() -> None:
    given().when(replace(CHECK_IN, arrival_kind="drone")).then_refused(errors.InvalidCode)


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


def test_the_customer_is_greeted_after_arriving() -> None:
    given().when(replace(CHECK_IN, greeted_at=at(-1))).then_refused(errors.TimeOutOfOrder)


def test_the_visit_names_its_service_advisor() -> None:
    given().when(replace(CHECK_IN, service_advisor=" ")).then_refused(errors.MissingInformation)


def test_a_car_is_checked_in_once_per_visit() -> None:
    given(*CHECKED_IN).when(CHECK_IN).then_refused(errors.AlreadyCheckedIn)


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
