"""What every screen shares: the person's session from the cookie (tokens refreshed before they
expire), their language, the CSRF check of every unsafe request, and rendering a template with
the layout's context. A screen's route takes `Visit` and calls `visit.render(...)`."""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import httpx
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from desk import i18n, regions, site_names
from desk.gateway_api import ApiError, GatewayApi
from desk.navigation import may_open, screens_for
from desk.oidc import Provider, SignInFailed
from desk.sessions import ALL_SITES, Session, Sessions
from desk.settings import DeskSettings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SITE_FACTS_SECONDS = 600.0
# A screen shows one person's data: never cached, never framed by another site (clickjacking a form).
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}
# A site that never set one (as the board and the printed documents take it).
DEFAULT_TIME_ZONE = "Asia/Shanghai"

templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.globals.update(
    local_time=i18n.local_time, money=i18n.money, languages=i18n.LANGUAGES, region_digest=regions.digest
)


class SignInNeeded(Exception):
    """No live session: the person signs in and comes back to `return_to`."""

    def __init__(self, return_to: str = "/") -> None:
        self.return_to = return_to


class SiteNeeded(Exception):
    """Signed in, no site picked yet."""


class Refused(Exception):
    """A CSRF or Origin failure, or a screen the person's roles may not open: 403."""

    def __init__(self, code: str) -> None:
        self.code = code


def cookie_name(settings: DeskSettings) -> str:
    # `__Host-`: the browser keeps it only if Secure, for this host alone, at path /.
    return "__Host-desk_session" if settings.secure_cookies else "desk_session"


def set_session_cookie(response: Response, settings: DeskSettings, session_id: str) -> None:
    response.set_cookie(
        cookie_name(settings), session_id, httponly=True, samesite="lax", secure=settings.secure_cookies, path="/"
    )


def clear_session_cookie(response: Response, settings: DeskSettings) -> None:
    response.delete_cookie(
        cookie_name(settings), httponly=True, samesite="lax", secure=settings.secure_cookies, path="/"
    )


def safe_return(path: str | None) -> str:
    """A path on this site only: never `//elsewhere` or `https://elsewhere` (no open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or urlsplit(path).netloc:
        return "/"
    return path


def language_of(request: Request) -> str:
    return i18n.choose(request.cookies.get(i18n.COOKIE), request.headers.get("accept-language"))


def redirect(url: str, request: Request) -> Response:
    """A redirect a full page follows; an htmx request is told to load the page instead."""
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A template in the reader's language, inside the layout: with the person's header and
    navigation when the request has a session (an error page too), without when it has none."""
    language = language_of(request)
    words = i18n.Words(language)
    session: Session | None = getattr(request.state, "session", None)
    layout: dict[str, Any] = {}
    if session is not None:
        person = session.person
        names = request.app.state.site_names.get(person.group_id, (0.0, {}))[1]
        layout = {
            "person": person,
            "site_name": site_names.name_of(names, session.site_id, language) if session.site_id else None,
            "role_names": [words(f"role.{r}") for r in sorted(person.roles)],
            "screens": screens_for(person.roles) if session.site_id else [],
            "site_id": session.site_id,
            "all_sites": session.site_id == ALL_SITES,
            "csrf_token": session.csrf_token,
        }
    html = templates.get_template(template).render(
        t=words, language=language, request=request, path=request.url.path, **{**layout, **context}
    )
    headers = PAGE_HEADERS
    if request.headers.get("HX-Request") == "true":  # a live region reading itself again
        headers = {**PAGE_HEADERS, regions.HEADER: regions.digest(html)}
    return HTMLResponse(html, status_code=status, headers=headers)


async def current_session(request: Request) -> Session | None:
    """The session the cookie names (looked up once per request), tokens fresh; None if none."""
    if hasattr(request.state, "session"):
        found: Session | None = request.state.session
        return found
    settings: DeskSettings = request.app.state.settings
    sessions: Sessions = request.app.state.sessions
    session_id = request.cookies.get(cookie_name(settings))
    session = await sessions.find(session_id) if session_id else None
    if session is not None:
        session = await _fresh(request, session)
    request.state.session = session
    return session


async def _fresh(request: Request, session: Session) -> Session | None:
    """Tokens refreshed shortly before they expire; a session that cannot be refreshed ends."""
    settings: DeskSettings = request.app.state.settings
    margin = timedelta(seconds=settings.desk_refresh_margin_seconds)
    if session.expires_at - datetime.now(UTC) > margin:
        return session
    sessions: Sessions = request.app.state.sessions
    provider: Provider = request.app.state.provider
    if session.refresh_token is not None:
        try:
            refreshed = session.with_tokens(await provider.refresh(session.refresh_token))
        except SignInFailed:
            pass
        else:
            await sessions.save_tokens(refreshed)
            return refreshed
    await sessions.end(session.id)
    return None


async def csrf_guard(request: Request) -> None:
    """Every unsafe request: from our own origin, with the session's CSRF token (a form field or
    the `X-CSRF-Token` header htmx sends). Runs before any route (an app dependency)."""
    if request.method in SAFE_METHODS:
        return
    settings: DeskSettings = request.app.state.settings
    origin = request.headers.get("origin")
    if origin is not None and origin != public_origin(settings):
        raise Refused("csrf")
    session = await current_session(request)
    if session is None:
        raise Refused("csrf")  # a form with no session to check it against is not ours
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if sent is None or not secrets.compare_digest(sent, session.csrf_token):
        raise Refused("csrf")


def public_origin(settings: DeskSettings) -> str:
    url = urlsplit(settings.public_url)
    return f"{url.scheme}://{url.netloc}"


@dataclass
class Visit:
    """One request of a signed-in person who has picked a site: their session, words and API."""

    request: Request
    session: Session
    language: str
    api: GatewayApi

    @property
    def words(self) -> i18n.Words:
        return i18n.Words(self.language)

    @property
    def all_sites(self) -> bool:
        return self.session.site_id == ALL_SITES

    async def time_zone(self) -> str:
        """The site's time zone (booking's capacity, as the board keeps it), cached a while."""
        if self.all_sites:
            return DEFAULT_TIME_ZONE
        facts: dict[str, tuple[float, str]] = self.request.app.state.site_time_zones
        site = str(self.session.site_id)
        cached = facts.get(site)
        if cached is not None and time.monotonic() - cached[0] < SITE_FACTS_SECONDS:
            return cached[1]
        zone = DEFAULT_TIME_ZONE
        for path, key in (("capacity", "timezone"), ("advisor-board", "time_zone")):
            try:
                zone = str((await self.api.get(path))[key])
                break
            except (ApiError, KeyError, TypeError):
                continue
        facts[site] = (time.monotonic(), zone)
        return zone

    def form_again(self, template: str, error: ApiError, values: Mapping[str, str], **context: Any) -> HTMLResponse:
        """The form as the person sent it, after the API refused it: nothing typed is lost, the
        refusal is in their language with what to do next, and a 422's field errors stand next
        to their inputs (the `field` macro of `_forms.html` reads `values` and `errors`)."""
        if error.status == 401:
            raise SignInNeeded(safe_return(self.request.url.path))
        return self.render(
            template,
            status=error.status,
            problem=self.words.error(error.code),
            errors=error.fields,
            values=values,
            **context,
        )

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return page(self.request, template, status, **context)


async def signed_in(request: Request) -> Session:
    session = await current_session(request)
    if session is None:
        raise SignInNeeded(safe_return(request.url.path + (f"?{request.url.query}" if request.url.query else "")))
    return session


async def visit(request: Request) -> Visit:
    session = await signed_in(request)
    if session.site_id is None:
        raise SiteNeeded()
    client: httpx.AsyncClient = request.app.state.client
    settings: DeskSettings = request.app.state.settings
    language = language_of(request)
    api = GatewayApi(client, settings.desk_gateway_url, session.access_token, session.site_id, language)
    await site_names.remembered(request, session, api)  # the header names the site
    return Visit(request, session, language, api)


CurrentVisit = Annotated[Visit, Depends(visit)]
SignedIn = Annotated[Session, Depends(signed_in)]


def screen(key: str) -> Any:
    """A route's dependency: the visit, once the person's roles may open screen `key` (403 if not:
    refused, not merely hidden)."""

    async def opened(current: CurrentVisit) -> Visit:
        if not may_open(key, current.session.person.roles):
            raise Refused("forbidden")
        return current

    return Depends(opened)


def sign_in_url(return_to: str) -> str:
    return f"/sign-in?next={quote(return_to, safe='')}"
