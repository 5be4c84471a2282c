"""The parts counter's live stream over HTTP, on a real PostgreSQL and broker: only the stores'
people at the site may follow it, and a job's parts request is announced to the site's stream
once the stock read model holds it (what the counter's pick list reads again on it)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from test_api import GROUP_A, SITE_1, SITE_2, clerk

from events.identity import ADVISOR, DISPATCHER, SERVICE_MANAGER, TECHNICIAN, Identity
from events.site_changes import SiteChanges
from events.testing import kafka_for_tests
from events.testing.identity import identity_headers
from parts.app import create_app

STREAM = f"/sites/{SITE_1}/stock/stream"
LISTEN = {"Accept": "text/event-stream"}


def as_(role: str, site: str = SITE_1) -> dict[str, str]:
    return identity_headers(Identity(f"{role}-1", "Li Na", GROUP_A, frozenset({role}), frozenset({site})))


@pytest.fixture
async def parts(
    database: str, bootstrap_servers: str, topic_prefix: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    app = create_app(
        database_url=database,
        kafka=kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}."),
    )
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://p") as client:
        yield client, app


async def test_only_the_stores_people_at_the_site_may_follow_it(parts: tuple[httpx.AsyncClient, Any]) -> None:
    api, _ = parts
    for role in (ADVISOR, TECHNICIAN, DISPATCHER):
        refused = await api.get(STREAM, headers={**as_(role), **LISTEN})
        assert refused.status_code == 403, (role, refused.text)
        assert refused.json()["error"]["code"] == "forbidden"
    elsewhere = str(uuid.uuid4())
    refused = await api.get(f"/sites/{elsewhere}/stock/stream", headers={**clerk(), **LISTEN})
    assert refused.status_code == 403, "a clerk's role does not open a site outside their own"
    refused = await api.get(STREAM, headers={**as_(SERVICE_MANAGER, site=SITE_2), **LISTEN})
    assert refused.status_code == 403, "a manager of another site is refused this one's"


async def test_a_jobs_parts_request_is_announced_once_the_shelf_shows_it(parts: tuple[httpx.AsyncClient, Any]) -> None:
    api, app = parts
    changes: SiteChanges = app.state.counter_changes
    database_url = app.state.runtime.database_url
    here, there = await changes.subscribe(database_url, SITE_1), await changes.subscribe(database_url, SITE_2)
    try:
        ro, line = str(uuid.uuid4()), str(uuid.uuid4())
        asked = await api.post(
            f"/sites/{SITE_1}/stock/06A115561B/reservations",
            json={"quantity": 2, "repair_order_id": ro, "line_id": line},
            headers=as_(TECHNICIAN),
        )
        assert asked.status_code == 201, asked.text

        async def backordered() -> int:
            shelf = await api.get(f"/sites/{SITE_1}/stock/06A115561B", headers=clerk())
            return int(shelf.json()["backordered"]) if shelf.status_code == 200 else -1

        async def announced_with_the_request() -> None:
            """Announcements until one after which the shelf's read model holds the request."""
            while True:
                await here.get()
                if await backordered() == 2:
                    return

        await asyncio.wait_for(announced_with_the_request(), timeout=10)
        assert there.empty(), "the sister site's stream heard nothing of this site's request"
    finally:
        changes.unsubscribe(SITE_1, here)
        changes.unsubscribe(SITE_2, there)
