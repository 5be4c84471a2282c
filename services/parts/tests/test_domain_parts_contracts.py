"""The published parts contracts refuse payloads that break their rules, so no handler, upcaster
or outside publisher can put a malformed parts event on the log."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pydantic
import pytest
from domain_helpers import LINE, PN, R1, RO, T0

from events.catalog import parts as catalog
from events.catalog.parts_values import OrderLine
from events.contract import REGISTRY

APPOINTMENT = uuid4()


def reserved(**changes: Any) -> catalog.PartsReserved:
    fields: dict[str, Any] = {
        "part_number": PN,
        "reservation_id": R1,
        "repair_order_id": RO,
        "line_id": LINE,
        "quantity": 1,
        "reserved_at": T0,
    }
    return catalog.PartsReserved.model_validate({**fields, **changes})


def test_every_parts_event_is_registered_under_the_parts_prefix() -> None:
    names = {model.event_type for model in REGISTRY if model.event_type.startswith("parts.")}
    required = {
        "StockReceived",
        "StockAdjusted",
        "PartsReserved",
        "ReservationReleased",
        "PartsIssued",
        "PartsReturned",
        "PartsShortageDetected",
        "PartsOrdered",
        "PartsTransferRequested",
        "PartsTransferDispatched",
        "PartsReceived",
        "OldPartRecorded",
        "OldPartDisposed",
    }
    assert {f"parts.{name}" for name in required} <= names
    assert all(REGISTRY.model(name).schema_version == 1 for name in names)


def test_part_numbers_are_upper_cased_and_never_empty() -> None:
    assert reserved(part_number=" ab-1 ").part_number == "AB-1"
    with pytest.raises(pydantic.ValidationError):
        reserved(part_number="  ")


@pytest.mark.parametrize("quantity", [0, -2])
def test_quantities_are_above_zero(quantity: int) -> None:
    with pytest.raises(pydantic.ValidationError):
        reserved(quantity=quantity)


@pytest.mark.parametrize(
    "demand",
    [
        {"repair_order_id": None, "line_id": None},
        {"line_id": None},
        {"appointment_id": APPOINTMENT},
    ],
)
def test_a_reservation_event_is_for_one_line_or_one_appointment(demand: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        reserved(**demand)
    assert reserved(repair_order_id=None, line_id=None, appointment_id=APPOINTMENT).appointment_id == APPOINTMENT


def test_times_are_timezone_aware() -> None:
    with pytest.raises(pydantic.ValidationError):
        reserved(reserved_at=T0.replace(tzinfo=None))


def test_code_lists_are_checked_strings() -> None:
    with pytest.raises(pydantic.ValidationError, match="source must be one of"):
        catalog.StockReceived(part_number=PN, quantity=1, unit_cost=1, source="gift", received_at=T0)
    with pytest.raises(pydantic.ValidationError, match="disposition must be one of"):
        catalog.OldPartDisposed(old_part_id=uuid4(), repair_order_id=RO, disposition="sold", disposed_at=T0)
    schema = REGISTRY.json_schema(catalog.StockReceived)
    assert schema["properties"]["source"]["type"] == "string"
    assert "enum" not in schema["properties"]["source"]


def test_a_shortage_withdraws_held_parts_only_on_a_stocktake_loss() -> None:
    base: dict[str, Any] = {
        "part_number": PN,
        "reservation_id": R1,
        "repair_order_id": RO,
        "line_id": LINE,
        "missing_quantity": 2,
        "detected_at": T0,
    }
    catalog.PartsShortageDetected.model_validate({**base, "cause": "stocktake_loss", "withdrawn_quantity": 2})
    with pytest.raises(pydantic.ValidationError):
        catalog.PartsShortageDetected.model_validate({**base, "cause": "insufficient_stock", "withdrawn_quantity": 1})
    with pytest.raises(pydantic.ValidationError):
        catalog.PartsShortageDetected.model_validate({**base, "cause": "stocktake_loss", "withdrawn_quantity": 0})


def test_an_issue_takes_no_more_from_the_reservation_than_it_issues() -> None:
    fields: dict[str, Any] = {"part_number": PN, "repair_order_id": RO, "line_id": LINE, "quantity": 1, "issued_at": T0}
    with pytest.raises(pydantic.ValidationError):
        catalog.PartsIssued.model_validate({**fields, "reservation_id": R1, "from_reservation_quantity": 2})
    with pytest.raises(pydantic.ValidationError):
        catalog.PartsIssued.model_validate({**fields, "from_reservation_quantity": 1})


def test_a_stock_adjustment_changes_the_quantity() -> None:
    with pytest.raises(pydantic.ValidationError):
        catalog.StockAdjusted(part_number=PN, previous_quantity=2, counted_quantity=2, reason="x", adjusted_at=T0)


def test_order_lines_are_numbered_uniquely_and_name_whole_ro_lines() -> None:
    line = OrderLine(line_number=1, part_number="ab-1", quantity=1)
    assert line.part_number == "AB-1"
    with pytest.raises(pydantic.ValidationError, match="unique"):
        catalog.PartsOrdered(parts_order_id=uuid4(), supplier="hub", lines=(line, line), expected_at=T0, ordered_at=T0)
    with pytest.raises(pydantic.ValidationError):
        OrderLine(line_number=1, part_number="AB-1", quantity=1, repair_order_id=RO)


def test_a_parts_event_survives_the_round_trip_through_the_registry() -> None:
    event = reserved(from_backorder=True)
    decoded = REGISTRY.decode(event.event_type, event.schema_version, event.model_dump_json())
    assert decoded == event
