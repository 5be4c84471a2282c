"""The published contract (`contract/`, written by `make contract`) against the models:
nothing published disappears or changes incompatibly under the same version, the checked-in
files are what the models generate, and a reader of one revision of a version reads the
events of the next and the one before (docs/contract.md, decision 0005)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from jsonschema import Draft202012Validator

from events.asyncapi import document, published
from events.catalog import privacy, reception_values, workshop
from events.catalog.workshop import Job
from events.contract import REGISTRY, Registry

CONTRACT = Path(__file__).parent.parent / "contract"
PUBLISHED = sorted((CONTRACT / "schemas").rglob("v*.json"))


def breaking_changes(old: dict[str, Any], new: dict[str, Any], where: str = "") -> list[str]:
    """Why `new` cannot replace `old` under the same version: a reader of either must accept
    the other's events. A new property may only be optional; nothing is removed, retyped or
    newly required; no object open to new fields is closed; definitions change only compatibly."""
    reasons: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, schema in old_props.items():
        if name not in new_props:
            reasons.append(f"{where}{name}: removed")
        elif "properties" in schema or "properties" in new_props[name]:
            reasons += breaking_changes(schema, new_props[name], f"{where}{name}.")
        elif schema != new_props[name]:
            reasons.append(f"{where}{name}: {schema} became {new_props[name]}")
    for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
        reasons.append(f"{where}{name}: newly required")
    if old.get("additionalProperties", True) is not False and new.get("additionalProperties") is False:
        reasons.append(f"{where.rstrip('.') or '<root>'}: closed to fields it does not name")
    for name, schema in old.get("$defs", {}).items():
        reasons += breaking_changes(schema, new.get("$defs", {}).get(name, {}), f"{where}$defs.{name}.")
    return reasons


def test_the_rule_refuses_what_breaks_readers_and_allows_an_optional_field() -> None:
    old: dict[str, Any] = {"properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "required": ["a"]}
    assert breaking_changes(old, {**old, "properties": {**old["properties"], "c": {"type": "string"}}}) == []
    assert breaking_changes(old, {"properties": {"a": {"type": "string"}}, "required": ["a"]}) == ["b: removed"]
    retyped = {"properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a"]}
    assert breaking_changes(old, retyped) == ["a: {'type': 'string'} became {'type': 'integer'}"]
    assert breaking_changes(old, {**old, "required": ["a", "b"]}) == ["b: newly required"]
    closed = {**old, "additionalProperties": False}
    assert breaking_changes(old, closed) == ["<root>: closed to fields it does not name"]
    assert breaking_changes({"$defs": {"Job": old}}, {"$defs": {"Job": closed}}) == [
        "$defs.Job: closed to fields it does not name"
    ]


def test_there_is_a_published_contract_for_every_service() -> None:
    services = {path.relative_to(CONTRACT / "schemas").parts[0] for path in PUBLISHED}
    assert services == {
        "booking",
        "reception",
        "workshop",
        "parts",
        "followup",
        "complaints",
        "catalogue",
        "billing",
        "notifications",
        "privacy",
    }


@pytest.mark.parametrize("path", PUBLISHED, ids=lambda p: str(p.relative_to(CONTRACT / "schemas")))
def test_a_published_schema_is_still_readable_and_changed_only_compatibly(path: Path) -> None:
    service, name, file = path.relative_to(CONTRACT / "schemas").parts
    event_type, version = f"{service}.{name}", int(file[1:].removesuffix(".json"))
    assert event_type in REGISTRY, f"{event_type} was published: keep it (a new type beside it) until its sunset"
    model = REGISTRY.model(event_type)
    if version < model.schema_version:
        # An older version stays readable: every step up to the current one has an upcaster.
        for step in range(version, model.schema_version):
            assert (event_type, step) in REGISTRY._upcasters, f"{event_type} v{step} has no upcaster"
        return
    assert version == model.schema_version, f"{event_type}: v{version} is published but the model is older"
    reasons = breaking_changes(json.loads(path.read_text()), REGISTRY.published_schema(model))
    assert not reasons, f"{event_type} v{version} changed incompatibly — publish v{version + 1}: {reasons}"


def test_the_checked_in_contract_is_what_the_models_generate() -> None:
    stale = [
        f"{model.event_type} v{model.schema_version}"
        for model in published()
        if not (
            path := CONTRACT / "schemas" / model.event_type.replace(".", "/", 1) / f"v{model.schema_version}.json"
        ).exists()
        or json.loads(path.read_text()) != REGISTRY.published_schema(model)
    ]
    assert not stale, f"run `make contract`: {stale}"
    assert json.loads((CONTRACT / "asyncapi.json").read_text()) == document(), "run `make contract`"


def closed_objects(schema: Any, where: str = "") -> list[str]:
    """Where a schema refuses properties it does not name."""
    if isinstance(schema, list):
        return [found for i, item in enumerate(schema) for found in closed_objects(item, f"{where}[{i}]")]
    if not isinstance(schema, dict):
        return []
    closed = [where or "<root>"] if schema.get("additionalProperties") is False else []
    return closed + [found for key, value in schema.items() for found in closed_objects(value, f"{where}/{key}")]


def test_every_published_schema_is_open_at_every_object_level() -> None:
    closed = {str(path.relative_to(CONTRACT)): closed_objects(json.loads(path.read_text())) for path in PUBLISHED}
    assert {path: where for path, where in closed.items() if where} == {}


# The next revision of workshop.WorkOrderOpened v1, as a newer replica or publisher defines it:
# one optional field more, and one more in its nested vehicle (under the same name, as an edit
# of the value in place would have it). Not registered (no `type=`).
class VehicleIdentity(reception_values.VehicleIdentity):
    colour: str | None = None


class NextWorkOrderOpened(workshop.WorkOrderOpened):
    vehicle: VehicleIdentity
    courtesy_transport: str | None = None


OPENED: dict[str, Any] = {
    "repair_order_id": uuid4(),
    "priority": "appointment",
    "customer_waiting": False,
    "promised_at": datetime(2026, 3, 2, 17, 0, tzinfo=UTC),
    "jobs": (Job(job_id=uuid4(), labour_operation="OIL-10K", description="10,000 km service", planned_minutes=40),),
    "opened_at": datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
}
VEHICLE: dict[str, Any] = {"vin": "LFV2A21K8G3000001", "plate": "粤A·12345", "model": "Sagitar"}
THIS = workshop.WorkOrderOpened(**OPENED, vehicle=reception_values.VehicleIdentity(**VEHICLE))
NEXT = NextWorkOrderOpened(**OPENED, vehicle=VehicleIdentity(**VEHICLE, colour="white"), courtesy_transport="loaner")


def published_v1() -> dict[str, Any]:
    """What a subscriber has of workshop.WorkOrderOpened: the checked-in v1.json."""
    schema: dict[str, Any] = json.loads((CONTRACT / "schemas/workshop/WorkOrderOpened/v1.json").read_text())
    return schema


def test_an_event_of_the_next_revision_is_read_by_a_reader_of_this_one() -> None:
    written = NEXT.model_dump_json()
    data = json.loads(written)
    assert (data["courtesy_transport"], data["vehicle"]["colour"]) == ("loaner", "white")
    # A subscriber validating against the published v1.json, and our own decoder.
    assert [error.message for error in Draft202012Validator(published_v1()).iter_errors(data)] == []
    assert REGISTRY.decode("workshop.WorkOrderOpened", 1, written) == THIS
    # What the closed form would have refused: the two fields this reader does not know.
    refused = Draft202012Validator(REGISTRY.json_schema(workshop.WorkOrderOpened)).iter_errors(data)
    assert sorted(error.message for error in refused) == [
        "Additional properties are not allowed ('colour' was unexpected)",
        "Additional properties are not allowed ('courtesy_transport' was unexpected)",
    ]


def test_an_event_of_this_revision_is_read_by_a_reader_of_the_next() -> None:
    following = Registry()
    following.register(NextWorkOrderOpened)
    written = THIS.model_dump_json()
    read = following.decode("workshop.WorkOrderOpened", 1, written)
    assert isinstance(read, NextWorkOrderOpened)
    assert (read.courtesy_transport, read.vehicle.colour) == (None, None)
    assert read.model_dump(exclude={"courtesy_transport", "vehicle"}) == THIS.model_dump(exclude={"vehicle"})
    schema = following.published_schema(NextWorkOrderOpened)
    assert [error.message for error in Draft202012Validator(schema).iter_errors(json.loads(written))] == []
    # The next revision is a compatible change of the published v1: no new version needed.
    assert breaking_changes(published_v1(), schema) == []


def test_what_we_write_validates_against_the_closed_form_of_its_contract() -> None:
    for event in (THIS, NEXT):
        closed = Draft202012Validator(REGISTRY.json_schema(type(event)))
        assert [error.message for error in closed.iter_errors(json.loads(event.model_dump_json()))] == []


def test_the_erasure_every_subscriber_must_honour_is_published() -> None:
    contract = json.loads((CONTRACT / "asyncapi.json").read_text())
    channel = contract["channels"]["privacy"]
    assert channel["address"] == "dealerflow.privacy.events"
    assert list(channel["messages"]) == ["privacy.PersonalDataErased.v1"]
    message = contract["components"]["messages"]["privacy.PersonalDataErased.v1"]
    assert message["payload"] == {"$ref": "schemas/privacy/PersonalDataErased/v1.json"}
    assert contract["operations"]["receive-privacy"]["channel"] == {"$ref": "#/channels/privacy"}
    erased = privacy.PersonalDataErased(
        customer_id=uuid4(), subject_ids=(uuid4(),), reason="PIPL art. 47", requested_at=datetime.now(UTC)
    )
    schema = Draft202012Validator(json.loads((CONTRACT / "schemas/privacy/PersonalDataErased/v1.json").read_text()))
    assert [error.message for error in schema.iter_errors(json.loads(erased.model_dump_json()))] == []
