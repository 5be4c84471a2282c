"""The servers a test run uses: one PostgreSQL and one Kafka-protocol broker.

- `DATABASE_URL` / `KAFKA_BOOTSTRAP_SERVERS` set: those servers, nothing is started;
- `DEALERFLOW_TEST_SERVERS=containers` (where a Docker engine exists): PostgreSQL and Apache
  Kafka containers via testcontainers;
- otherwise (CI, this machine): embedded PostgreSQL and the local Tansu broker.

The addresses are published in the environment, so every process of the run sees them.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import ExitStack
from pathlib import Path

from events.local import LocalBroker, LocalPostgres


def start_test_servers(stack: ExitStack) -> None:
    """Start what is missing; `stack` stops it. Sets DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS."""
    containers = os.environ.get("DEALERFLOW_TEST_SERVERS") == "containers"
    folder = Path(tempfile.mkdtemp(prefix="dealerflow-tests-"))
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = _postgres_container(stack) if containers else _local_postgres(stack, folder)
    if not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        os.environ["KAFKA_BOOTSTRAP_SERVERS"] = _kafka_container(stack) if containers else _local_broker(stack, folder)


def _local_postgres(stack: ExitStack, folder: Path) -> str:
    return stack.enter_context(LocalPostgres(folder / "pgdata", durable=False)).url


def _local_broker(stack: ExitStack, folder: Path) -> str:
    return stack.enter_context(LocalBroker(log_file=folder / "broker.log")).bootstrap_servers


def _postgres_container(stack: ExitStack) -> str:
    from testcontainers.postgres import PostgresContainer

    container = stack.enter_context(PostgresContainer("postgres:17", driver=None))
    return str(container.get_connection_url())


def _kafka_container(stack: ExitStack) -> str:
    from testcontainers.kafka import KafkaContainer

    # Apache Kafka supports the idempotent producer: test with it on, as deploy/ runs it.
    os.environ.setdefault("KAFKA_ENABLE_IDEMPOTENCE", "true")
    container = stack.enter_context(KafkaContainer("apache/kafka:3.9.0").with_kraft())
    return str(container.get_bootstrap_server())
