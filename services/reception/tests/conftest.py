"""The fixtures of reception's HTTP tests: the app on a real PostgreSQL and broker, its
catalogue stand-in, and the workshop's and billing's events published as those services do.
A test module that needs the app built otherwise defines its own `api`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from catalogue_stand_in import CatalogueStandIn

from events.kafka import KafkaSettings
from events.testing import consumers_assigned, kafka_for_tests
from events.testing.publishing import Publisher
from reception.app import create_app

pytest_plugins = ["events.testing.fixtures"]


@pytest.fixture
def kafka(bootstrap_servers: str, topic_prefix: str) -> KafkaSettings:
    return kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")


@pytest.fixture
def workshop(postgres_url: str, kafka: KafkaSettings) -> Publisher:
    """Publishes the workshop's events, as the workshop service would."""
    return Publisher(postgres_url, kafka)


@pytest.fixture
def billing(postgres_url: str, kafka: KafkaSettings) -> Publisher:
    """Publishes billing's events, as the billing service would."""
    return Publisher(postgres_url, kafka)


@pytest.fixture
def catalogue() -> CatalogueStandIn:
    return CatalogueStandIn()


@pytest.fixture
async def api(database: str, kafka: KafkaSettings, catalogue: CatalogueStandIn) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(database_url=database, kafka=kafka, peers=catalogue.peers())
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://r") as client:
        await consumers_assigned(app)
        yield client
