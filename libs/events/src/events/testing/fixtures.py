"""pytest fixtures: a real PostgreSQL database and a real Kafka broker for each test.

One server of each per test run. The controlling pytest process starts them before any
xdist worker exists and publishes their addresses as `DATABASE_URL` and
`KAFKA_BOOTSTRAP_SERVERS`, which the workers inherit; set those variables yourself to test
against other servers (Apache Kafka, a managed PostgreSQL). Each test gets its own database,
cloned from a migrated template, and its own topic names; with the local broker, each test module
its own broker (it slows down as topics pile up: testing/servers.py).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack

import asyncpg
import pytest

from events.database import database_url, ensure_database, open_pool
from events.migrations import backbone_migrations, migrate
from events.testing.servers import local_broker, start_test_servers

_servers = ExitStack()


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # an xdist worker inherits the controller's servers
        start_test_servers(_servers)


def pytest_unconfigure(config: pytest.Config) -> None:
    _servers.close()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    return os.environ["DATABASE_URL"]


@pytest.fixture(scope="module", autouse=True)
def _module_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A fresh local broker for each test module, published as KAFKA_BOOTSTRAP_SERVERS while the
    module runs (autouse: before any module fixture that starts a system from the environment)."""
    if os.environ.get("DEALERFLOW_TEST_BROKER") != "local":  # servers the caller gave, or containers
        yield
        return
    shared = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    with ExitStack() as stack:
        os.environ["KAFKA_BOOTSTRAP_SERVERS"] = local_broker(stack, tmp_path_factory.mktemp("broker") / "broker.log")
        try:
            yield
        finally:
            os.environ["KAFKA_BOOTSTRAP_SERVERS"] = shared


@pytest.fixture(scope="module")
def bootstrap_servers(_module_broker: None) -> str:
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
