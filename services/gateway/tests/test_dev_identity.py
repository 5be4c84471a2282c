"""The local development OpenID provider under /auth/dev/: the code flow with PKCE S256, the
sign-in page, refresh, userinfo and logout; and the gateway believing its tokens through
discovery and JWKS like any provider's."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest
from fastapi import FastAPI
from gateway_helpers import SECRET

from events.identity import ROLES, SYSTEM
from gateway.app import create_app
from gateway.dev_identity.people import ROLE_LABELS
from gateway.dev_identity.provider import DevProvider
from gateway.settings import GatewaySettings

ISSUER = "http://127.0.0.1:8000/auth/dev"
CLIENT = "dealerflow-desk"
CALLBACK = "http://127.0.0.1:8009/auth/callback"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
LI_NA = {"name": "李娜 Li Na", "role": "advisor", "group_id": "g1", "site_ids": "s1, s2"}


@asynccontextmanager
async def running(tmp_path: Path, **settings: Any) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI]]:
    """A local gateway (its key and the demo group under `tmp_path`) and a client of it."""
    config = GatewaySettings(
        gateway_jwt_secret=SECRET,
        gateway_dev_oidc_key_file=str(tmp_path / "dev-oidc-key.pem"),
        gateway_dev_oidc_demo_file=str(tmp_path / "demo-group.json"),
        **settings,
    )
    app = create_app(config=config)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client,
    ):
        yield client, app


@asynccontextmanager
async def gateway_in(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with running(tmp_path) as (client, _):
        yield client


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_in(tmp_path) as client:
        yield client


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorization(challenge: str, **extra: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": CALLBACK,
        "scope": "openid profile offline_access",
        "state": "st-1",
        "nonce": "n-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }


async def code_for(gateway: httpx.AsyncClient, challenge: str, person: dict[str, str] = LI_NA) -> str:
    """Sign in on the page (its form posted as a browser would) and take the code from the redirect."""
    params = authorization(challenge)
    page = await gateway.get("/auth/dev/authorize", params=params)
    assert page.status_code == 200, page.text
    done = await gateway.post("/auth/dev/authorize", content=urlencode({**params, **person}), headers=FORM)
    assert done.status_code == 303, done.text
    location = urlsplit(done.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    query = parse_qs(location.query)
    assert query["state"] == ["st-1"]
    assert query["iss"] == [ISSUER]
    return query["code"][0]


async def redeem(gateway: httpx.AsyncClient, code: str, verifier: str, redirect_uri: str = CALLBACK) -> httpx.Response:
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": CLIENT,
        "code_verifier": verifier,
    }
    return await gateway.post("/auth/dev/token", content=urlencode(body), headers=FORM)


async def test_discovery_names_the_endpoints_and_the_signing_key(gateway: httpx.AsyncClient) -> None:
    document = (await gateway.get("/auth/dev/.well-known/openid-configuration")).json()
    assert document["issuer"] == ISSUER
    for endpoint in ("authorization", "token", "userinfo", "end_session"):
        assert document[f"{endpoint}_endpoint"].startswith(f"{ISSUER}/"), endpoint
    assert document["code_challenge_methods_supported"] == ["S256"]
    keys = (await gateway.get(document["jwks_uri"].removeprefix("http://127.0.0.1:8000"))).json()["keys"]
    assert [(key["kty"], key["alg"], key["use"]) for key in keys] == [("RSA", "RS256", "sig")]
    assert "d" not in keys[0], "never the private part"


async def test_a_full_code_flow_signs_in_and_the_gateway_believes_the_token(gateway: httpx.AsyncClient) -> None:
    verifier, challenge = pkce()
    tokens = await redeem(gateway, await code_for(gateway, challenge), verifier)
    assert tokens.status_code == 200, tokens.text
    assert tokens.headers["cache-control"] == "no-store"
    body = tokens.json()
    assert body["token_type"] == "Bearer"
    me = await gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200, me.text
    assert me.json() == {
        "user_id": "李娜 Li Na",
        "name": "李娜 Li Na",
        "group_id": "g1",
        "roles": ["advisor"],
        "site_ids": ["s1", "s2"],
        "all_sites": False,
    }
    # The ID token is for the client, carries the nonce, and verifies with the published key.
    jwk = (await gateway.get("/auth/dev/jwks")).json()["keys"][0]
    claims = jwt.decode(body["id_token"], jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=CLIENT, issuer=ISSUER)
    assert (claims["nonce"], claims["sub"]) == ("n-1", "李娜 Li Na")
    # The ID token and the refresh token are no bearer tokens for the API.
    for other in ("id_token", "refresh_token"):
        refused = await gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {body[other]}"})
        assert refused.status_code == 401, other
    info = await gateway.get("/auth/dev/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert (info.json()["sub"], info.json()["roles"], info.json()["sites"]) == ("李娜 Li Na", ["advisor"], ["s1", "s2"])


async def test_a_wrong_code_verifier_is_invalid_grant_and_spends_the_code(gateway: httpx.AsyncClient) -> None:
    verifier, challenge = pkce()
    code = await code_for(gateway, challenge)
    wrong = await redeem(gateway, code, pkce()[0])
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    retried = await redeem(gateway, code, verifier)
    assert retried.json()["error"] == "invalid_grant", "one attempt per code: a verifier cannot be guessed"


async def test_a_code_is_good_once(gateway: httpx.AsyncClient) -> None:
    verifier, challenge = pkce()
    code = await code_for(gateway, challenge)
    assert (await redeem(gateway, code, verifier)).status_code == 200
    again = await redeem(gateway, code, verifier)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


async def test_the_redirect_uri_must_be_registered_and_match_at_the_token_endpoint(gateway: httpx.AsyncClient) -> None:
    verifier, challenge = pkce()
    # Not registered: the person is told and not sent anywhere (no open redirect).
    evil = await gateway.get(
        "/auth/dev/authorize", params=authorization(challenge, redirect_uri="https://evil.example/cb")
    )
    assert evil.status_code == 400
    assert "location" not in evil.headers
    unknown = await gateway.get("/auth/dev/authorize", params=authorization(challenge, client_id="someone"))
    assert unknown.status_code == 400
    # Registered, but not the one the code was issued for.
    code = await code_for(gateway, challenge)
    other = await redeem(gateway, code, verifier, redirect_uri="http://localhost:8009/auth/callback")
    assert (other.status_code, other.json()["error"]) == (400, "invalid_grant")


async def test_pkce_s256_is_required(gateway: httpx.AsyncClient) -> None:
    _, challenge = pkce()
    for params in (
        {k: v for k, v in authorization(challenge).items() if not k.startswith("code_challenge")},
        authorization(challenge, code_challenge_method="plain"),
    ):
        answer = await gateway.get("/auth/dev/authorize", params=params)
        assert answer.status_code == 303
        query = parse_qs(urlsplit(answer.headers["location"]).query)
        assert (query["error"], query["state"]) == (["invalid_request"], ["st-1"])


async def test_an_expired_code_is_invalid_grant(tmp_path: Path) -> None:
    async with running(tmp_path) as (gateway, app):
        provider: DevProvider = app.state.dev_identity
        verifier, challenge = pkce()
        code = await code_for(gateway, challenge)
        real_clock = provider.clock
        provider.clock = lambda: real_clock() + 61  # a code lives a minute
        expired = await redeem(gateway, code, verifier)
    assert (expired.status_code, expired.json()["error"]) == (400, "invalid_grant")


async def test_refresh_gives_new_tokens_until_the_session_ends(gateway: httpx.AsyncClient) -> None:
    verifier, challenge = pkce()
    first = (await redeem(gateway, await code_for(gateway, challenge), verifier)).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "client_id": CLIENT}
    renewed = await gateway.post("/auth/dev/token", content=urlencode(refresh), headers=FORM)
    assert renewed.status_code == 200, renewed.text
    me = await gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {renewed.json()['access_token']}"})
    assert me.json()["site_ids"] == ["s1", "s2"]
    stolen = {**refresh, "client_id": "another-client"}
    assert (await gateway.post("/auth/dev/token", content=urlencode(stolen), headers=FORM)).status_code == 401

    logout = {
        "id_token_hint": first["id_token"],
        "post_logout_redirect_uri": "http://127.0.0.1:8009/signed-out",
        "state": "bye",
    }
    ended = await gateway.get("/auth/dev/end_session", params=logout)
    assert ended.status_code == 303
    assert ended.headers["location"] == "http://127.0.0.1:8009/signed-out?state=bye"
    after = await gateway.post("/auth/dev/token", content=urlencode(refresh), headers=FORM)
    assert (after.status_code, after.json()["error"]) == (400, "invalid_grant")
    elsewhere = {**logout, "post_logout_redirect_uri": "https://evil.example/"}
    assert (await gateway.get("/auth/dev/end_session", params=elsewhere)).status_code == 400


class _Form(HTMLParser):
    """The page's inputs (but hidden ones) and which ids its labels name."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[str] = []
        self.labelled: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag in ("input", "select", "textarea") and named.get("type") != "hidden":
            self.inputs.append(named.get("id") or "(no id)")
        if tag == "label" and named.get("for"):
            self.labelled.add(str(named["for"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> _Form:
    form = _Form()
    form.feed(html)
    return form


async def test_the_page_labels_every_input_in_chinese_and_english(gateway: httpx.AsyncClient) -> None:
    page = await gateway.get("/auth/dev/authorize", params=authorization(pkce()[1]))
    form = parse(page.text)
    assert form.inputs == ["name", "role", "group_id", "site_ids"]
    assert set(form.inputs) <= form.labelled
    text = " ".join(form.text)
    for words in ("姓名", "Name", "角色", "Role", "门店编号", "Site id", "服务顾问", "Service advisor"):
        assert words in text, words
    assert set(ROLE_LABELS) == set(ROLES) - {SYSTEM}, "every person's role is offered, no API client's"
    assert page.headers["x-frame-options"] == "DENY"


async def test_what_was_typed_is_kept_when_the_form_is_refused(gateway: httpx.AsyncClient) -> None:
    params = authorization(pkce()[1])
    typed = {"name": "王芳 <b>", "role": "technician", "group_id": "g1", "site_ids": ""}
    refused = await gateway.post("/auth/dev/authorize", content=urlencode({**params, **typed}), headers=FORM)
    assert refused.status_code == 422
    assert 'value="王芳 &lt;b&gt;"' in refused.text, "kept, and escaped"
    assert 'id="site_ids-problem"' in refused.text
    assert '<option value="technician" selected>' in refused.text


async def test_the_demo_groups_people_are_offered_and_sign_in(tmp_path: Path) -> None:
    demo = {
        "group_id": "g-demo",
        "sites": [
            {
                "site_id": "site-a",
                "name": "北京朝阳1号店",
                "people": [{"user": "advisor-li-s1", "role": "advisor"}, {"user": "tech-wu-s1", "role": "technician"}],
            }
        ],
    }
    (tmp_path / "demo-group.json").write_text(json.dumps(demo, ensure_ascii=False), encoding="utf-8")
    async with gateway_in(tmp_path) as gateway:
        verifier, challenge = pkce()
        page = await gateway.get("/auth/dev/authorize", params=authorization(challenge))
        form = parse(page.text)
        assert form.inputs == ["person", "name", "role", "group_id", "site_ids"]
        assert set(form.inputs) <= form.labelled
        assert "北京朝阳1号店" in page.text
        assert "tech-wu-s1" in page.text
        assert 'value="g-demo"' in page.text, "the typed-in form starts with the demo group"

        params = authorization(challenge)
        chosen = await gateway.post(
            "/auth/dev/authorize", content=urlencode({**params, "person": "tech-wu-s1"}), headers=FORM
        )
        code = parse_qs(urlsplit(chosen.headers["location"]).query)["code"][0]
        access = (await redeem(gateway, code, verifier)).json()["access_token"]
        me = (await gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})).json()
        assert (me["user_id"], me["group_id"], me["roles"], me["site_ids"]) == (
            "tech-wu-s1",
            "g-demo",
            ["technician"],
            ["site-a"],
        )
        verifier, challenge = pkce()
        admin = {**authorization(challenge), "person": "admin-g-demo"}  # the group's admin, offered last
        chosen = await gateway.post("/auth/dev/authorize", content=urlencode(admin), headers=FORM)
        code = parse_qs(urlsplit(chosen.headers["location"]).query)["code"][0]
        access = (await redeem(gateway, code, verifier)).json()["access_token"]
        me = (await gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})).json()
        assert (me["group_id"], me["roles"], me["all_sites"]) == ("g-demo", ["group_admin"], True)
        nobody = await gateway.post(
            "/auth/dev/authorize", content=urlencode({**params, "person": "not-in-demo"}), headers=FORM
        )
        assert nobody.status_code == 422


async def test_the_key_outlives_a_restart(tmp_path: Path) -> None:
    verifier, challenge = pkce()
    async with gateway_in(tmp_path) as before:
        tokens = (await redeem(before, await code_for(before, challenge), verifier)).json()
    async with gateway_in(tmp_path) as after:  # a new process, the same var/ folder
        me = await after.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert me.status_code == 200, me.text
        refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": CLIENT}
        assert (await after.post("/auth/dev/token", content=urlencode(refresh), headers=FORM)).status_code == 200


async def test_the_provider_is_absent_outside_local(tmp_path: Path) -> None:
    config = GatewaySettings(
        dealerflow_env="production",
        internal_token_secret="internal-secret-of-enough-length",
        gateway_jwt_secret=SECRET,
        gateway_dev_oidc_key_file=str(tmp_path / "key.pem"),
    )
    app = create_app(config=config)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as gateway,
    ):
        for path in ("/auth/dev/.well-known/openid-configuration", "/auth/dev/authorize", "/auth/dev/jwks"):
            assert (await gateway.get(path)).status_code == 404, path
        assert (await gateway.post("/auth/dev/token", content="grant_type=x", headers=FORM)).status_code == 404
    assert not (tmp_path / "key.pem").exists(), "no key is made outside local"
