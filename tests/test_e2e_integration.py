"""End to end (issue 5, part 2): a dealer group's IT subscribes a webhook through the gateway,
a repair order is signed through the gateway, and the receiver gets the signed CloudEvent in
order with its `sequence`; another group's subscriber gets nothing; the HTTP feed shows the
same event; a replay delivers it again. Every service is a real process."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from dealership import line, login, running, signed_and_handed_over, typed
from fastapi import FastAPI, Request, Response

from events.local.ports import free_port
from events.testing import eventually
from events.testing.system import RunningSystem
from gateway.integration import signing

GROUP, SITE, OTHER_GROUP = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
SIGNED = "com.dealerflow.reception.RepairOrderSigned"


@pytest.fixture(scope="module")
def system() -> Iterator[RunningSystem]:
    with running(["catalogue", "reception"], extra_env={"GATEWAY_WEBHOOK_RETRY_FIRST_SECONDS": "0.5"}) as started:
        yield started


class Receiver:
    """A dealer system's webhook endpoint: records each call per path."""

    def __init__(self) -> None:
        self.port = free_port()
        self.calls: dict[str, list[tuple[dict[str, str], str]]] = {}
        app = FastAPI()

        @app.post("/{path}")
        async def receive(path: str, request: Request) -> Response:
            self.calls.setdefault(path, []).append((dict(request.headers), (await request.body()).decode()))
            return Response(status_code=204)

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    task = asyncio.create_task(receiver.server.serve())
    await eventually(lambda: _started(receiver, task), what="the receiver listening")
    yield receiver
    receiver.server.should_exit = True
    await task


async def _started(receiver: Receiver, task: asyncio.Task[None]) -> bool:
    if task.done():
        task.result()
    return bool(receiver.server.started)


async def admin(gateway: httpx.AsyncClient, group: str) -> dict[str, str]:
    return (await login(gateway, group, SITE, "group_admin", f"it-{group[:4]}")).headers


async def test_a_signed_repair_order_reaches_the_groups_webhook_and_feed_only(
    gateway: httpx.AsyncClient, receiver: Receiver
) -> None:
    it, other_it = await admin(gateway, GROUP), await admin(gateway, OTHER_GROUP)
    hooks = "/api/v1/integration/webhooks"
    subscribed = await gateway.post(
        hooks, json={"url": receiver.url("dms"), "event_types": ["reception.*"], "site_ids": [SITE]}, headers=it
    )
    assert subscribed.status_code == 201, subscribed.text
    subscription = subscribed.json()
    other = await gateway.post(hooks, json={"url": receiver.url("other"), "event_types": ["*"]}, headers=other_it)
    assert other.status_code == 201, other.text

    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    work = typed(line("oil change", 10000, "OIL-FILTER", 1, 6000), "the customer's own oil, fitted at a fixed price")
    ro = await signed_and_handed_over(advisor, work, timedelta(hours=2))

    def about_ro() -> list[dict[str, Any]]:
        return [
            {**ev, "headers": headers, "body": body}
            for headers, body in receiver.calls.get("dms", [])
            if (ev := httpx.Response(200, content=body).json())["data"].get("repair_order_id") == ro
        ]

    async def delivered() -> list[dict[str, Any]]:
        return about_ro()

    got = await eventually(
        delivered, until=lambda evs: SIGNED in [e["type"] for e in evs], timeout=90, what="RepairOrderSigned delivered"
    )
    signed = next(e for e in got if e["type"] == SIGNED)
    assert signed["headers"]["content-type"] == "application/cloudevents+json"
    assert signed["headers"]["webhook-id"] == signed["id"]
    assert signing.verify(
        subscription["secret"],
        signed["headers"]["webhook-id"],
        int(signed["headers"]["webhook-timestamp"]),
        signed["body"],
        signed["headers"]["webhook-signature"],
    )
    # In order, each with its place in the repair order's stream: 1, 2, ... up to the signature.
    sequences = [int(e["sequence"]) for e in got]
    assert sequences == list(range(1, len(got) + 1))
    assert signed["subject"] == f"repair_order-{ro}" or ro in signed["subject"]
    assert signed["source"] == f"/groups/{GROUP}/sites/{SITE}"
    assert signed["data"]["repair_order_id"] == ro

    # The HTTP feed shows the same event, with the same sequence.
    async def in_feed() -> list[dict[str, Any]]:
        page = await gateway.get("/api/v1/integration/feed", params={"type": "reception.RepairOrderSigned"}, headers=it)
        assert page.status_code == 200, page.text
        return [e for e in page.json()["events"] if e["id"] == signed["id"]]

    (fed,) = await eventually(in_feed, timeout=30, what="the signed event in the feed")
    assert (fed["sequence"], fed["position"]) == (signed["sequence"], signed["position"])
    # The subscription is thin (the default): ids and status from the full event, no personal data.
    assert signed["thin"] is True
    assert signed["data"] == {k: v for k, v in fed["data"].items() if k in signed["data"]}
    assert "vehicle" in fed["data"]
    assert "vehicle" not in signed["data"]

    # The other group's subscriber got nothing, and its feed holds none of this group's events.
    other_feed = await gateway.get("/api/v1/integration/feed", headers=other_it)
    assert other_feed.json()["events"] == []
    assert receiver.calls.get("other", []) == []

    # Replay from just before the signature: it is delivered again (same webhook-id).
    replayed = await gateway.post(
        f"{hooks}/{subscription['id']}/replay", json={"after": signed["position"] - 1}, headers=it
    )
    assert replayed.status_code == 200, replayed.text
    await eventually(
        delivered,
        until=lambda evs: [e["id"] for e in evs].count(signed["id"]) == 2,
        timeout=60,
        what="the signature delivered again",
    )

    async def logged() -> list[str]:
        log = await gateway.get(f"{hooks}/{subscription['id']}/deliveries", headers=it)
        assert log.status_code == 200, log.text
        return [d["event_id"] for d in log.json()]

    # The attempt is logged once the receiver has answered: a moment after it got the call.
    await eventually(logged, until=lambda ids: ids.count(signed["id"]) == 2, what="both deliveries logged")
