"""The gateway's HTTP app: authenticate, scope, limit, forward. The pieces live in their own
modules (`auth`: who is calling; `proxy`: forwarding to the owning service; `pages`;
`integration`); this one puts them together."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request

from events.http import install_error_handlers
from events.metrics import TimedRequests
from events.settings import load
from events.tracing import configure_tracing, instrument_app
from gateway import contract_files, dev_identity, docs, documents, pages, sites, tokens
from gateway.auth import Authenticator, dev_token_router, identity_router, install_authentication
from gateway.integration.api import integration_router
from gateway.integration.runtime import Integration, IntegrationSettings
from gateway.metrics import GatewayMetrics
from gateway.openapi import combined_openapi
from gateway.proxy import proxy_router
from gateway.public import public_router
from gateway.rate_limit import RateLimiter
from gateway.routing import service_url
from gateway.routing import services as routed_services
from gateway.settings import GatewaySettings


def create_app(
    *,
    config: GatewaySettings | None = None,
    token_settings: tokens.TokenSettings | None = None,
    limiter: RateLimiter | None = None,
    public_limiter: RateLimiter | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    integration: Integration | None = None,
    identity_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    config = config or load(GatewaySettings)
    settings = token_settings or tokens.TokenSettings.from_env(config)
    limiter = limiter or RateLimiter(rate_per_second=config.gateway_rate_per_second, burst=config.gateway_rate_burst)
    # Refused tokens, per client address: guessing them is slowed down.
    refusals = RateLimiter(rate_per_second=config.gateway_refusals_per_second, burst=config.gateway_refusal_burst)
    # Customers' links (gateway.public), per client address.
    public_limiter = public_limiter or RateLimiter(
        rate_per_second=config.gateway_public_rate_per_second, burst=config.gateway_public_rate_burst
    )
    # identity_transport: how OpenID providers' keys are fetched (None: the network).
    authenticate = Authenticator(
        settings,
        limiter,
        transport=identity_transport,
        refresh_seconds=config.gateway_oidc_jwks_refresh_seconds,
        max_age_seconds=config.gateway_oidc_jwks_max_age_seconds,
    )

    app = FastAPI(
        title="dealerflow gateway",
        lifespan=_lifespan(transport, integration),
        openapi_url="/gateway-openapi.json",
        docs_url=None,  # gateway.docs: the combined document, without a CDN
        redoc_url=None,
    )
    install_error_handlers(app)
    install_authentication(app, authenticate, refusals)
    app.include_router(_health_router)
    metrics = GatewayMetrics()
    app.add_middleware(TimedRequests, observe=metrics.observe)
    app.get("/metrics", include_in_schema=False)(metrics.render)
    app.include_router(pages.router)
    app.include_router(_openapi_router)
    app.include_router(docs.router)
    app.include_router(contract_files.router)
    app.include_router(identity_router)
    app.include_router(sites.router)
    if settings.local_issuer_enabled:
        app.include_router(dev_token_router)
    if config.local:
        dev_identity.install(app, config, authenticate)  # the development OpenID provider
    app.include_router(integration_router(authenticate))
    documents.install(app)  # before the proxy's catch-all, which would take its path
    app.state.public_limiter = public_limiter
    app.include_router(public_router)
    app.include_router(proxy_router)
    instrument_app(app)
    return app


def _lifespan(
    transport: httpx.AsyncBaseTransport | None, integration: Integration | None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
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

    return lifespan


_health_router = APIRouter(include_in_schema=False)


@_health_router.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@_health_router.get("/health/ready")
async def ready(request: Request) -> dict[str, Any]:
    """Ready to route: the gateway itself needs nothing else (a service that is down gets 503 per
    request); which services answer is reported for the operator."""
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


_openapi_router = APIRouter(include_in_schema=False)


@_openapi_router.get("/openapi.json")
async def openapi_document(request: Request) -> dict[str, Any]:
    """The gateway's own operations and every service's, as one document."""
    app: FastAPI = request.app
    return await combined_openapi(app.state.client, app.openapi())


def main_app() -> FastAPI:
    config = load(GatewaySettings)
    configure_tracing("gateway")
    settings = IntegrationSettings.from_env(config)
    return create_app(config=config, integration=Integration(settings) if settings else None)
