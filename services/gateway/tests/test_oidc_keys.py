"""A provider's keys: fetched through discovery and cached; a rotation is picked up without a
restart (an unknown `kid` fetches the set again, at most once per refresh interval); a withdrawn
key stops verifying once the cache is due; a provider that is down is a 503, not a refusal."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from oidc_provider import ISSUER, Provider, bearer

from events.identity import Unauthenticated
from gateway.app import create_app
from gateway.auth import Authenticator
from gateway.oidc_keys import KeysUnavailable
from gateway.rate_limit import RateLimiter
from gateway.settings import GatewaySettings
from gateway.tokens import OidcIssuer, TokenSettings

CLAIMS = {"group": "g1", "roles": ["advisor"], "sites": ["s1"]}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def authenticator(provider: Provider, clock: Clock) -> Authenticator:
    settings = TokenSettings(secret=None, public_key=None, issuer=None, oidc=(OidcIssuer(ISSUER),))
    return Authenticator(
        settings,
        RateLimiter(rate_per_second=1000, burst=1000),
        transport=provider.transport(),
        refresh_seconds=30,
        max_age_seconds=300,
        clock=clock,
    )


async def test_a_rotated_key_verifies_without_a_restart_and_a_withdrawn_one_stops() -> None:
    provider, clock = Provider(), Clock()
    provider.add_key("2026-11")
    authenticate = authenticator(provider, clock)
    old = f"Bearer {provider.token('2026-11', **CLAIMS)}"
    assert (await authenticate(old)).group_id == "g1"

    # The provider rotates: it publishes the new key beside the old and signs with the new one.
    provider.add_key("2026-12")
    clock.now += 31
    new = f"Bearer {provider.token('2026-12', **CLAIMS)}"
    assert (await authenticate(new)).group_id == "g1", "the new kid was fetched"
    assert (await authenticate(old)).group_id == "g1", "the old key is still published"
    assert provider.fetches == 2

    # The old key is withdrawn: its tokens verify until the cache is due, then no longer.
    del provider.keys["2026-11"]
    clock.now += 299
    assert (await authenticate(old)).group_id == "g1"
    clock.now += 1
    with pytest.raises(Unauthenticated):
        await authenticate(old)
    assert (await authenticate(new)).group_id == "g1"


async def test_unknown_kids_fetch_the_keys_at_most_once_per_interval() -> None:
    provider, clock = Provider(), Clock()
    provider.add_key("k1")
    authenticate = authenticator(provider, clock)
    await authenticate(f"Bearer {provider.token('k1', **CLAIMS)}")
    provider.add_key("k2")
    early = f"Bearer {provider.token('k2', **CLAIMS)}"
    clock.now += 10
    for _ in range(20):  # a burst of tokens naming a key the cache lacks
        with pytest.raises(Unauthenticated):
            await authenticate(early)
    assert provider.fetches == 1, "no fetch within 30 s of the last"
    clock.now += 20
    assert (await authenticate(early)).user_id == "u-1"
    assert provider.fetches == 2


async def test_a_provider_that_is_down_keeps_the_keys_in_hand_serving() -> None:
    provider, clock = Provider(), Clock()
    provider.add_key("k1")
    authenticate = authenticator(provider, clock)
    token = f"Bearer {provider.token('k1', **CLAIMS)}"
    await authenticate(token)
    provider.down = True
    clock.now += 301  # the cache is due, the provider does not answer
    assert (await authenticate(token)).user_id == "u-1"


async def test_no_keys_at_all_is_a_retryable_503_not_a_401(tmp_path: Path) -> None:
    provider = Provider(down=True)
    provider.add_key("k1")
    with pytest.raises(KeysUnavailable):
        await authenticator(provider, Clock())(f"Bearer {provider.token('k1', **CLAIMS)}")

    config = GatewaySettings(gateway_oidc_issuer=ISSUER, gateway_dev_oidc_key_file=str(tmp_path / "k.pem"))
    app = create_app(config=config, identity_transport=provider.transport())
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as gateway,
    ):
        response = await gateway.get("/api/v1/me", headers=bearer(provider.token("k1", **CLAIMS)))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["error"]["code"] == "identity_provider_unavailable"
