"""How a failure reaches the customer: in their language, with what to do next. The gateway's
error code picks the phrase (`Words.error`: `link_expired`, `rate_limited`, ...), never the
API's English message; a page that catches `ApiError` around its form shows the form again
instead (`Visit.form_again`)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from portal.gateway_api import ApiError
from portal.i18n import Words
from portal.web import Refused, language_of, page


def install_error_pages(app: FastAPI) -> None:
    app.exception_handler(Refused)(_refused)
    app.exception_handler(ApiError)(_api_error)
    app.exception_handler(HTTPException)(_http_error)
    app.exception_handler(RequestValidationError)(_bad_request)


def error_page(request: Request, status: int, code: str) -> Response:
    words = Words(language_of(request))
    return page(request, "error.html", status, message=words.error(code), code=code)


async def _refused(request: Request, error: Refused) -> Response:
    return error_page(request, 403, error.code)


async def _api_error(request: Request, error: ApiError) -> Response:
    status = error.status if 400 <= error.status < 600 else 502
    return error_page(request, status, error.code)


async def _http_error(request: Request, error: HTTPException) -> Response:
    return error_page(
        request, error.status_code, "not_found" if error.status_code == 404 else f"http_{error.status_code}"
    )


async def _bad_request(request: Request, _: RequestValidationError) -> Response:
    # A page's own path or query that does not parse (a form's fields are checked by the API).
    return error_page(request, 404, "not_found")
