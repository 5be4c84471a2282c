"""The operator's command (`dealerflow`, docs/operations.md) as an operator runs it: a separate
process against a running booking service with data, rebuilding a read model beside the live
one and reporting that the two are equal."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from dealership import CAPACITY, book, login, running

from events.testing import eventually
from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
DEALERFLOW = Path(sys.executable).parent / "dealerflow"  # the console script of libs/events


@pytest.fixture(scope="module")
def system() -> Iterator[RunningSystem]:
    with running(["booking"]) as started:
        yield started


def dealerflow(system: RunningSystem, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": system.database("booking"),
        "KAFKA_TOPIC_PREFIX": f"e2e{system.run_id}.",
    }
    return subprocess.run([str(DEALERFLOW), *args], env=env, capture_output=True, text=True, timeout=120)


async def test_the_command_rebuilds_a_read_model_of_a_running_service_and_reports_it_equal(
    system: RunningSystem, gateway: httpx.AsyncClient
) -> None:
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    dispatcher = await login(gateway, GROUP, SITE, "dispatcher")
    await dispatcher.ok("PUT", "capacity", CAPACITY)
    appointment = await book(advisor)
    await advisor.ok("POST", f"appointments/{appointment['appointment_id']}/confirm", {"confirmation": "day_before"})
    database = await asyncpg.connect(system.database("booking"))
    try:
        await eventually(
            lambda: database.fetchval("SELECT cardinality(confirmations) FROM appointments"),
            until=lambda confirmations: confirmations == 1,
            what="the appointment confirmed on the advisor's list",
        )
    finally:
        await database.close()

    listed = dealerflow(system, "rebuild", "--list", "booking")
    assert listed.returncode == 0, listed.stderr
    assert "booking.appointments" in listed.stdout
    assert "booking.service_history" in listed.stdout, "the read models fed from other services' topics too"

    rebuilt = dealerflow(system, "rebuild", "booking", "booking.appointments")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "booking.appointments: rebuilt from" in rebuilt.stdout
    assert "EQUAL to the live one" in rebuilt.stdout
    assert "= appointments: live 1 rows, rebuilt 1" in rebuilt.stdout
    assert "events read" in rebuilt.stderr, "progress is shown"

    status = dealerflow(system, "migrations", "booking", "status")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "booking/0001_read_models.sql" in status.stdout
    assert "changed" not in status.stdout

    unknown = dealerflow(system, "rebuild", "booking", "booking.nothing")
    assert unknown.returncode == 2
    assert "booking.appointments" in unknown.stderr, "the error names the read models there are"
