"""What booking's OpenAPI document promises: a typed answer on every operation, the 409 codes an
operation can really answer, 404 where the path names a record, and examples on the main path."""

from __future__ import annotations

from typing import Any

import pytest

from booking.app import create_app

# The main path of the service: book, confirm, record the arrival, prepare the visit.
MAIN = [
    ("post", "/sites/{site_id}/appointments"),
    ("post", "/sites/{site_id}/appointments/{appointment_id}/confirm"),
    ("post", "/sites/{site_id}/appointments/{appointment_id}/preparation"),
]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    schema: dict[str, Any] = create_app(database_url="postgresql://unused/unused").openapi()
    return schema


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def test_every_operation_answers_a_named_model(document: dict[str, Any]) -> None:
    untyped = []
    for method, path, operation in _operations(document):
        ok = next(status for status in operation["responses"] if status.startswith("2"))
        schema = operation["responses"][ok].get("content", {}).get("application/json", {}).get("schema", {})
        named = "$ref" in schema or "$ref" in schema.get("items", {})
        if not named:
            untyped.append(f"{method.upper()} {path}")
    assert untyped == []


def test_conflicts_and_unknown_records_are_documented(document: dict[str, Any]) -> None:
    paths = document["paths"]
    book = paths["/sites/{site_id}/appointments"]["post"]["responses"]
    assert "`capacity_exceeded`" in book["409"]["description"]
    cancel = paths["/sites/{site_id}/appointments/{appointment_id}/cancel"]["post"]["responses"]
    assert {"404", "409"} <= set(cancel)
    assert "`concurrency_conflict`" in cancel["409"]["description"]
    assert "`already_arrived`" in cancel["409"]["description"]
    capacity = paths["/sites/{site_id}/capacity"]["put"]["responses"]
    assert "`capacity_below_bookings`" in capacity["409"]["description"]
    for method, path, operation in _operations(document):
        if method != "get" and ("{appointment_id}" in path or "{customer_id}" in path):
            assert "404" in operation["responses"], f"{method} {path}"


def test_the_main_path_shows_examples(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for method, path in MAIN:
        body = document["paths"][path][method]["requestBody"]["content"]["application/json"]
        reference = body["schema"]["$ref"].rsplit("/", 1)[-1]
        assert schemas[reference].get("examples") or body.get("examples"), f"{method} {path}"


def test_the_appointment_links_document_their_refusals_in_the_error_body(document: dict[str, Any]) -> None:
    error_body = {"$ref": "#/components/schemas/ErrorBody"}
    linked = [(m, p, op) for m, p, op in _operations(document) if p.startswith("/public/appointment-links/")]
    assert len(linked) == 5
    for method, path, operation in linked:
        answers = operation["responses"]
        for status, code in (("404", "`link_invalid`"), ("410", "`link_expired`")):
            assert code in answers[status]["description"], f"{method} {path}"
            assert answers[status]["content"]["application/json"]["schema"] == error_body, f"{method} {path}"
        if method == "get":
            assert "409" not in answers, f"reading a link never uses it up: {path}"
        else:
            assert "`link_used`" in answers["409"]["description"], path
    reschedule = document["paths"]["/public/appointment-links/{token}/reschedule"]["post"]["responses"]
    assert "`capacity_exceeded`" in reschedule["409"]["description"]
