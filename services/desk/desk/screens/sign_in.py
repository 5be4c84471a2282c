"""Signing in and out, the language switch and the site picker: the routes around every screen."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

import httpx
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from desk import i18n, site_names
from desk.gateway_api import ApiError, GatewayApi
from desk.oidc import Provider, SignInFailed
from desk.sessions import ALL_SITES, Person, Sessions
from desk.settings import DeskSettings
from desk.web import (
    Refused,
    SignedIn,
    clear_session_cookie,
    current_session,
    page,
    redirect,
    safe_return,
    set_session_cookie,
)
from events.identity import SERVICE_MANAGER

router = APIRouter()
STATE_COOKIE = "desk_sign_in"  # binds the provider's answer to the browser that asked


@router.get("/sign-in")
async def sign_in_page(request: Request, next: str = "/", failed: bool = False, out: bool = False) -> Response:
    """The page a signed-out person lands on."""
    if await current_session(request) is not None and not failed:
        return RedirectResponse(safe_return(next), status_code=303)
    return page(request, "sign_in.html", next=safe_return(next), failed=failed, signed_out=out)


@router.get("/auth/sign-in")
async def start_sign_in(request: Request, next: str = "/") -> Response:
    settings: DeskSettings = request.app.state.settings
    if _another_local_name(request, settings):
        # http://localhost:8009 and http://127.0.0.1:8009 keep separate cookies: the provider
        # sends the person back to the public URL, which must be where the sign-in began.
        return RedirectResponse(f"{settings.public_url}/auth/sign-in?next={quote(safe_return(next), safe='')}", 303)
    provider: Provider = request.app.state.provider
    sessions: Sessions = request.app.state.sessions
    try:
        asked = await provider.authorization_request(settings.redirect_uri, settings.desk_oidc_scope)
    except SignInFailed:
        return RedirectResponse("/sign-in?failed=1", status_code=303)
    await sessions.begin_sign_in(asked.state, asked.nonce, asked.verifier, safe_return(next))
    response = RedirectResponse(asked.url, status_code=303)
    # Lax: the provider's redirect back is a top-level GET, which carries it.
    response.set_cookie(
        STATE_COOKIE, asked.state, max_age=600, httponly=True, samesite="lax", secure=settings.secure_cookies
    )
    return response


def _another_local_name(request: Request, settings: DeskSettings) -> bool:
    """On a developer's machine only: the desk reached by another loopback name than its public
    URL's (behind a proxy the request's own address differs from the public one, rightly)."""
    if settings.secure_cookies:
        return False
    loopback = {"127.0.0.1", "localhost", "::1"}
    return request.url.hostname in loopback and request.url.netloc != urlsplit(settings.public_url).netloc


@router.get("/auth/callback")
async def finish_sign_in(request: Request, state: str = "", code: str = "", error: str = "") -> Response:
    settings: DeskSettings = request.app.state.settings
    provider: Provider = request.app.state.provider
    sessions: Sessions = request.app.state.sessions
    failed = RedirectResponse("/sign-in?failed=1", status_code=303)
    failed.delete_cookie(STATE_COOKIE)
    if error or not state or not code or request.cookies.get(STATE_COOKIE) != state:
        return failed
    pending = await sessions.finish_sign_in(state)
    if pending is None:
        return failed
    try:
        tokens = await provider.exchange(code, pending.verifier, settings.redirect_uri, pending.nonce)
    except SignInFailed:
        return failed
    # Who the person is, as the gateway reads their token (its claims mapping decides roles and sites).
    client: httpx.AsyncClient = request.app.state.client
    try:
        me = await GatewayApi(client, settings.desk_gateway_url, tokens.access_token, None, "en").me()
    except ApiError:
        return failed
    person = Person(
        str(me["user_id"]),
        str(me["name"]),
        str(me["group_id"]),
        frozenset(me["roles"]),
        tuple(me["site_ids"]),
        bool(me.get("all_sites")),
    )
    session = await sessions.create(person, tokens)
    response = RedirectResponse(pending.return_to if session.site_id else "/site", status_code=303)
    response.delete_cookie(STATE_COOKIE)
    set_session_cookie(response, settings, session.id)
    return response


@router.post("/auth/logout")
async def logout(request: Request, session: SignedIn) -> Response:
    """Ends the session here, then at the provider (which sends the person back signed out)."""
    settings: DeskSettings = request.app.state.settings
    provider: Provider = request.app.state.provider
    sessions: Sessions = request.app.state.sessions
    await sessions.end(session.id)
    signed_out = f"{settings.public_url}/sign-in?out=1"
    try:
        url = await provider.end_session_url(signed_out) or signed_out
    except SignInFailed:
        url = signed_out
    response = redirect(url, request)
    clear_session_cookie(response, settings)
    return response


@router.get("/language/{language}")
async def switch_language(request: Request, language: str, next: str = "/") -> Response:
    """A preference, not an action: a link, remembered in a cookie for a year."""
    settings: DeskSettings = request.app.state.settings
    response = RedirectResponse(safe_return(next), status_code=303)
    if language in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, language, max_age=365 * 86400, samesite="lax", secure=settings.secure_cookies)
    return response


@router.get("/site")
async def site_picker(request: Request, session: SignedIn, next: str = "/") -> Response:
    """The person's sites by name, as booking's directory lists them now: every site of the group
    for a group-wide person (one the group added since they signed in too)."""
    settings: DeskSettings = request.app.state.settings
    client: httpx.AsyncClient = request.app.state.client
    language = i18n.choose(request.cookies.get(i18n.COOKIE), request.headers.get("accept-language"))
    api = GatewayApi(client, settings.desk_gateway_url, session.access_token, None, language)
    sites = await site_names.fresh(request, session, api)
    names = {str(s["site_id"]): {"zh": s.get("name_zh"), "en": s.get("name_en")} for s in sites}
    return page(
        request,
        "site.html",
        sites=[(str(s["site_id"]), site_names.name_of(names, str(s["site_id"]), language)) for s in sites],
        may_see_all=may_see_all(session.person),
        next=safe_return(next),
    )


@router.post("/site")
async def pick_site(
    request: Request, session: SignedIn, site_id: Annotated[str, Form()], next: Annotated[str, Form()] = "/"
) -> Response:
    """One of the person's sites; "all sites" only for a group-wide person; another site's id only
    for them too (the gateway refuses a site outside a person's scope in any case)."""
    person = session.person
    site_id = site_id.strip()
    if site_id == ALL_SITES:
        if not may_see_all(person):
            raise Refused("forbidden")
    elif site_id not in person.site_ids and not person.all_sites:
        raise Refused("forbidden")
    sessions: Sessions = request.app.state.sessions
    await sessions.pick_site(session, site_id)
    return redirect(safe_return(next), request)


def may_see_all(person: Person) -> bool:
    """A group administrator; a service manager over several sites (the group's manager)."""
    return person.all_sites or (SERVICE_MANAGER in person.roles and len(person.site_ids) > 1)
