"""Who is calling: a bearer token verified and counted against its user's rate, refused tokens
slowed down per client address, and the identity routes (`/me`, the local development issuer)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

from events.http import error_body
from events.identity import ROLES, Identity, Unauthenticated
from gateway import tokens
from gateway.oidc_keys import IssuerKeys, KeysUnavailable
from gateway.rate_limit import RateLimiter
from gateway.routing import API_PREFIX


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after


def too_many(retry_after: float) -> JSONResponse:
    return JSONResponse(
        error_body("rate_limited", "too many requests; slow down"),
        status_code=429,
        headers={"Retry-After": str(max(1, round(retry_after)))},
    )


class Authenticator:
    """The identity a bearer token carries, once its user is within the rate. A token naming a
    trusted OpenID provider as its issuer is verified with that provider's published keys; any
    other with the key in the settings."""

    def __init__(
        self,
        settings: tokens.TokenSettings,
        limiter: RateLimiter,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        refresh_seconds: float = 30.0,
        max_age_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.limiter = limiter
        self._key_options: dict[str, Any] = {
            "refresh_seconds": refresh_seconds,
            "max_age_seconds": max_age_seconds,
            "clock": clock,
        }
        self.providers: dict[str, tuple[tokens.OidcIssuer, IssuerKeys]] = {}
        for issuer in settings.oidc:
            self.trust(issuer, transport)

    def trust(self, issuer: tokens.OidcIssuer, transport: httpx.AsyncBaseTransport | None = None) -> None:
        """Accept `issuer`'s tokens, its keys fetched through `transport` (None: the network)."""
        keys = IssuerKeys(issuer.issuer, transport=transport, **self._key_options)
        self.providers[issuer.issuer] = (issuer, keys)

    async def __call__(self, authorization: str | None) -> Identity:
        token = tokens.bearer_token(authorization)
        provider = self.providers.get(tokens.issuer_of(token) or "")
        if provider is not None:
            identity = await tokens.verify_oidc(*provider, token)
        else:
            identity = tokens.verify(self.settings, authorization)
        allowed, retry_after = self.limiter.allow(identity.user_id)
        if not allowed:
            raise RateLimited(retry_after)
        return identity


def install_authentication(app: FastAPI, authenticate: Authenticator, refusals: RateLimiter) -> None:
    """`caller` authenticates through `authenticate`; refused tokens answer 401 until an address
    has presented too many of them (`refusals`), then 429."""
    app.state.authenticate = authenticate
    app.state.refusals = refusals
    app.exception_handler(Unauthenticated)(_unauthenticated)
    app.exception_handler(RateLimited)(_rate_limited)
    app.exception_handler(KeysUnavailable)(_keys_unavailable)


async def caller(request: Request, authorization: Annotated[str | None, Header()] = None) -> Identity:
    # Async, so that the rate limiters are only ever touched from the event loop.
    authenticate: Authenticator = request.app.state.authenticate
    return await authenticate(authorization)


Caller = Annotated[Identity, Depends(caller)]


async def _unauthenticated(request: Request, error: Unauthenticated) -> JSONResponse:
    """401; but an address that keeps presenting tokens the gateway refuses gets 429 (its valid
    tokens are still served: a dealership's users share one address)."""
    refusals: RateLimiter = request.app.state.refusals
    allowed, retry_after = refusals.allow(request.client.host if request.client else "unknown")
    if not allowed:
        return too_many(retry_after)
    return JSONResponse(error_body(error.code, str(error)), status_code=401)


async def _rate_limited(_: Request, error: RateLimited) -> JSONResponse:
    return too_many(error.retry_after)


async def _keys_unavailable(_: Request, error: KeysUnavailable) -> JSONResponse:
    # The token may well be good: the provider's keys could not be had. Not a refusal.
    return JSONResponse(error_body(error.code, str(error)), status_code=503, headers={"Retry-After": "5"})


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


identity_router = APIRouter(tags=["identity"])


@identity_router.get(f"{API_PREFIX}/me")
async def me(identity: Caller) -> dict[str, Any]:
    """Who the token says you are: group, sites and roles."""
    return {
        "user_id": identity.user_id,
        "name": identity.name,
        "group_id": identity.group_id,
        "roles": sorted(identity.roles),
        "site_ids": sorted(identity.site_ids),
        "all_sites": identity.all_sites,
    }


# Included only where the local issuer is enabled (DEALERFLOW_ENV=local).
dev_token_router = APIRouter(tags=["identity"])


@dev_token_router.post("/auth/dev-token")
async def dev_token(body: DevTokenRequest, request: Request) -> dict[str, str]:
    """Local development only: a signed token for any user, group, sites and roles."""
    authenticate: Authenticator = request.app.state.authenticate
    identity = Identity(body.user_id, body.name, body.group_id, frozenset(body.roles), frozenset(body.site_ids))
    return {"access_token": tokens.issue(authenticate.settings, identity), "token_type": "bearer"}
