"""pytest fixtures: a real PostgreSQL database and a real Kafka broker for each test.

One server of each per test run. The controlling pytest process starts them before any
xdist worker exists and publishes their addresses as `DATABASE_URL` and
`KAFKA_BOOTSTRAP_SERVERS`, which the workers inherit; set those variables yourself to test
against other servers (Apache Kafka, a managed PostgreSQL). Each test gets its own database,
cloned from a migrated template, and its own topic names.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from events.database import database_url, ensure_database, open_pool
from events.local import LocalBroker, LocalPostgres
from events.migrations import backbone_migrations, migrate

_started: list[LocalPostgres | LocalBroker] = []


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller has started the servers
    folder = Path(tempfile.mkdtemp(prefix="dealerflow-test-"))
    if not os.environ.get("DATABASE_URL"):
        postgres = LocalPostgres(folder / "pgdata", durable=False)
        os.environ["DATABASE_URL"] = postgres.start()
        _started.append(postgres)
    if not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        broker = LocalBroker(log_file=folder / "broker.log")
        os.environ["KAFKA_BOOTSTRAP_SERVERS"] = broker.start()
        _started.append(broker)


def pytest_unconfigure(config: pytest.Config) -> None:
    while _started:
        _started.pop().stop()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    return os.environ["DATABASE_URL"]


@pytest.fixture(scope="session")
def bootstrap_servers() -> str:
    return os.environ["KAFKA_BOOTSTRAP_SERVERS"]


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[str]:
    """The URL of a fresh database with the backbone's tables, dropped after the test."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    url = await ensure_database(postgres_url, name)
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn, backbone_migrations())
    finally:
        await conn.close()
    yield url
    admin = await asyncpg.connect(database_url(postgres_url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database, max_size=30)
    yield pool
    await pool.close()


@pytest.fixture
def topic_prefix() -> str:
    """A prefix that keeps one test's topics apart from every other test's."""
    return f"t{uuid.uuid4().hex[:10]}"
