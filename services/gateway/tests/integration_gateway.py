"""A gateway with its integration feed for tests that choose its mode and its resolver: the
webhook destination tests (which move names) and the Standard Webhooks interoperation test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from ipaddress import IPv4Address, IPv6Address, ip_address

import httpx
from test_integration_delivery import SETTINGS, Harness

from events.testing import kafka_for_tests
from gateway.app import create_app
from gateway.integration.addresses import AddressPolicy
from gateway.integration.backoff import RetryPolicy
from gateway.integration.delivery import DeliverySettings
from gateway.integration.runtime import Integration, IntegrationSettings


class MovableDns:
    """Names (`<name>.test`) the test points where it likes, and can move; unknown names do
    not resolve."""

    def __init__(self, **answers: str) -> None:
        self.answers = {name.replace("_", "-") + ".test": address for name, address in answers.items()}
        self.lookups: list[str] = []

    async def __call__(self, host: str, port: int) -> Sequence[IPv4Address | IPv6Address]:
        self.lookups.append(host)
        if host not in self.answers:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        return [ip_address(self.answers[host])]


Gateway = Callable[..., AbstractAsyncContextManager[Harness]]


def integration_gateway(database: str, bootstrap_servers: str, topic_prefix: str) -> Gateway:
    """Starts a gateway in the mode and with the resolver given (retries fast, as in tests);
    `transport`, for the webhook calls (one that trusts a test's certificate)."""

    @asynccontextmanager
    async def started(
        policy: AddressPolicy, dns: MovableDns, transport: httpx.AsyncBaseTransport | None = None
    ) -> AsyncIterator[Harness]:
        kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
        settings = IntegrationSettings(
            database_url=database,
            kafka=kafka,
            delivery=DeliverySettings(
                retry=RetryPolicy(first_delay=0.05, max_delay=0.2, max_age=120), timeout=5, poll_interval=0.05
            ),
            services=("reception",),
            address_policy=policy,
        )
        integration = Integration(settings, transport=transport, resolver=dns)
        app = create_app(token_settings=SETTINGS, integration=integration)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client,
        ):
            yield Harness(client, kafka)

    return started
