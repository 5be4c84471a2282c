"""The published reception contracts: registered names, closed schemas, code lists checked as
strings, and round trips through the registry (docs/contract.md "Versioning"; docs/flow.md)."""

from __future__ import annotations

import pydantic
import pytest
from domain_helpers import BRAKES, RO, SERVICE, SETTLE, SETTLED, at, part, phone_consent

from events.catalog import reception, reception_invoicing, reception_settings
from events.catalog.reception_values import Consent, Damage, PayTypeTotal, RepairLine, RepairPart
from events.contract import REGISTRY, Event

CONTRACTS = [
    model
    for module in (reception, reception_invoicing, reception_settings)
    for model in vars(module).values()
    if isinstance(model, type)
    and issubclass(model, Event)
    and getattr(model, "event_type", "").startswith("reception.")
]


# The one reception stream that is not a repair order's: the site's settings.
REPAIR_ORDER_CONTRACTS = [model for model in CONTRACTS if model is not reception_settings.ReceptionSettingsSet]


def test_every_contract_is_registered_under_the_reception_prefix() -> None:
    # ApprovalRequested came with the approval links (issue 21), the invoice in force after them.
    assert len(CONTRACTS) == 23
    for model in CONTRACTS:
        assert model.event_type == f"reception.{model.__name__}"
        assert model.schema_version == 1
        assert REGISTRY.model(model.event_type) is model


@pytest.mark.parametrize("model", REPAIR_ORDER_CONTRACTS, ids=lambda m: m.__name__)
def test_schemas_are_closed_and_carry_the_repair_order_id(model: type[Event]) -> None:
    schema = REGISTRY.json_schema(model)
    assert schema["additionalProperties"] is False
    assert "repair_order_id" in schema["required"]


def test_code_lists_are_plain_strings_in_the_schema() -> None:
    schema = REGISTRY.json_schema(reception.InvoiceSettled)
    assert schema["properties"]["payment_method"] == {"title": "Payment Method", "type": "string"}


def test_the_settlement_event_survives_a_round_trip() -> None:
    event = SETTLED[-1]
    assert isinstance(event, reception.InvoiceSettled)
    assert event.invoice_number == SETTLE.invoice_number
    decoded = REGISTRY.decode(event.event_type, 1, event.model_dump_json())
    assert decoded == event


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (RepairLine, {**SERVICE.model_dump(), "pay_type": "FREE"}),
        (RepairLine, {**SERVICE.model_dump(), "origin": "guess"}),
        (Damage, {"area": "door", "kind": "rust"}),
        (Consent, {**phone_consent(1).model_dump(), "kind": "nod"}),
        (PayTypeTotal, {"pay_type": "GOODWILL", "labour": 0, "parts": 0, "total": 0}),
    ],
)
def test_unknown_codes_are_rejected(model: type[pydantic.BaseModel], fields: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        model.model_validate(fields)


def test_an_unknown_payment_method_is_rejected_in_the_event() -> None:
    fields = {**SETTLED[-1].model_dump(), "payment_method": "iou"}
    with pytest.raises(pydantic.ValidationError):
        reception.InvoiceSettled.model_validate(fields)


def test_a_part_of_unknown_quality_cannot_be_published_as_guaranteed() -> None:
    assert not part("OWN", "own oil", 0, customer_supplied=True).quality_guaranteed
    assert part("OEM", "oem oil", 100).quality_guaranteed
    with pytest.raises(pydantic.ValidationError):
        RepairPart(
            part_number="AFT", description="pads", quantity=1, unit_price=1, non_oem=True, quality_guaranteed=True
        )


def test_events_refuse_unknown_fields() -> None:
    with pytest.raises(pydantic.ValidationError):
        reception.ReadyForDeliveryMarked.model_validate({"repair_order_id": RO, "ready_at": at(1), "qc_by": "x"})


def test_a_consent_needs_a_reference() -> None:
    with pytest.raises(pydantic.ValidationError):
        Consent(kind="phone", recorded_by="SA Li", at=at(1), reference="")


def test_line_prices_add_labour_and_parts() -> None:
    assert (SERVICE.parts_price, SERVICE.price) == (20300, 28300)
    assert BRAKES.price == 57000
