"""The published contract (`contract/`, written by `make contract`) against the models:
nothing published disappears or changes incompatibly under the same version, and the
checked-in files are what the models generate (docs/contract.md, shared/integration.md §3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from events.asyncapi import document, published
from events.contract import REGISTRY

CONTRACT = Path(__file__).parent.parent / "contract"
PUBLISHED = sorted((CONTRACT / "schemas").rglob("v*.json"))


def breaking_changes(old: dict[str, Any], new: dict[str, Any], where: str = "") -> list[str]:
    """Why `new` cannot replace `old` under the same version: a reader of either must accept
    the other's events. A new property may only be optional; nothing is removed, retyped or
    newly required; definitions change only compatibly."""
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


def test_there_is_a_published_contract_for_every_service() -> None:
    services = {path.relative_to(CONTRACT / "schemas").parts[0] for path in PUBLISHED}
    assert services == {"booking", "reception", "workshop", "parts", "followup", "complaints"}


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
    reasons = breaking_changes(json.loads(path.read_text()), REGISTRY.json_schema(model))
    assert not reasons, f"{event_type} v{version} changed incompatibly — publish v{version + 1}: {reasons}"


def test_the_checked_in_contract_is_what_the_models_generate() -> None:
    stale = [
        f"{model.event_type} v{model.schema_version}"
        for model in published()
        if not (
            path := CONTRACT / "schemas" / model.event_type.replace(".", "/", 1) / f"v{model.schema_version}.json"
        ).exists()
        or json.loads(path.read_text()) != REGISTRY.json_schema(model)
    ]
    assert not stale, f"run `make contract`: {stale}"
    assert json.loads((CONTRACT / "asyncapi.json").read_text()) == document(), "run `make contract`"
