"""CustomerVehicle: registering customers and their vehicles, and keeping the contact details
right (seed 003: "规范地登记用户车辆数据(依据数据库)/新用户"; seed 000: calls go to the car's user)."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import pytest
from domain_helpers import USER, given, local, recorded

from booking.domain.customer_vehicle import (
    AlreadyRegistered,
    ContactPreferenceConflict,
    CustomerNotRegistered,
    InvalidModelYear,
    InvalidPhone,
    RegisterCustomer,
    RegisterVehicle,
    UpdateContact,
    VehicleAlreadyRegistered,
    customer_vehicle,
    stream_id,
)
from booking.domain.errors import InvalidCode, InvalidVin, MissingInformation, NothingToChange
from events.catalog.booking import CustomerContactUpdated, CustomerRegistered, VehicleRegistered

CUSTOMER_ID = uuid4()
VEHICLE_ID = uuid4()
REGISTER = RegisterCustomer(
    customer_id=CUSTOMER_ID,
    name="Wang Wei",
    phones=("138 0000 0001", "+86-10-6500-0000"),
    preferred_contact="phone",
    do_not_call=False,
    registered_at=local(10, 0, day=6),
)
REGISTERED = recorded(customer_vehicle, REGISTER)
CAR = RegisterVehicle(
    vehicle_id=VEHICLE_ID,
    vin="lfv3a23c0j3000001",
    plate="京a12345",
    model="Audi A4L",
    year=2018,
    registered_at=local(10, 5, day=6),
    vehicle_user=USER,
)
WITH_CAR = recorded(customer_vehicle, CAR, after=REGISTERED)


def test_the_stream_is_named_after_the_customer() -> None:
    assert stream_id(CUSTOMER_ID) == f"customer-{CUSTOMER_ID}"


# --- customers ----------------------------------------------------------------------------


def test_a_customer_is_registered_with_how_to_reach_them() -> None:
    state = (
        given(customer_vehicle)
        .when(replace(REGISTER, phones=("  138 0000 0001 ", "+86-10-6500-0000", "138 0000 0001")))
        .then(
            CustomerRegistered(
                customer_id=CUSTOMER_ID,
                name="Wang Wei",
                phones=("138 0000 0001", "+86-10-6500-0000"),
                preferred_contact="phone",
                do_not_call=False,
                registered_at=REGISTER.registered_at,
            )
        )
    )
    assert state.customer_id == CUSTOMER_ID


def test_a_customer_is_registered_once() -> None:
    given(customer_vehicle, *REGISTERED).when(REGISTER).then_refused(AlreadyRegistered)


def test_a_customer_has_a_name_and_a_phone() -> None:
    given(customer_vehicle).when(replace(REGISTER, name=" ")).then_refused(MissingInformation)
    given(customer_vehicle).when(replace(REGISTER, phones=())).then_refused(MissingInformation)


@pytest.mark.parametrize("phone", ["call me", "123", "138-0000-000x", ""])
def test_a_phone_number_is_digits(phone: str) -> None:
    given(customer_vehicle).when(replace(REGISTER, phones=(phone,))).then_refused(InvalidPhone)


def test_an_unknown_contact_channel_is_refused() -> None:
    given(customer_vehicle).when(replace(REGISTER, preferred_contact="telegram")).then_refused(InvalidCode)


def test_a_customer_who_wants_no_calls_cannot_prefer_calls() -> None:
    given(customer_vehicle).when(replace(REGISTER, do_not_call=True)).then_refused(ContactPreferenceConflict)
    (event,), _ = given(customer_vehicle).when(replace(REGISTER, do_not_call=True, preferred_contact="sms")).accepted()
    assert isinstance(event, CustomerRegistered)
    assert event.do_not_call


# --- vehicles -----------------------------------------------------------------------------


def test_a_vehicle_is_registered_with_its_user() -> None:
    state = (
        given(customer_vehicle, *REGISTERED)
        .when(CAR)
        .then(
            VehicleRegistered(
                customer_id=CUSTOMER_ID,
                vehicle_id=VEHICLE_ID,
                vin="LFV3A23C0J3000001",
                plate="京A12345",
                model="Audi A4L",
                year=2018,
                vehicle_user=USER,
                registered_at=CAR.registered_at,
            )
        )
    )
    assert [v.vin for v in state.vehicles] == ["LFV3A23C0J3000001"]


def test_the_owner_may_drive_the_car_themselves() -> None:
    (event,), _ = given(customer_vehicle, *REGISTERED).when(replace(CAR, vehicle_user=None)).accepted()
    assert isinstance(event, VehicleRegistered)
    assert event.vehicle_user is None


@pytest.mark.parametrize(
    "vin",
    [
        "LFV3A23C0J300000",  # 16 characters
        "LFV3A23C0J30000012",  # 18 characters
        "LFV3A23C0J300000I",  # I looks like 1
        "LFV3A23COJ3000001",  # O looks like 0
        "LFV3A23C0J3Q00001",  # Q looks like 0
        "LFV3A23C0J30000-1",
    ],
)
def test_a_vin_is_17_characters_without_i_o_or_q(vin: str) -> None:
    given(customer_vehicle, *REGISTERED).when(replace(CAR, vin=vin)).then_refused(InvalidVin)


def test_a_vehicle_needs_a_registered_customer() -> None:
    given(customer_vehicle).when(CAR).then_refused(CustomerNotRegistered)


def test_a_vehicle_is_registered_once() -> None:
    given(customer_vehicle, *WITH_CAR).when(replace(CAR, vehicle_id=uuid4())).then_refused(VehicleAlreadyRegistered)
    other_vin = replace(CAR, vin="LFV3A23C0J3000002")
    given(customer_vehicle, *WITH_CAR).when(other_vin).then_refused(VehicleAlreadyRegistered)


def test_a_customer_may_own_several_vehicles() -> None:
    second = replace(CAR, vehicle_id=uuid4(), vin="LSVAU2180N2000003", plate="京B54321", model="VW Passat")
    _, state = given(customer_vehicle, *WITH_CAR).when(second).accepted()
    assert len(state.vehicles) == 2


@pytest.mark.parametrize("year", [1800, 2026])
def test_an_impossible_model_year_is_refused(year: int) -> None:
    given(customer_vehicle, *REGISTERED).when(replace(CAR, year=year)).then_refused(InvalidModelYear)


def test_next_years_model_can_be_registered() -> None:
    (event,), _ = given(customer_vehicle, *REGISTERED).when(replace(CAR, year=2025)).accepted()
    assert isinstance(event, VehicleRegistered)
    assert event.year == 2025


def test_a_vehicle_has_a_plate_and_a_model() -> None:
    given(customer_vehicle, *REGISTERED).when(replace(CAR, plate="")).then_refused(MissingInformation)
    given(customer_vehicle, *REGISTERED).when(replace(CAR, model=" ")).then_refused(MissingInformation)


# --- contact ------------------------------------------------------------------------------


def test_a_contact_update_publishes_the_details_as_they_now_are() -> None:
    update = UpdateContact(updated_at=local(9, 0), phones=("139 1111 2222",), preferred_contact="wechat")
    state = (
        given(customer_vehicle, *WITH_CAR)
        .when(update)
        .then(
            CustomerContactUpdated(
                customer_id=CUSTOMER_ID,
                name="Wang Wei",
                phones=("139 1111 2222",),
                preferred_contact="wechat",
                do_not_call=False,
                updated_at=local(9, 0),
            )
        )
    )
    assert state.phones == ("139 1111 2222",)
    assert len(state.vehicles) == 1


def test_asking_for_no_calls_needs_another_preferred_channel() -> None:
    given(customer_vehicle, *REGISTERED).when(UpdateContact(local(9), do_not_call=True)).then_refused(
        ContactPreferenceConflict
    )
    (event,), state = (
        given(customer_vehicle, *REGISTERED)
        .when(UpdateContact(local(9), do_not_call=True, preferred_contact="sms"))
        .accepted()
    )
    assert isinstance(event, CustomerContactUpdated)
    assert state.do_not_call


def test_an_update_that_changes_nothing_is_refused() -> None:
    given(customer_vehicle, *REGISTERED).when(UpdateContact(local(9), name="Wang Wei")).then_refused(NothingToChange)


def test_an_update_keeps_a_phone_number() -> None:
    given(customer_vehicle, *REGISTERED).when(UpdateContact(local(9), phones=())).then_refused(MissingInformation)
    given(customer_vehicle, *REGISTERED).when(UpdateContact(local(9), phones=("nope",))).then_refused(InvalidPhone)


def test_an_unregistered_customer_has_no_contact_to_update() -> None:
    given(customer_vehicle).when(UpdateContact(local(9), name="Li Lei")).then_refused(CustomerNotRegistered)
