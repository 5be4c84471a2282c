"""The fixtures of notifications' HTTP tests: the service on a real PostgreSQL and broker, beside
the outside parties' stand-ins (their SMS, e-mail and WeChat receivers) for the test module."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from notifications_service import Service, running

import standins
from events.kafka import KafkaSettings
from events.local.ports import free_port
from events.testing import kafka_for_tests

pytest_plugins = ["events.testing.fixtures"]


@pytest.fixture(scope="module")
def standins_url() -> Iterator[str]:
    with standins.running(free_port()) as url:
        yield url


@pytest.fixture
def kafka(bootstrap_servers: str, topic_prefix: str) -> KafkaSettings:
    return kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")


@pytest.fixture
async def service(database: str, kafka: KafkaSettings, postgres_url: str, standins_url: str) -> AsyncIterator[Service]:
    async with running(database, kafka, postgres_url, standins_url) as started:
        yield started
