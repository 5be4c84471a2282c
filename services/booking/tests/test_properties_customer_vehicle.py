"""Properties of the CustomerVehicle (issue 6): whatever the advisors register and update, in any
order, with good data or bad, after every step (seed 003: the customer database; seed 000)

- a customer is registered once, before anything else, and every later event is that customer's;
- the contact details are always usable: a name, at least one phone number (digits), no number
  twice, a known preferred channel, and never "do not call" together with "prefers phone calls";
  an update changes something and publishes all the details as they now are;
- a vehicle is registered once per customer (neither its VIN nor its id twice), with a real VIN
  (17 characters, upper case, no I, O or Q) and a possible model year; contact updates never
  lose a vehicle.

The expectations are kept from the events alone, not read from the state.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from domain_helpers import USER, local
from hypothesis import event as label
from hypothesis import given
from hypothesis import strategies as st

from booking.domain.customer_vehicle import (
    FIRST_MODEL_YEAR,
    Customer,
    CustomerCommand,
    RegisterCustomer,
    RegisterVehicle,
    UpdateContact,
    customer_vehicle,
)
from events.catalog.booking import CustomerContactUpdated, CustomerRegistered, VehicleRegistered
from events.contract import Event
from events.testing.properties import PROPERTY, run_commands

CUSTOMERS = [uuid4(), uuid4()]
VEHICLE_IDS = [uuid4() for _ in range(3)]
AT = local(10, 0, day=6)
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")

names = st.sampled_from(["Wang Wei", "Li Na", " "])
phone_lists = st.sampled_from(
    [
        ("138 0000 0001",),
        ("138 0000 0001", "  138 0000 0001 ", "+86-10-6500-0000"),
        ("+86-10-6500-0000",),
        ("139-1111-2222", "123"),
        ("call me",),
        (),
    ]
)
channels = st.sampled_from(["phone", "phone", "sms", "wechat", "email", "telegram"])
vins = st.sampled_from(
    [
        "LFV3A23C0J3000001",
        "lfv3a23c0j3000001",  # the same car, typed in lower case
        " LSVAU2180N2000003 ",
        "LSVAU2180N2000004",
        "LSGPC52U5CF000005",
        "WDDGF4HB1CA000006",
        "LFV3A23C0J300000I",  # I looks like 1
        "LFV3A23C0J300000",  # 16 characters
    ]
)
years = st.sampled_from([2018, 2018, 2021, FIRST_MODEL_YEAR, 2025, 1800, 2026])

commands: st.SearchStrategy[CustomerCommand] = st.one_of(
    st.builds(
        lambda customer, name, phones, channel, no_calls: RegisterCustomer(
            customer, name, phones, channel, no_calls, AT
        ),
        st.sampled_from(CUSTOMERS),
        names,
        phone_lists,
        channels,
        st.booleans(),
    ),
    *[
        st.builds(
            lambda vehicle, vin, year, plate, user: RegisterVehicle(
                vehicle, vin, plate, "Audi A4L", year, AT, vehicle_user=USER if user else None
            ),
            st.sampled_from(VEHICLE_IDS),
            vins,
            years,
            st.sampled_from(["京a12345", "京B54321", "沪C00001", ""]),
            st.booleans(),
        )
    ]
    * 2,
    *[
        st.builds(
            lambda name, phones, channel, no_calls: UpdateContact(
                AT + timedelta(days=1), name=name, phones=phones, preferred_contact=channel, do_not_call=no_calls
            ),
            st.one_of(st.none(), names),
            st.one_of(st.none(), phone_lists),
            st.one_of(st.none(), channels),
            st.one_of(st.none(), st.booleans()),
        )
    ]
    * 2,
)


def _is_phone(value: str) -> bool:
    digits = value.removeprefix("+").replace(" ", "").replace("-", "")
    return value == value.strip() and len(digits) >= 5 and digits.isdigit()


@dataclass
class Books:
    customer_id: UUID | None = None
    details: tuple[str, tuple[str, ...], str, bool] | None = None  # name, phones, channel, do-not-call
    vehicles: list[VehicleRegistered] = field(default_factory=list)

    def check(self, history: Sequence[Event], decided: Sequence[Event], state: Customer) -> None:
        for event in decided:
            assert isinstance(event, CustomerRegistered | CustomerContactUpdated | VehicleRegistered)
            assert isinstance(event, CustomerRegistered) == (self.customer_id is None), "registered not once, first"
            match event:
                case CustomerRegistered():
                    self.customer_id = event.customer_id
                    self.details = self._usable(event.name, event.phones, event.preferred_contact, event.do_not_call)
                case CustomerContactUpdated():
                    details = self._usable(event.name, event.phones, event.preferred_contact, event.do_not_call)
                    assert details != self.details, "an update that changes nothing"
                    self.details = details
                case VehicleRegistered():
                    self._vehicle(event)
            assert event.customer_id == self.customer_id, "an event for another customer"
        assert self.details is not None
        name, phones, channel, no_calls = self.details
        assert (state.customer_id, state.name, state.phones) == (self.customer_id, name, phones)
        assert (state.preferred_contact, state.do_not_call) == (channel, no_calls)
        assert list(state.vehicles) == self.vehicles, "a vehicle lost or added behind the events"

    @staticmethod
    def _usable(
        name: str, phones: tuple[str, ...], channel: str, no_calls: bool
    ) -> tuple[str, tuple[str, ...], str, bool]:
        assert name.strip(), "a customer without a name"
        assert phones, "a customer nobody can reach"
        assert all(_is_phone(phone) for phone in phones), f"not phone numbers: {phones}"
        assert len(set(phones)) == len(phones), f"a number twice: {phones}"
        assert channel in ("phone", "sms", "wechat", "email"), f"unknown channel {channel!r}"
        assert not (no_calls and channel == "phone"), "do-not-call, yet prefers phone calls"
        return name, phones, channel, no_calls

    def _vehicle(self, event: VehicleRegistered) -> None:
        assert _VIN.fullmatch(event.vin), f"not a VIN: {event.vin!r}"
        assert event.vin not in {v.vin for v in self.vehicles}, f"{event.vin} registered twice"
        assert event.vehicle_id not in {v.vehicle_id for v in self.vehicles}, "a vehicle id registered twice"
        assert FIRST_MODEL_YEAR <= event.year <= event.registered_at.year + 1, f"model year {event.year}"
        assert event.plate == event.plate.upper(), "a plate stored in lower case"
        self.vehicles.append(event)


def _registered(at: datetime) -> RegisterCustomer:
    return RegisterCustomer(CUSTOMERS[0], "Wang Wei", ("138 0000 0001",), "phone", False, at)


@PROPERTY
@given(st.sampled_from([True, True, True, False]), st.lists(commands, min_size=3, max_size=25))
def test_a_customer_is_registered_once_reachable_and_with_each_vehicle_once(
    registered_first: bool, plan: list[CustomerCommand]
) -> None:
    books = Books()
    steps = [_registered(AT), *plan] if registered_first else plan
    outcome = run_commands(customer_vehicle, steps, books.check)
    label(f"vehicles: {len(books.vehicles)}")
    label(f"contact updates: {len(outcome.recorded(CustomerContactUpdated))}")
