"""A customer link refused over HTTP: one exception, one answer and one OpenAPI entry for every
service that takes a link (docs/decisions/0022-customer-links.md).

    404 link_invalid   tampered, malformed, another purpose or secret, or naming nothing here
    410 link_expired   a genuine link past its expiry
    409 link_used      the link's decision is already recorded (a link decides once)

An invalid link is answered the same whatever made it so: the holder learns nothing by guessing.
A service may word a refusal its own way (`LinkRefused(code, message)`); code and status stay.
`events.links` stays pure: this is its HTTP edge. `events.runtime.service_app` installs the handler.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from events.http import ERROR_CODE_KEY, error_body
from events.links import LinkClaims, LinkExpired, LinkInvalid, read_link
from events.openapi import ErrorBody, refusals

RefusalCode = Literal["link_invalid", "link_expired", "link_used"]

_ANSWERS: dict[str, tuple[int, str]] = {
    "link_invalid": (404, "this link is not valid"),
    "link_expired": (410, "this link has expired"),
    "link_used": (409, "this link has already been used"),
}


class LinkRefused(Exception):
    """A link that acts on nothing: the customer's request gets `status` and `code`."""

    def __init__(self, code: RefusalCode, message: str | None = None) -> None:
        if code not in _ANSWERS:
            raise ValueError(f"{code} is not a link's refusal")
        self.status, default = _ANSWERS[code]
        self.code: str = code
        super().__init__(message or default)


def read_or_refuse(token: str, key: bytes, *, purpose: str, now: datetime, expired: str | None = None) -> LinkClaims:
    """The claims of a genuine, unexpired link minted for `purpose`, or `LinkRefused`
    (`expired`: the service's own words for a link past its time)."""
    try:
        return read_link(token, key, purpose=purpose, now=now)
    except LinkExpired:
        raise LinkRefused("link_expired", expired) from None
    except LinkInvalid:
        raise LinkRefused("link_invalid") from None


def subject_id(claims: LinkClaims) -> UUID:
    """The id a link names (an RO, an appointment, a proposal): a subject that is none was never
    minted by a service, so the link is invalid like any other forgery."""
    try:
        return UUID(claims.subject)
    except ValueError:
        raise LinkRefused("link_invalid") from None


async def link_refused(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, LinkRefused)
    # The command counters (events.metrics) count refusals by their code, as for every other error.
    request.scope[ERROR_CODE_KEY] = error.code
    return JSONResponse(error_body(error.code, str(error)), status_code=error.status)


def install_link_refusals(app: FastAPI) -> None:
    app.add_exception_handler(LinkRefused, link_refused)


def link_refusals(*conflicts: str, gone: str = "") -> dict[int | str, dict[str, Any]]:
    """An operation's `responses=` when its path holds a link's token: 404 `link_invalid`, 410
    `link_expired` (and `gone`, the operation's own 410), and 409 with `conflicts` (name
    `link_used` among them where the operation spends the link)."""
    invalid = "`link_invalid`: not a genuine link to anything here (never says why)"
    expired = "`link_expired`: the link's time is over; the customer asks for a new one"
    return {
        404: {"model": ErrorBody, "description": invalid},
        410: {"model": ErrorBody, "description": f"{expired}; {gone}" if gone else expired},
        **refusals(*conflicts, not_found=False),
    }
