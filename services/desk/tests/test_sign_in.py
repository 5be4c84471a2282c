"""Signing in with OpenID Connect (code + PKCE S256), the session cookie, the refresh, the site
picker and signing out, against the provider stand-in."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

import httpx
from desk_helpers import (
    CLIENT_ID,
    OTHER_SITE,
    PUBLIC_URL,
    SITE,
    StandIn,
    Who,
    csrf_of,
    desk_client,
    live_regions_read_again,
    query_of,
    sign_in,
)

from desk.settings import DeskSettings


async def test_the_authorization_request_uses_pkce_s256_state_and_nonce(desk: httpx.AsyncClient) -> None:
    started = await desk.get("/auth/sign-in")
    asked = query_of(started.headers["location"])
    assert started.headers["location"].startswith("http://gateway/auth/dev/authorize?")
    assert asked["response_type"] == "code"
    assert asked["client_id"] == CLIENT_ID
    assert asked["redirect_uri"] == f"{PUBLIC_URL}/auth/callback"
    assert asked["code_challenge_method"] == "S256"
    assert len(asked["code_challenge"]) == 43  # base64url of a sha256, unpadded
    assert len(asked["state"]) >= 32
    assert len(asked["nonce"]) >= 32
    assert "openid" in asked["scope"].split()


async def test_a_person_signs_in_and_lands_on_their_day(desk: httpx.AsyncClient, stand_in: StandIn) -> None:
    back = await sign_in(desk, stand_in)
    assert back.status_code == 303, back.text
    assert back.headers["location"] == "/"
    home = await desk.get("/")
    assert home.status_code == 200, home.text
    assert "Li Na" in home.text
    assert "沪A12345" in home.text  # today's arrival, from the board
    assert "09:30" in home.text  # 01:30 UTC at the site (Asia/Shanghai)
    assert await live_regions_read_again(desk, home) == ["arrivals"]
    # the verifier the desk sent matched the challenge (the stand-in refuses otherwise), and the
    # tokens stayed on the server: the page holds none of them
    assert not any(token in home.text for token in stand_in.tokens)


async def test_the_session_cookie_is_an_http_only_lax_random_id(desk: httpx.AsyncClient, stand_in: StandIn) -> None:
    back = await sign_in(desk, stand_in)
    cookie = session_cookie(back)
    assert cookie.startswith("desk_session=")
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "path=/" in flags
    assert "secure" not in flags  # plain http on this machine only
    value = cookie.split(";")[0].split("=", 1)[1]
    assert len(value) >= 40
    assert value not in stand_in.tokens


async def test_outside_localhost_the_cookie_is_secure_and_host_prefixed(database: str, stand_in: StandIn) -> None:
    settings = DeskSettings(
        database_url=database, desk_public_url="https://desk.example.com", desk_gateway_url="http://gateway"
    )
    async with desk_client(settings, stand_in) as desk:
        back = await sign_in(desk, stand_in)
        assert stand_in.authorizations[-1]["redirect_uri"] == "https://desk.example.com/auth/callback"
    cookie = session_cookie(back)
    assert cookie.startswith("__Host-desk_session=")
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "samesite=lax", "path=/"} <= flags
    assert not any(flag.startswith("domain") for flag in flags)


async def test_a_callback_without_this_browsers_state_is_refused(desk: httpx.AsyncClient, stand_in: StandIn) -> None:
    started = await desk.get("/auth/sign-in")
    async with stand_in.client() as provider:
        authorized = await provider.get(started.headers["location"])
    back = urlsplit(authorized.headers["location"])
    desk.cookies.delete("desk_sign_in")  # another browser brings the code back
    refused = await desk.get(f"{back.path}?{back.query}")
    assert refused.headers["location"] == "/sign-in?failed=1"
    assert not any("desk_session=" in c for c in refused.headers.get_list("set-cookie"))
    assert (await desk.get("/")).headers["location"].startswith("/sign-in")


async def test_a_state_is_used_once(desk: httpx.AsyncClient, stand_in: StandIn) -> None:
    started = await desk.get("/auth/sign-in")
    async with stand_in.client() as provider:
        authorized = await provider.get(started.headers["location"])
    back = urlsplit(authorized.headers["location"])
    state = query_of(authorized.headers["location"])["state"]
    assert (await desk.get(f"{back.path}?{back.query}")).headers["location"] == "/"
    desk.cookies.set("desk_sign_in", state)
    again = await desk.get(f"{back.path}?{back.query}")
    assert again.headers["location"] == "/sign-in?failed=1"


async def test_an_id_token_with_another_nonce_is_refused(desk: httpx.AsyncClient, stand_in: StandIn) -> None:
    stand_in.nonce = "someone-elses-nonce"
    assert (await sign_in(desk, stand_in)).headers["location"] == "/sign-in?failed=1"


async def test_an_id_token_for_another_client_is_refused(desk: httpx.AsyncClient, stand_in: StandIn) -> None:
    stand_in.audience = "another-client"
    assert (await sign_in(desk, stand_in)).headers["location"] == "/sign-in?failed=1"


async def test_an_id_token_from_another_issuer_is_refused(desk: httpx.AsyncClient, stand_in: StandIn) -> None:
    stand_in.issuer = "http://elsewhere/auth"
    assert (await sign_in(desk, stand_in)).headers["location"] == "/sign-in?failed=1"


async def test_an_id_token_not_signed_by_the_providers_keys_is_refused(
    desk: httpx.AsyncClient, stand_in: StandIn
) -> None:
    stand_in.sign_with_another_key = True
    assert (await sign_in(desk, stand_in)).headers["location"] == "/sign-in?failed=1"


def test_the_pkce_challenge_is_rfc_7636s_example() -> None:
    from desk.oidc import pkce_challenge

    rfc_7636_appendix_b = ("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    assert pkce_challenge(rfc_7636_appendix_b[0]) == rfc_7636_appendix_b[1]
    digest = hashlib.sha256(b"x").digest()
    assert pkce_challenge("x") == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def test_an_access_token_near_its_expiry_is_refreshed_before_the_call(
    desk: httpx.AsyncClient, stand_in: StandIn
) -> None:
    stand_in.expires_in = 30  # inside the desk's refresh margin (60 s)
    await sign_in(desk, stand_in)
    first_token = stand_in.api_tokens[-1]
    assert (await desk.get("/")).status_code == 200
    assert stand_in.refreshes == 1
    assert stand_in.api_tokens[-1] != first_token  # the board was read with the new token


async def test_a_session_whose_refresh_is_refused_ends_and_the_person_signs_in_again(
    desk: httpx.AsyncClient, stand_in: StandIn
) -> None:
    stand_in.expires_in = 30
    stand_in.refuse_refresh = True
    await sign_in(desk, stand_in)
    expired = await desk.get("/board")
    assert expired.status_code == 303
    assert expired.headers["location"] == "/sign-in?next=%2Fboard"  # and back to the board after
    calls = len(stand_in.api_tokens)
    again = await desk.get("/")
    assert again.headers["location"].startswith("/sign-in")
    assert stand_in.refreshes == 1  # the session ended: its refresh token is not tried again
    assert len(stand_in.api_tokens) == calls  # and nothing was called with the stale token
    htmx = await desk.get("/my-day/arrivals", headers={"HX-Request": "true"})
    assert htmx.status_code == 204
    assert htmx.headers["HX-Redirect"].startswith("/sign-in")  # htmx loads the sign-in page whole


async def test_the_desk_reached_by_another_local_name_signs_in_at_its_public_url(desk: httpx.AsyncClient) -> None:
    moved = await desk.get("http://localhost:8009/auth/sign-in", params={"next": "/board"})
    assert moved.headers["location"] == f"{PUBLIC_URL}/auth/sign-in?next=%2Fboard"
    started = await desk.get(f"{PUBLIC_URL}/auth/sign-in")
    assert started.headers["location"].startswith("http://gateway/auth/dev/authorize?")


async def test_signing_out_ends_the_session_here_and_at_the_provider(
    desk: httpx.AsyncClient, stand_in: StandIn
) -> None:
    await sign_in(desk, stand_in)
    home = await desk.get("/")
    out = await desk.post("/auth/logout", data={"csrf_token": csrf_of(home.text)})
    assert out.status_code == 303
    ended = query_of(out.headers["location"])
    assert out.headers["location"].startswith("http://gateway/auth/dev/end_session?")
    assert ended == {"client_id": CLIENT_ID, "post_logout_redirect_uri": f"{PUBLIC_URL}/sign-in?out=1"}
    assert 'desk_session=""; expires' in session_cookie(out)
    desk.cookies.clear()
    # the old cookie no longer opens anything, even if a copy of it was kept
    cookie = home.request.headers["cookie"]
    again = await desk.get("/", headers={"cookie": cookie})
    assert again.status_code == 303
    assert again.headers["location"].startswith("/sign-in")


async def test_a_person_with_several_sites_picks_one(desk: httpx.AsyncClient, stand_in: StandIn) -> None:
    stand_in.who = Who(site_ids=(SITE, OTHER_SITE))
    back = await sign_in(desk, stand_in, next="/")
    assert back.headers["location"] == "/site"
    assert (await desk.get("/")).headers["location"] == "/site"
    picker = await desk.get("/site")
    assert SITE in picker.text
    assert OTHER_SITE in picker.text
    assert 'value="*"' not in picker.text  # an advisor has no "all sites"
    token = csrf_of(picker.text)
    assert (await desk.post("/site", data={"csrf_token": token, "site_id": "site-of-someone-else"})).status_code == 403
    assert (await desk.post("/site", data={"csrf_token": token, "site_id": "*"})).status_code == 403
    picked = await desk.post("/site", data={"csrf_token": token, "site_id": SITE})
    assert picked.status_code == 303
    home = await desk.get("/")
    assert home.status_code == 200
    assert f"<strong data-site>{SITE}</strong>" in home.text


async def test_a_group_manager_may_pick_all_sites_of_the_group(desk: httpx.AsyncClient, stand_in: StandIn) -> None:
    stand_in.who = Who(user_id="manager-zhou", roles=("service_manager",), site_ids=(SITE, OTHER_SITE))
    await sign_in(desk, stand_in)
    picker = await desk.get("/site")
    assert 'value="*"' in picker.text
    assert (await desk.post("/site", data={"csrf_token": csrf_of(picker.text), "site_id": "*"})).status_code == 303
    home = await desk.get("/", headers={"accept-language": "en"})
    assert "All sites of the group" in home.text
    assert "Callback queue" in home.text  # the summary's links, not one site's board


def session_cookie(response: httpx.Response) -> str:
    (cookie,) = [c for c in response.headers.get_list("set-cookie") if "desk_session=" in c]
    return cookie
