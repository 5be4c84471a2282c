"""The complaints OpenAPI document tells the truth: every operation answers a named view, every
command names the refusal codes it can answer (each a real code of the service) and takes
`If-Match`, a path naming a complaint documents its 404, and the examples of the main
operations are bodies the service accepts."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from complaints import schemas
from complaints.app import create_app
from complaints.domain import errors, sla
from events import rules
from events.errors import ConcurrencyConflict, DomainError

DOCUMENT = create_app().openapi()
OPERATIONS = [
    (method, path, operation)
    for path, operations in DOCUMENT["paths"].items()
    if path.startswith("/sites/")
    for method, operation in operations.items()
]
COMMANDS = [(method, path, operation) for method, path, operation in OPERATIONS if method in ("post", "put")]
# Every refusal code the service's domain (and the shared rules it uses) can raise.
KNOWN_CODES = {
    error.code
    for module in (errors, sla, rules)
    for error in vars(module).values()
    if isinstance(error, type) and issubclass(error, DomainError) and error is not DomainError
} | {ConcurrencyConflict.code}


def _success(operation: dict[str, Any]) -> dict[str, Any]:
    (status,) = [status for status in operation["responses"] if status.startswith("2")]
    schema: dict[str, Any] = operation["responses"][status]["content"]["application/json"]["schema"]
    shown: dict[str, Any] = schema.get("items", schema)
    return shown


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_every_operation_answers_a_named_view(method: str, path: str, operation: dict[str, Any]) -> None:
    reference = _success(operation).get("$ref", "")
    assert reference.startswith("#/components/schemas/"), f"{method} {path} answers an untyped body"
    assert DOCUMENT["components"]["schemas"][reference.rsplit("/", 1)[1]]["properties"]


@pytest.mark.parametrize(("method", "path", "operation"), COMMANDS, ids=[f"{m} {p}" for m, p, _ in COMMANDS])
def test_every_command_names_real_refusal_codes_and_takes_if_match(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    description = operation["responses"]["409"]["description"]
    named = set(description.split("`")[1::2])
    assert "concurrency_conflict" in named
    assert named <= KNOWN_CODES, f"not a code of the service: {named - KNOWN_CODES}"
    assert "If-Match" in {parameter["name"] for parameter in operation.get("parameters", [])}
    assert ("404" in operation["responses"]) == ("{complaint_id}" in path)


def test_the_refusals_of_a_step_are_the_ones_its_rules_raise() -> None:
    decision = DOCUMENT["paths"]["/sites/{site_id}/complaints/{complaint_id}/decision"]["post"]
    action = DOCUMENT["paths"]["/sites/{site_id}/complaints/{complaint_id}/action"]["post"]
    receipt = DOCUMENT["paths"]["/sites/{site_id}/complaints"]["post"]
    assert {"approval_required", "manufacturer_referral_required", "step_out_of_order"} <= set(
        decision["responses"]["409"]["description"].split("`")[1::2]
    )
    assert "customer_has_not_agreed" in action["responses"]["409"]["description"]
    assert "complaint_already_received" in receipt["responses"]["409"]["description"]
    assert "404" not in receipt["responses"], "receiving names no complaint in its path"


MAIN = {
    ("post", "/sites/{site_id}/complaints"): schemas.ReceiveBody,
    ("post", "/sites/{site_id}/complaints/{complaint_id}/decision"): schemas.DecisionBody,
    ("post", "/sites/{site_id}/complaints/{complaint_id}/action"): schemas.ActionBody,
    ("post", "/sites/{site_id}/complaints/{complaint_id}/follow-up"): schemas.FollowUpBody,
}


@pytest.mark.parametrize(("operation", "body"), MAIN.items(), ids=[f"{m} {p}" for m, p in MAIN])
def test_the_main_operations_show_examples_the_service_accepts(
    operation: tuple[str, str], body: type[BaseModel]
) -> None:
    method, path = operation
    content = DOCUMENT["paths"][path][method]["requestBody"]["content"]["application/json"]
    examples = content.get("examples", {})
    assert examples, f"{method} {path} shows no example"
    for example in examples.values():
        body.model_validate(example["value"])  # raises if the example is not a valid body
