"""The integration surface at the gateway's `/metrics`: webhook deliveries by outcome, events
taken into the feed, and the delivery lag (the oldest event an active subscription still waits
for). Against real PostgreSQL, a real broker and a local receiving server."""

from __future__ import annotations

import uuid

from prometheus_client.parser import text_string_to_metric_families
from test_integration_delivery import Harness, harness, stored  # noqa: F401 (harness: the fixture)
from webhook_receiver import receiving

from events.local.ports import free_port
from events.testing import eventually

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(harness: Harness) -> Samples:  # noqa: F811 (a fixture's value, not the fixture)
    response = await harness.gateway.get("/metrics")
    assert response.status_code == 200
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def deliveries(samples: Samples, outcome: str) -> float:
    labels = frozenset({("service", "gateway"), ("outcome", outcome)})
    return samples.get(("dealerflow_webhook_deliveries_total", labels), 0.0)


GATEWAY = frozenset({("service", "gateway")})
LAG = ("dealerflow_webhook_delivery_lag_seconds", GATEWAY)
INGESTED = ("dealerflow_feed_events_ingested_total", GATEWAY)


async def test_deliveries_are_counted_by_outcome_and_the_lag_and_the_feed_are_shown(
    harness: Harness,  # noqa: F811 (the fixture)
) -> None:
    before = await scrape(harness)
    assert before[LAG] == 0, "no subscription waits for anything"
    async with receiving() as receiver:
        flaky_url, gone_url = receiver.url("flaky"), receiver.url("gone")
        receiver.endpoints["flaky"].fail_first = 1  # a 500, then 200
        receiver.endpoints["gone"].status = 410
        await harness.subscribe("g1", url=flaky_url, event_types=["*"])
        await harness.subscribe("g1", url=gone_url, event_types=["*"])
        # Nothing listens on this port: every attempt fails before an answer.
        await harness.subscribe("g1", url=f"http://127.0.0.1:{free_port()}/nobody", event_types=["*"])
        ro = f"repair_order-{uuid.uuid4()}"
        await harness.publish(stored("reception.VehicleCheckedIn", "g1", "s1", ro, 1, {"repair_order_id": ro}))

        def counted(samples: Samples) -> bool:
            return (
                deliveries(samples, "delivered") > deliveries(before, "delivered")
                and deliveries(samples, "rejected") > deliveries(before, "rejected")
                and deliveries(samples, "gone") > deliveries(before, "gone")
                and deliveries(samples, "unreachable") > deliveries(before, "unreachable")
            )

        after = await eventually(lambda: scrape(harness), until=counted, timeout=60, what="every outcome counted")
    assert deliveries(after, "delivered") - deliveries(before, "delivered") == 1
    assert deliveries(after, "gone") - deliveries(before, "gone") == 1
    assert after[INGESTED] - before.get(INGESTED, 0.0) == 1
    assert after[LAG] > 0, "the unreachable subscription still waits for the event"
