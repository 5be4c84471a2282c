"""The portal's tests: the portal app in-process, its calls to the gateway's public API answered
by `GatewayStandIn` (the few public routes a test needs, in one app: a stand-in for the gateway,
not a mock of our storage). Booking's own rules are tested in booking's suite; the pages in a
browser against the whole system in tests/test_portal_booking.py."""

from collections.abc import AsyncIterator

import httpx
import pytest
from portal_helpers import PUBLIC_URL, GatewayStandIn, portal_client

from portal.settings import PortalSettings


@pytest.fixture
def gateway() -> GatewayStandIn:
    return GatewayStandIn()


@pytest.fixture
async def portal(gateway: GatewayStandIn) -> AsyncIterator[httpx.AsyncClient]:
    settings = PortalSettings(portal_url=PUBLIC_URL, gateway_url="http://gateway")
    async with portal_client(settings, gateway) as client:
        yield client
