"""The complaint desk pages by cursor: walked by its `Link` header, every complaint comes once, in
the desk's order (breached first, then by deadline, ties by complaint id); a cursor it did not
hand out, or a limit outside 1-500, is a 422."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from test_api import BASE, CS, START, Service, running

from events.clock import ManualClock
from events.paging import Key, Listing
from events.testing import kafka_for_tests
from events.testing.lists import walk


@pytest.fixture
async def desk(database: str, bootstrap_servers: str, topic_prefix: str) -> AsyncIterator[Service]:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    async with running(database, kafka, ManualClock(START)) as started:
        yield started


async def test_the_desk_is_walked_page_by_page_to_its_end(desk: Service) -> None:
    # Three at one moment share a deadline: their order, and the cursor, rest on the complaint id.
    received = [await desk.receive() for _ in range(3)]
    desk.clock.advance(timedelta(hours=1))
    received += [await desk.receive() for _ in range(2)]
    await desk.receive(kind="general_grievance")  # filtered out below: the filter rides along in the Link
    whole = await desk.desk(lambda rows: len(rows) == 6)
    expected = [row["complaint_id"] for row in whole if row["kind"] == "complaint"]
    assert sorted(expected) == sorted(r["complaint_id"] for r in received)

    pages = await walk(desk.http, f"{BASE}?kind=complaint&limit=2", CS)

    assert [len(page) for page in pages] == [2, 2, 1]
    assert [row["complaint_id"] for page in pages for row in page] == expected


async def test_the_last_full_page_has_no_link(desk: Service) -> None:
    for _ in range(2):
        await desk.receive()
    await desk.desk(lambda rows: len(rows) == 2)
    first = await desk.http.get(f"{BASE}?limit=1", headers=CS)
    assert first.headers["link"].startswith("<?cursor="), "one more row waits"
    assert (await desk.http.get(f"{BASE}?limit=2", headers=CS)).headers.get("link") is None


@pytest.mark.parametrize(
    "query",
    [
        "cursor=bm90IGEgY3Vyc29y",
        "cursor=%%%",
        "cursor=" + Listing("callbacks.queue", (Key("id", uuid.UUID, nullable=False),)).cursor({"id": uuid.uuid4()}),
    ],
)
async def test_a_cursor_the_desk_did_not_hand_out_is_422(desk: Service, query: str) -> None:
    response = await desk.http.get(f"{BASE}?{query}", headers=CS)
    assert response.status_code == 422, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == "invalid_cursor"
    assert [field["field"] for field in error["fields"]] == ["query.cursor"]


@pytest.mark.parametrize("limit", ["0", "501", "many"])
async def test_a_limit_outside_1_to_500_is_422(desk: Service, limit: str) -> None:
    response = await desk.http.get(f"{BASE}?limit={limit}", headers=CS)
    assert response.status_code == 422, response.text
    assert [field["field"] for field in response.json()["error"]["fields"]] == ["query.limit"]
