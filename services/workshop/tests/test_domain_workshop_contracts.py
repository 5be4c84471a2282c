"""The published workshop contracts: registered names, closed schemas routed by the RO id,
and code lists checked as plain strings (docs/contract.md "Versioning")."""

from __future__ import annotations

import json
from uuid import uuid4

import pydantic
import pytest
from domain_helpers import RO, at, finding, found

from events.catalog import workshop, workshop_inspection
from events.contract import REGISTRY, Event

CONTRACTS = [
    model
    for module in (workshop, workshop_inspection)
    for model in vars(module).values()
    if isinstance(model, type) and issubclass(model, Event) and getattr(model, "event_type", "").startswith("workshop.")
]


def test_every_contract_is_registered_under_the_workshop_prefix() -> None:
    assert len(CONTRACTS) == 29
    for model in CONTRACTS:
        assert model.event_type == f"workshop.{model.__name__}"
        assert REGISTRY.model(model.event_type) is model


@pytest.mark.parametrize("model", CONTRACTS, ids=lambda m: m.__name__)
def test_schemas_are_closed_and_carry_the_repair_order_id(model: type[Event]) -> None:
    schema = REGISTRY.json_schema(model)
    assert schema["additionalProperties"] is False
    # A site's settings and checklists concern no repair order; everything else names the one it concerns.
    site_wide = model in (workshop.WorkshopSettingsSet, workshop_inspection.InspectionTemplateSet)
    assert ("site_id" if site_wide else "repair_order_id") in schema["required"]


def test_code_lists_are_strings_checked_on_construction() -> None:
    schema = REGISTRY.json_schema(workshop.JobPaused)
    assert schema["properties"]["reason"] == {"title": "Reason", "type": "string"}
    with pytest.raises(pydantic.ValidationError):
        workshop.JobPaused(
            repair_order_id=RO, job_id=RO, technician_id="t", reason="nap", worked_minutes=1, paused_at=at(1)
        )


# --- a finding's grade and evidence (issue 21): optional, so events written before still read ---


def test_an_old_finding_without_grade_or_media_reads_graded_by_its_safety() -> None:
    old = found(finding("front brake discs worn", safety=True), finding("wiper blades streak", safety=False))
    raw = old.model_dump(mode="json")
    for value in raw["findings"]:
        del value["severity"], value["media"]
    read = REGISTRY.decode("workshop.AdditionalWorkFound", 1, json.dumps(raw))
    assert isinstance(read, workshop.AdditionalWorkFound)
    assert [f.severity for f in read.findings] == ["red", "yellow"]
    assert [f.media for f in read.findings] == [(), ()]


def test_a_finding_carries_its_grade_and_photos_through_the_registry() -> None:
    photo = workshop.MediaRef(media_id=uuid4(), kind="photo", content_type="image/jpeg")
    event = found(finding(safety=False).model_copy(update={"severity": "red", "media": (photo,)}))
    again = workshop.Finding.model_validate(
        {**event.findings[0].model_dump(mode="json"), "severity": "red", "media": [photo.model_dump(mode="json")]}
    )
    assert again.severity == "red"
    assert again.media == (photo,)
    assert REGISTRY.decode("workshop.AdditionalWorkFound", 1, event.model_dump_json()) == event


def test_grade_and_media_kind_are_checked_code_lists() -> None:
    base = finding().model_dump(mode="json")
    with pytest.raises(pydantic.ValidationError, match="severity"):
        workshop.Finding.model_validate({**base, "severity": "green"})
    with pytest.raises(pydantic.ValidationError, match="media kind"):
        workshop.MediaRef(media_id=uuid4(), kind="audio", content_type="audio/mpeg")
    schema = REGISTRY.json_schema(workshop.AdditionalWorkFound)
    assert "severity" not in schema["$defs"]["Finding"].get("required", [])
    assert "media" not in schema["$defs"]["Finding"].get("required", [])
