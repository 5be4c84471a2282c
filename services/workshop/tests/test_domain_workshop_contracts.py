"""The published workshop contracts: registered names, closed schemas routed by the RO id,
and code lists checked as plain strings (docs/contract.md "Versioning")."""

from __future__ import annotations

import pydantic
import pytest
from domain_helpers import RO, at

from events.catalog import workshop
from events.contract import REGISTRY, Event

CONTRACTS = [
    model
    for model in vars(workshop).values()
    if isinstance(model, type) and issubclass(model, Event) and getattr(model, "event_type", "").startswith("workshop.")
]


def test_every_contract_is_registered_under_the_workshop_prefix() -> None:
    assert len(CONTRACTS) == 24
    for model in CONTRACTS:
        assert model.event_type == f"workshop.{model.__name__}"
        assert REGISTRY.model(model.event_type) is model


@pytest.mark.parametrize("model", CONTRACTS, ids=lambda m: m.__name__)
def test_schemas_are_closed_and_carry_the_repair_order_id(model: type[Event]) -> None:
    schema = REGISTRY.json_schema(model)
    assert schema["additionalProperties"] is False
    # A site's settings concern no repair order; everything else names the one it concerns.
    assert ("site_id" if model is workshop.WorkshopSettingsSet else "repair_order_id") in schema["required"]


def test_code_lists_are_strings_checked_on_construction() -> None:
    schema = REGISTRY.json_schema(workshop.JobPaused)
    assert schema["properties"]["reason"] == {"title": "Reason", "type": "string"}
    with pytest.raises(pydantic.ValidationError):
        workshop.JobPaused(
            repair_order_id=RO, job_id=RO, technician_id="t", reason="nap", worked_minutes=1, paused_at=at(1)
        )
