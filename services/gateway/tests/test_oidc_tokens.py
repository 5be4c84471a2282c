"""Access tokens from any OpenID provider (GATEWAY_OIDC_ISSUER): verified by the keys its
discovery document's JWKS publishes; roles, sites and group read from the configured claims."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from gateway_helpers import SECRET
from oidc_provider import ISSUER, Provider, bearer
from pydantic import ValidationError

from events.identity import ROLES, Forbidden
from gateway.app import create_app
from gateway.settings import GatewaySettings
from gateway.tokens import ClaimPaths, TokenSettings, claim, identity_from


@asynccontextmanager
async def gateway_for(provider: Provider, tmp_path: Path, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    config = GatewaySettings(
        gateway_oidc_issuer=provider.issuer,
        gateway_jwt_secret=SECRET,
        gateway_dev_oidc_key_file=str(tmp_path / "dev-key.pem"),
        **settings,
    )
    app = create_app(config=config, identity_transport=provider.transport())
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client,
    ):
        yield client


@pytest.fixture
def provider() -> Provider:
    provider = Provider()
    provider.add_key("rsa-1")
    provider.add_key("ec-1", kind="EC")
    return provider


async def test_a_providers_rs256_and_es256_tokens_prove_who_is_calling(provider: Provider, tmp_path: Path) -> None:
    claims = {"name": "Li Na", "group": "g1", "roles": ["advisor", "offline_access"], "sites": ["s1", "s2"]}
    async with gateway_for(provider, tmp_path) as gateway:
        for kid in ("rsa-1", "ec-1"):
            me = await gateway.get("/api/v1/me", headers=bearer(provider.token(kid, **claims)))
            assert me.status_code == 200, (kid, me.text)
            assert me.json() == {
                "user_id": "u-1",
                "name": "Li Na",
                "group_id": "g1",
                "roles": ["advisor"],  # offline_access is no role of ours: dropped
                "site_ids": ["s1", "s2"],
                "all_sites": False,
            }
    assert provider.fetches == 1, "the key set is fetched once and cached"


async def test_audience_issuer_expiry_and_signature_are_checked(provider: Provider, tmp_path: Path) -> None:
    good = {"group": "g1", "roles": ["advisor"], "sites": ["s1"]}
    stranger = Provider(issuer=ISSUER)
    stranger.add_key("rsa-1")  # the provider's kid, another key: a forgery
    stranger.add_key("rsa-9")  # a kid the provider does not publish
    elsewhere = {"iss": "https://elsewhere.example", "aud": "dealerflow", "sub": "x", "exp": time.time() + 60}
    cases = {
        "audience": provider.token("rsa-1", **good, aud="another-app"),
        "expired": provider.token("rsa-1", **good, exp=int(time.time()) - 60),
        "no expiry": provider.token("rsa-1", **good, exp=None),
        "forged": stranger.token("rsa-1", **good),
        "unknown kid": stranger.token("rsa-9", **good),
        # Another issuer falls to the settings' key (HS256 here), which did not sign it.
        "another issuer": jwt.encode({**good, **elsewhere}, "another-secret-of-sufficient-length!!"),
        # The provider's issuer on an HS256 token signed with the gateway's own secret: a
        # provider's tokens are verified with its published keys only.
        "hs256": jwt.encode({**good, **elsewhere, "iss": ISSUER}, SECRET),
    }
    async with gateway_for(provider, tmp_path) as gateway:
        assert (await gateway.get("/api/v1/me", headers=bearer(provider.token("rsa-1", **good)))).status_code == 200
        for case, token in cases.items():
            response = await gateway.get("/api/v1/me", headers=bearer(token))
            assert response.status_code == 401, case
            assert response.json()["error"]["code"] == "unauthenticated", case


async def test_the_audience_is_configurable(provider: Provider, tmp_path: Path) -> None:
    token = provider.token("rsa-1", group="g1", roles=["cashier"], sites=["s1"], aud="api://dealerflow")
    async with gateway_for(provider, tmp_path, gateway_oidc_audience="api://dealerflow") as gateway:
        assert (await gateway.get("/api/v1/me", headers=bearer(token))).status_code == 200
        other = provider.token("rsa-1", group="g1", roles=["cashier"], sites=["s1"])  # aud "dealerflow"
        assert (await gateway.get("/api/v1/me", headers=bearer(other))).status_code == 401


async def test_keycloak_claims_by_dotted_paths(provider: Provider, tmp_path: Path) -> None:
    token = provider.token(
        "rsa-1",
        preferred_username="wang.fang",
        realm_access={"roles": ["technician", "default-roles-dealerflow", "uma_authorization"]},
        dealerflow={"group": "g7", "sites": ["s3"]},
    )
    settings = {
        "gateway_oidc_roles_claim": "realm_access.roles",
        "gateway_oidc_group_claim": "dealerflow.group",
        "gateway_oidc_sites_claim": "dealerflow.sites",
    }
    async with gateway_for(provider, tmp_path, **settings) as gateway:
        me = (await gateway.get("/api/v1/me", headers=bearer(token))).json()
    assert (me["name"], me["group_id"], me["roles"], me["site_ids"]) == ("wang.fang", "g7", ["technician"], ["s3"])


async def test_a_token_with_no_known_role_or_no_group_is_403(provider: Provider, tmp_path: Path) -> None:
    cases = {
        "no known role": provider.token("rsa-1", group="g1", roles=["pilot", "offline_access"], sites=["s1"]),
        "no roles at all": provider.token("rsa-1", group="g1", sites=["s1"]),
        "no group": provider.token("rsa-1", roles=["advisor"], sites=["s1"]),
        "two groups": provider.token("rsa-1", group=["g1", "g2"], roles=["advisor"], sites=["s1"]),
    }
    async with gateway_for(provider, tmp_path) as gateway:
        for case, token in cases.items():
            response = await gateway.get("/api/v1/me", headers=bearer(token))
            assert response.status_code == 403, case
            assert response.json()["error"]["code"] == "forbidden", case


async def test_the_settings_keys_tokens_keep_working_beside_a_provider(provider: Provider, tmp_path: Path) -> None:
    now = int(time.time())
    base = {"sub": "sa-1", "group": "g1", "sites": ["s1"], "aud": "dealerflow", "exp": now + 60}
    async with gateway_for(provider, tmp_path) as gateway:
        ok = await gateway.get("/api/v1/me", headers=bearer(jwt.encode({**base, "roles": ["advisor"]}, SECRET)))
        assert ok.status_code == 200
        assert ok.json()["user_id"] == "sa-1"
        no_role = await gateway.get("/api/v1/me", headers=bearer(jwt.encode({**base, "roles": ["pilot"]}, SECRET)))
        assert no_role.status_code == 403


def test_claims_are_found_by_name_then_by_dotted_path() -> None:
    claims = {
        "https://dealerflow.cn/roles": ["advisor"],  # a namespaced claim, dots in its own name
        "realm_access": {"roles": ["cashier"]},
        "scp": "advisor cashier",
    }
    assert claim(claims, "https://dealerflow.cn/roles") == ["advisor"]
    assert claim(claims, "realm_access.roles") == ["cashier"]
    assert claim(claims, "realm_access.missing") is None
    assert claim(claims, "scp.deeper") is None
    paths = ClaimPaths(roles="scp", sites="sites", group="grp")
    identity = identity_from({"sub": "x", "grp": "g1", "scp": "advisor cashier wizard"}, paths)
    assert identity.roles == frozenset({"advisor", "cashier"})
    assert identity.site_ids == frozenset()
    with pytest.raises(Forbidden):
        identity_from({"sub": "x", "grp": "g1", "scp": "wizard"}, paths)
    assert "system" in ROLES  # an API client's role is taken from a provider like any other


def test_outside_local_a_provider_alone_is_enough_and_no_built_in_secret_is_trusted() -> None:
    internal = "internal-secret-of-enough-length"
    config = GatewaySettings(dealerflow_env="production", internal_token_secret=internal, gateway_oidc_issuer=ISSUER)
    settings = TokenSettings.from_env(config)
    assert settings.secret is None, "the local built-in secret would let anyone mint tokens"
    assert [issuer.issuer for issuer in settings.oidc] == [ISSUER]
    with pytest.raises(ValidationError, match="GATEWAY_OIDC_ISSUER"):
        GatewaySettings(dealerflow_env="production", internal_token_secret=internal)
