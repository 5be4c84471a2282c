"""Dead letters over HTTP (`events.dead_letters`, on every service): the group's administrator
lists them with their error and re-drives one after the fix; nobody else sees them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from events.catalog.testing import CounterIncremented
from events.connection import Connection
from events.envelope import Envelope, Metadata, Tenant
from events.identity import ADVISOR, GROUP_ADMIN, IDENTITY_HEADER, Identity, issue_internal_token
from events.runtime import Reaction, ServiceRuntime, service_app
from events.testing import eventually, kafka_for_tests
from events.testing.publishing import Publisher
from events.testing.waiting import consumers_assigned


class Ledger:
    """A reaction that fails while `broken` (a bug not yet fixed), then records each event."""

    def __init__(self) -> None:
        self.broken = True

    async def handle(self, conn: Connection, envelope: Envelope[Any]) -> None:
        if self.broken:
            raise RuntimeError("the ledger has no account for this counter")
        await conn.execute("CREATE TABLE IF NOT EXISTS ledger (event_id uuid PRIMARY KEY, amount integer NOT NULL)")
        await conn.execute("INSERT INTO ledger VALUES ($1, $2)", envelope.event_id, envelope.event.amount)


LedgerService = tuple[FastAPI, "Ledger", ServiceRuntime]


@asynccontextmanager
async def ledger_service(database: str, bootstrap_servers: str, topic_prefix: str) -> AsyncIterator[LedgerService]:
    """A service whose one reaction is the ledger, started, its consumers assigned."""
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    ledger = Ledger()
    runtime = ServiceRuntime(
        "ledger",
        reactions=[Reaction("counters", ["sample"], {CounterIncremented.event_type}, ledger.handle)],
        database_url=database,
        kafka=kafka,
    )
    app = service_app(runtime, APIRouter())
    async with app.router.lifespan_context(app):
        await consumers_assigned(app)
        yield app, ledger, runtime


@pytest.fixture
async def service(
    database: str, bootstrap_servers: str, topic_prefix: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Ledger, ServiceRuntime]]:
    async with (
        ledger_service(database, bootstrap_servers, topic_prefix) as (app, ledger, runtime),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client,
    ):
        yield client, ledger, runtime


def as_(group: str, *roles: str) -> dict[str, str]:
    return {IDENTITY_HEADER: issue_internal_token(Identity("u1", "Li Wei", group, frozenset(roles), frozenset()))}


async def test_a_dead_letter_is_listed_for_its_group_and_redriven_after_the_fix(
    service: tuple[httpx.AsyncClient, Ledger, ServiceRuntime], postgres_url: str
) -> None:
    client, ledger, runtime = service
    admin = as_("g1", GROUP_ADMIN)
    metadata = Metadata(Tenant("g1", "s1"), "test", "corr-1")
    assert runtime.kafka is not None
    await Publisher(postgres_url, runtime.kafka).publish(
        metadata, ("counter-c1", CounterIncremented(counter_id="c1", amount=3, reason="api"))
    )

    async def letters() -> list[dict[str, Any]]:
        response = await client.get("/ops/dead-letters", headers=admin)
        assert response.status_code == 200, response.text
        return list(response.json())

    (letter,) = await eventually(letters, until=bool, what="the dead letter", timeout=60)
    assert letter["consumer"] == "ledger.counters"
    assert letter["event_type"] == CounterIncremented.event_type
    assert "no account for this counter" in letter["error"]
    assert letter["redriven_at"] is None

    # Another group's administrator sees none of it; an advisor may not look at all.
    assert (await client.get("/ops/dead-letters", headers=as_("g2", GROUP_ADMIN))).json() == []
    assert (await client.get("/ops/dead-letters", headers=as_("g1", ADVISOR))).status_code == 403
    redrive = f"/ops/dead-letters/{letter['dead_letter_id']}/redrive"
    assert (await client.post(redrive, headers=as_("g2", GROUP_ADMIN))).status_code == 404

    # Before the fix it still fails, and stays open.
    refused = await client.post(redrive, headers=admin)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "still_failing"
    assert (await letters())[0]["redriven_at"] is None

    ledger.broken = False  # the fix is deployed
    done = await client.post(redrive, headers=admin)
    assert done.status_code == 200, done.text
    assert done.json()["redriven_at"] is not None
    again = await client.post(redrive, headers=admin)  # a second re-drive has no second effect
    assert again.status_code == 200
    assert await letters() == []
    assert [r["amount"] for r in await runtime.pool.fetch("SELECT amount FROM ledger")] == [3]
