"""A webhook URL resolved, checked against the address policy, and pinned to the address checked.

A name is resolved once per call and every address it resolves to must pass (one inside answer
among public ones refuses it: which one a client would pick is not ours to guess). The request
then goes to that address, not to the name: the URL carries the address, while the `Host` header,
the TLS server name (SNI) and the certificate check keep the name. A second look-up between
check and connect — a DNS-rebinding name answering a public address to the check and an inside
one to the connect — therefore never happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from gateway.integration.addresses import AddressPolicy, IPAddress, literal_address

# (host, port) → the addresses it resolves to; raises OSError when it does not resolve.
Resolver = Callable[[str, int], Awaitable[Sequence[IPAddress]]]
_LOOKUP_AT_SUBSCRIBING = 5.0  # seconds: a slow name server must not hold the API call


async def system_resolver(host: str, port: int) -> Sequence[IPAddress]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = literal_address(str(sockaddr[0]).split("%", 1)[0])  # an IPv6 zone is not part of it
        if address is not None and address not in found:
            found.append(address)
    return found


@dataclass(frozen=True)
class Pinned:
    """A checked call: `url` with the address in place of the name, and what keeps the name."""

    url: httpx.URL
    address: IPAddress
    host_header: str
    extensions: dict[str, Any]
    # The client's pool knows a connection by the address it went to, not by the name its TLS
    # session was verified for: a TLS connection verified for one name must not carry a call to
    # another name at the same address. Such calls ask for a connection of their own (closed after).
    own_connection: bool = False

    @property
    def headers(self) -> dict[str, str]:
        """The headers that keep the name (and the connection to itself)."""
        return {"host": self.host_header, **({"connection": "close"} if self.own_connection else {})}


@dataclass(frozen=True)
class Destinations:
    policy: AddressPolicy
    resolver: Resolver = system_resolver

    async def pin(self, url: str) -> Pinned:
        """The call to make for `url` now; `RefusedDestination` if it would reach inside, OSError
        if its name does not resolve."""
        parsed = self.policy.check_url(url)
        host = parsed.raw_host.decode("ascii")  # IDNA-encoded, as looked up and sent
        literal = literal_address(parsed.host)
        address = literal
        if address is None:
            port = parsed.port or (443 if parsed.scheme == "https" else 80)
            addresses = await self.resolver(host, port)
            if not addresses:
                raise OSError(f"{host} resolves to no address")
            for candidate in addresses:
                self.policy.check_address(host, candidate)
            address = addresses[0]
        tls_by_name = parsed.scheme == "https" and literal is None
        extensions = {"sni_hostname": host} if tls_by_name else {}
        return Pinned(
            parsed.copy_with(host=str(address)), address, parsed.netloc.decode("ascii"), extensions, tls_by_name
        )

    async def check(self, url: str) -> None:
        """At subscribing: refuse a URL that reaches inside now. A name that does not resolve
        yet is accepted — every delivery resolves and checks it again."""
        with contextlib.suppress(OSError):  # TimeoutError included
            async with asyncio.timeout(_LOOKUP_AT_SUBSCRIBING):
                await self.pin(url)
