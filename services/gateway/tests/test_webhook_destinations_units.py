"""Where a webhook may point (pure, and with a resolver the test injects): never at link-local or
cloud-metadata addresses; outside local mode only https, and never at loopback, private,
shared (CGNAT), unique-local or unspecified addresses, IPv4-mapped forms included. A name is
checked by every address it resolves to, and the request goes to the address that was checked."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv6Address, ip_address

import pytest

from gateway.integration.addresses import AddressPolicy, RefusedDestination
from gateway.integration.destinations import Destinations

LOCAL, PRODUCTION = AddressPolicy(local=True), AddressPolicy(local=False)

# (address, what the refusal says) — refused in every mode.
NEVER = [
    ("169.254.169.254", "link-local"),  # AWS, GCP, Azure, OpenStack metadata
    ("169.254.0.1", "link-local"),
    ("fe80::1", "link-local"),
    ("febf:ffff::1", "link-local"),
    ("fd00:ec2::254", "cloud metadata"),  # AWS metadata over IPv6 (inside fc00::/7)
    ("::ffff:169.254.169.254", "link-local"),  # IPv4-mapped
    ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 (RFC 6052) of 169.254.169.254
]
# Refused outside local mode only.
INSIDE = [
    ("127.0.0.1", "loopback"),
    ("127.255.0.7", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.254", "private"),
    ("192.168.1.10", "private"),
    ("100.64.0.1", "shared address space"),
    ("100.127.255.254", "shared address space"),
    ("fc00::1", "unique-local"),
    ("fd12:3456::1", "unique-local"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:10.0.0.1", "private"),
    ("::ffff:100.64.1.1", "shared address space"),
    ("::ffff:0.0.0.0", "unspecified"),
]
PUBLIC = ["93.184.215.14", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]


@pytest.mark.parametrize(("address", "kind"), NEVER)
def test_link_local_and_metadata_addresses_are_refused_in_every_mode(address: str, kind: str) -> None:
    for policy in (LOCAL, PRODUCTION):
        reason = policy.refusal(ip_address(address))
        assert reason is not None
        assert kind in reason
        with pytest.raises(RefusedDestination) as refused:
            policy.check_address("hooks.example.com", ip_address(address))
        assert refused.value.code == "webhook_url_forbidden_address"
        assert str(ip_address(address)) in str(refused.value)


@pytest.mark.parametrize(("address", "kind"), INSIDE)
def test_inside_addresses_are_refused_outside_local_mode(address: str, kind: str) -> None:
    reason = PRODUCTION.refusal(ip_address(address))
    assert reason is not None
    assert kind in reason
    assert LOCAL.refusal(ip_address(address)) is None, "local mode delivers to a receiver on this machine"


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address: str) -> None:
    assert PRODUCTION.refusal(ip_address(address)) is None
    assert LOCAL.refusal(ip_address(address)) is None


def test_only_https_outside_local_mode_and_only_http_or_https_in_it() -> None:
    assert PRODUCTION.check_url("https://hooks.example.com/in").host == "hooks.example.com"
    with pytest.raises(RefusedDestination) as refused:
        PRODUCTION.check_url("http://hooks.example.com/in")
    assert refused.value.code == "webhook_url_not_https"
    assert LOCAL.check_url("http://127.0.0.1:9000/in").port == 9000
    for url in ("ftp://hooks.example.com/in", "file:///etc/passwd", "gopher://x/"):
        with pytest.raises(RefusedDestination) as refused:
            LOCAL.check_url(url)
        assert refused.value.code == "webhook_url_invalid"


def test_a_literal_address_in_the_url_is_checked_without_resolving() -> None:
    with pytest.raises(RefusedDestination) as refused:
        LOCAL.check_url("http://169.254.169.254/latest/meta-data/")
    assert refused.value.code == "webhook_url_forbidden_address"
    with pytest.raises(RefusedDestination):
        PRODUCTION.check_url("https://[::ffff:192.168.0.1]/in")
    assert PRODUCTION.check_url("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:8443/in").port == 8443


def test_the_mode_comes_from_dealerflow_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEALERFLOW_ENV", raising=False)
    assert AddressPolicy.from_env().local
    monkeypatch.setenv("DEALERFLOW_ENV", "production")
    assert not AddressPolicy.from_env().local


class FakeDns:
    """A resolver the test controls: name → addresses, counting look-ups."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.lookups: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> Sequence[IPv4Address | IPv6Address]:
        self.lookups.append((host, port))
        if host not in self.answers:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        return [ip_address(a) for a in self.answers[host]]


async def test_a_name_that_resolves_inside_is_refused_and_any_inside_answer_refuses_it() -> None:
    dns = FakeDns({"inside.example.com": ["10.0.0.5"], "mixed.example.com": ["93.184.215.14", "127.0.0.1"]})
    destinations = Destinations(PRODUCTION, dns)
    with pytest.raises(RefusedDestination) as refused:
        await destinations.pin("https://inside.example.com/in")
    assert "inside.example.com" in str(refused.value)
    assert "10.0.0.5" in str(refused.value)
    assert "private" in str(refused.value)
    with pytest.raises(RefusedDestination) as refused:
        await destinations.pin("https://mixed.example.com/in")
    assert "127.0.0.1" in str(refused.value)
    assert dns.lookups == [("inside.example.com", 443), ("mixed.example.com", 443)]


async def test_the_checked_address_is_pinned_with_the_name_kept_for_host_and_tls() -> None:
    dns = FakeDns(
        {"hooks.example.com": ["93.184.215.14"], "v6.example.com": ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"]}
    )
    destinations = Destinations(PRODUCTION, dns)
    pinned = await destinations.pin("https://hooks.example.com:8443/in?x=1")
    assert str(pinned.url) == "https://93.184.215.14:8443/in?x=1"
    assert pinned.host_header == "hooks.example.com:8443"
    assert pinned.extensions == {"sni_hostname": "hooks.example.com"}  # certificate checked for the name
    assert pinned.address == ip_address("93.184.215.14")
    v6 = await destinations.pin("https://v6.example.com/in")
    assert str(v6.url) == "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/in"
    assert v6.host_header == "v6.example.com"
    literal = await Destinations(LOCAL, dns).pin("http://127.0.0.1:9000/in")
    assert (str(literal.url), literal.host_header, literal.extensions) == (
        "http://127.0.0.1:9000/in",
        "127.0.0.1:9000",
        {},
    )
    assert dns.lookups == [("hooks.example.com", 8443), ("v6.example.com", 443)], "a literal address is not looked up"


async def test_subscribing_checks_what_resolves_now_and_accepts_a_name_not_resolving_yet() -> None:
    dns = FakeDns({"metadata.internal": ["169.254.169.254"], "hooks.example.com": ["93.184.215.14"]})
    destinations = Destinations(LOCAL, dns)
    with pytest.raises(RefusedDestination) as refused:
        await destinations.check("http://metadata.internal/latest/meta-data/")
    assert refused.value.code == "webhook_url_forbidden_address"
    await destinations.check("http://hooks.example.com/in")
    await destinations.check("http://not-yet.example.com/in")  # checked again at every delivery
    with pytest.raises(OSError, match="not known"):
        await destinations.pin("http://not-yet.example.com/in")
