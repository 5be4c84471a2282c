"""The HTTP edge and runtime every service uses: identity from the gateway, tenancy, error
mapping (401/403/404/409/422), health, and background loops started and stopped together."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Annotated

import asyncpg
import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

from events.catalog.testing import CounterIncremented, CounterOpened
from events.contract import Event
from events.decider import Decider
from events.errors import DomainError
from events.http import Actor, acting, install_error_handlers
from events.identity import ADVISOR, GROUP_ADMIN, IDENTITY_HEADER, Identity, issue_internal_token
from events.runtime import ServiceRuntime, add_health_routes
from events.testing import kafka_for_tests


class CounterCapReached(DomainError):
    code = "counter_cap_reached"


@dataclass(frozen=True)
class Add:
    amount: int


# A counter that refuses to go above 10.
def _capped_decide(state: int, command: Add) -> Sequence[Event]:
    if state + command.amount > 10:
        raise CounterCapReached(f"the counter is at {state}; adding {command.amount} would pass 10")
    return [CounterIncremented(counter_id="c", amount=command.amount, reason="api")]


def _capped_evolve(state: int, event: Event) -> int:
    return state + event.amount if isinstance(event, CounterIncremented) else state


CAPPED = Decider(0, _capped_decide, _capped_evolve)


class AddBody(BaseModel):
    amount: int = Field(gt=0)


def counters(runtime: ServiceRuntime) -> APIRouter:
    """The counters' one command, in the shape of every command route: parse, authorise (one
    dependency), run the command with the caller's If-Match."""
    router = APIRouter()

    @router.post("/sites/{site_id}/counters/{counter_id}/additions")
    async def add(counter_id: str, body: AddBody, by: Annotated[Actor, acting(ADVISOR)]) -> dict[str, int]:
        outcome = await by.run(runtime.store, CAPPED, f"counter-{counter_id}", Add(body.amount))
        return {"total": outcome.state, "version": outcome.version}

    return router


def build_app(runtime: ServiceRuntime) -> FastAPI:
    app = FastAPI(lifespan=runtime.lifespan)
    install_error_handlers(app)
    add_health_routes(app)
    app.include_router(counters(runtime))
    return app


@pytest.fixture
async def client(database: str, bootstrap_servers: str, topic_prefix: str) -> AsyncIterator[httpx.AsyncClient]:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    runtime = ServiceRuntime("counters", database_url=database, kafka=kafka)
    app = build_app(runtime)
    async with app.router.lifespan_context(app):
        from events.envelope import Metadata, NewEvent, Tenant

        opened = NewEvent(
            CounterOpened(counter_id="c", label="x"),
            Metadata(Tenant("g1", "00000000-0000-4000-8000-0000000000a1"), "seed", "c"),
        )
        await runtime.store.append("counter-c1", 0, [opened])
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
            yield client


def token(
    group: str = "g1",
    sites: tuple[str, ...] = ("00000000-0000-4000-8000-0000000000a1",),
    roles: tuple[str, ...] = (ADVISOR,),
) -> dict[str, str]:
    identity = Identity("u1", "Li Wei", group, frozenset(roles), frozenset(sites))
    return {IDENTITY_HEADER: issue_internal_token(identity)}


async def test_a_request_that_did_not_come_through_the_gateway_is_refused(client: httpx.AsyncClient) -> None:
    for headers in (
        {},
        {IDENTITY_HEADER: "forged"},
        {
            IDENTITY_HEADER: issue_internal_token(
                Identity("u1", "x", "g1", frozenset({ADVISOR}), frozenset({"00000000-0000-4000-8000-0000000000a1"})),
                secret="not-the-shared-secret-but-long-enough-for-hs256",
            )
        },
    ):
        response = await client.post(
            "/sites/00000000-0000-4000-8000-0000000000a1/counters/c1/additions", json={"amount": 1}, headers=headers
        )
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "unauthenticated"


async def test_scope_and_role_are_enforced(client: httpx.AsyncClient) -> None:
    other_site = await client.post(
        "/sites/00000000-0000-4000-8000-0000000000a2/counters/c1/additions", json={"amount": 1}, headers=token()
    )
    other_group = await client.post(
        "/sites/00000000-0000-4000-8000-0000000000a1/counters/c1/additions", json={"amount": 1}, headers=token("g2")
    )
    wrong_role = await client.post(
        "/sites/00000000-0000-4000-8000-0000000000a1/counters/c1/additions",
        json={"amount": 1},
        headers=token(roles=("cs_agent",)),
    )
    admin = await client.post(
        "/sites/00000000-0000-4000-8000-0000000000a1/counters/c1/additions",
        json={"amount": 1},
        headers=token(sites=(), roles=(GROUP_ADMIN,)),
    )
    assert [other_site.status_code, wrong_role.status_code] == [403, 403]
    # Another group's record does not exist for this caller: 404, and nothing about it leaks.
    assert other_group.status_code == 404
    assert admin.status_code == 200, admin.text


async def test_errors_map_to_status_codes_with_codes_and_nothing_is_written(
    client: httpx.AsyncClient,
) -> None:
    invalid = await client.post(
        "/sites/00000000-0000-4000-8000-0000000000a1/counters/c1/additions", json={"amount": -1}, headers=token()
    )
    assert invalid.status_code == 422
    assert invalid.json()["error"]["fields"][0]["field"] == "body.amount"

    unknown = await client.post(
        "/sites/00000000-0000-4000-8000-0000000000a1/counters/nope/additions", json={"amount": 1}, headers=token()
    )
    assert unknown.status_code == 404

    ok = await client.post(
        "/sites/00000000-0000-4000-8000-0000000000a1/counters/c1/additions", json={"amount": 9}, headers=token()
    )
    assert ok.json() == {"total": 9, "version": 2}
    refused = await client.post(
        "/sites/00000000-0000-4000-8000-0000000000a1/counters/c1/additions", json={"amount": 2}, headers=token()
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "counter_cap_reached"
    again = await client.post(
        "/sites/00000000-0000-4000-8000-0000000000a1/counters/c1/additions", json={"amount": 1}, headers=token()
    )
    assert again.json() == {"total": 10, "version": 3}, "the refused command wrote nothing"


async def test_if_match_is_the_version_the_command_expects(client: httpx.AsyncClient) -> None:
    """The route passes the `If-Match` version to the command itself (no context variable): a
    change made since the caller's read is a 409 with the current version, and nothing is written."""
    path = "/sites/00000000-0000-4000-8000-0000000000a1/counters/c1/additions"
    first = await client.post(path, json={"amount": 1}, headers={**token(), "If-Match": '"1"'})
    assert first.json() == {"total": 1, "version": 2}
    stale = await client.post(path, json={"amount": 1}, headers={**token(), "If-Match": '"1"'})
    assert stale.status_code == 409, stale.text
    assert stale.json()["error"]["code"] == "concurrency_conflict"
    assert stale.json()["error"]["current_version"] == 2
    weak = await client.post(path, json={"amount": 1}, headers={**token(), "If-Match": 'W/"2"'})
    assert weak.json() == {"total": 2, "version": 3}
    garbled = await client.post(path, json={"amount": 1}, headers={**token(), "If-Match": "latest"})
    assert garbled.status_code == 422
    assert garbled.json()["error"]["fields"][0]["field"] == "header.If-Match"


async def test_a_path_or_method_no_route_serves_answers_the_one_error_body(client: httpx.AsyncClient) -> None:
    """What the router itself refuses (an id with a control character the route's pattern does
    not match, a method the path does not take) has the body every operation documents."""
    unrouted = await client.post("/sites/00000000-0000-4000-8000-0000000000a1/counters/c%0A1/additions/x", json={})
    assert unrouted.status_code == 404
    assert unrouted.json()["error"]["code"] == "not_found"
    wrong_method = await client.delete("/sites/00000000-0000-4000-8000-0000000000a1/counters/c1/additions")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
    assert "POST" in wrong_method.headers["Allow"]


async def test_readiness_reports_backlog_and_loops(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    # The relay, the listener that wakes it, and the service's consumer group, which holds the
    # erasure consumer every service has (decision 0004).
    assert body["loops"] == {"relay": "running", "log listener": "running", "consumers": "running"}
    assert all(name.endswith(".privacy") for name in body["consumers"])
    assert body["outbox_backlog"] >= 0
    assert body["dead_letters"] == 0


@pytest.mark.parametrize(
    "broken",
    [
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.InternalClientError("cannot switch to state 15; another operation (2) is in progress"),
        ConnectionResetError(104, "Connection reset by peer"),
    ],
)
async def test_a_database_out_of_reach_is_a_retryable_503(broken: Exception) -> None:
    """What a restarting PostgreSQL throws at a request: a clear answer to try again, never a 500."""
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/")
    async def read() -> None:
        raise broken

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
        answer = await client.get("/")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "database_unavailable"
    assert answer.headers["Retry-After"] == "2"
