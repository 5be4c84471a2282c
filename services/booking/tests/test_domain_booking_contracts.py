"""The published booking contracts: registered names, closed schemas, code lists checked as
strings, and round trips through the registry (docs/contract.md "Versioning"; docs/flow.md)."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest
from domain_helpers import BOOKED, CAPACITY_SET, SERVICE_JOB, local, recorded, reserve

from booking.domain.appointment import appointment
from booking.domain.appointment_commands import RecordArrival
from booking.domain.site_capacity import site_capacity
from events.catalog import booking
from events.catalog.booking_values import Contact, OfferedRecommendation, RequestedPart, VehicleIdentity
from events.contract import REGISTRY, Event

CONTRACTS = [
    model
    for model in vars(booking).values()
    if isinstance(model, type) and issubclass(model, Event) and getattr(model, "event_type", "").startswith("booking.")
]
APPOINTMENT_CONTRACTS = [m for m in CONTRACTS if issubclass(m, booking._AppointmentEvent)]


def test_every_contract_is_registered_under_the_booking_prefix() -> None:
    assert len(CONTRACTS) == 15
    for model in CONTRACTS:
        assert model.event_type == f"booking.{model.__name__}"
        assert model.schema_version == 1
        assert REGISTRY.model(model.event_type) is model
        assert model.__doc__, f"{model.__name__} says when it is published"


@pytest.mark.parametrize("model", CONTRACTS, ids=lambda m: m.__name__)
def test_schemas_are_closed(model: type[Event]) -> None:
    assert REGISTRY.json_schema(model)["additionalProperties"] is False


@pytest.mark.parametrize("model", APPOINTMENT_CONTRACTS, ids=lambda m: m.__name__)
def test_appointment_events_carry_the_appointment_id(model: type[Event]) -> None:
    assert "appointment_id" in REGISTRY.json_schema(model)["required"]


def test_code_lists_are_plain_strings_in_the_schema() -> None:
    schema = REGISTRY.json_schema(booking.AppointmentBooked)
    assert schema["properties"]["reason"] == {"title": "Reason", "type": "string"}
    assert "enum" not in str(schema)


def test_recorded_events_survive_a_round_trip() -> None:
    events = [
        *recorded(site_capacity, reserve(90), reserve(100), after=CAPACITY_SET),
        *recorded(appointment, RecordArrival(arrived_at=local(9, 20)), after=BOOKED),
    ]
    for event in events:
        decoded = REGISTRY.decode(event.event_type, 1, event.model_dump_json())
        assert decoded == event


def _fields(event: Event, **changes: Any) -> dict[str, Any]:
    return {**event.model_dump(), **changes}


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (booking.AppointmentBooked, _fields(BOOKED[0], kind="walk_in")),
        (booking.AppointmentBooked, _fields(BOOKED[0], reason="recall")),  # an active reason on a passive booking
        (booking.AppointmentBooked, _fields(BOOKED[0], channel="fax")),
        (booking.AppointmentBooked, _fields(BOOKED[0], requested_jobs=())),
        (booking.CapacitySet, _fields(CAPACITY_SET[0], timezone="Mars/Olympus")),
        (booking.CapacitySet, _fields(CAPACITY_SET[0], open_weekdays=(0, 1))),
    ],
)
def test_invalid_events_are_rejected(model: type[Event], fields: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        model.model_validate(fields)


def test_a_reservation_cannot_publish_allocations_that_do_not_add_up() -> None:
    (event,) = recorded(site_capacity, reserve(90), after=CAPACITY_SET)[1:]
    with pytest.raises(pydantic.ValidationError):
        booking.SlotReserved.model_validate(_fields(event, minutes=91))


def test_an_arrival_is_early_or_late_not_both() -> None:
    (event,) = recorded(appointment, RecordArrival(arrived_at=local(9, 20)), after=BOOKED)[1:]
    with pytest.raises(pydantic.ValidationError):
        booking.VehicleArrived.model_validate(_fields(event, late_minutes=5))


@pytest.mark.parametrize("vin", ["LFV3A23C0J300000I", "lfv3a23c0j3000001", "SHORT"])
def test_a_published_vin_is_upper_case_17_characters_without_i_o_q(vin: str) -> None:
    with pytest.raises(pydantic.ValidationError):
        VehicleIdentity(vin=vin, plate="京A12345")


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (OfferedRecommendation, {"finding_id": SERVICE_JOB.job_id, "description": "tyres", "response": "maybe"}),
        (RequestedPart, {"part_number": "X", "quantity": 0}),
        (Contact, {"name": "", "phone": "1"}),
    ],
)
def test_invalid_values_are_rejected(model: type[pydantic.BaseModel], fields: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        model.model_validate(fields)
