"""The servers a test run uses: one PostgreSQL and one Kafka-protocol broker.

- `DATABASE_URL` / `KAFKA_BOOTSTRAP_SERVERS` set: those servers, nothing is started;
- `DEALERFLOW_TEST_SERVERS=containers` (where a Docker engine exists): PostgreSQL and Apache
  Kafka containers via testcontainers;
- otherwise (CI, this machine): embedded PostgreSQL and the local Tansu broker.

The addresses are published in the environment, so every process of the run sees them.

The local broker keeps every topic of every test in memory and slows down as they pile up (a
suite ran three times slower at the end of a full run than alone), and holds each group join for
half the session timeout. So a broker this module starts is marked `DEALERFLOW_TEST_BROKER=local`
(the fixtures then give each test module a fresh one), and its clients' group timeouts are
shortened: a join waits one second instead of three.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path

from events.local import LocalBroker, LocalPostgres

LOCAL_BROKER = "DEALERFLOW_TEST_BROKER"
# Heartbeats at a quarter of the session: a member is dropped only after four missed in a row.
_LOCAL_GROUP_TIMEOUTS = {"KAFKA_SESSION_TIMEOUT_MS": "2000", "KAFKA_HEARTBEAT_INTERVAL_MS": "500"}


def start_test_servers(stack: ExitStack, *, broker: bool = True) -> None:
    """Start what is missing; `stack` stops it. Sets DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS
    (the latter only with `broker`: the suites' runner leaves each suite its own)."""
    containers = os.environ.get("DEALERFLOW_TEST_SERVERS") == "containers"
    folder = Path(tempfile.mkdtemp(prefix="dealerflow-tests-"))
    # Registered first, so it runs last: after the servers in it have stopped. A run's database
    # files are a gigabyte or two; left behind, a few hundred runs filled this machine's disk.
    stack.callback(shutil.rmtree, folder, ignore_errors=True)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = _postgres_container(stack) if containers else _local_postgres(stack, folder)
    if broker and not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        if containers:
            os.environ["KAFKA_BOOTSTRAP_SERVERS"] = _kafka_container(stack)
        else:
            os.environ["KAFKA_BOOTSTRAP_SERVERS"] = local_broker(stack, folder / "broker.log")
            os.environ[LOCAL_BROKER] = "local"
            for name, value in _LOCAL_GROUP_TIMEOUTS.items():
                os.environ.setdefault(name, value)


def _local_postgres(stack: ExitStack, folder: Path) -> str:
    return stack.enter_context(LocalPostgres(folder / "pgdata", durable=False)).url


def local_broker(stack: ExitStack, log_file: Path) -> str:
    return stack.enter_context(LocalBroker(log_file=log_file)).bootstrap_servers


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
