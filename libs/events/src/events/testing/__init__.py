"""Test support: real PostgreSQL and Kafka for tests, and small waiting helpers.

Load the fixtures with `pytest_plugins = ["events.testing.fixtures"]` in a conftest."""

from events.testing.waiting import consumers_assigned, eventually, log_settled

__all__ = ["consumers_assigned", "eventually", "log_settled"]
