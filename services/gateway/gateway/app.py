"""The gateway's HTTP app: authenticate, scope, limit, forward."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Header, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field, field_validator
from starlette.background import BackgroundTask
from starlette.requests import ClientDisconnect

from events.http import REQUEST_ID_HEADER, error_body, install_error_handlers
from events.identity import IDENTITY_HEADER, ROLES, Forbidden, Identity, Unauthenticated, issue_internal_token
from events.metrics import TimedRequests
from events.settings import load
from events.tracing import configure_tracing, instrument_app
from gateway import pages, tokens
from gateway.integration.api import integration_router
from gateway.integration.runtime import Integration, IntegrationSettings
from gateway.metrics import GatewayMetrics
from gateway.openapi import combined_openapi
from gateway.rate_limit import RateLimiter
from gateway.routing import API_PREFIX, OWNERS, service_url
from gateway.routing import services as routed_services
from gateway.settings import GatewaySettings

# Headers a client may send on to a service, and a service's answer back to the client.
# The route's parameters arrive decoded: encode the path again for the service (a control
# character in an id would otherwise make an invalid URL — a 500 instead of the service's 404/422).
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_FORWARDED_REQUEST = ("content-type", "accept", "if-match", "accept-language", "idempotency-key")
_FORWARDED_RESPONSE = ("content-type", "etag", "location", "retry-after", "cache-control", "link")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class DevTokenRequest(BaseModel):
    """A login from the local development issuer (only when DEALERFLOW_ENV=local)."""

    user_id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    group_id: str = Field(min_length=1, max_length=100)
    roles: list[str] = Field(min_length=1)
    site_ids: list[str] = Field(default_factory=list)

    @field_validator("roles")
    @classmethod
    def known_roles(cls, roles: list[str]) -> list[str]:
        unknown = sorted(set(roles) - set(ROLES))
        if unknown:
            raise ValueError(f"unknown roles {unknown}; known: {', '.join(ROLES)}")
        return roles


def create_app(
    *,
    config: GatewaySettings | None = None,
    token_settings: tokens.TokenSettings | None = None,
    limiter: RateLimiter | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    integration: Integration | None = None,
) -> FastAPI:
    config = config or load(GatewaySettings)
    settings = token_settings or tokens.TokenSettings.from_env(config)
    limiter = limiter or RateLimiter(rate_per_second=config.gateway_rate_per_second, burst=config.gateway_rate_burst)
    # Refused tokens, per client address: guessing them is slowed down.
    refusals = RateLimiter(rate_per_second=config.gateway_refusals_per_second, burst=config.gateway_refusal_burst)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Idle connections to a service are dropped before the service's own keep-alive (uvicorn:
        # 5 s) ends them: a request sent on a connection the service is closing fails as a 503.
        limits = httpx.Limits(keepalive_expiry=2.0)
        async with httpx.AsyncClient(transport=transport, timeout=30, limits=limits) as client:
            app.state.client = client
            # The integration feed and webhook delivery (only with a database: DATABASE_URL).
            app.state.integration = integration
            if integration is not None:
                await integration.start()
            try:
                yield
            finally:
                if integration is not None:
                    await integration.stop()

    app = FastAPI(title="dealerflow gateway", lifespan=lifespan, openapi_url="/gateway-openapi.json")
    install_error_handlers(app)

    @app.exception_handler(Unauthenticated)
    async def unauthenticated(request: Request, error: Unauthenticated) -> JSONResponse:
        """401; but an address that keeps presenting tokens the gateway refuses gets 429 (its
        valid tokens are still served: a dealership's users share one address)."""
        allowed, retry_after = refusals.allow(request.client.host if request.client else "unknown")
        if not allowed:
            return _too_many(retry_after)
        return JSONResponse(error_body(error.code, str(error)), status_code=401)

    def authenticate(authorization: str | None) -> Identity:
        identity = tokens.verify(settings, authorization)
        allowed, retry_after = limiter.allow(identity.user_id)
        if not allowed:
            raise _RateLimited(retry_after)
        return identity

    @app.exception_handler(_RateLimited)
    async def rate_limited(_: Request, error: _RateLimited) -> JSONResponse:
        return _too_many(error.retry_after)

    @app.get("/health/live", include_in_schema=False)
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/health/ready", include_in_schema=False)
    async def ready(request: Request) -> dict[str, Any]:
        """Ready to route: the gateway itself needs nothing else (a service that is down gets
        503 per request); which services answer is reported for the operator."""
        client: httpx.AsyncClient = request.app.state.client

        async def answers(service: str) -> str:
            try:
                response = await client.get(f"{service_url(service)}/health/live", timeout=2)
                return "up" if response.status_code == 200 else f"status {response.status_code}"
            except Exception:  # whatever keeps a service from answering, it is not up
                return "down"

        names = routed_services()
        states = await asyncio.gather(*(answers(name) for name in names))
        return {"service": "gateway", "services": dict(zip(names, states, strict=True))}

    metrics = GatewayMetrics()
    app.add_middleware(TimedRequests, observe=metrics.observe)
    app.get("/metrics", include_in_schema=False)(metrics.render)

    app.include_router(pages.router)

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_document(request: Request) -> dict[str, Any]:
        return await combined_openapi(request.app.state.client, app.openapi())

    @app.get(f"{API_PREFIX}/me", tags=["identity"])
    async def me(authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        """Who the token says you are: group, sites and roles."""
        identity = authenticate(authorization)
        return {
            "user_id": identity.user_id,
            "name": identity.name,
            "group_id": identity.group_id,
            "roles": sorted(identity.roles),
            "site_ids": sorted(identity.site_ids),
            "all_sites": identity.all_sites,
        }

    if settings.local_issuer_enabled:

        @app.post("/auth/dev-token", tags=["identity"])
        async def dev_token(body: DevTokenRequest) -> dict[str, str]:
            """Local development only: a signed token for any user, group, sites and roles."""
            identity = Identity(body.user_id, body.name, body.group_id, frozenset(body.roles), frozenset(body.site_ids))
            return {"access_token": tokens.issue(settings, identity), "token_type": "bearer"}

    app.include_router(integration_router(authenticate))

    @app.api_route(
        f"{API_PREFIX}/sites/{{site_id}}/{{resource}}{{rest:path}}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    async def forward(
        site_id: str,
        resource: str,
        rest: str,
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
    ) -> Response:
        identity = authenticate(authorization)
        service = OWNERS.get(resource)
        if service is None:
            return JSONResponse(error_body("not_found", f"no such resource: {resource}"), status_code=404)
        if not identity.can_see(identity.group_id, site_id):
            raise Forbidden(f"no access to site {site_id}")
        return await _forward(request, service, f"/sites/{site_id}/{resource}{rest}", identity)

    @app.api_route(
        f"{API_PREFIX}/ops/{{service}}/dead-letters{{rest:path}}", methods=["GET", "POST"], include_in_schema=False
    )
    async def dead_letters(
        service: str, rest: str, request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        """A service's dead letters, for the group's administrator (the service checks role and group)."""
        identity = authenticate(authorization)
        if service not in routed_services():
            return JSONResponse(error_body("not_found", f"no such service: {service}"), status_code=404)
        return await _forward(request, service, f"/ops/dead-letters{rest}", identity)

    instrument_app(app)
    return app


def _too_many(retry_after: float) -> JSONResponse:
    return JSONResponse(
        error_body("rate_limited", "too many requests; slow down"),
        status_code=429,
        headers={"Retry-After": str(max(1, round(retry_after)))},
    )


class _RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after


async def _forward(request: Request, service: str, path: str, identity: Identity) -> Response:
    client: httpx.AsyncClient = request.app.state.client
    request_id = request.headers.get(REQUEST_ID_HEADER) or str(uuid.uuid4())
    headers = {k: v for k, v in request.headers.items() if k.lower() in _FORWARDED_REQUEST}
    headers[IDENTITY_HEADER] = issue_internal_token(identity)
    headers[REQUEST_ID_HEADER] = request_id
    # A live stream (server-sent events) is passed through as it comes, with no read timeout.
    streaming = "text/event-stream" in request.headers.get("accept", "")
    try:
        body = await request.body()
    except ClientDisconnect:  # the client left before sending all of it: nothing to forward, no one to answer
        return Response(status_code=499)
    outgoing = client.build_request(
        request.method,
        f"{service_url(service)}{quote(path, safe=_PATH_SAFE)}",
        params=list(request.query_params.multi_items()),
        content=body,
        headers=headers,
        timeout=httpx.Timeout(client.timeout.connect, read=None) if streaming else client.timeout,
    )
    try:
        upstream = await client.send(outgoing, stream=True)
        if not streaming:
            await upstream.aread()
    except httpx.TransportError as error:
        if request.method in _SAFE_METHODS or isinstance(error, _NEVER_SENT):
            # A read, or a request that never left: sending it again is safe.
            return JSONResponse(
                error_body("service_unavailable", f"the {service} service cannot be reached; try again shortly"),
                status_code=503,
                headers={"Retry-After": "2", REQUEST_ID_HEADER: request_id},
            )
        # A command sent, and then no answer: the service may have carried it out (sent again, it
        # would meet its own effect, e.g. 409 already_confirmed). No Retry-After: look first.
        if isinstance(error, httpx.TimeoutException):
            status, code, happened = 504, "service_timeout", f"the {service} service did not answer in time"
        else:
            status, code, happened = 502, "answer_lost", f"the {service} service's answer was lost"
        return JSONResponse(
            error_body(code, f"{happened}; it may have carried out the request: read it back before sending it again"),
            status_code=status,
            headers={REQUEST_ID_HEADER: request_id},
        )
    response_headers = {k: v for k, v in upstream.headers.items() if k.lower() in _FORWARDED_RESPONSE}
    response_headers[REQUEST_ID_HEADER] = request_id
    if streaming and upstream.headers.get("content-type", "").startswith("text/event-stream"):
        return StreamingResponse(
            upstream.aiter_raw(), status_code=upstream.status_code, headers=response_headers,
            background=BackgroundTask(upstream.aclose),
        )  # fmt: skip
    if streaming:  # asked for a stream, answered otherwise (a refusal, an error): a plain body
        await upstream.aread()
    await upstream.aclose()
    return Response(upstream.content, status_code=upstream.status_code, headers=response_headers)


def main_app() -> FastAPI:
    config = load(GatewaySettings)
    configure_tracing("gateway")
    settings = IntegrationSettings.from_env(config)
    return create_app(config=config, integration=Integration(settings) if settings else None)
