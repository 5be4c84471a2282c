"""How a failure reaches the person: in their language, with what to do next. An API error's
code picks the message (`Words.error`); a screen that catches `ApiError` around its form
re-renders the form instead (`Visit.form_again`), with what was typed and the field errors."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from desk.gateway_api import ApiError
from desk.i18n import Words
from desk.web import Refused, SignInNeeded, SiteNeeded, language_of, page, redirect, sign_in_url


def install_error_pages(app: FastAPI) -> None:
    app.exception_handler(SignInNeeded)(_sign_in_needed)
    app.exception_handler(SiteNeeded)(_site_needed)
    app.exception_handler(Refused)(_refused)
    app.exception_handler(ApiError)(_api_error)


async def _sign_in_needed(request: Request, error: SignInNeeded) -> Response:
    return redirect(sign_in_url(error.return_to), request)


async def _site_needed(request: Request, _: SiteNeeded) -> Response:
    return redirect("/site", request)


async def _refused(request: Request, error: Refused) -> Response:
    words = Words(language_of(request))
    return page(request, "error.html", 403, message=words.error(error.code), code=error.code)


async def _api_error(request: Request, error: ApiError) -> Response:
    if error.status == 401:  # the provider or the gateway no longer accepts the session's token
        return redirect(sign_in_url(request.url.path), request)
    words = Words(language_of(request))
    status = error.status if 400 <= error.status < 600 else 502
    return page(request, "error.html", status, message=words.error(error.code), code=error.code)
