"""The gateway's public routes: a customer's link reaches its owning service without a bearer
token, never with anyone's identity, and an address that sends too many is slowed down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI, Request
from gateway_helpers import SETTINGS
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from events.identity import IDENTITY_HEADER, Identity
from gateway import tokens
from gateway.app import create_app
from gateway.rate_limit import RateLimiter
from gateway.routing import PUBLIC_OWNERS


def owner_app(name: str) -> FastAPI:
    """Stands in for a service: answers with what reached it."""
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def echo(path: str, request: Request) -> dict[str, object]:
        return {
            "service": name,
            "path": f"/{path}",
            "query": str(request.url.query),
            "body": (await request.body()).decode(),
            "headers": {k.lower(): v for k, v in request.headers.items()},
        }

    return app


class _ByHost(httpx.AsyncBaseTransport):
    """Each service at its own stand-in, so a test sees which one a path reached."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        stand_in = httpx.ASGITransport(app=owner_app(str(request.url.port)))
        return await stand_in.handle_async_request(request)


@pytest.fixture
def public_limiter() -> RateLimiter:
    # A clock that stands still: no token comes back however slowly a loaded machine sends.
    return RateLimiter(rate_per_second=1, burst=3, clock=lambda: 0.0)


@pytest.fixture
async def gateway(public_limiter: RateLimiter) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        token_settings=SETTINGS,
        limiter=RateLimiter(rate_per_second=1, burst=50),
        public_limiter=public_limiter,
        transport=_ByHost(),
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 5555)), base_url="http://gateway"
        ) as client,
    ):
        client.app = app  # type: ignore[attr-defined]
        yield client


def _bearer() -> dict[str, str]:
    identity = Identity("sa-1", "Wang Fang", "g1", frozenset({"advisor"}), frozenset({"s1"}))
    return {"Authorization": f"Bearer {tokens.issue(SETTINGS, identity)}"}


def test_each_public_resource_has_one_owner_among_the_services() -> None:
    assert PUBLIC_OWNERS["approvals"] == "reception"
    assert set(PUBLIC_OWNERS.values()) <= {"booking", "reception", "workshop", "followup"}


async def test_a_public_path_reaches_its_owner_without_a_bearer(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post(
        "/api/v1/public/approvals/tok.en/decision?lang=zh",
        content=b'{"items": []}',
        headers={"Content-Type": "application/json", "User-Agent": "PhoneBrowser/1.0"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["service"] == "8002"  # reception
    assert (body["path"], body["query"]) == ("/public/approvals/tok.en/decision", "lang=zh")
    assert body["body"] == '{"items": []}'
    # What a consent records of the device: the browser, and the address the gateway saw.
    assert body["headers"]["user-agent"] == "PhoneBrowser/1.0"
    assert body["headers"]["x-forwarded-for"] == "203.0.113.7"
    assert body["headers"]["x-request-id"] == response.headers["x-request-id"]


async def test_no_identity_is_forwarded_even_when_a_bearer_or_an_identity_header_is_sent(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get(
        "/api/v1/public/approvals/tok",
        headers={**_bearer(), IDENTITY_HEADER: "forged", "X-Forwarded-For": "10.0.0.1", "Cookie": "a=b"},
    )
    assert response.status_code == 200, response.text
    sent = response.json()["headers"]
    assert IDENTITY_HEADER.lower() not in sent
    assert "authorization" not in sent
    assert "cookie" not in sent
    assert sent["x-forwarded-for"] == "203.0.113.7"  # the client's own claim is not passed on


async def test_an_unknown_public_resource_is_404_and_staff_resources_are_not_public(gateway: httpx.AsyncClient) -> None:
    for path in ("/api/v1/public/spaceships/x", "/api/v1/public/repair-orders/x", "/api/v1/public/approvals"):
        response = await gateway.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


async def test_public_routes_are_rate_limited_per_client_address_with_a_clear_429(
    gateway: httpx.AsyncClient,
) -> None:
    for _ in range(3):
        assert (await gateway.get("/api/v1/public/approvals/t")).status_code == 200
    refused = await gateway.get("/api/v1/public/approvals/t")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1
    # Another address has its own allowance.
    app: FastAPI = gateway.app  # type: ignore[attr-defined]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("198.51.100.9", 1)), base_url="http://gateway"
    ) as other:
        assert (await other.get("/api/v1/public/approvals/t")).status_code == 200
    # Staff requests are counted per user, not against the address's public allowance.
    assert (await gateway.get("/api/v1/sites/s1/repair-orders", headers=_bearer())).status_code == 200


async def test_behind_a_trusted_proxy_the_customer_it_names_is_counted_and_recorded(
    gateway: httpx.AsyncClient,
) -> None:
    app: FastAPI = gateway.app  # type: ignore[attr-defined]
    # The portal, on this machine, passes each customer's address on; uvicorn (proxy headers,
    # FORWARDED_ALLOW_IPS 127.0.0.1 by default) gives the gateway that address as the client's.
    served: Any = ProxyHeadersMiddleware(cast(Any, app), trusted_hosts="127.0.0.1")  # ASGI typings differ
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=served, client=("127.0.0.1", 1)), base_url="http://gateway"
    ) as portal:
        for _ in range(3):
            sent = await portal.get(
                "/api/v1/public/approvals/t", headers={"X-Forwarded-For": "10.9.9.9, 198.51.100.20"}
            )
            assert sent.json()["headers"]["x-forwarded-for"] == "198.51.100.20"
        refused = await portal.get("/api/v1/public/approvals/t", headers={"X-Forwarded-For": "198.51.100.20"})
        assert refused.status_code == 429
        # Another customer through the same portal is not refused with the first.
        other = await portal.get("/api/v1/public/approvals/t", headers={"X-Forwarded-For": "198.51.100.21"})
        assert other.status_code == 200
