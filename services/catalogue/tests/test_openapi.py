"""The catalogue's OpenAPI document tells the truth: every operation answers a named view, the
409 codes named are the service's own, the import takes a CSV body."""

from __future__ import annotations

from typing import Any

import pytest

from catalogue.api import router
from catalogue.app import create_app
from catalogue.domain import errors
from events.errors import ConcurrencyConflict, DomainError

DOCUMENT = create_app().openapi()
OURS = {route.path for route in router.routes}  # type: ignore[attr-defined]
OPERATIONS = [
    (method, path, operation)
    for path, operations in DOCUMENT["paths"].items()
    if path in OURS
    for method, operation in operations.items()
]
KNOWN_CODES = {
    error.code
    for error in vars(errors).values()
    if isinstance(error, type) and issubclass(error, DomainError) and error is not DomainError
} | {ConcurrencyConflict.code}


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_every_operation_answers_a_named_view_and_real_refusal_codes(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    (status,) = [status for status in operation["responses"] if status.startswith("2")]
    schema: dict[str, Any] = operation["responses"][status]["content"]["application/json"]["schema"]
    reference = schema.get("items", schema).get("$ref", "")
    assert reference.startswith("#/components/schemas/"), f"{method} {path} answers an untyped body"
    if "409" in operation["responses"]:
        named = set(operation["responses"]["409"]["description"].split("`")[1::2])
        assert named <= KNOWN_CODES, f"not a code of the service: {named - KNOWN_CODES}"


def test_the_import_takes_a_csv_body() -> None:
    imports = DOCUMENT["paths"]["/sites/{site_id}/labour-operations/imports"]["post"]
    assert "text/csv" in imports["requestBody"]["content"]
    assert {p["name"] for p in imports["parameters"]} >= {"scope", "effective_from"}
