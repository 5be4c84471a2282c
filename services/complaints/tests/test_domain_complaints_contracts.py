"""The published complaints contracts: registered names, closed schemas routed by the complaint
id, code lists checked as plain strings (docs/contract.md "Versioning"), and no field that makes a
handling person a complaint-count KPI (seed 004)."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest
from domain_helpers import COMPLAINT_ID, T0, at, follow_up, given, walked_to

from events.catalog import complaints
from events.contract import REGISTRY, Event

CONTRACTS = [
    model
    for model in vars(complaints).values()
    if isinstance(model, type)
    and issubclass(model, Event)
    and getattr(model, "event_type", "").startswith("complaints.")
]


# Every event of a complaint's stream names it; the site settings' stream names its site.
COMPLAINT_EVENTS = [model for model in CONTRACTS if issubclass(model, complaints._ComplaintEvent)]


def test_every_contract_is_registered_under_the_complaints_prefix() -> None:
    assert len(CONTRACTS) == 13
    assert set(CONTRACTS) - set(COMPLAINT_EVENTS) == {complaints.ComplaintSettingsSet}
    for model in CONTRACTS:
        assert model.event_type == f"complaints.{model.__name__}"
        assert REGISTRY.model(model.event_type) is model


@pytest.mark.parametrize("model", COMPLAINT_EVENTS, ids=lambda m: m.__name__)
def test_schemas_are_closed_and_carry_the_complaint_id(model: type[Event]) -> None:
    schema = REGISTRY.json_schema(model)
    assert schema["additionalProperties"] is False
    assert "complaint_id" in schema["required"]


def _field_names(schema: dict[str, Any]) -> set[str]:
    names = set(schema.get("properties", {}))
    for definition in schema.get("$defs", {}).values():
        names |= set(definition.get("properties", {}))
    return names


@pytest.mark.parametrize("model", CONTRACTS, ids=lambda m: m.__name__)
def test_no_field_makes_the_handling_person_a_kpi(model: type[Event]) -> None:
    names = _field_names(REGISTRY.json_schema(model))
    assert not {n for n in names if "agent" in n or "kpi" in n or "score" in n}
    assert not {n for n in names if n.endswith("_count") or n.startswith("count")}


def test_code_lists_are_strings_checked_on_construction() -> None:
    schema = REGISTRY.json_schema(complaints.ComplaintOpened)
    assert schema["properties"]["kind"] == {"title": "Kind", "type": "string"}
    with pytest.raises(pydantic.ValidationError):
        complaints.ComplaintEscalated(
            complaint_id=COMPLAINT_ID, reason="boredom", to_role="service_manager", escalated_at=T0
        )


def test_a_follow_up_is_either_satisfied_or_names_its_step() -> None:
    with pytest.raises(pydantic.ValidationError):
        complaints.ComplaintFollowedUp(
            complaint_id=COMPLAINT_ID, satisfied=False, channel="phone", handled_by="cs-2", followed_up_at=at(1)
        )


def test_a_decision_beyond_the_limit_carries_its_authorisation() -> None:
    with pytest.raises(pydantic.ValidationError):
        complaints.ComplaintDecisionMade(
            complaint_id=COMPLAINT_ID,
            remedy="refund",
            description="refund the labour",
            cost=90_000,
            remedy_due=at(60),
            spokesperson="sa-1",
            authority_limit=50_000,
            approval_required=True,
            handled_by="sa-1",
            decided_at=at(30),
        )


def test_a_closed_complaint_and_its_report_survive_the_wire() -> None:
    closed = given(*walked_to("acted")).when(follow_up()).decided()[-1]
    decoded = REGISTRY.decode(closed.event_type, closed.schema_version, closed.model_dump_json())
    assert decoded == closed


def test_site_settings_are_closed_and_checked() -> None:
    schema = REGISTRY.json_schema(complaints.ComplaintSettingsSet)
    assert schema["additionalProperties"] is False
    assert "site_id" in schema["required"]
    fields = {
        "site_id": COMPLAINT_ID,
        "working_weekdays": (1, 2, 3, 4, 5),
        "timezone": "Asia/Shanghai",
        "authority_limits": ({"role": "advisor", "limit": 50_000},),
        "set_by": "sm-1",
        "set_at": T0,
    }
    complaints.ComplaintSettingsSet(**fields)
    for bad in (
        {"working_weekdays": (0, 8)},
        {"timezone": "Mars/Olympus"},
        {"authority_limits": ({"role": "advisor", "limit": 1}, {"role": "advisor", "limit": 2})},
        {"authority_limits": ({"role": "technician", "limit": 1},)},
    ):
        with pytest.raises(pydantic.ValidationError):
            complaints.ComplaintSettingsSet(**(fields | bad))
