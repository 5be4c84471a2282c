"""How reception keeps the price lists a catalogue quote names (`quotes.versions`)."""

from __future__ import annotations

from reception.quotes import versions


def test_the_price_lists_of_a_quote_are_kept_flat() -> None:
    answered = {
        "labour_rates": "2024-01-01",
        "parts": 7,
        "labour_operations": {"SVC-10000": "2023-07-01", "BRK-PADS-F": None},
    }
    assert versions(answered) == (
        ("labour_operations.SVC-10000", "2023-07-01"),
        ("labour_rates", "2024-01-01"),
        ("parts", "7"),
    )


def test_several_parts_price_lists_are_named_together_and_an_unused_one_not_at_all() -> None:
    assert versions({"parts": [7, 8], "labour_rates": None}) == (("parts", "7,8"),)
