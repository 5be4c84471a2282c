"""The catalogue's fixtures: the service on a real PostgreSQL and broker (`service`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from api_helpers import START, Service

from catalogue.app import create_app
from events.clock import ManualClock
from events.kafka import KafkaSettings
from events.testing import consumers_assigned, kafka_for_tests

pytest_plugins = ["events.testing.fixtures"]


@pytest.fixture
def kafka(bootstrap_servers: str, topic_prefix: str) -> KafkaSettings:
    return kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")


@pytest.fixture
async def service(database: str, kafka: KafkaSettings) -> AsyncIterator[Service]:
    clock = ManualClock(START)
    app = create_app(clock=clock, database_url=database, kafka=kafka)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://c") as http:
        await consumers_assigned(app)
        yield Service(http, clock, app)
