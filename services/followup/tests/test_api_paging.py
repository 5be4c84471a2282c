"""The callback queue and the customer files page by cursor: walked by their `Link` header, every
row comes once, in the list's order; a cursor the list did not hand out is a 422."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from api_helpers import AGENT, SITE, START, Environment, Followup, customer, delivered

from events.clock import ManualClock
from events.testing import eventually, kafka_for_tests
from events.testing.lists import walk
from events.testing.publishing import Publisher


@pytest.fixture
async def followup(
    database: str, postgres_url: str, bootstrap_servers: str, topic_prefix: str
) -> AsyncIterator[Followup]:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    async with Environment(database, kafka, Publisher(postgres_url, kafka)).running(ManualClock(START)) as service:
        yield service


async def _listed(followup: Followup, path: str, count: int) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = (await followup.http.get(path, headers=AGENT)).json()
        return rows

    return await eventually(probe, until=lambda rows: len(rows) == count, what=path)


async def test_the_callback_queue_and_the_customer_files_are_walked_to_their_end(followup: Followup) -> None:
    # Three cars delivered at one moment: equal due times, ordered (and paged) by callback id.
    for n in range(5):
        at = START + timedelta(hours=0 if n < 3 else n)
        await followup.publish(f"repair_order-{uuid.uuid4()}", delivered(uuid.uuid4(), customer(), at=at))
    queue = await _listed(followup, f"/sites/{SITE}/callbacks?status=open", 5)
    files = await _listed(followup, f"/sites/{SITE}/customer-files", 5)

    callback_pages = await walk(followup.http, f"/sites/{SITE}/callbacks?status=open&limit=2", AGENT)
    file_pages = await walk(followup.http, f"/sites/{SITE}/customer-files?limit=2", AGENT)

    assert [len(page) for page in callback_pages] == [2, 2, 1]
    assert [row["callback_id"] for page in callback_pages for row in page] == [row["callback_id"] for row in queue]
    assert len({row["callback_id"] for row in queue}) == 5
    assert [len(page) for page in file_pages] == [2, 2, 1]
    assert [row["file_id"] for page in file_pages for row in page] == [row["file_id"] for row in files]
    assert len({row["file_id"] for row in files}) == 5


@pytest.mark.parametrize("path", ["callbacks", "customer-files"])
async def test_a_cursor_the_list_did_not_hand_out_is_422(followup: Followup, path: str) -> None:
    response = await followup.http.get(f"/sites/{SITE}/{path}?cursor=e30", headers=AGENT)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_cursor"
    assert (await followup.http.get(f"/sites/{SITE}/{path}?limit=501", headers=AGENT)).status_code == 422
