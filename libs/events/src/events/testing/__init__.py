"""Test support: real PostgreSQL and Kafka for tests, and small waiting helpers.

Load the fixtures with `pytest_plugins = ["events.testing.fixtures"]` in a conftest."""

from typing import Any

from events.kafka import KafkaSettings
from events.testing.waiting import consumers_assigned, eventually, log_settled

__all__ = ["consumers_assigned", "eventually", "kafka_for_tests", "log_settled"]


def kafka_for_tests(**values: Any) -> KafkaSettings:
    """Kafka settings for a test's own clients and in-process apps: `values` over the environment's,
    so that what the runner chose for its broker (shorter group timeouts, testing/servers.py)
    applies to them as to the services it starts."""
    return KafkaSettings.from_env(**values)
