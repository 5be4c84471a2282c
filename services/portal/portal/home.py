"""The portal's fixed points: the start page (customers arrive by a link, so it only says so)
and the language switch every page carries."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal import i18n
from portal.web import page, redirect, safe_return

router = APIRouter()
YEAR = 365 * 24 * 3600


@router.get("/")
async def home(request: Request) -> Response:
    return page(request, "home.html")


@router.get("/language/{language}")
async def switch_language(language: str, request: Request, next: str = "/") -> Response:
    """A GET link, not a form: the switch works on every page without JavaScript, and it changes
    nothing but how the pages read."""
    response = redirect(safe_return(next))
    if language in i18n.LANGUAGES:
        response.set_cookie(
            i18n.COOKIE,
            language,
            max_age=YEAR,
            httponly=True,
            samesite="lax",
            path="/",
            secure=request.url.scheme == "https",
        )
    return response
