"""An OpenID provider's signing keys, as its discovery document's `jwks_uri` publishes them
(OpenID Connect Discovery 1.0, RFC 7517).

The keys are cached. A token naming a key id the cache lacks fetches the set again — the
provider has rotated its key — but at most once per `refresh_seconds`, so tokens with made-up key
ids cannot make the gateway hammer the provider. The set is also fetched again once it is
`max_age_seconds` old, so a key the provider withdrew stops verifying tokens; if that fetch fails
the keys in hand go on serving (a provider that is briefly down does not sign everyone out).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt

# Asymmetric only: a provider's key set never holds a secret the gateway could be tricked into
# using as an HMAC key.
ALGORITHMS = ("RS256", "ES256")
_KEY_TYPES = {"RS256": "RSA", "ES256": "EC"}


class KeysUnavailable(Exception):
    """The provider's keys could not be fetched and none are in hand (503: try again)."""

    code = "identity_provider_unavailable"


class IssuerKeys:
    def __init__(
        self,
        issuer: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        refresh_seconds: float = 30.0,
        max_age_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 10.0,
    ) -> None:
        self.issuer = issuer
        self.transport = transport
        self.refresh_seconds = refresh_seconds
        self.max_age_seconds = max_age_seconds
        self.clock = clock
        self.timeout = timeout
        self.fetches = 0
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._failed = False
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None, algorithm: str) -> jwt.PyJWK | None:
        """The published key `kid` names for `algorithm`; None if the provider does not publish
        it (or not for that algorithm)."""
        async with self._lock:  # one fetch at a time; waiting requests then find its keys
            if self._stale():
                await self._fetch()
            found = self._lookup(kid)
            if found is None and self._may_fetch():
                await self._fetch()
                found = self._lookup(kid)
            elif found is None and self._failed and not self._keys:
                raise KeysUnavailable(f"the identity provider {self.issuer} did not publish its keys")
        if found is None or found.algorithm_name != algorithm:
            return None
        return found

    def _stale(self) -> bool:
        return self._fetched_at is not None and self.clock() - self._fetched_at >= self.max_age_seconds

    def _may_fetch(self) -> bool:
        return self._fetched_at is None or self.clock() - self._fetched_at >= self.refresh_seconds

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:  # a provider with a single key may leave `kid` out of its tokens
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def _fetch(self) -> None:
        self._fetched_at = self.clock()
        self.fetches += 1
        try:
            keys = await self._published_keys()
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            self._failed = True
            if self._keys:  # the keys in hand go on serving
                return
            raise KeysUnavailable(f"the identity provider {self.issuer} did not publish its keys: {error}") from None
        self._failed = False
        self._keys = keys

    async def _published_keys(self) -> dict[str, jwt.PyJWK]:
        discovery_url = f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"
        async with httpx.AsyncClient(transport=self.transport, timeout=self.timeout) as client:
            discovery = await _json(client, discovery_url)
            # Discovery 4.3: a document naming another issuer is not this provider's.
            if discovery.get("issuer") != self.issuer:
                raise ValueError(f"the discovery document names the issuer {discovery.get('issuer')!r}")
            key_set = await _json(client, str(discovery["jwks_uri"]))
        return {str(entry["kid"]): key for entry in key_set["keys"] if (key := _signing_key(entry)) is not None}


async def _json(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    response = await client.get(url, headers={"Accept": "application/json"})
    response.raise_for_status()
    document = response.json()
    if not isinstance(document, dict):
        raise ValueError(f"{url} did not answer with a JSON object")
    return document


def _signing_key(entry: Any) -> jwt.PyJWK | None:
    """A key of the set the gateway can verify with; None for others (encryption keys, other
    algorithms, keys without an id), which a provider may publish beside its signing keys."""
    if not isinstance(entry, dict) or "kid" not in entry or entry.get("use", "sig") != "sig":
        return None
    algorithm = entry.get("alg") or {"RSA": "RS256", "EC": "ES256"}.get(str(entry.get("kty")))
    if algorithm not in ALGORITHMS or entry.get("kty") != _KEY_TYPES[algorithm]:
        return None
    try:
        return jwt.PyJWK(entry, algorithm)
    except jwt.PyJWTError:
        return None
