"""The gateway: tokens, scope, routing with the internal identity, rate limits, errors."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI, Request
from gateway_helpers import SECRET, SETTINGS, gateway_over

from events.identity import GROUP_ADMIN, IDENTITY_HEADER, Identity, verify_internal_token
from gateway import tokens
from gateway.app import create_app
from gateway.rate_limit import RateLimiter


def upstream_app() -> FastAPI:
    """Stands in for a service: answers with what it was sent (and the identity it verified)."""
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def echo(path: str, request: Request) -> dict[str, object]:
        identity = verify_internal_token(request.headers.get(IDENTITY_HEADER))
        return {
            "host": request.url.hostname,
            "path": f"/{path}",
            "query": str(request.url.query),
            "body": (await request.body()).decode(),
            "user": identity.user_id,
            "group": identity.group_id,
            "request_id": request.headers.get("x-request-id"),
        }

    return app


@pytest.fixture
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_over(upstream_app(), RateLimiter(rate_per_second=1, burst=5)) as client:
        yield client


def bearer(
    user: str = "sa-1", group: str = "g1", sites: tuple[str, ...] = ("s1",), roles: tuple[str, ...] = ("advisor",)
) -> dict[str, str]:
    token = tokens.issue(SETTINGS, Identity(user, "Wang Fang", group, frozenset(roles), frozenset(sites)))
    return {"Authorization": f"Bearer {token}"}


async def test_requests_are_forwarded_to_the_owning_service_with_the_identity(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post("/api/v1/sites/s1/repair-orders/ro-1/sign?x=1", content=b'{"a": 1}', headers=bearer())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["host"] == "127.0.0.1"
    assert (body["path"], body["query"], body["body"]) == ("/sites/s1/repair-orders/ro-1/sign", "x=1", '{"a": 1}')
    assert (body["user"], body["group"]) == ("sa-1", "g1")
    assert body["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic c2E6cHc="},
    ],
)
async def test_missing_or_malformed_tokens_are_401(gateway: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await gateway.get("/api/v1/sites/s1/appointments", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


async def test_expired_wrong_signature_and_wrong_audience_are_401_without_data(gateway: httpx.AsyncClient) -> None:
    now = int(time.time())
    base = {"sub": "sa-1", "group": "g1", "roles": ["advisor"], "sites": ["s1"], "aud": "dealerflow"}
    cases = {
        "expired": jwt.encode({**base, "exp": now - 10}, SECRET, algorithm="HS256"),
        "forged": jwt.encode({**base, "exp": now + 60}, "another-secret-of-sufficient-length!!", algorithm="HS256"),
        "audience": jwt.encode({**base, "aud": "other", "exp": now + 60}, SECRET, algorithm="HS256"),
    }
    for case, token in cases.items():
        response = await gateway.get("/api/v1/sites/s1/appointments", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, case
        assert set(response.json()) == {"error"}, case
    # A genuine token naming no role known here: the bearer is known and may do nothing (403).
    no_role = jwt.encode({**base, "roles": ["pilot"], "exp": now + 60}, SECRET, algorithm="HS256")
    response = await gateway.get("/api/v1/sites/s1/appointments", headers={"Authorization": f"Bearer {no_role}"})
    assert response.status_code == 403


async def test_a_site_user_cannot_reach_another_site_and_a_group_admin_reaches_all(gateway: httpx.AsyncClient) -> None:
    other = await gateway.get("/api/v1/sites/s2/appointments", headers=bearer())
    assert other.status_code == 403
    admin = await gateway.get("/api/v1/sites/s2/appointments", headers=bearer(sites=(), roles=(GROUP_ADMIN,)))
    assert admin.status_code == 200
    assert admin.json()["group"] == "g1"


async def test_unknown_resource_is_404(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/v1/sites/s1/spaceships", headers=bearer())
    assert response.status_code == 404


async def test_each_client_is_rate_limited_on_its_own() -> None:
    # A clock that stands still: no token comes back however slowly a loaded machine sends.
    limiter = RateLimiter(rate_per_second=1, burst=5, clock=lambda: 0.0)
    app = create_app(token_settings=SETTINGS, limiter=limiter, transport=httpx.ASGITransport(app=upstream_app()))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as gateway,
    ):
        await _rate_limited(gateway)


def test_a_limiter_forgets_clients_whose_allowance_is_whole_again() -> None:
    """Clients (addresses above all) are not ours to count: past 10,000 the table sheds the
    clients that are back to a full bucket, and keeps those still being held back."""
    now = [0.0]
    limiter = RateLimiter(rate_per_second=1, burst=2, clock=lambda: now[0])
    for n in range(10_000):
        limiter.allow(f"client-{n}")
    assert [limiter.allow("held-back")[0] for _ in range(3)] == [True, True, False]
    now[0] = 1.0  # the 10,000 are whole again (1 + 1 token); held-back has 1 of its 2
    limiter.allow("one-more")
    assert limiter.clients == 2
    assert [limiter.allow("held-back")[0] for _ in range(2)] == [True, False], "held-back kept its bucket"


async def _rate_limited(gateway: httpx.AsyncClient) -> None:
    statuses = [(await gateway.get("/api/v1/sites/s1/appointments", headers=bearer())).status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429, 429]
    other_client = await gateway.get("/api/v1/sites/s1/appointments", headers=bearer(user="sa-2"))
    assert other_client.status_code == 200


async def test_a_service_that_is_down_is_a_clear_retryable_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTS_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    app = create_app(token_settings=SETTINGS, transport=httpx.AsyncHTTPTransport(retries=0))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        response = await client.get("/api/v1/sites/s1/stock", headers=bearer())
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["error"]["code"] == "service_unavailable"


async def test_the_local_issuer_refuses_unknown_roles(gateway: httpx.AsyncClient) -> None:
    bad = await gateway.post(
        "/auth/dev-token", json={"user_id": "u", "name": "n", "group_id": "g1", "roles": ["wizard"]}
    )
    assert bad.status_code == 422
    good = await gateway.post(
        "/auth/dev-token",
        json={"user_id": "u", "name": "n", "group_id": "g1", "roles": ["advisor"], "site_ids": ["s1"]},
    )
    me = await gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {good.json()['access_token']}"})
    assert me.json()["site_ids"] == ["s1"]


async def test_readiness_lists_the_services_and_metrics_count_requests_by_resource(gateway: httpx.AsyncClient) -> None:
    ready = await gateway.get("/health/ready")
    assert ready.status_code == 200
    assert set(ready.json()["services"]) == {
        "billing",
        "booking",
        "catalogue",
        "complaints",
        "followup",
        "notifications",
        "parts",
        "reception",
        "workshop",
    }

    site = "s1"
    await gateway.get(f"/api/v1/sites/{site}/work-orders/3b0c2f1e-0000-4000-8000-000000000001", headers=bearer())
    text = (await gateway.get("/metrics")).text
    line = (
        'dealerflow_http_request_seconds_count{method="GET",route="/api/v1/sites/{site_id}/work-orders",'
        'service="gateway",status="200"} 1.0'
    )
    assert line in text
    assert "3b0c2f1e" not in text, "ids are not labels"


async def test_dead_letters_are_routed_to_the_named_service_for_the_caller(gateway: httpx.AsyncClient) -> None:
    admin = bearer(roles=(GROUP_ADMIN,))
    response = await gateway.post("/api/v1/ops/parts/dead-letters/7/redrive", headers=admin)
    assert response.status_code == 200, response.text
    assert (response.json()["path"], response.json()["group"]) == ("/ops/dead-letters/7/redrive", "g1")
    unknown = await gateway.get("/api/v1/ops/payroll/dead-letters", headers=admin)
    assert unknown.status_code == 404
    assert (await gateway.get("/api/v1/ops/parts/dead-letters")).status_code == 401


_LOST = httpx.RemoteProtocolError("Server disconnected without sending a response.")


@pytest.mark.parametrize(
    ("method", "failure", "status", "code"),
    [
        ("POST", httpx.ReadTimeout("no answer"), 504, "service_timeout"),
        ("POST", _LOST, 502, "answer_lost"),
        ("POST", httpx.ConnectError("connection refused"), 503, "service_unavailable"),
        ("POST", httpx.PoolTimeout("no connection free"), 503, "service_unavailable"),
        ("GET", _LOST, 503, "service_unavailable"),
        ("GET", httpx.ReadTimeout("no answer"), 503, "service_unavailable"),
    ],
)
async def test_a_command_sent_without_an_answer_is_not_called_safe_to_retry(
    method: str, failure: httpx.TransportError, status: int, code: str
) -> None:
    """A read, or a request that never left the gateway, is a 503 with Retry-After. A command the
    service got and did not answer may have been carried out: sent again, it would meet its own
    effect."""

    def fail(request: httpx.Request) -> httpx.Response:
        raise failure

    app = create_app(token_settings=SETTINGS, transport=httpx.MockTransport(fail))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        response = await client.request(method, "/api/v1/sites/s1/appointments/a1/confirm", headers=bearer())
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert ("retry-after" in response.headers) is (status == 503)


async def test_a_client_that_leaves_before_sending_its_body_is_let_go_without_an_error() -> None:
    forwarded: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        forwarded.append(request)
        return httpx.Response(200)

    app = create_app(token_settings=SETTINGS, transport=httpx.MockTransport(record))
    headers = [(k.lower().encode(), v.encode()) for k, v in bearer().items()]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/api/v1/sites/s1/appointments", "raw_path": b"/api/v1/sites/s1/appointments", "query_string": b"",
        "headers": [*headers, (b"content-type", b"application/json"), (b"content-length", b"100")],
        "client": ("127.0.0.1", 50000), "server": ("gw", 80), "root_path": "",
    }  # fmt: skip
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async with app.router.lifespan_context(app):
        await app(scope, receive, send)
    assert sent[0]["status"] == 499, "not a 500 with a traceback in the log"
    assert forwarded == [], "nothing half-received is forwarded"
