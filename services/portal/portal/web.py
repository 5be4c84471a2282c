"""What every page shares: the customer's language, the Origin check of every form, and
rendering a template inside the layout. A page's route takes `Visit` and calls `visit.render(...)`.

No session and no cookie but the language: the token in a link's path is the only credential,
and the API behind the gateway decides what it shows (decision 0023)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from portal import i18n
from portal.gateway_api import ApiError, PublicApi
from portal.settings import PortalSettings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A page may show one customer's appointment or estimate: never cached, never framed by another
# site (clickjacking a confirm button), and its address (a link's token) never sent to another
# site as a Referer. `same-origin`, not `no-referrer`: with no referrer at all a browser sends
# `Origin: null` with the page's own forms, which the Origin check must then refuse.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
}
# A site that never set one (as the board and the desk take it).
DEFAULT_TIME_ZONE = "Asia/Shanghai"

templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.globals.update(local_time=i18n.local_time, money=i18n.money, languages=i18n.LANGUAGES)


class Refused(Exception):
    """A form posted from another origin: 403."""

    def __init__(self, code: str) -> None:
        self.code = code


def safe_return(path: str | None) -> str:
    """A path on this site only: never `//elsewhere` or `https://elsewhere` (no open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or urlsplit(path).netloc:
        return "/"
    return path


def language_of(request: Request) -> str:
    return i18n.choose(request.cookies.get(i18n.COOKIE), request.headers.get("accept-language"))


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303, headers=PAGE_HEADERS)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A template in the reader's language, inside the layout (`base.html`)."""
    language = language_of(request)
    query = f"?{request.url.query}" if request.url.query else ""
    html = templates.get_template(template).render(
        t=i18n.Words(language),
        language=language,
        request=request,
        path=request.url.path,
        here=request.url.path + query,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


async def origin_guard(request: Request) -> None:
    """Every unsafe request comes from the portal's own pages. No session means no CSRF token to
    check; the browser's Origin (sent with every cross-site POST) is checked instead, and a form
    without one is refused too, as another site's would be."""
    if request.method in SAFE_METHODS:
        return
    settings: PortalSettings = request.app.state.settings
    origin = request.headers.get("origin")
    if origin is None or origin != settings.public_origin:
        raise Refused("origin")


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


@dataclass
class Visit:
    """One customer request: their language and the public API in it."""

    request: Request
    language: str
    api: PublicApi

    @property
    def words(self) -> i18n.Words:
        return i18n.Words(self.language)

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return page(self.request, template, status, **context)

    def form_again(self, template: str, error: ApiError, values: Mapping[str, str], **context: Any) -> HTMLResponse:
        """The form as the customer sent it, after the API refused it: nothing typed is lost, the
        refusal is in their language, and a 422's field errors stand next to their inputs."""
        return self.render(
            template,
            status=error.status,
            problem=self.words.error(error.code),
            errors=error.fields,
            values=values,
            **context,
        )


async def visit(request: Request) -> Visit:
    client: httpx.AsyncClient = request.app.state.client
    settings: PortalSettings = request.app.state.settings
    language = language_of(request)
    return Visit(request, language, PublicApi(client, settings.gateway_url, language, client_address(request)))


CurrentVisit = Annotated[Visit, Depends(visit)]
