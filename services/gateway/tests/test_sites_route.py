"""`GET /api/v1/sites`: the caller's sites with their names, answered by booking's site directory
with the caller's identity (the one read not below a site); no token, no answer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from gateway_helpers import gateway_over
from test_gateway import bearer, upstream_app

from gateway.rate_limit import RateLimiter


@pytest.fixture
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_over(upstream_app(), RateLimiter(rate_per_second=10, burst=10)) as client:
        yield client


async def test_the_callers_sites_are_asked_of_booking_with_their_identity(gateway: httpx.AsyncClient) -> None:
    answered = await gateway.get("/api/v1/sites", headers=bearer(user="admin-1", group="g7", roles=("group_admin",)))
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert (body["path"], body["user"], body["group"]) == ("/sites", "admin-1", "g7")
    assert (await gateway.get("/api/v1/sites")).status_code == 401
