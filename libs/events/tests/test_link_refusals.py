"""A customer link refused over HTTP: the same code, status and body from every service, and
the same entries in its OpenAPI document."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from events.http import ERROR_CODE_KEY
from events.link_refusals import (
    LinkRefused,
    RefusalCode,
    install_link_refusals,
    link_refusals,
    read_or_refuse,
    subject_id,
)
from events.links import LinkClaims, sign_link
from events.openapi import document_errors

SECRET = b"test-link-secret"
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
SUBJECT = "6f1c2a52-2f3e-4c41-9d7e-6a9e1f0b3c11"


def _token(purpose: str = "approval", subject: str = SUBJECT, expires_at: datetime = NOW + timedelta(hours=1)) -> str:
    return sign_link(LinkClaims(purpose, "site-1", subject, "round-1", expires_at), SECRET)


def _refusal(token: str, **override: str) -> LinkRefused:
    with pytest.raises(LinkRefused) as refused:
        read_or_refuse(token, SECRET, purpose="approval", now=NOW, **override)
    return refused.value


def test_a_genuine_link_reads_as_its_claims() -> None:
    claims = read_or_refuse(_token(), SECRET, purpose="approval", now=NOW)
    assert (claims.purpose, claims.subject, subject_id(claims)) == ("approval", SUBJECT, UUID(SUBJECT))


def test_anything_not_genuine_is_link_invalid_404_saying_the_same_whatever_it_was() -> None:
    genuine = _token()
    tampered = genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB")
    other_secret = sign_link(LinkClaims("approval", "site-1", SUBJECT, "round-1", NOW + timedelta(hours=1)), b"other")
    answers = {
        (refused.code, refused.status, str(refused))
        for refused in (
            _refusal(tampered),
            _refusal("not-a-link"),
            _refusal(""),
            _refusal(other_secret),
            _refusal(_token(purpose="proposal")),
        )
    }
    assert answers == {("link_invalid", 404, "this link is not valid")}


def test_a_genuine_link_past_its_time_is_link_expired_410_and_a_service_may_word_it() -> None:
    expired = _token(expires_at=NOW)
    assert (_refusal(expired).code, _refusal(expired).status, str(_refusal(expired))) == (
        "link_expired",
        410,
        "this link has expired",
    )
    worded = _refusal(expired, expired="this link has expired: ask the service advisor for a new one")
    assert (worded.code, worded.status, str(worded)) == (
        "link_expired",
        410,
        "this link has expired: ask the service advisor for a new one",
    )


def test_a_subject_that_is_not_an_id_is_link_invalid() -> None:
    claims = read_or_refuse(_token(subject="not-a-uuid"), SECRET, purpose="approval", now=NOW)
    with pytest.raises(LinkRefused) as refused:
        subject_id(claims)
    assert (refused.value.code, refused.value.status) == ("link_invalid", 404)


def test_each_code_has_its_status_and_plain_message_and_an_unknown_code_is_a_mistake() -> None:
    codes: tuple[RefusalCode, ...] = ("link_invalid", "link_expired", "link_used")
    assert [(r.code, r.status, str(r)) for r in (LinkRefused(code) for code in codes)] == [
        ("link_invalid", 404, "this link is not valid"),
        ("link_expired", 410, "this link has expired"),
        ("link_used", 409, "this link has already been used"),
    ]
    assert str(LinkRefused("link_used", "this link has already been used for that")).endswith("for that")
    with pytest.raises(ValueError, match="link_stolen"):
        LinkRefused("link_stolen")  # type: ignore[arg-type]


def _app() -> FastAPI:
    app = FastAPI()
    install_link_refusals(app)

    @app.get("/public/things/{token}", responses=link_refusals())
    async def thing(token: str) -> dict[str, str]:
        claims = read_or_refuse(token, SECRET, purpose="approval", now=NOW)
        return {"subject": claims.subject}

    @app.post("/public/things/{token}", responses=link_refusals("link_used", "thing_closed"))
    async def use(token: str) -> dict[str, str]:
        read_or_refuse(token, SECRET, purpose="approval", now=NOW)
        raise LinkRefused("link_used")

    @app.get("/public/media/{token}", responses=link_refusals(gone="`media_erased`: the data was erased"))
    async def media(token: str) -> dict[str, str]:
        return {}

    document_errors(app)
    return app


async def test_the_handler_answers_in_the_error_body_and_names_the_code_for_the_counters() -> None:
    app = _app()
    codes: list[object] = []

    @app.middleware("http")
    async def remember(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        codes.append(request.scope.get(ERROR_CODE_KEY))
        return response

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        good = await client.get(f"/public/things/{_token()}")
        invalid = await client.get("/public/things/nothing")
        expired = await client.get(f"/public/things/{_token(expires_at=NOW)}")
        used = await client.post(f"/public/things/{_token()}")
    assert (good.status_code, good.json()) == (200, {"subject": SUBJECT})
    assert (invalid.status_code, invalid.json()) == (
        404,
        {"error": {"code": "link_invalid", "message": "this link is not valid"}},
    )
    assert (expired.status_code, expired.json()["error"]["code"]) == (410, "link_expired")
    assert (used.status_code, used.json()["error"]) == (
        409,
        {"code": "link_used", "message": "this link has already been used"},
    )
    assert codes[1:] == ["link_invalid", "link_expired", "link_used"]


def test_the_openapi_entries_name_the_error_body_and_each_refusal() -> None:
    paths = _app().openapi()["paths"]
    read = paths["/public/things/{token}"]["get"]["responses"]
    use = paths["/public/things/{token}"]["post"]["responses"]
    media = paths["/public/media/{token}"]["get"]["responses"]
    error_body = {"$ref": "#/components/schemas/ErrorBody"}
    for answers in (read, use, media):
        assert "`link_invalid`" in answers["404"]["description"]
        assert "`link_expired`" in answers["410"]["description"]
        for status in ("404", "410"):
            assert answers[status]["content"]["application/json"]["schema"] == error_body
    assert "409" not in read, "a link only read is never used up"
    assert "`link_used`" in use["409"]["description"]
    assert "`thing_closed`" in use["409"]["description"]
    assert "`media_erased`" in media["410"]["description"]
