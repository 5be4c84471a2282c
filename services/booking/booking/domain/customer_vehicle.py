"""CustomerVehicle, stream `customer-<uuid>`: a customer of the customer database with their
vehicles and how they wish to be contacted (seed 003: "规范地登记用户车辆数据(依据数据库)/新用户").

Decisions written down:
- A vehicle is registered to the customer who owns it; `vehicle_user` names the person who
  drives it when that is someone else, because calls about the car go to its user (seed 000).
- A VIN is 17 characters without I, O or Q; it is stored upper-cased. A VIN is registered once
  per customer (the registry across customers is a read model's job, not this stream's).
- Do-not-call and "prefers phone calls" contradict each other: refused, so followup never has
  to guess which one wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from booking.domain.errors import MissingInformation, NothingToChange, require_code, require_text, require_vin
from events.catalog.booking import CustomerContactUpdated, CustomerRegistered, VehicleRegistered
from events.catalog.booking_values import CONTACT_CHANNELS, Contact
from events.contract import Event
from events.decider import Decider
from events.errors import DomainError

# The first series-built cars: a model year before it is a typo.
FIRST_MODEL_YEAR = 1886


def stream_id(customer_id: UUID) -> str:
    return f"customer-{customer_id}"


# --- commands -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterCustomer:
    customer_id: UUID
    name: str
    phones: tuple[str, ...]
    preferred_contact: str
    do_not_call: bool
    registered_at: datetime


@dataclass(frozen=True)
class RegisterVehicle:
    vehicle_id: UUID
    vin: str
    plate: str
    model: str
    year: int
    registered_at: datetime
    vehicle_user: Contact | None = None


@dataclass(frozen=True)
class UpdateContact:
    """Change what is given; what is None stays as it is."""

    updated_at: datetime
    name: str | None = None
    phones: tuple[str, ...] | None = None
    preferred_contact: str | None = None
    do_not_call: bool | None = None


CustomerCommand = RegisterCustomer | RegisterVehicle | UpdateContact


# --- errors -------------------------------------------------------------------------------


class AlreadyRegistered(DomainError):
    code = "customer_already_registered"


class CustomerNotRegistered(DomainError):
    code = "customer_not_registered"


class VehicleAlreadyRegistered(DomainError):
    code = "vehicle_already_registered"


class InvalidPhone(DomainError):
    code = "invalid_phone"


class InvalidModelYear(DomainError):
    code = "invalid_model_year"


class ContactPreferenceConflict(DomainError):
    code = "contact_preference_conflict"


# --- state --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Customer:
    customer_id: UUID | None = None
    name: str = ""
    phones: tuple[str, ...] = ()
    preferred_contact: str = "phone"
    do_not_call: bool = False
    vehicles: tuple[VehicleRegistered, ...] = ()


INITIAL = Customer()


def evolve(state: Customer, event: Event) -> Customer:
    match event:
        case CustomerRegistered():
            return Customer(event.customer_id, event.name, event.phones, event.preferred_contact, event.do_not_call)
        case VehicleRegistered():
            return replace(state, vehicles=(*state.vehicles, event))
        case CustomerContactUpdated():
            return replace(
                state,
                name=event.name,
                phones=event.phones,
                preferred_contact=event.preferred_contact,
                do_not_call=event.do_not_call,
            )
        case _:
            return state


# --- checks -------------------------------------------------------------------------------


def _phone(value: str) -> str:
    """Digits with an optional leading + and spaces or dashes between; at least five digits."""
    cleaned = " ".join(value.split())
    digits = cleaned.removeprefix("+").replace(" ", "").replace("-", "")
    if len(digits) < 5 or not digits.isdigit():
        raise InvalidPhone(f"{value!r} is not a phone number: digits, an optional leading +, spaces or dashes")
    return cleaned


def _phones(values: Sequence[str]) -> tuple[str, ...]:
    phones = tuple(dict.fromkeys(_phone(value) for value in values))
    if not phones:
        raise MissingInformation("give at least one phone number to reach the customer")
    return phones


def _preference(preferred_contact: str, do_not_call: bool) -> str:
    channel = require_code(preferred_contact, CONTACT_CHANNELS, "preferred contact")
    if do_not_call and channel == "phone":
        raise ContactPreferenceConflict("a customer who asked not to be called cannot prefer phone calls")
    return channel


def _require_customer(state: Customer) -> UUID:
    if state.customer_id is None:
        raise CustomerNotRegistered("register the customer first")
    return state.customer_id


# --- decisions ----------------------------------------------------------------------------


def register_customer(state: Customer, command: RegisterCustomer) -> Sequence[Event]:
    if state.customer_id is not None:
        raise AlreadyRegistered(f"customer {state.customer_id} is already registered; update the contact instead")
    return [
        CustomerRegistered(
            customer_id=command.customer_id,
            name=require_text(command.name, "the customer's name"),
            phones=_phones(command.phones),
            preferred_contact=_preference(command.preferred_contact, command.do_not_call),
            do_not_call=command.do_not_call,
            registered_at=command.registered_at,
        )
    ]


def register_vehicle(state: Customer, command: RegisterVehicle) -> Sequence[Event]:
    customer_id = _require_customer(state)
    vin = require_vin(command.vin)
    for known in state.vehicles:
        if known.vin == vin or known.vehicle_id == command.vehicle_id:
            raise VehicleAlreadyRegistered(f"{known.vin} ({known.plate}) is already registered to this customer")
    latest = command.registered_at.year + 1  # next year's models are sold from mid-year on
    if not FIRST_MODEL_YEAR <= command.year <= latest:
        raise InvalidModelYear(f"the model year must lie between {FIRST_MODEL_YEAR} and {latest}; got {command.year}")
    return [
        VehicleRegistered(
            customer_id=customer_id,
            vehicle_id=command.vehicle_id,
            vin=vin,
            plate=require_text(command.plate, "the plate").upper(),
            model=require_text(command.model, "the model"),
            year=command.year,
            vehicle_user=command.vehicle_user,
            registered_at=command.registered_at,
        )
    ]


def update_contact(state: Customer, command: UpdateContact) -> Sequence[Event]:
    customer_id = _require_customer(state)
    name = state.name if command.name is None else require_text(command.name, "the customer's name")
    phones = state.phones if command.phones is None else _phones(command.phones)
    do_not_call = state.do_not_call if command.do_not_call is None else command.do_not_call
    preferred = _preference(command.preferred_contact or state.preferred_contact, do_not_call)
    if (name, phones, preferred, do_not_call) == (state.name, state.phones, state.preferred_contact, state.do_not_call):
        raise NothingToChange("the customer's contact details are already these")
    return [
        CustomerContactUpdated(
            customer_id=customer_id,
            name=name,
            phones=phones,
            preferred_contact=preferred,
            do_not_call=do_not_call,
            updated_at=command.updated_at,
        )
    ]


# --- the decider --------------------------------------------------------------------------


def decide(state: Customer, command: CustomerCommand) -> Sequence[Event]:
    match command:
        case RegisterCustomer():
            return register_customer(state, command)
        case RegisterVehicle():
            return register_vehicle(state, command)
        case UpdateContact():
            return update_contact(state, command)


customer_vehicle: Decider[CustomerCommand, Customer] = Decider(INITIAL, decide, evolve)
