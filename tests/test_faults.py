"""Faults under load: `kill -9` of each service in turn while advisors keep booking.

The load (`booking_load`) is advisors booking appointments through the gateway as fast as they
are answered; a client whose request fails (503 while a service is down) retries the same
command with the same id, as a front end does. Afterwards:
- every booking the gateway accepted is in booking's store exactly once, and nothing is twice;
- every consumer's effect happened exactly once: parts holds one oil filter per appointment,
  the advisor board has one card per appointment (neither saw a redelivery twice);
- no read model diverges from a rebuild from zero.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from booking_load import UnderLoad, nothing_lost_nothing_twice, open_desk, rebuild_matches
from dealership import running

from events.testing import eventually
from events.testing.system import RunningSystem

SERVICES = ["booking", "parts", "reception"]


@pytest.fixture(scope="module")
def system() -> Iterator[RunningSystem]:
    with running(SERVICES) as started:
        yield started


async def test_kill_9_of_each_service_under_load_loses_nothing_and_doubles_nothing(
    system: RunningSystem, gateway: httpx.AsyncClient
) -> None:
    desk = await open_desk(gateway)
    async with UnderLoad(desk.load) as load:
        for victim in SERVICES:
            await desk.more_accepted(15)
            system.kill(victim)
            if victim == "booking":  # its clients see retryable errors while it is down

                async def retried() -> int:
                    return load.retried

                await eventually(retried, until=bool, what="a retried request", timeout=30)
            await system.restart(victim)
        await desk.more_accepted(15)
    assert load.unavailable <= {"service_unavailable"}

    await nothing_lost_nothing_twice(system, desk)
    for service in SERVICES:
        await rebuild_matches(system, service)
