"""The gateway's `/openapi.json`: every service's operations with the error body services really
send (`events.openapi`), one `ErrorBody` for all of them, FastAPI's unsent `HTTPValidationError`
nowhere, and two services' models of the same name kept apart."""

# No `from __future__ import annotations`: the stand-in's route is typed with a model picked at
# run time, which FastAPI must see as a class, not as a name to look up.
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel, create_model

from events.http import install_error_handlers
from events.openapi import document_errors, refusals
from events.services import DEFAULT_PORTS
from gateway import tokens
from gateway.app import create_app
from gateway.rate_limit import RateLimiter

SETTINGS = tokens.TokenSettings(secret="test-user-token-secret-of-enough-length", public_key=None, issuer=None)


def line_model(service: str) -> type[BaseModel]:
    """Booking and reception each have a model named `Line`, with different fields."""
    fields: dict[str, Any] = {"slot": (str, ...)} if service == "booking" else {"labour_minutes": (int, ...)}
    line: type[BaseModel] = create_model("Line", **fields)
    return line


def service_document(service: str) -> dict[str, Any]:
    """A service's own document as `events.runtime.service_app` makes it."""
    app = FastAPI(title=f"dealerflow {service}")
    install_error_handlers(app)
    line = line_model(service)

    @app.post(f"/sites/{{site_id}}/{service}-lines/{{line_id}}", responses=refusals("line_closed"))
    async def change(site_id: str, line_id: int, body: line) -> line:  # type: ignore[valid-type]
        return body

    document_errors(app)
    return app.openapi()


def services_answering(*answering: str) -> FastAPI:
    """Stands in for every service: each port answers with its service's document, or is down."""
    by_port = {port: name for name, port in DEFAULT_PORTS.items()}
    app = FastAPI(openapi_url=None)

    @app.get("/openapi.json")
    async def openapi(request: Request) -> dict[str, Any]:
        service = by_port[request.url.port or 80]
        if service not in answering:
            raise ConnectionError
        return service_document(service)

    return app


@pytest.fixture
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    upstream = httpx.ASGITransport(app=services_answering("booking", "reception"), raise_app_exceptions=False)
    app = create_app(token_settings=SETTINGS, limiter=RateLimiter(rate_per_second=1, burst=5), transport=upstream)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")
    async with app.router.lifespan_context(app), client:
        yield client


def references(document: dict[str, Any]) -> set[str]:
    return set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(document)))


def error_schema(response: dict[str, Any]) -> str:
    reference: str = response["content"]["application/json"]["schema"]["$ref"]
    return reference


async def test_every_operation_names_the_one_error_body_and_fastapis_validation_error_is_gone(
    gateway: httpx.AsyncClient,
) -> None:
    document = (await gateway.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]

    assert "HTTPValidationError" not in json.dumps(document)
    assert "ValidationError" not in schemas
    assert sorted(references(document) - schemas.keys()) == [], "references to schemas the document lacks"
    assert {"ErrorBody", "ErrorDetail", "FieldError"} <= schemas.keys()
    assert [name for name in schemas if name.endswith((".ErrorBody", ".ErrorDetail", ".FieldError"))] == []
    operations = [(path, operation) for path, methods in document["paths"].items() for operation in methods.values()]
    assert len(operations) > 5
    for path, operation in operations:
        if "422" in operation["responses"]:
            assert error_schema(operation["responses"]["422"]) == "#/components/schemas/ErrorBody", path
    for service in ("booking", "reception"):
        (operation,) = document["paths"][f"/api/v1/sites/{{site_id}}/{service}-lines/{{line_id}}"].values()
        for status in ("401", "403", "404", "409", "422", "503"):
            assert error_schema(operation["responses"][status]) == "#/components/schemas/ErrorBody", (service, status)
        assert "line_closed" in operation["responses"]["409"]["description"]


async def test_two_services_models_of_one_name_are_both_kept_and_a_service_that_is_down_is_named(
    gateway: httpx.AsyncClient,
) -> None:
    document = (await gateway.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]

    assert set(schemas["booking.Line"]["properties"]) == {"slot"}
    assert set(schemas["reception.Line"]["properties"]) == {"labour_minutes"}
    booking = document["paths"]["/api/v1/sites/{site_id}/booking-lines/{line_id}"]["post"]
    assert booking["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/booking.Line")
    assert "workshop" in document["x-unavailable-services"]
