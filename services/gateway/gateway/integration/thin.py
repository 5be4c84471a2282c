"""Thin payloads: what a subscriber gets when it should not receive personal data (pure).

Kept: top-level fields that identify something (`id`, `*_id`, `*_ids`), say what state it is in
(status-like names below) or when (`*_at`), with plain values. Dropped: everything else —
names, phones, addresses, the vehicle's identity, free text and any nested object — so personal
data does not spread to every subscriber (docs/contract.md "Thin or full"). A subscriber that needs
more asks the owning service's API with its own rights.
"""

from __future__ import annotations

from typing import Any

_STATUS_LIKE = frozenset(
    {
        "status",
        "stage",
        "state",
        "priority",
        "outcome",
        "decision",
        "result",
        "reason_code",
        "arrival_kind",
        "pay_type",
        "severity",
        "version",
        "currency",
    }
)
_STATUS_SUFFIXES = ("_status", "_stage", "_kind", "_code")


def is_thin_field(name: str) -> bool:
    if name == "id" or name.endswith(("_id", "_ids", "_at")):
        return True
    return name in _STATUS_LIKE or name.endswith(_STATUS_SUFFIXES)


def _plain(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(isinstance(v, str | int | float | bool) or v is None for v in value)
    return isinstance(value, str | int | float | bool) or value is None


def thin(data: dict[str, Any]) -> dict[str, Any]:
    """The thin form of an event's data."""
    return {name: value for name, value in data.items() if is_thin_field(name) and _plain(value)}
