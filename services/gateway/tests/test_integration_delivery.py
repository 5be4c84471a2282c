"""The integration feed and webhook delivery against real PostgreSQL and a real broker: events
published on the services' topics reach the feed once each, in order, scoped to their group and
sites, and reach a local receiving server signed, in order, through failures, 410 and replay."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from webhook_receiver import Receiver, receiving

from events.envelope import StoredEvent
from events.identity import Identity
from events.kafka import KafkaSettings, to_record
from events.testing import eventually, kafka_for_tests
from gateway import tokens
from gateway.app import create_app
from gateway.integration.backoff import RetryPolicy
from gateway.integration.delivery import Claim, DeliverySettings, DeliveryWorker
from gateway.integration.runtime import Integration, IntegrationSettings
from gateway.integration.subscriptions import Subscription

SETTINGS = tokens.TokenSettings(secret="test-user-token-secret-of-enough-length", public_key=None, issuer=None)


def bearer(group: str, roles: tuple[str, ...] = ("group_admin",), sites: tuple[str, ...] = ()) -> dict[str, str]:
    token = tokens.issue(SETTINGS, Identity(f"u-{group}", "IT", group, frozenset(roles), frozenset(sites)))
    return {"Authorization": f"Bearer {token}"}


def stored(event_type: str, group: str, site: str, stream: str, version: int, data: dict[str, Any]) -> StoredEvent:
    now = datetime.now(UTC)
    return StoredEvent(
        0, 0, stream, version, uuid.uuid4(), event_type, 1, json.dumps(data), group, site,
        "sa-1", "corr-1", None, None, None, now, now,
    )  # fmt: skip


@dataclass
class Harness:
    gateway: httpx.AsyncClient
    kafka: KafkaSettings

    async def publish(self, *events: StoredEvent) -> None:
        producer = self.kafka.producer()
        await producer.start()
        try:
            for event in events:
                key, value, headers = to_record(event)
                await producer.send_and_wait(
                    self.kafka.topic(event.event_type.split(".")[0]), value, key=key, headers=headers
                )
        finally:
            await producer.stop()

    async def feed(self, group: str, **params: Any) -> dict[str, Any]:
        response = await self.gateway.get("/api/v1/integration/feed", params=params, headers=bearer(group))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def subscribe(self, group: str, **body: Any) -> dict[str, Any]:
        response = await self.gateway.post("/api/v1/integration/webhooks", json=body, headers=bearer(group))
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def webhook(self, group: str, subscription: dict[str, Any]) -> dict[str, Any]:
        response = await self.gateway.get(f"/api/v1/integration/webhooks/{subscription['id']}", headers=bearer(group))
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found


@pytest.fixture
async def harness(database: str, bootstrap_servers: str, topic_prefix: str) -> AsyncIterator[Harness]:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    settings = IntegrationSettings(
        database_url=database,
        kafka=kafka,
        delivery=DeliverySettings(
            retry=RetryPolicy(first_delay=0.05, max_delay=0.2, max_age=120), timeout=5, poll_interval=0.05
        ),
        services=("reception", "workshop"),
    )
    app = create_app(token_settings=SETTINGS, integration=Integration(settings))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://gateway") as client,
    ):
        yield Harness(client, kafka)


async def test_feed_holds_each_event_once_in_order_scoped_to_group_and_site(harness: Harness) -> None:
    ro = f"repair_order-{uuid.uuid4()}"
    checked_in = stored(
        "reception.VehicleCheckedIn", "g1", "s1", ro, 1, {"repair_order_id": ro, "contact_phone": "138"}
    )
    signed = stored("reception.RepairOrderSigned", "g1", "s1", ro, 2, {"repair_order_id": ro, "status": "signed"})
    other_site = stored("workshop.JobStarted", "g1", "s2", f"job-{uuid.uuid4()}", 1, {"job_id": "j1"})
    other_group = stored("reception.VehicleCheckedIn", "g2", "s9", f"repair_order-{uuid.uuid4()}", 1, {"x": 1})
    await harness.publish(checked_in, signed, other_site, other_group, signed)  # `signed` twice: at least once

    page = await eventually(
        lambda: harness.feed("g1"), until=lambda p: len(p["events"]) >= 3, timeout=60, what="g1's events in the feed"
    )
    events = page["events"]
    ids = [e["id"] for e in events]
    assert sorted(ids) == sorted(str(e.event_id) for e in (checked_in, signed, other_site))  # once each
    # Order is per aggregate (topics and partitions are read side by side): check-in before signing.
    assert ids.index(str(checked_in.event_id)) < ids.index(str(signed.event_id))
    events = [e for e in events if e["subject"] == ro]
    assert [e["sequence"] for e in events[:2]] == [f"{1:020d}", f"{2:020d}"]
    assert events[0]["type"] == "com.dealerflow.reception.VehicleCheckedIn"
    assert events[0]["source"] == "/groups/g1/sites/s1"
    assert events[0]["data"]["contact_phone"] == "138"
    positions = [e["position"] for e in page["events"]]
    assert positions == sorted(positions)
    assert page["next_after"] == positions[-1]

    g2 = await eventually(lambda: harness.feed("g2"), until=lambda p: len(p["events"]) == 1, timeout=30)
    assert g2["events"][0]["id"] == str(other_group.event_id)
    after_check_in = await harness.feed("g1", after=events[0]["position"])
    assert str(signed.event_id) in [e["id"] for e in after_check_in["events"]]
    assert str(checked_in.event_id) not in [e["id"] for e in after_check_in["events"]]
    only = await harness.feed("g1", type="reception.*", site="s1", payload="thin")
    assert [e["id"] for e in only["events"]] == [str(checked_in.event_id), str(signed.event_id)]
    assert only["events"][0]["data"] == {"repair_order_id": ro}
    assert (await harness.feed("g1", since=datetime.now(UTC).isoformat()))["events"] == []

    # A system of one site sees that site only; other sites and other roles are refused.
    system = await harness.gateway.get("/api/v1/integration/feed", headers=bearer("g1", ("system",), ("s2",)))
    assert [e["id"] for e in system.json()["events"]] == [str(other_site.event_id)]
    refused = await harness.gateway.get("/api/v1/integration/feed?site=s1", headers=bearer("g1", ("system",), ("s2",)))
    assert refused.status_code == 403
    advisor = await harness.gateway.get("/api/v1/integration/feed", headers=bearer("g1", ("advisor",), ("s1",)))
    assert advisor.status_code == 403
    batch = await harness.gateway.get(
        "/api/v1/integration/feed", headers={**bearer("g1"), "Accept": "application/cloudevents-batch+json"}
    )
    assert batch.headers["content-type"].startswith("application/cloudevents-batch+json")
    assert [e["id"] for e in batch.json()] == ids
    assert batch.headers["x-next-after"] == str(positions[-1])


async def wait_delivered(receiver: Receiver, path: str, count: int) -> list[Any]:
    async def ok() -> list[Any]:
        return [r for r in receiver.at(path) if receiver.endpoints[path].calls >= receiver.endpoints[path].fail_first]

    return await eventually(ok, until=lambda got: len(got) >= count, timeout=60, what=f"{count} calls to {path}")


async def deliveries(harness: Harness, webhook_id: str) -> list[Any]:
    found = await harness.gateway.get(f"/api/v1/integration/webhooks/{webhook_id}/deliveries", headers=bearer("g1"))
    return list(found.json())


async def test_webhooks_are_signed_in_order_retried_disabled_by_410_and_replayed(harness: Harness) -> None:
    async with receiving() as receiver:
        flaky_url, gone_url, thin_url = receiver.url("flaky"), receiver.url("gone"), receiver.url("thin")
        receiver.endpoints["flaky"].fail_first = 2
        receiver.endpoints["gone"].status = 410
        flaky = await harness.subscribe(
            "g1", url=flaky_url, event_types=["reception.*"], site_ids=["s1"], payload="full"
        )
        gone = await harness.subscribe("g1", url=gone_url, event_types=["*"])
        thin = await harness.subscribe("g1", url=thin_url, event_types=["reception.RepairOrderSigned"])
        assert flaky["secret"].startswith("whsec_")
        assert flaky["status"] == "active"
        listed = await harness.gateway.get("/api/v1/integration/webhooks", headers=bearer("g1"))
        assert {w["id"] for w in listed.json()} == {flaky["id"], gone["id"], thin["id"]}
        assert all("secret" not in w for w in listed.json())

        ro = f"repair_order-{uuid.uuid4()}"
        first = stored("reception.VehicleCheckedIn", "g1", "s1", ro, 1, {"repair_order_id": ro, "contact_phone": "1"})
        second = stored("reception.RepairOrderSigned", "g1", "s1", ro, 2, {"repair_order_id": ro, "customer_name": "W"})
        await harness.publish(
            first,
            stored("workshop.JobStarted", "g1", "s1", "job-1", 1, {"job_id": "j"}),  # not reception.*
            stored("reception.VehicleCheckedIn", "g1", "s2", "ro-x", 1, {}),  # another site
            stored("reception.VehicleCheckedIn", "g2", "s1", "ro-y", 1, {}),  # another group
            second,
        )

        calls = await wait_delivered(receiver, "flaky", 4)  # 2 failures of the first, then both
        assert [c.headers["webhook-id"] for c in calls[:4]] == [str(first.event_id)] * 3 + [str(second.event_id)]
        assert all(c.verifies(flaky["secret"]) for c in calls)
        assert calls[0].headers["content-type"] == "application/cloudevents+json"
        assert [c.event["sequence"] for c in calls[2:4]] == [f"{1:020d}", f"{2:020d}"]
        assert calls[3].event["data"] == {"repair_order_id": ro, "customer_name": "W"}
        # The receiver has the call before the gateway has its answer and logs the delivery.
        log = await eventually(
            lambda: deliveries(harness, flaky["id"]), until=lambda log: len(log) >= 4, what="4 deliveries logged"
        )
        assert [(d["attempt"], d["succeeded"], d["status_code"]) for d in reversed(log)] == [
            (1, False, 500), (2, False, 500), (3, True, 200), (1, True, 200),
        ]  # fmt: skip

        thin_calls = await wait_delivered(receiver, "thin", 1)
        assert thin_calls[0].event["data"] == {"repair_order_id": ro}
        assert thin_calls[0].event["thin"] is True
        assert thin_calls[0].verifies(thin["secret"])

        await eventually(lambda: harness.webhook("g1", gone), until=lambda w: w["status"] == "disabled", timeout=30)
        assert len(receiver.at("gone")) == 1  # disabled at the first 410, nothing more sent
        assert "410" in (await harness.webhook("g1", gone))["status_reason"]

        # Key rotation: both secrets sign until the overlap ends. Replay re-sends in order.
        rotated = (
            await harness.gateway.post(
                f"/api/v1/integration/webhooks/{flaky['id']}/rotate-secret", headers=bearer("g1")
            )
        ).json()
        assert rotated["secret"] != flaky["secret"]
        assert rotated["previous_secret_valid_until"]
        replayed = await harness.gateway.post(
            f"/api/v1/integration/webhooks/{flaky['id']}/replay", json={"after": 0}, headers=bearer("g1")
        )
        assert replayed.status_code == 200, replayed.text
        again = (await wait_delivered(receiver, "flaky", 6))[4:6]
        assert [c.headers["webhook-id"] for c in again] == [str(first.event_id), str(second.event_id)]
        assert all(c.verifies(flaky["secret"]) and c.verifies(rotated["secret"]) for c in again)
        assert len(again[0].headers["webhook-signature"].split()) == 2

        # Redeliver one logged delivery: one more call, logged as a redelivery.
        delivery_id = log[0]["id"]
        redelivered = await harness.gateway.post(
            f"/api/v1/integration/webhooks/{flaky['id']}/deliveries/{delivery_id}/redeliver", headers=bearer("g1")
        )
        assert redelivered.status_code == 200, redelivered.text
        assert redelivered.json()["redelivery"] is True
        assert redelivered.json()["succeeded"] is True
        assert receiver.at("flaky")[-1].headers["webhook-id"] == str(second.event_id)

        # Replaying the disabled one re-enables it (it answers 410 again, so it is disabled again).
        await harness.gateway.post(
            f"/api/v1/integration/webhooks/{gone['id']}/replay", json={"after": 0}, headers=bearer("g1")
        )
        await eventually(lambda: harness.webhook("g1", gone), until=lambda w: w["status"] == "disabled", timeout=30)
        assert len(receiver.at("gone")) == 2


async def test_webhook_management_is_for_the_groups_admins_only(harness: Harness) -> None:
    created = await harness.subscribe("g1", url="http://127.0.0.1:9/x", event_types=["reception.*"])
    path = f"/api/v1/integration/webhooks/{created['id']}"
    assert (await harness.gateway.get(path, headers=bearer("g2"))).status_code == 404
    assert (await harness.gateway.delete(path, headers=bearer("g2"))).status_code == 404
    advisor = bearer("g1", ("advisor",), ("s1",))
    assert (await harness.gateway.get(path, headers=advisor)).status_code == 403
    assert (await harness.gateway.get(path)).status_code == 401
    bad = await harness.gateway.post(
        "/api/v1/integration/webhooks", json={"url": "not a url", "event_types": ["reception"]}, headers=bearer("g1")
    )
    assert bad.status_code == 422
    assert {f["field"] for f in bad.json()["error"]["fields"]} == {"body.url", "body.event_types"}
    replay = await harness.gateway.post(f"{path}/replay", json={}, headers=bearer("g1"))
    assert replay.status_code == 422
    assert (await harness.gateway.delete(path, headers=bearer("g1"))).status_code == 204
    assert (await harness.gateway.get(path, headers=bearer("g1"))).status_code == 404


async def test_a_replay_takes_the_subscription_from_a_worker_serving_it(harness: Harness, database: str) -> None:
    """A worker in the middle of serving writes its checkpoint under its claim's lease; a replay at
    that moment must not be overwritten by it, even once another slot of the same worker has
    claimed the subscription again (found in CI under load: the replayed events never came)."""
    subscription = await harness.subscribe("g1", url="http://127.0.0.1:9/hook", event_types=["*"])
    pool = await asyncpg.create_pool(database, min_size=1, max_size=2)
    try:
        worker = DeliveryWorker(pool, harness.gateway)  # its HTTP client is not used here
        subscription_id = uuid.UUID(subscription["id"])

        async def claimed(lease: str, checkpoint: int) -> Claim:  # what a claim leaves
            row = await pool.fetchrow(
                """UPDATE webhook_subscriptions
                   SET checkpoint = $3, leased_by = $2, leased_until = now() + interval '1 minute'
                   WHERE id = $1 RETURNING *""",
                subscription_id,
                lease,
                checkpoint,
            )
            assert row is not None
            return Claim(Subscription.of(row), lease)

        older = await claimed(f"{worker.worker_id}/1", 7)
        replayed = await harness.gateway.post(
            f"/api/v1/integration/webhooks/{subscription['id']}/replay", json={"after": 0}, headers=bearer("g1")
        )
        assert replayed.status_code == 200, replayed.text
        newer = await claimed(f"{worker.worker_id}/2", 0)  # another slot of the same worker
        # The older claim, done looking, moves the checkpoint past what it looked at: too late.
        assert not await worker._update(older, "checkpoint = greatest(checkpoint, $4)", 9)
        await worker.release(older)
        row = await pool.fetchrow(
            "SELECT checkpoint, leased_by FROM webhook_subscriptions WHERE id = $1", subscription_id
        )
        assert row is not None
        assert (row["checkpoint"], row["leased_by"]) == (0, newer.lease)
        assert await worker._update(newer, "checkpoint = $4", 1)
    finally:
        await pool.close()
