"""Where a webhook may be delivered (pure): a subscriber's URL must not turn the gateway into a
way into the network it runs in (server-side request forgery).

In every mode: no link-local addresses (169.254.0.0/16, fe80::/10), where every cloud serves
its instance metadata and credentials, nor AWS's IPv6 metadata address. Outside local mode
(`DEALERFLOW_ENV` other than `local`) also only `https`, and no loopback, private (RFC 1918),
shared (CGNAT, RFC 6598), unique-local or unspecified address. An IPv6 address that carries an
IPv4 one (IPv4-mapped, or NAT64's well-known prefix) is judged by the IPv4 address it reaches.
Local mode keeps loopback and private addresses: a developer's receiver runs on their machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

import httpx

IPAddress = IPv4Address | IPv6Address

_NEVER: tuple[tuple[IPv4Network | IPv6Network, str], ...] = (
    (IPv4Network("169.254.0.0/16"), "link-local (cloud metadata)"),
    (IPv6Network("fe80::/10"), "link-local"),
    (IPv6Network("fd00:ec2::254/128"), "cloud metadata (AWS)"),
)
_INSIDE: tuple[tuple[IPv4Network | IPv6Network, str], ...] = (
    (IPv4Network("0.0.0.0/8"), "unspecified (this host)"),
    (IPv6Network("::/128"), "unspecified (this host)"),
    (IPv4Network("127.0.0.0/8"), "loopback"),
    (IPv6Network("::1/128"), "loopback"),
    (IPv4Network("10.0.0.0/8"), "private (RFC 1918)"),
    (IPv4Network("172.16.0.0/12"), "private (RFC 1918)"),
    (IPv4Network("192.168.0.0/16"), "private (RFC 1918)"),
    (IPv4Network("100.64.0.0/10"), "shared address space (CGNAT)"),
    (IPv6Network("fc00::/7"), "unique-local"),
)
_NAT64 = IPv6Network("64:ff9b::/96")

NOT_HTTPS = "webhook_url_not_https"
FORBIDDEN_ADDRESS = "webhook_url_forbidden_address"
INVALID = "webhook_url_invalid"


class RefusedDestination(Exception):
    """A webhook URL the gateway will not call; `code` says why in a word."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _reached(address: IPAddress) -> IPAddress:
    """The address a connection to `address` reaches: the IPv4 one inside an IPv6 form of it."""
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in _NAT64:
            return IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def literal_address(host: str) -> IPAddress | None:
    """The address a URL's host names literally, or None for a name."""
    try:
        return ip_address(host)
    except ValueError:
        return None


@dataclass(frozen=True)
class AddressPolicy:
    local: bool  # DEALERFLOW_ENV=local: a developer's machine

    @classmethod
    def from_env(cls) -> AddressPolicy:
        return cls(local=os.environ.get("DEALERFLOW_ENV", "local") == "local")

    def refusal(self, address: IPAddress) -> str | None:
        """What kind of inside address `address` is, if webhooks may not reach it; else None."""
        for candidate in (address, _reached(address)):
            for network, kind in _NEVER if self.local else _NEVER + _INSIDE:
                if candidate.version == network.version and candidate in network:
                    return kind
        return None

    def check_address(self, host: str, address: IPAddress) -> None:
        reason = self.refusal(address)
        if reason is not None:
            reached = _reached(address)
            named = str(address) if reached == address else f"{address}, i.e. {reached}"
            shown = named if host == str(address) else f"{host} ({named})"
            raise RefusedDestination(
                FORBIDDEN_ADDRESS, f"{shown} is not allowed: {reason} address (webhooks cannot be pointed inside)"
            )

    def check_url(self, url: str) -> httpx.URL:
        """The URL as it will be called, if its scheme is allowed and its host is not a refused
        address literally (a name is checked by what it resolves to, at every call)."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as error:
            raise RefusedDestination(INVALID, f"not a URL: {error}") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise RefusedDestination(INVALID, "a webhook URL is http(s)://host/...")
        if parsed.scheme != "https" and not self.local:
            raise RefusedDestination(NOT_HTTPS, "a webhook URL must be https")
        address = literal_address(parsed.host)
        if address is not None:
            self.check_address(parsed.host, address)
        return parsed
