"""The billing OpenAPI document tells the truth: every operation answers a named view, every
command names the refusal codes it can answer (each a real code of the service), and a path
naming an invoice documents its 404."""

from __future__ import annotations

from typing import Any

import pytest

from billing.app import create_app
from billing.domain import errors
from events import rules
from events.errors import ConcurrencyConflict, DomainError

DOCUMENT = create_app().openapi()
OPERATIONS = [
    (method, path, operation)
    for path, operations in DOCUMENT["paths"].items()
    if path.startswith("/sites/")
    and any(word in path for word in ("invoices", "deposits", "cash-days", "receivables", "billing-settings"))
    and not path.endswith("/fapiao")
    for method, operation in operations.items()
]
COMMANDS = [(method, path, operation) for method, path, operation in OPERATIONS if method in ("post", "put")]
KNOWN_CODES = {
    error.code
    for module in (errors, rules)
    for error in vars(module).values()
    if isinstance(error, type) and issubclass(error, DomainError) and error is not DomainError
} | {ConcurrencyConflict.code}


def _success(operation: dict[str, Any]) -> dict[str, Any]:
    (status,) = [status for status in operation["responses"] if status.startswith("2")]
    schema: dict[str, Any] = operation["responses"][status]["content"]["application/json"]["schema"]
    shown: dict[str, Any] = schema.get("items", schema)
    return shown


def test_billings_own_operations_are_all_there() -> None:
    assert {(m, p) for m, p, _ in OPERATIONS} >= {
        ("get", "/sites/{site_id}/billing-settings"),
        ("put", "/sites/{site_id}/billing-settings"),
        ("post", "/sites/{site_id}/invoices"),
        ("get", "/sites/{site_id}/invoices/{invoice_id}"),
        ("post", "/sites/{site_id}/invoices/{invoice_id}/payments"),
        ("post", "/sites/{site_id}/invoices/{invoice_id}/refunds"),
        ("post", "/sites/{site_id}/invoices/{invoice_id}/void"),
        ("post", "/sites/{site_id}/deposits"),
        ("get", "/sites/{site_id}/cash-days/{day}"),
        ("post", "/sites/{site_id}/cash-days/{day}/close"),
        ("get", "/sites/{site_id}/receivables"),
    }


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_every_operation_answers_a_named_view(method: str, path: str, operation: dict[str, Any]) -> None:
    reference = _success(operation).get("$ref", "")
    assert reference.startswith("#/components/schemas/"), f"{method} {path} answers an untyped body"
    assert DOCUMENT["components"]["schemas"][reference.rsplit("/", 1)[1]]["properties"]


@pytest.mark.parametrize(("method", "path", "operation"), COMMANDS, ids=[f"{m} {p}" for m, p, _ in COMMANDS])
def test_every_command_names_real_refusal_codes(method: str, path: str, operation: dict[str, Any]) -> None:
    if "409" in operation["responses"] and "refused by a rule" in operation["responses"]["409"]["description"]:
        named = set(operation["responses"]["409"]["description"].split("`")[1::2])
        assert named <= KNOWN_CODES, f"not a code of the service: {named - KNOWN_CODES}"
    assert ("404" in operation["responses"]) == ("{invoice_id}" in path or path.endswith(("/invoices", "/deposits")))
