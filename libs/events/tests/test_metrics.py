"""A service's counters at `/metrics` (events.metrics): commands by route, outcome and refusal
code; events appended and published; events handled, retried and dead-lettered per consumer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from prometheus_client.parser import text_string_to_metric_families
from test_service_edge import counters

from events.catalog.testing import CounterIncremented, CounterOpened, CounterPoisoned
from events.connection import Connection
from events.envelope import Envelope, Metadata, NewEvent, Tenant
from events.identity import ADVISOR, IDENTITY_HEADER, Identity, issue_internal_token
from events.runtime import Reaction, ServiceRuntime, service_app
from events.testing import eventually, kafka_for_tests
from events.testing.waiting import consumers_assigned

ROUTE = "/sites/{site_id}/counters/{counter_id}/additions"
RESETS = "/sites/{site_id}/counters/{counter_id}/resets"
CONSUMER = "counters.tally"


class Tally:
    """A reaction that fails each event's first attempt (a retry), and always on a poisoned one."""

    def __init__(self) -> None:
        self.seen: set[Any] = set()

    async def handle(self, conn: Connection, envelope: Envelope[Any]) -> None:
        if isinstance(envelope.event, CounterPoisoned):
            raise RuntimeError("poisoned")
        if envelope.event_id not in self.seen:
            self.seen.add(envelope.event_id)
            raise RuntimeError("the first attempt fails")


def counters_runtime(database: str, bootstrap_servers: str, topic_prefix: str) -> ServiceRuntime:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    handles = {CounterIncremented.event_type, CounterPoisoned.event_type}
    # The service reacts to its own topic ("sample"): its relay publishes what its consumer reads.
    reaction = Reaction("tally", ["sample"], handles, Tally().handle)
    return ServiceRuntime("counters", reactions=[reaction], database_url=database, kafka=kafka)


def router_of(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter()

    router.include_router(counters(runtime))

    @router.post(RESETS)
    async def reset(site_id: str, counter_id: str) -> None:
        raise RuntimeError("a bug")

    @router.get("/sites/{site_id}/counters/{counter_id}")
    async def read(site_id: str, counter_id: str) -> dict[str, str]:
        return {"counter_id": counter_id}

    return router


@pytest.fixture
async def service(
    database: str, bootstrap_servers: str, topic_prefix: str
) -> AsyncIterator[tuple[httpx.AsyncClient, ServiceRuntime]]:
    runtime = counters_runtime(database, bootstrap_servers, topic_prefix)
    app = service_app(runtime, router_of(runtime))
    async with app.router.lifespan_context(app):
        await consumers_assigned(app)
        opened = NewEvent(CounterOpened(counter_id="c1", label="x"), METADATA)
        await runtime.store.append("counter-c1", 0, [opened])
        # A bug's 500 is answered, not raised into the test.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            yield client, runtime


METADATA = Metadata(Tenant("g1", "00000000-0000-4000-8000-0000000000a1"), "seed", "c")


def token(sites: tuple[str, ...] = ("00000000-0000-4000-8000-0000000000a1",)) -> dict[str, str]:
    identity = Identity("u1", "Li Wei", "g1", frozenset({ADVISOR}), frozenset(sites))
    return {IDENTITY_HEADER: issue_internal_token(identity)}


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample at /metrics: (name, labels) -> value."""
    response = await client.get("/metrics")
    assert response.status_code == 200
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def labelled(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str) -> dict[frozenset[Any], float]:
    return {labels: value for (n, labels), value in samples.items() if n == name}


async def test_commands_are_counted_by_route_outcome_and_refusal_code(
    service: tuple[httpx.AsyncClient, ServiceRuntime],
) -> None:
    client, _ = service
    path = "/sites/00000000-0000-4000-8000-0000000000a1/counters/c1/additions"
    answers = [
        await client.post(path, json={"amount": 9}, headers=token()),  # accepted, version 2
        await client.post(path, json={"amount": 2}, headers=token()),  # refused: the cap
        await client.post(path, json={"amount": -1}, headers=token()),  # invalid
        await client.post(
            "/sites/00000000-0000-4000-8000-0000000000a1/counters/nope/additions", json={"amount": 1}, headers=token()
        ),
        await client.post(path, json={"amount": 1}, headers={**token(), "If-Match": '"1"'}),  # stale: conflict
        await client.post(
            "/sites/00000000-0000-4000-8000-0000000000a2/counters/c1/additions", json={"amount": 1}, headers=token()
        ),  # not your site
        await client.post(path, json={"amount": 1}, headers=token()),  # accepted
        await client.post(
            "/sites/00000000-0000-4000-8000-0000000000a1/counters/c1/resets", headers=token()
        ),  # a bug: failed
    ]
    assert [a.status_code for a in answers] == [200, 409, 422, 404, 409, 403, 200, 500]
    codes = [a.json()["error"]["code"] for a in answers[1:6]]
    assert codes[0] == "counter_cap_reached"
    assert codes[3] == "concurrency_conflict"
    await client.get("/sites/00000000-0000-4000-8000-0000000000a1/counters/c1")  # a query: not a command

    commands = labelled(await scrape(client), "dealerflow_commands_total")
    base = {("service", "counters"), ("route", ROUTE)}
    expected = {
        frozenset({*base, ("outcome", "accepted"), ("code", "")}): 2.0,
        frozenset({*base, ("outcome", "refused"), ("code", codes[0])}): 1.0,
        frozenset({*base, ("outcome", "invalid"), ("code", codes[1])}): 1.0,
        frozenset({*base, ("outcome", "not_found"), ("code", codes[2])}): 1.0,
        frozenset({*base, ("outcome", "conflict"), ("code", codes[3])}): 1.0,
        frozenset({*base, ("outcome", "denied"), ("code", codes[4])}): 1.0,
        frozenset({("service", "counters"), ("route", RESETS), ("outcome", "failed"), ("code", "")}): 1.0,
    }
    assert commands == expected


async def test_events_appended_published_handled_retried_and_dead_lettered_are_counted(
    service: tuple[httpx.AsyncClient, ServiceRuntime],
) -> None:
    client, runtime = service
    increments = [NewEvent(CounterIncremented(counter_id="c2", amount=n, reason="test"), METADATA) for n in (1, 2, 3)]
    await runtime.store.append("counter-c2", 0, increments)  # one append of three
    await runtime.store.append("counter-c3", 0, [NewEvent(CounterPoisoned(counter_id="c3"), METADATA)])
    service_label = ("service", "counters")
    consumer = frozenset({service_label, ("consumer", CONSUMER)})

    async def settled() -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
        return await scrape(client)

    def done(samples: dict[tuple[str, frozenset[tuple[str, str]]], float]) -> bool:
        return (
            samples.get(("dealerflow_events_published_total", frozenset({service_label}))) == 5
            and samples.get(("dealerflow_events_dead_lettered_total", consumer)) == 1
            and samples.get(("dealerflow_events_handled_total", consumer)) == 3
        )

    samples = await eventually(settled, until=done, timeout=60, what="every event published and handled")
    assert samples[("dealerflow_events_appended_total", frozenset({service_label}))] == 5, "the seed and four"
    # Each increment's first attempt fails once; the poisoned one is retried until its fifth fails.
    assert samples[("dealerflow_events_retried_total", consumer)] == 3 + 4
    privacy = frozenset({service_label, ("consumer", "counters.privacy")})
    assert samples[("dealerflow_events_handled_total", privacy)] == 0
