"""The integration surface's pure parts: signatures, back-off, filters, thin payloads, CloudEvents."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from events.testing import eventually
from gateway.integration import cloudevents, signing
from gateway.integration.backoff import RetryPolicy
from gateway.integration.delivery import Claim, DeliverySettings, DeliveryWorker
from gateway.integration.filters import like_patterns, matches, normalise
from gateway.integration.subscriptions import Subscription
from gateway.integration.thin import thin

# The Standard Webhooks specification's own example.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = '{"test": 2432232314}'
SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signature_matches_the_standard_webhooks_example() -> None:
    assert signing.sign(SECRET, MSG_ID, TIMESTAMP, BODY) == SIGNATURE
    assert signing.verify(SECRET, MSG_ID, TIMESTAMP, BODY, SIGNATURE)


def test_a_changed_body_id_or_timestamp_does_not_verify() -> None:
    assert not signing.verify(SECRET, MSG_ID, TIMESTAMP, BODY.replace("4", "5"), SIGNATURE)
    assert not signing.verify(SECRET, "msg_other", TIMESTAMP, BODY, SIGNATURE)
    assert not signing.verify(SECRET, MSG_ID, TIMESTAMP + 1, BODY, SIGNATURE)


def test_during_a_rotation_both_secrets_sign_and_either_verifies() -> None:
    new = signing.new_secret()
    assert new.startswith("whsec_")
    assert new != signing.new_secret()
    header = signing.signature_header([new, SECRET], MSG_ID, TIMESTAMP, BODY)
    assert header.split() == [signing.sign(new, MSG_ID, TIMESTAMP, BODY), SIGNATURE]
    assert signing.verify(SECRET, MSG_ID, TIMESTAMP, BODY, header)
    assert signing.verify(new, MSG_ID, TIMESTAMP, BODY, header)
    assert not signing.verify(signing.new_secret(), MSG_ID, TIMESTAMP, BODY, header)


def test_back_off_doubles_up_to_the_cap_with_bounded_jitter() -> None:
    policy = RetryPolicy(first_delay=5, max_delay=3600, jitter=0.5)
    assert [policy.delay(n, 0.5) for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert policy.delay(30, 0.5) == 3600
    assert policy.delay(3, 0.0) == 15  # 20 x 0.75
    assert policy.delay(3, 0.999) == pytest.approx(24.99)  # 20 x 1.25, exclusive


def test_back_off_gives_up_after_the_maximum_age() -> None:
    policy = RetryPolicy(first_delay=60, max_delay=3600, max_age=3 * 24 * 3600)
    first = datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert policy.next_attempt(first, first, 1, 0.5) == first + timedelta(seconds=60)
    late = first + timedelta(days=2, hours=23, minutes=30)
    assert policy.next_attempt(first, late, 40, 0.5) is None  # the next try would be past 3 days
    # Attempts over three days: the schedule reaches the cap and keeps trying until then.
    now, attempts = first, 0
    while (at := policy.next_attempt(first, now, attempts + 1, 0.5)) is not None:
        now, attempts = at, attempts + 1
    assert 70 < attempts < 80
    assert now - first <= timedelta(days=3)


def test_type_filters_exact_service_wide_and_everything() -> None:
    assert matches(["reception.*"], "reception.RepairOrderSigned")
    assert not matches(["reception.*"], "workshop.JobStarted")
    assert not matches(["reception.*"], "receptionist.Thing")
    assert matches(["workshop.JobStarted"], "workshop.JobStarted")
    assert not matches(["workshop.JobStarted"], "workshop.JobStartedAgain")
    assert matches(["*"], "parts.PartsReserved")
    assert matches([], "parts.PartsReserved")
    assert normalise("com.dealerflow.reception.*") == "reception.*"
    for bad in ("reception", "reception.*.x", "Reception.X", "%", "reception.%", ""):
        with pytest.raises(ValueError, match="not an event type"):
            normalise(bad)
    assert like_patterns(["reception.*", "parts.PartsReserved", "*"]) == ["reception.%", "parts.PartsReserved", "%"]
    assert like_patterns(["follow_up.*"]) == [r"follow\_up.%"]
    assert like_patterns([]) == ["%"]


def test_thin_payloads_keep_ids_and_status_and_drop_personal_data() -> None:
    data = {
        "repair_order_id": "ro-1",
        "appointment_id": None,
        "job_ids": ["j1", "j2"],
        "status": "signed",
        "priority": "appointment",
        "signed_at": "2026-03-01T08:00:00+08:00",
        "customer": {"name": "Wang Fang", "phone": "13800000000"},
        "contact_phone": "13800000000",
        "service_advisor": "Li Lei",
        "vehicle": {"vin": "LSVAA4182E2000001", "plate": "沪A12345"},
        "address": "1 Nanjing Road",
        "concerns": ["noise from the front left"],
        "total": 120000,
    }
    assert thin(data) == {
        "repair_order_id": "ro-1",
        "appointment_id": None,
        "job_ids": ["j1", "j2"],
        "status": "signed",
        "priority": "appointment",
        "signed_at": "2026-03-01T08:00:00+08:00",
    }


def test_structured_mode_from_binary_headers() -> None:
    headers = {
        "ce_specversion": "1.0",
        "ce_id": "e1",
        "ce_source": "/groups/g1/sites/s1",
        "ce_type": "com.dealerflow.reception.RepairOrderSigned",
        "ce_sequence": "7",
        "ce_actor": "sa-1",
        "content-type": "application/json",
    }
    data = {"repair_order_id": "ro-1", "contact_phone": "138"}
    full = cloudevents.structured(headers, data, position=42, thin_payload=False)
    assert full["id"] == "e1"
    assert full["sequence"] == "00000000000000000007"  # padded, also when stored before ce_sequence was
    assert full["position"] == 42
    assert full["data"] == data
    assert "content-type" not in full
    assert full["actor"] == "sa-1"
    thin_event = cloudevents.structured(headers, data, position=42, thin_payload=True)
    assert thin_event["data"] == {"repair_order_id": "ro-1"}
    assert thin_event["thin"] is True
    assert "actor" not in thin_event
    assert json.loads(cloudevents.body(full)) == full


class _CountingWorker(DeliveryWorker):
    """A worker whose claims find work only when the test says so, counting how many run at once."""

    def __init__(self, work: list[Subscription]) -> None:
        super().__init__(pool=None, client=None, settings=DeliverySettings(poll_interval=0.01, slots=8))  # type: ignore[arg-type]
        self.work = work
        self.claims = self.at_once = self.most_at_once = 0
        self.served: list[Subscription] = []
        self.serving = asyncio.Event()

    async def claim(self) -> Claim | None:
        self.claims += 1
        self.at_once += 1
        self.most_at_once = max(self.most_at_once, self.at_once)
        await asyncio.sleep(0)  # a round trip to the database: the other slots get their turn
        self.at_once -= 1
        return Claim(self.work.pop(), lease=f"lease-{self.claims}") if self.work else None

    async def serve(self, claim: Claim) -> None:
        self.served.append(claim.subscription)
        await self.serving.wait()  # a long delivery keeps its slot busy

    async def release(self, claim: Claim) -> None:
        pass


async def test_an_idle_worker_looks_for_work_with_one_slot_and_a_busy_one_with_the_next() -> None:
    worker, stop = _CountingWorker([]), asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await eventually(lambda: _now(worker.claims), until=lambda n: n >= 5, what="idle looks")
    assert worker.most_at_once == 1, "one idle slot looks at a time, not all eight"
    # Work appears: a slot takes it and stays busy with it; the next idle slot goes on looking.
    worker.work += [_subscription("a"), _subscription("b")]
    await eventually(lambda: _now(len(worker.served)), until=lambda n: n == 2, what="both served at once")
    looked = worker.claims
    await eventually(lambda: _now(worker.claims), until=lambda n: n >= looked + 3, what="looking goes on")
    stop.set()
    worker.serving.set()
    await asyncio.wait_for(running, 10)


async def _now(value: int) -> int:
    return value


def _subscription(name: str) -> Subscription:
    return cast(Subscription, name)
