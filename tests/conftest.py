"""The cross-service tests' shared fixtures. Each module starts its own system (a module-scoped
`system` fixture naming the services it needs); `gateway` is a client of that system's gateway."""

from collections.abc import AsyncIterator

import httpx
import pytest

from events.testing.system import RunningSystem

# `browser`: the desk's browser tests' fixtures (a module without `started` never asks for them).
pytest_plugins = ["events.testing.fixtures", "browser", "receivers"]


@pytest.fixture
async def gateway(system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.gateway_url, timeout=30) as client:
        yield client
