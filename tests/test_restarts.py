"""The database and the broker restart under load (on servers of this module's own: the shared
test servers serve the other suites meanwhile).

- PostgreSQL stops and starts again: while it is down the desk gets clear retryable answers
  (503 `database_unavailable`, or `service_unavailable`), the services reconnect by themselves,
  and no accepted booking is lost or doubled.
- The broker restarts empty (the local broker keeps nothing): the relays republish every event
  of their logs (decision 0002), the consumers' inboxes drop what they already handled, so each
  effect is still there exactly once — and what is booked afterwards flows as before.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from booking_load import UnderLoad, nothing_lost_nothing_twice, open_desk
from dealership import running

from events.local import LocalBroker, LocalPostgres
from events.testing import eventually
from events.testing.system import RunningSystem, logs_folder

SERVICES = ["booking", "parts", "reception"]


class OwnServers:
    """A PostgreSQL server and a broker for this module alone, restartable at will."""

    def __init__(self) -> None:
        self.folder = logs_folder() / f"restarts-broker-{os.getpid()}"  # the broker's log kept with the services'
        self.folder.mkdir(parents=True, exist_ok=True)
        self.data = Path(tempfile.mkdtemp(prefix="dealerflow-restarts-"))
        self.postgres = LocalPostgres(self.data / "postgres", durable=False)
        self.broker = LocalBroker(log_file=self.folder / "broker.log")

    def restart_broker_empty(self) -> None:
        self.broker.stop()
        self.broker = LocalBroker(port=self.broker.port, log_file=self.folder / "broker.log")
        self.broker.start()


@pytest.fixture(scope="module")
def servers() -> Iterator[OwnServers]:
    own = OwnServers()
    shared = {name: os.environ.get(name) for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")}
    os.environ["DATABASE_URL"] = own.postgres.start()
    os.environ["KAFKA_BOOTSTRAP_SERVERS"] = own.broker.start()
    try:
        yield own
    finally:
        own.broker.stop()
        own.postgres.stop()
        shutil.rmtree(own.data, ignore_errors=True)  # a gigabyte of database files per run
        for name, value in shared.items():
            if value is not None:
                os.environ[name] = value


@pytest.fixture(scope="module")
def system(servers: OwnServers) -> Iterator[RunningSystem]:
    with running(SERVICES) as started:
        yield started


async def test_a_database_restart_under_load_loses_nothing_and_clients_are_told_to_retry(
    system: RunningSystem, servers: OwnServers, gateway: httpx.AsyncClient
) -> None:
    desk = await open_desk(gateway)
    async with UnderLoad(desk.load) as load:
        await desk.more_accepted(15)
        servers.postgres.stop()

        async def refused() -> set[str]:
            return load.unavailable

        await eventually(refused, until=bool, what="a retryable answer while the database is down", timeout=60)
        servers.postgres.start()
        await desk.more_accepted(15)
    assert load.unavailable <= {"database_unavailable", "service_unavailable"}, load.unavailable
    await nothing_lost_nothing_twice(system, desk)


async def test_a_broker_that_restarts_empty_costs_no_effect_twice_and_none_lost(
    system: RunningSystem, servers: OwnServers, gateway: httpx.AsyncClient
) -> None:
    desk = await open_desk(gateway)
    async with UnderLoad(desk.load):
        await desk.more_accepted(15)
        servers.restart_broker_empty()
        await desk.more_accepted(15)
    await nothing_lost_nothing_twice(system, desk)
