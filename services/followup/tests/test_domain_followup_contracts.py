"""The published followup contracts: registered names, closed schemas routed by the file,
callback or campaign id, and code lists checked as plain strings (docs/contract.md "Versioning")."""

from __future__ import annotations

import pydantic
import pytest
from domain_helpers import CALLBACK, FILE, RO, USER, hours

from events.catalog import followup, followup_campaigns, followup_files
from events.contract import REGISTRY, Event

CONTRACTS = [
    model
    for module in (followup_files, followup, followup_campaigns)
    for model in vars(module).values()
    if isinstance(model, type) and issubclass(model, Event) and getattr(model, "event_type", "").startswith("followup.")
]
ROUTING = ("file_id", "callback_id", "campaign_id")


def test_every_contract_is_registered_under_the_followup_prefix() -> None:
    assert len(CONTRACTS) == 29
    for model in CONTRACTS:
        assert model.event_type == f"followup.{model.__name__}"
        assert model.schema_version == 1
        assert REGISTRY.model(model.event_type) is model


@pytest.mark.parametrize("model", CONTRACTS, ids=lambda m: m.__name__)
def test_schemas_are_closed_and_carry_their_routing_id(model: type[Event]) -> None:
    schema = REGISTRY.json_schema(model)
    assert schema["additionalProperties"] is False
    assert any(key in schema["required"] for key in ROUTING)
    if "callback_id" in schema["required"]:
        assert "repair_order_id" in schema["required"]


def test_code_lists_are_strings_checked_on_construction() -> None:
    schema = REGISTRY.json_schema(followup.CallRecorded)
    assert schema["properties"]["kind"] == {"title": "Kind", "type": "string"}
    fields = {
        "callback_id": CALLBACK,
        "repair_order_id": RO,
        "kind": "first",
        "file_id": FILE,
        "agent": "cs-1",
        "problem_fixed": True,
        "satisfaction_score": 5,
        "read_back_confirmed": True,
        "by_due_time": True,
        "in_window": True,
        "reached_at": hours(60),
    }
    followup.CallRecorded.model_validate(fields)
    for bad in ({"dissatisfaction": ("food",)}, {"kind": "third"}, {"satisfaction_score": 6}):
        with pytest.raises(pydantic.ValidationError):
            followup.CallRecorded.model_validate({**fields, **bad})
    with pytest.raises(pydantic.ValidationError):
        followup_files.AppointmentProposed(
            file_id=FILE, proposal_id=FILE, reason="birthday", contact=USER, vehicle=None, proposed_at=hours(1)
        )


def test_an_event_round_trips_through_the_registry() -> None:
    event = followup.CallbackSkipped(
        callback_id=CALLBACK, repair_order_id=RO, kind="first", file_id=FILE, reason="do_not_call", skipped_at=hours(0)
    )
    decoded = REGISTRY.decode(event.event_type, 1, event.model_dump_json())
    assert decoded == event
