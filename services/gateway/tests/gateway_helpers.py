"""What the gateway's tests share: the user-token settings they sign with, and the gateway in
front of a stand-in service, spoken to in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from gateway import tokens
from gateway.app import create_app
from gateway.rate_limit import RateLimiter

SECRET = "test-user-token-secret-of-enough-length"
SETTINGS = tokens.TokenSettings(secret=SECRET, public_key=None, issuer=None)


@asynccontextmanager
async def gateway_over(service: FastAPI, limiter: RateLimiter) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a gateway whose every service is `service`."""
    app = create_app(token_settings=SETTINGS, limiter=limiter, transport=httpx.ASGITransport(app=service))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client
