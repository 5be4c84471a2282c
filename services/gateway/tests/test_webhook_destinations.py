"""Webhooks cannot be pointed inside (server-side request forgery), against real PostgreSQL and a
real broker: refused when subscribing (422 on `url`), and again at every delivery with the name
resolved then (a name that has come to resolve inside is refused, logged with the reason, and
counts as a failed attempt); the call goes to the address checked; redirects are not followed.
The resolver is the test's, so names can move; the mode (local or not) is injected."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from integration_gateway import Gateway, MovableDns, integration_gateway
from test_integration_delivery import Harness, bearer, stored
from webhook_receiver import Received, Receiver, receiving

from events.testing import eventually
from gateway.integration.addresses import AddressPolicy

WEBHOOKS = "/api/v1/integration/webhooks"


@pytest.fixture
def gateway(database: str, bootstrap_servers: str, topic_prefix: str) -> Gateway:
    return integration_gateway(database, bootstrap_servers, topic_prefix)


async def refusal(harness: Harness, url: str) -> dict[str, Any]:
    response = await harness.gateway.post(WEBHOOKS, json={"url": url, "event_types": ["*"]}, headers=bearer("g1"))
    assert response.status_code == 422, f"{url}: {response.status_code} {response.text}"
    error: dict[str, Any] = response.json()["error"]
    assert [f["field"] for f in error["fields"]] == ["body.url"]
    assert error["fields"][0]["type"] == error["code"]
    return error


async def deliveries(harness: Harness, webhook: dict[str, Any]) -> list[dict[str, Any]]:
    found = await harness.gateway.get(f"{WEBHOOKS}/{webhook['id']}/deliveries", headers=bearer("g1"))
    return list(found.json())


async def test_outside_local_mode_only_https_to_public_addresses_can_be_subscribed(gateway: Gateway) -> None:
    dns = MovableDns(inside="192.168.1.20", cgnat="100.64.3.4", metadata="169.254.169.254", hooks="93.184.215.14")
    async with gateway(AddressPolicy(local=False), dns) as harness:
        assert (await refusal(harness, "http://hooks.test/in"))["code"] == "webhook_url_not_https"
        for url, kind in [
            ("https://10.0.0.1/in", "private"),
            ("https://127.0.0.1:8443/in", "loopback"),
            ("https://[::1]/in", "loopback"),
            ("https://0.0.0.0/in", "unspecified"),
            ("https://[::ffff:172.16.0.9]/in", "private"),
            ("https://[fd12::1]/in", "unique-local"),
            ("https://[fe80::1]/in", "link-local"),
            ("https://169.254.169.254/latest/meta-data/", "link-local"),
            ("https://inside.test/in", "private"),
            ("https://cgnat.test/in", "shared address space"),
            ("https://metadata.test/in", "link-local"),
        ]:
            error = await refusal(harness, url)
            assert error["code"] == "webhook_url_forbidden_address", url
            assert kind in error["message"], error

        created = await harness.subscribe("g1", url="https://hooks.test/in", event_types=["*"])
        assert created["url"] == "https://hooks.test/in"
        listed = await harness.gateway.get(WEBHOOKS, headers=bearer("g1"))
        assert [w["id"] for w in listed.json()] == [created["id"]], "no refused URL was stored"


async def test_in_local_mode_metadata_addresses_are_still_refused(gateway: Gateway) -> None:
    async with gateway(AddressPolicy(local=True), MovableDns(metadata="169.254.169.254")) as harness:
        for url in ("http://169.254.169.254/latest/meta-data/", "http://metadata.test/", "http://[fd00:ec2::254]/"):
            assert (await refusal(harness, url))["code"] == "webhook_url_forbidden_address"
        local = await harness.subscribe("g1", url="http://127.0.0.1:9/in", event_types=["*"])
        assert local["status"] == "active"


async def test_a_name_that_resolves_inside_at_delivery_time_is_refused_logged_and_counted(gateway: Gateway) -> None:
    dns = MovableDns(hooks="93.184.215.14")
    async with gateway(AddressPolicy(local=False), dns) as harness:
        webhook = await harness.subscribe("g1", url="https://hooks.test/in", event_types=["*"])
        dns.answers["hooks.test"] = "10.0.0.7"  # DNS rebinding, or a record changed after subscribing
        await harness.publish(stored("reception.VehicleCheckedIn", "g1", "s1", "repair_order-1", 1, {}))

        log = await eventually(lambda: deliveries(harness, webhook), until=lambda d: len(d) >= 2, timeout=60)
        refused = log[-1]
        assert refused["succeeded"] is False
        assert refused["status_code"] is None, "nothing was sent"
        assert "refused" in refused["error"]
        assert "hooks.test (10.0.0.7)" in refused["error"]
        assert "private" in refused["error"]
        assert [d["attempt"] for d in reversed(log)][:2] == [1, 2], "each refusal is a failed attempt, retried"
        state = await harness.webhook("g1", webhook)
        assert state["failed_attempts"] >= 1
        assert state["checkpoint"] == 0, "the event is not passed over"
        assert dns.lookups.count("hooks.test") >= 3, "resolved at subscribing and again at every attempt"


async def test_the_call_goes_to_the_address_checked_with_the_name_as_host(gateway: Gateway) -> None:
    async with receiving() as receiver:
        # `.test` names resolve nowhere but in this resolver: a delivery that arrives was sent
        # to the address it returned, not looked up again.
        dns = MovableDns(receiver="127.0.0.1")
        async with gateway(AddressPolicy(local=True), dns) as harness:
            receiver.url("pinned")
            webhook = await harness.subscribe(
                "g1", url=f"http://receiver.test:{receiver.port}/pinned", event_types=["*"]
            )
            await harness.publish(stored("reception.VehicleCheckedIn", "g1", "s1", "repair_order-1", 1, {}))
            calls = await eventually(lambda: _at(receiver, "pinned"), until=lambda c: len(c) == 1, timeout=60)
            assert calls[0].headers["host"] == f"receiver.test:{receiver.port}"
            assert calls[0].verifies(webhook["secret"])

            # The name moves to the metadata address: refused in local mode too, nothing sent.
            dns.answers["receiver.test"] = "169.254.169.254"
            await harness.publish(stored("reception.VehicleCheckedIn", "g1", "s1", "repair_order-2", 1, {}))
            log = await eventually(
                lambda: deliveries(harness, webhook), until=lambda d: len(d) >= 2 and not d[0]["succeeded"]
            )
            assert "link-local" in log[0]["error"]
            assert len(receiver.at("pinned")) == 1

            # Back where it belongs: the retry delivers, in order.
            dns.answers["receiver.test"] = "127.0.0.1"
            calls = await eventually(lambda: _at(receiver, "pinned"), until=lambda c: len(c) == 2, timeout=60)
            assert calls[1].event["subject"] == "repair_order-2"


def certificate_for(name: str, folder: Path) -> tuple[str, str]:
    """A self-signed certificate for `name` (and its key), as files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    certfile, keyfile = folder / "receiver.pem", folder / "receiver.key"
    certfile.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(certfile), str(keyfile)


async def test_over_https_the_pinned_call_checks_the_certificate_for_the_name(gateway: Gateway, tmp_path: Path) -> None:
    certfile, keyfile = certificate_for("receiver.test", tmp_path)
    trusting = httpx.AsyncHTTPTransport(verify=ssl.create_default_context(cafile=certfile))
    dns = MovableDns(receiver="127.0.0.1", other_name="127.0.0.1")
    async with (
        receiving(certificate=(certfile, keyfile)) as receiver,
        gateway(AddressPolicy(local=True), dns, trusting) as harness,
    ):
        receiver.url("tls")
        good = await harness.subscribe(
            "g1", url=f"https://receiver.test:{receiver.port}/tls", event_types=["reception.VehicleCheckedIn"]
        )
        await harness.publish(stored("reception.VehicleCheckedIn", "g1", "s1", "repair_order-1", 1, {}))
        calls = await eventually(lambda: _at(receiver, "tls"), until=lambda c: len(c) >= 1, timeout=60)
        assert calls[0].headers["host"] == f"receiver.test:{receiver.port}"
        assert calls[0].verifies(good["secret"])

        # The same address under a name the certificate is not for, once a connection verified
        # for the right name has been made to it: TLS refuses it (a connection kept for the
        # address would have carried it, verified for the other name).
        wrong = await harness.subscribe(
            "g1", url=f"https://other-name.test:{receiver.port}/tls", event_types=["reception.VehicleDelivered"]
        )
        await harness.publish(stored("reception.VehicleDelivered", "g1", "s1", "repair_order-1", 2, {}))
        log = await eventually(lambda: deliveries(harness, wrong), until=lambda d: len(d) >= 1, timeout=60)
        assert log[0]["status_code"] is None
        assert "certificate" in log[0]["error"].lower() or "hostname" in log[0]["error"].lower(), log[0]["error"]
        assert len(receiver.at("tls")) == 1


async def test_a_redirect_is_not_followed_and_is_a_failed_attempt(gateway: Gateway) -> None:
    async with receiving() as receiver, gateway(AddressPolicy(local=True), MovableDns()) as harness:
        url = receiver.url("moved")
        receiver.endpoints["moved"].status = 307
        receiver.endpoints["moved"].location = receiver.url("elsewhere")
        webhook = await harness.subscribe("g1", url=url, event_types=["*"])
        await harness.publish(stored("reception.VehicleCheckedIn", "g1", "s1", "repair_order-1", 1, {}))

        log = await eventually(lambda: deliveries(harness, webhook), until=lambda d: len(d) >= 2, timeout=60)
        assert [(d["status_code"], d["succeeded"]) for d in log[-2:]] == [(307, False), (307, False)]
        assert "redirect" in log[-1]["error"]
        assert receiver.at("elsewhere") == []
        assert (await harness.webhook("g1", webhook))["checkpoint"] == 0


async def _at(receiver: Receiver, path: str) -> list[Received]:
    return receiver.at(path)
