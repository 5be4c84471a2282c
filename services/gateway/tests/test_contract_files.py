"""The public event contract served by the gateway (`/contract/...`), so every CloudEvent's
`dataschema` resolves: the same documents as the checked-in `contract/` files, without a token,
and nothing else."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from events.asyncapi import published
from events.contract import schema_id
from gateway import tokens
from gateway.app import create_app
from gateway.rate_limit import RateLimiter

CONTRACT = Path(__file__).resolve().parents[3] / "contract"
SETTINGS = tokens.TokenSettings(secret="test-user-token-secret-of-enough-length", public_key=None, issuer=None)
PUBLISHED_AT = "https://schemas.dealerflow.dev/"


@pytest.fixture
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(token_settings=SETTINGS, limiter=RateLimiter(rate_per_second=1, burst=5))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        yield client


async def test_every_dataschema_resolves_at_the_gateway_to_its_checked_in_file(gateway: httpx.AsyncClient) -> None:
    dataschemas = sorted(schema_id(model.event_type, model.schema_version) for model in published())
    files = (CONTRACT / "schemas").rglob("*.json")
    assert dataschemas == sorted(PUBLISHED_AT + str(path.relative_to(CONTRACT / "schemas")) for path in files)
    for dataschema in dataschemas:
        response = await gateway.get(f"/contract/schemas/{dataschema.removeprefix(PUBLISHED_AT)}")
        assert response.status_code == 200, dataschema
        assert response.headers["content-type"] == "application/schema+json"
        assert response.json() == json.loads((CONTRACT / "schemas" / dataschema.removeprefix(PUBLISHED_AT)).read_text())
        assert response.json()["$id"] == dataschema


async def test_the_asyncapi_document_is_the_checked_in_one_and_its_payloads_resolve_beside_it(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get("/contract/asyncapi.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["access-control-allow-origin"] == "*"
    document = response.json()
    assert document == json.loads((CONTRACT / "asyncapi.json").read_text())
    payloads = [message["payload"]["$ref"] for message in document["components"]["messages"].values()]
    assert len(payloads) > 100
    for payload in payloads[:3]:  # relative to the document: /contract/schemas/...
        assert (await gateway.get(f"/contract/{payload}")).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/contract/schemas/booking/AppointmentBooked/v99.json",
        "/contract/schemas/booking/NoSuchEvent/v1.json",
        "/contract/schemas/gateway/AppointmentBooked/v1.json",
        "/contract/schemas/booking/AppointmentBooked/v1",
        "/contract/schemas/booking/AppointmentBooked/1.json",
        "/contract/schemas/booking/AppointmentBooked",
        "/contract/asyncapi.yaml",
        "/contract/schemas/booking/AppointmentBooked/..%2F..%2F..%2Fasyncapi.json",
        "/contract/schemas/booking/%2E%2E/%2E%2E/%2E%2E/%2E%2E/pyproject.toml",
        "/contract/schemas/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd/x/v1.json",
        "/contract/%2E%2E%2Fgateway%2Fpyproject.toml",
    ],
)
async def test_anything_else_under_contract_is_404_and_no_path_reaches_the_disk(
    gateway: httpx.AsyncClient, path: str
) -> None:
    response = await gateway.get(path)

    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "not_found"


async def test_a_schema_is_served_without_a_token(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/contract/schemas/booking/AppointmentBooked/v1.json", headers={})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
