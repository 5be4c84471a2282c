"""A quote's lines: one per operation, parts on their operation's line, unknown references
named, labour priced by the rule."""

from __future__ import annotations

from datetime import date
from itertools import count
from uuid import UUID

import pytest

from catalogue.domain.errors import NoLabourRate, Unprocessable
from catalogue.domain.labour import LabourOperation, LabourVersion
from catalogue.domain.quotes import PartPrice, PartRequest, QuoteRequest, price, totals

DAY = date(2026, 12, 7)
OPS = {
    "OIL01": LabourVersion(LabourOperation("OIL01", "Camry", "更换机油", "Oil change", 40, 1), "group", DAY),
    "ROT01": LabourVersion(LabourOperation("ROT01", "*", "轮胎换位", "Tyre rotation", 20, 1), "site", DAY),
}
PARTS = {
    "OIL-5W30": PartPrice("Engine oil 5W-30 4L", 16800, False),
    "90915-YZZD1": PartPrice("Oil filter", 3200, False),
    "WASHER": PartPrice("Drain plug washer", 300, True),
}


def ids() -> object:
    numbers = count(1)
    return lambda: UUID(int=next(numbers))


def test_the_seed_003_ten_thousand_km_service() -> None:
    request = QuoteRequest(
        "Camry",
        "CUSTOMER_PAY",
        ("OIL01",),
        (
            PartRequest("OIL-5W30", 1, "OIL01"),
            PartRequest("90915-YZZD1", 1, "OIL01"),
            PartRequest("WASHER", 1, "OIL01"),
        ),
    )
    (line,) = price(request, OPS, 12000, PARTS, ids())  # type: ignore[arg-type]
    assert (line.labour_operation, line.description, line.labour_minutes, line.labour_price) == (
        "OIL01",
        "更换机油",
        40,
        8000,
    )
    assert [p.part_number for p in line.parts] == ["OIL-5W30", "90915-YZZD1", "WASHER"]
    assert [p.non_oem for p in line.parts] == [False, False, True]
    assert totals([line]) == (28300, 40)  # 283 CNY: seed 003's price with the 168 oil


def test_an_operation_asked_twice_is_one_line_and_a_part_twice_adds_up() -> None:
    request = QuoteRequest(
        "Camry",
        "CUSTOMER_PAY",
        ("OIL01", "ROT01", "OIL01"),
        (PartRequest("WASHER", 1, "OIL01"), PartRequest("WASHER", 2, "OIL01")),
    )
    lines = price(request, OPS, 12000, PARTS, ids())  # type: ignore[arg-type]
    assert [line.labour_operation for line in lines] == ["OIL01", "ROT01"]
    assert [(p.part_number, p.quantity) for p in lines[0].parts] == [("WASHER", 3)]
    assert len({line.line_id for line in lines}) == 2


def test_parts_without_an_operation_go_on_one_parts_line_without_labour() -> None:
    request = QuoteRequest("Camry", "CUSTOMER_PAY", (), (PartRequest("WASHER", 2),), lang="en")
    (line,) = price(request, OPS, None, PARTS, ids())  # type: ignore[arg-type]
    assert (line.labour_operation, line.description, line.labour_price, line.price) == ("PARTS", "Parts", 0, 600)


def test_unknown_operations_and_parts_are_named() -> None:
    request = QuoteRequest("Camry", "CUSTOMER_PAY", ("NOPE1",), (PartRequest("NOPART", 1),))
    with pytest.raises(Unprocessable) as refusal:
        price(request, OPS, 12000, PARTS, ids())  # type: ignore[arg-type]
    assert refusal.value.code == "unknown_reference"
    assert [(f.field, f.type) for f in refusal.value.fields] == [
        ("body.labour_operations", "unknown_code"),
        ("body.parts", "unknown_part"),
    ]
    assert "NOPE1" in str(refusal.value)
    assert "NOPART" in str(refusal.value)


def test_labour_without_a_rate_for_the_pay_type_is_refused() -> None:
    with pytest.raises(NoLabourRate):
        price(QuoteRequest("Camry", "WARRANTY", ("OIL01",)), OPS, None, PARTS, ids())  # type: ignore[arg-type]
