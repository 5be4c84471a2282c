"""Contracts: registration, decoding with clear errors, upcasting, JSON Schema export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from events.catalog import workshop
from events.catalog.testing import CounterIncremented, CounterOpened
from events.contract import REGISTRY, Event, Registry
from events.errors import DuplicateContract, InvalidEventPayload, UnknownEventType
from events.schemas import export


def test_a_stored_v1_event_is_upcast_to_the_current_v2_model() -> None:
    event = REGISTRY.decode("sample.CounterIncremented", 1, '{"counter_id": "c1", "amount": 3}')
    assert event == CounterIncremented(counter_id="c1", amount=3, reason="unspecified")


def test_the_current_version_decodes_directly() -> None:
    raw = CounterOpened(counter_id="c1", label="bay 3").model_dump_json()
    assert REGISTRY.decode("sample.CounterOpened", 1, raw) == CounterOpened(counter_id="c1", label="bay 3")


def test_unknown_type_or_future_version_is_a_clear_error() -> None:
    with pytest.raises(UnknownEventType, match=r"sample\.Nope"):
        REGISTRY.decode("sample.Nope", 1, "{}")
    with pytest.raises(UnknownEventType) as future:
        REGISTRY.decode("sample.CounterOpened", 9, "{}")
    assert future.value.version == 9


def test_invalid_payload_names_the_fields() -> None:
    with pytest.raises(InvalidEventPayload) as error:
        REGISTRY.decode("sample.CounterOpened", 1, '{"counter_id": 5, "colour": "red"}')
    message = str(error.value)
    assert "counter_id" in message
    assert "label" in message
    assert "colour" not in message  # a reader ignores a field it does not know (decision 0005)


def test_a_type_name_cannot_be_taken_twice_at_the_same_version() -> None:
    registry = Registry()
    registry.register(CounterOpened)

    class Impostor(Event):
        event_type = "sample.CounterOpened"
        schema_version = 1

    with pytest.raises(DuplicateContract):
        registry.register(Impostor)


def test_json_schema_is_closed_and_carries_type_and_version() -> None:
    """What our writers produce: nothing but the contract's fields, at every level."""
    schema = REGISTRY.json_schema(CounterIncremented)
    assert schema["additionalProperties"] is False
    assert schema["x-event-type"] == "sample.CounterIncremented"
    assert schema["x-schema-version"] == 2
    assert schema["$id"].endswith("/sample/CounterIncremented/v2.json")
    assert set(schema["required"]) == {"counter_id", "amount", "reason"}
    assert REGISTRY.json_schema(workshop.JobsAdded)["$defs"]["Job"]["additionalProperties"] is False


def closed_objects(schema: Any, where: str = "") -> list[str]:
    """Where a schema refuses properties it does not name."""
    if isinstance(schema, list):
        return [found for i, item in enumerate(schema) for found in closed_objects(item, f"{where}[{i}]")]
    if not isinstance(schema, dict):
        return []
    closed = [where or "<root>"] if schema.get("additionalProperties") is False else []
    return closed + [found for key, value in schema.items() for found in closed_objects(value, f"{where}/{key}")]


def test_the_published_schema_is_the_written_one_open_at_every_object_level() -> None:
    strict, published = REGISTRY.json_schema(workshop.JobsAdded), REGISTRY.published_schema(workshop.JobsAdded)
    assert closed_objects(strict) == ["<root>", "/$defs/Job"]
    assert closed_objects(published) == []
    assert published["additionalProperties"] is True
    assert published["$defs"]["Job"]["additionalProperties"] is True
    assert published["required"] == strict["required"]
    assert published["$defs"]["Job"]["properties"] == strict["$defs"]["Job"]["properties"]


def test_export_writes_one_open_schema_file_per_contract_at_its_id_path(tmp_path: Path) -> None:
    written = export(tmp_path)
    target = tmp_path / "sample" / "CounterIncremented" / "v2.json"
    assert target in written
    schema = json.loads(target.read_text())
    assert schema["$id"].endswith("sample/CounterIncremented/v2.json")
    assert len(written) == len(list(REGISTRY))
    assert [path for path in written if closed_objects(json.loads(path.read_text()))] == []
