"""Interoperation with the official Standard Webhooks library (PyPI `standardwebhooks`), not our
`signing.verify` against our `signing.sign`: a receiver using it verifies what we sign — alone,
in a real delivery through the gateway, and during a key rotation, where both the old and the
new secret sign and the library accepts the message with either."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from integration_gateway import Gateway, MovableDns, integration_gateway
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from test_integration_delivery import bearer, stored
from webhook_receiver import Received, Receiver, receiving

from events.testing import eventually
from gateway.integration import signing
from gateway.integration.addresses import AddressPolicy

BODY = '{"id":"e1","type":"com.dealerflow.reception.RepairOrderSigned","data":{"customer_name":"王先生"}}'


def signed(secrets: list[str], body: str = BODY) -> dict[str, str]:
    timestamp = int(time.time())  # the library refuses a timestamp over 5 minutes from its clock
    return {
        "webhook-id": "e1",
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature_header(secrets, "e1", timestamp, body),
    }


def test_the_library_verifies_our_signature_and_refuses_a_changed_body_or_another_secret() -> None:
    secret = signing.new_secret()
    headers = signed([secret])
    assert Webhook(secret).verify(BODY.encode(), headers) == json.loads(BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace("王", "李").encode(), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(BODY.encode(), headers)


def test_during_a_rotation_the_library_verifies_with_the_old_or_the_new_secret() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    headers = signed([new, old])
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify(BODY.encode(), headers) == json.loads(BODY)
    assert Webhook(new).verify(BODY.encode(), headers) == json.loads(BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(BODY.encode(), headers)


@pytest.fixture
def gateway(database: str, bootstrap_servers: str, topic_prefix: str) -> Gateway:
    return integration_gateway(database, bootstrap_servers, topic_prefix)


async def _at(receiver: Receiver, path: str) -> list[Received]:
    return receiver.at(path)


def verified(secret: str, call: Received) -> dict[str, object]:
    payload: dict[str, object] = Webhook(secret).verify(call.body.encode(), call.headers)
    return payload


async def test_a_delivery_we_signed_verifies_with_the_library_before_and_during_a_key_rotation(
    gateway: Gateway,
) -> None:
    async with receiving() as receiver, gateway(AddressPolicy(local=True), MovableDns()) as harness:
        webhook = await harness.subscribe("g1", url=receiver.url("sdk"), event_types=["*"], payload="full")
        ro = f"repair_order-{uuid.uuid4()}"
        first = stored("reception.VehicleCheckedIn", "g1", "s1", ro, 1, {"repair_order_id": ro, "customer": "王"})
        await harness.publish(first)
        calls = await eventually(lambda: _at(receiver, "sdk"), until=lambda c: len(c) == 1, timeout=60)
        payload = verified(webhook["secret"], calls[0])
        assert payload["id"] == str(first.event_id)
        assert payload["data"] == {"repair_order_id": ro, "customer": "王"}

        rotated = await harness.gateway.post(
            f"/api/v1/integration/webhooks/{webhook['id']}/rotate-secret", headers=bearer("g1")
        )
        assert rotated.status_code == 200, rotated.text
        new_secret = rotated.json()["secret"]
        second = stored("reception.RepairOrderSigned", "g1", "s1", ro, 2, {"repair_order_id": ro})
        await harness.publish(second)
        calls = await eventually(lambda: _at(receiver, "sdk"), until=lambda c: len(c) == 2, timeout=60)
        assert len(calls[1].headers["webhook-signature"].split(" ")) == 2
        # A receiver that has not switched yet, and one that has: both accept the message.
        assert verified(webhook["secret"], calls[1])["id"] == str(second.event_id)
        assert verified(new_secret, calls[1])["id"] == str(second.event_id)
        with pytest.raises(WebhookVerificationError):
            verified(signing.new_secret(), calls[1])
        with pytest.raises(WebhookVerificationError):  # before the rotation only the old secret signed
            verified(new_secret, calls[0])
