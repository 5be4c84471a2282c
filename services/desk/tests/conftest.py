"""The desk's tests: the desk app in-process on a real PostgreSQL database, its calls to the
identity provider and the gateway answered by `provider_stand_in` (a minimal OpenID provider and
the few API routes the desk reads, in one app: a stand-in for the outside party, not a mock of
our storage). The browser tests against the real gateway's development provider are in
tests/test_desk_*.py."""

from collections.abc import AsyncIterator

import httpx
import pytest
from desk_helpers import PUBLIC_URL, StandIn, desk_client

from desk.settings import DeskSettings

pytest_plugins = ["events.testing.fixtures"]


@pytest.fixture
def stand_in() -> StandIn:
    return StandIn()


@pytest.fixture
async def desk(database: str, stand_in: StandIn) -> AsyncIterator[httpx.AsyncClient]:
    settings = DeskSettings(database_url=database, desk_public_url=PUBLIC_URL, desk_gateway_url="http://gateway")
    async with desk_client(settings, stand_in) as client:
        yield client
