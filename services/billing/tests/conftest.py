from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from billing_service import START, Service, running

from events.clock import ManualClock
from events.kafka import KafkaSettings
from events.testing import kafka_for_tests

pytest_plugins = ["events.testing.fixtures"]


@pytest.fixture
def kafka(bootstrap_servers: str, topic_prefix: str) -> KafkaSettings:
    return kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")


@pytest.fixture
async def service(database: str, kafka: KafkaSettings) -> AsyncIterator[Service]:
    async with running(database, kafka, ManualClock(START)) as started:
        yield started
