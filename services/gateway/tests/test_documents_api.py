"""The documents' route at the gateway, in front of a stand-in service: the view is read with
the caller's identity, the service's refusals (404, 403) come back unchanged, another site is
refused before any service is asked, and the language and the site's time zone are applied."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pypdf
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from gateway_helpers import SETTINGS, gateway_over
from test_documents import FINDING_ID, RO_ID, RO_VIEW

from events.identity import IDENTITY_HEADER, SYSTEM, Identity, verify_internal_token
from gateway import tokens
from gateway.app import create_app
from gateway.rate_limit import RateLimiter

COMPLAINT_ID = "c0ffee00-0000-4000-8000-000000000001"
COMPLAINT_READERS = {"cs_agent", "advisor", "service_manager", "system"}
NOT_FOUND = {"error": {"code": "not_found", "message": "no such repair order at this site"}}


class Stand:
    """What the stand-in service was asked, and by whom; and the time zone it answers with."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Identity]] = []
        self.time_zone: str | None = "Asia/Shanghai"
        self.booking_down = False  # the capacity answers 503, as a booking that is restarting does


def service(stand: Stand) -> FastAPI:
    app = FastAPI()

    @app.get("/{path:path}")
    async def answer(path: str, request: Request) -> Any:
        identity = verify_internal_token(request.headers.get(IDENTITY_HEADER))
        stand.calls.append((f"/{path}", identity))
        if path == "sites/s1/capacity":
            if stand.booking_down:
                body = {"error": {"code": "service_unavailable", "message": "booking is restarting"}}
                return JSONResponse(body, status_code=503)
            if stand.time_zone is None:
                return JSONResponse({"error": {"code": "not_found", "message": "no capacity"}}, status_code=404)
            return {"timezone": stand.time_zone}
        if path == f"sites/s1/repair-orders/{RO_ID}":
            return RO_VIEW
        if path == f"sites/s1/complaints/{COMPLAINT_ID}":
            if not identity.roles & COMPLAINT_READERS:
                body = {"error": {"code": "forbidden", "message": "this needs one of the roles: advisor, cs_agent"}}
                return JSONResponse(body, status_code=403)
            return {"complaint_id": COMPLAINT_ID, "step": "received", "customer_words": "异响", "cost": 0}
        return JSONResponse(NOT_FOUND, status_code=404)

    return app


@pytest.fixture
def stand() -> Stand:
    return Stand()


@pytest.fixture
async def gateway(stand: Stand) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_over(service(stand), RateLimiter(rate_per_second=100, burst=100)) as client:
        yield client


def bearer(roles: tuple[str, ...] = ("advisor",), sites: tuple[str, ...] = ("s1",)) -> dict[str, str]:
    token = tokens.issue(SETTINGS, Identity("sa-1", "Wang Fang", "g1", frozenset(roles), frozenset(sites)))
    return {"Authorization": f"Bearer {token}"}


def text_of(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)


async def test_a_repair_order_is_printed_from_the_view_read_as_the_caller(
    gateway: httpx.AsyncClient, stand: Stand
) -> None:
    response = await gateway.get(f"/api/v1/sites/s1/documents/repair-order/{RO_ID}.pdf", headers=bearer())

    text = text_of(response)
    assert "维修委托书" in text
    assert "京A12345" in text
    assert response.headers["content-disposition"] == f'inline; filename="repair-order-{RO_ID}.pdf"'
    (path, reader), (zone_path, zone_reader) = stand.calls
    assert (path, reader.user_id, reader.group_id) == (f"/sites/s1/repair-orders/{RO_ID}", "sa-1", "g1")
    # The site's time zone is read as the gateway's own system identity, for this group and site only.
    assert zone_path == "/sites/s1/capacity"
    assert (zone_reader.roles, zone_reader.group_id, zone_reader.site_ids) == (
        frozenset({SYSTEM}),
        "g1",
        frozenset({"s1"}),
    )


async def test_an_unknown_record_is_the_services_404_unchanged(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/v1/sites/s1/documents/repair-order/no-such-ro.pdf", headers=bearer())

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


async def test_another_site_is_refused_before_any_service_is_asked(gateway: httpx.AsyncClient, stand: Stand) -> None:
    response = await gateway.get(f"/api/v1/sites/s2/documents/repair-order/{RO_ID}.pdf", headers=bearer())

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert stand.calls == []


async def test_a_person_without_the_role_gets_the_services_refusal(gateway: httpx.AsyncClient) -> None:
    path = f"/api/v1/sites/s1/documents/complaint/{COMPLAINT_ID}.pdf"
    refused = await gateway.get(path, headers=bearer(roles=("technician",)))
    allowed = await gateway.get(path, headers=bearer(roles=("cs_agent",)))

    assert refused.status_code == 403
    assert refused.json() == {
        "error": {"code": "forbidden", "message": "this needs one of the roles: advisor, cs_agent"}
    }
    assert "异响" in text_of(allowed)


async def test_no_token_is_401(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get(f"/api/v1/sites/s1/documents/repair-order/{RO_ID}.pdf")

    assert response.status_code == 401


async def test_an_unknown_kind_is_404(gateway: httpx.AsyncClient, stand: Stand) -> None:
    response = await gateway.get(f"/api/v1/sites/s1/documents/love-letter/{RO_ID}.pdf", headers=bearer())
    elsewhere = await gateway.get(f"/api/v1/sites/s2/documents/love-letter/{RO_ID}.pdf", headers=bearer())

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert elsewhere.status_code == 403  # another site is refused whatever is asked of it
    assert stand.calls == []


async def test_additional_work_needs_a_finding_of_that_repair_order(gateway: httpx.AsyncClient) -> None:
    path = f"/api/v1/sites/s1/documents/additional-work/{RO_ID}.pdf"

    missing = await gateway.get(path, headers=bearer())
    unknown = await gateway.get(f"{path}?finding=00000000-0000-4000-8000-000000000000", headers=bearer())
    found = await gateway.get(f"{path}?finding={FINDING_ID}", headers=bearer())

    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "invalid_request"
    assert unknown.status_code == 404
    assert "后刹车盘磨损超限" in text_of(found)


async def test_the_language_is_lang_then_accept_language_then_chinese(gateway: httpx.AsyncClient) -> None:
    path = f"/api/v1/sites/s1/documents/repair-order/{RO_ID}.pdf"

    english = await gateway.get(path, headers={**bearer(), "Accept-Language": "en-GB,en;q=0.9"})
    chosen = await gateway.get(f"{path}?lang=zh", headers={**bearer(), "Accept-Language": "en"})
    unknown = await gateway.get(f"{path}?lang=fr", headers=bearer())

    assert "Repair order" in text_of(english)
    assert "维修委托书" in text_of(chosen)
    assert unknown.status_code == 422


async def test_times_are_in_the_sites_time_zone_or_shanghais(gateway: httpx.AsyncClient, stand: Stand) -> None:
    path = f"/api/v1/sites/s1/documents/repair-order/{RO_ID}.pdf"
    stand.time_zone = "Europe/Berlin"
    berlin = text_of(await gateway.get(path, headers=bearer()))
    stand.time_zone = None  # the site never set its capacity
    shanghai = text_of(await gateway.get(path, headers=bearer()))

    assert "2026-12-07 02:30" in berlin  # arrived 01:30 UTC
    assert "2026-12-07 09:30" in shanghai


async def test_while_booking_is_away_the_sites_last_known_zone_is_used(
    gateway: httpx.AsyncClient, stand: Stand
) -> None:
    path = f"/api/v1/sites/s1/documents/repair-order/{RO_ID}.pdf"
    stand.booking_down = True
    never_read = await gateway.get(path, headers=bearer())
    assert never_read.status_code == 503, "no zone known for the site: no document with guessed times"

    stand.booking_down, stand.time_zone = False, "Europe/Berlin"
    assert "2026-12-07 02:30" in text_of(await gateway.get(path, headers=bearer()))
    stand.booking_down = True
    assert "2026-12-07 02:30" in text_of(await gateway.get(path, headers=bearer())), "Berlin, as last read"


async def test_a_service_that_cannot_be_reached_is_503() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    app = create_app(token_settings=SETTINGS, transport=httpx.MockTransport(refuse))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://g") as client:
        response = await client.get(f"/api/v1/sites/s1/documents/repair-order/{RO_ID}.pdf", headers=bearer())

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert response.headers["retry-after"] == "2"
