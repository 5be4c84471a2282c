"""A stand-in for the outside parties the desk talks to — a minimal OpenID provider (discovery,
authorize, token with PKCE, JWKS, end_session) and the few gateway routes the desk reads — and
the desk app around it, driven in-process like a browser would (cookies kept, redirects read)."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter, FastAPI, Form, Header, Request
from fastapi.responses import JSONResponse, RedirectResponse

from desk.app import create_app
from desk.settings import DeskSettings

PUBLIC_URL = "http://127.0.0.1:8009"
ISSUER = "http://gateway/auth/dev"
CLIENT_ID = "dealerflow-desk"
SITE, OTHER_SITE = "site-1", "site-2"


@dataclass
class Who:
    user_id: str = "advisor-li"
    name: str = "Li Na"
    group_id: str = "group-1"
    roles: tuple[str, ...] = ("advisor",)
    site_ids: tuple[str, ...] = (SITE,)


@dataclass
class StandIn:
    who: Who = field(default_factory=Who)
    expires_in: int = 3600
    # Ways to make the provider's answer untrustworthy, one per check the desk makes.
    nonce: str | None = None
    audience: str = CLIENT_ID
    issuer: str = ISSUER
    sign_with_another_key: bool = False
    refuse_refresh: bool = False  # the person was signed out at the provider, or the token revoked
    # What happened, for the tests to read.
    refreshes: int = 0
    authorizations: list[dict[str, str]] = field(default_factory=list)
    ended_sessions: list[dict[str, str]] = field(default_factory=list)
    api_tokens: list[str] = field(default_factory=list)
    api_answer: tuple[int, dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict[str, str]] = {}
        self.tokens: dict[str, Who] = {}
        self.app = self._app()

    def serve_first(self, router: APIRouter) -> None:
        """A test's own routes (a service's answers), matched before the stand-in's general ones."""
        before = list(self.app.router.routes)
        self.app.include_router(router)
        added = self.app.router.routes[len(before) :]
        self.app.router.routes[:] = [*added, *before]

    def _id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.audience, "sub": self.who.user_id, "iat": now, "exp": now + 300}
        claims["nonce"] = self.nonce if self.nonce is not None else nonce
        key = self.other_key if self.sign_with_another_key else self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})

    def _tokens(self, nonce: str | None) -> dict[str, Any]:
        access = f"at-{secrets.token_hex(8)}"
        self.tokens[access] = self.who
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": f"rt-{secrets.token_hex(8)}",
        }
        if nonce is not None:
            body["id_token"] = self._id_token(nonce)
        return body

    def _app(self) -> FastAPI:
        app = FastAPI()
        stand_in = self

        @app.get("/auth/dev/.well-known/openid-configuration")
        async def discovery() -> dict[str, Any]:
            return {
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/authorize",
                "token_endpoint": f"{ISSUER}/token",
                "jwks_uri": f"{ISSUER}/jwks",
                "end_session_endpoint": f"{ISSUER}/end_session",
            }

        @app.get("/auth/dev/jwks")
        async def jwks() -> dict[str, Any]:
            public = jwt.algorithms.RSAAlgorithm.to_jwk(stand_in.key.public_key(), as_dict=True)
            return {"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}

        @app.get("/auth/dev/authorize")
        async def authorize(request: Request) -> RedirectResponse:
            asked = dict(request.query_params)
            stand_in.authorizations.append(asked)
            code = secrets.token_hex(8)
            stand_in.codes[code] = asked
            query = urlencode({"code": code, "state": asked["state"]})
            return RedirectResponse(f"{asked['redirect_uri']}?{query}", status_code=302)

        @app.post("/auth/dev/token")
        async def token(
            grant_type: str = Form(),
            code: str = Form(""),
            code_verifier: str = Form(""),
            redirect_uri: str = Form(""),
            refresh_token: str = Form(""),
        ) -> JSONResponse:
            if grant_type == "refresh_token":
                stand_in.refreshes += 1
                if stand_in.refuse_refresh:
                    return JSONResponse({"error": "invalid_grant"}, status_code=400)
                return JSONResponse(stand_in._tokens(None))
            asked = stand_in.codes.pop(code, None)
            challenge = base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest()).rstrip(b"=")
            if asked is None or asked["code_challenge"] != challenge.decode() or asked["redirect_uri"] != redirect_uri:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            return JSONResponse(stand_in._tokens(asked["nonce"]))

        @app.get("/auth/dev/end_session")
        async def end_session(request: Request) -> dict[str, str]:
            stand_in.ended_sessions.append(dict(request.query_params))
            return {"signed_out": "yes"}

        def person(authorization: str | None) -> Who | None:
            token = (authorization or "").removeprefix("Bearer ")
            stand_in.api_tokens.append(token)
            return stand_in.tokens.get(token)

        @app.get("/api/v1/me")
        async def me(authorization: str | None = Header(None)) -> JSONResponse:
            who = person(authorization)
            if who is None:
                return JSONResponse({"error": {"code": "unauthenticated", "message": "no"}}, status_code=401)
            return JSONResponse(
                {
                    "user_id": who.user_id,
                    "name": who.name,
                    "group_id": who.group_id,
                    "roles": list(who.roles),
                    "site_ids": list(who.site_ids),
                    "all_sites": "group_admin" in who.roles,
                }
            )

        @app.get("/api/v1/sites/{site}/{resource}")
        async def site_resource(site: str, resource: str, authorization: str | None = Header(None)) -> JSONResponse:
            who = person(authorization)
            if who is None:
                return JSONResponse({"error": {"code": "unauthenticated", "message": "no"}}, status_code=401)
            if site not in who.site_ids:
                return JSONResponse({"error": {"code": "forbidden", "message": "no access"}}, status_code=403)
            if stand_in.api_answer is not None:
                return JSONResponse(stand_in.api_answer[1], status_code=stand_in.api_answer[0])
            if resource == "capacity":
                return JSONResponse({"timezone": "Asia/Shanghai"})
            return JSONResponse(BOARD)

        return app

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(self.app), base_url="http://gateway")


BOARD = {
    "site_id": SITE,
    "day": "2026-12-07",
    "time_zone": "Asia/Shanghai",
    "advisor": "advisor-li",
    "appointments": [
        {
            "card_id": "c1",
            "kind": "appointment",
            "repair_order_id": None,  # not checked in yet
            "plate": "沪A12345",
            "customer_name": "Liu Yang",
            "slot_start": "2026-12-07T01:30:00+00:00",
            "status": "booked",
            "promised_at": None,
            "late": False,
            "customer_waiting": False,
        }
    ],
    "cars": [],
}


@asynccontextmanager
async def desk_client(settings: DeskSettings, stand_in: StandIn) -> AsyncIterator[httpx.AsyncClient]:
    """The desk app (its lifespan run) behind a client that keeps cookies like a browser."""
    app = create_app(settings, transport=httpx.ASGITransport(stand_in.app))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as client:
            yield client


async def sign_in(desk: httpx.AsyncClient, stand_in: StandIn, next: str = "/") -> httpx.Response:
    """Through the provider's authorize and back: the desk's answer to the callback."""
    started = await desk.get("/auth/sign-in", params={"next": next})
    assert started.status_code == 303, started.text
    async with stand_in.client() as provider:
        authorized = await provider.get(started.headers["location"])
    assert authorized.status_code == 302, authorized.text
    back = urlsplit(authorized.headers["location"])
    return await desk.get(f"{back.path}?{back.query}")


async def signed_in_as(desk: httpx.AsyncClient, stand_in: StandIn, role: str, user_id: str | None = None) -> str:
    """Sign in through the stand-in provider as one person of `role` at SITE (`<role>-1` unless
    named); the form token (CSRF) of their pages."""
    stand_in.who = Who(user_id=user_id or f"{role}-1", roles=(role,), site_ids=(SITE,))
    await sign_in(desk, stand_in)
    return csrf_of((await desk.get("/")).text)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def csrf_of(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


_LIVE_REGION = re.compile(r'<div id="([^"]+)" data-live-region data-digest="([0-9a-f]+)" hx-get="([^"]+)"')


async def live_regions_read_again(desk: httpx.AsyncClient, page: httpx.Response) -> list[str]:
    """Each live region of `page` read again as htmx does as its stream opens: the ids of those
    whose route renders what the page rendered in it (same digest), so that the refresh at
    opening swaps nothing and leaves a half-filled form as it is (static/live.js)."""
    regions = _LIVE_REGION.findall(page.text)
    assert regions, "the page has a live region"
    unchanged = []
    for region, rendered, url in regions:
        language = page.request.headers.get("accept-language", "")
        again = await desk.get(html.unescape(url), headers={"HX-Request": "true", "accept-language": language})
        assert again.status_code == 200, again.text
        if again.headers.get("X-Region-Digest") == rendered:
            unchanged.append(region)
    return unchanged
