"""A customer's messages over plain HTTP, notifications' list answered by a stand-in that refuses
the roles the real API refuses: the messages as the API gives them, newest first, in the
person's language and the site's time; a bounced one with its reason and what to do; the API's
refusal shown as the page; the contact queue's rows and failed messages link to the page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from desk_helpers import StandIn, signed_in_as
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from test_ro_screens import ORDER, RO

CUSTOMER = "2b7f7c9e-4d1a-4f0e-9a53-5d4f1c2e8a12"
FILE = "1b7f7c9e-4d1a-4f0e-9a53-5d4f1c2e8a11"
READERS = {"cs_agent", "advisor", "service_manager", "group_admin"}  # tests/security.py: GET messages
BOUNCED = {
    "message_id": "7a1e2d3c-4b5a-4c6d-8e9f-0a1b2c3d4e5f", "customer_id": CUSTOMER, "kind": "maintenance_reminder",
    "purpose": "marketing", "channel": "email", "recipient": "wang@example.cn", "subject": "s", "body": "b",
    "reference": "沪A12345", "status": "failed", "reason": "550 mailbox unavailable", "attempts": 1,
    "send_at": None, "requested_at": "2026-12-07T02:00:00+00:00", "updated_at": "2026-12-07T02:05:00+00:00",
}  # fmt: skip
DELIVERED = {
    **BOUNCED, "message_id": "8a1e2d3c-4b5a-4c6d-8e9f-0a1b2c3d4e5f", "kind": "vehicle_ready", "channel": "sms",
    "recipient": "13800000001", "status": "delivered", "reason": None, "requested_at": "2026-12-06T07:30:00+00:00",
    "updated_at": "2026-12-06T07:31:00+00:00",
}  # fmt: skip
ITEM = {
    "proposal_id": "0b7f7c9e-4d1a-4f0e-9a53-5d4f1c2e8a10", "file_id": FILE, "reason": "maintenance_due",
    "contact_name": "王先生", "phone": "13800000001", "plate": "沪A12345", "vin": "LFV2A21K8G3000001",
    "model": "Sagitar", "due_on": "2026-12-20", "campaign_id": None, "repair_order_id": None,
    "phone_allowed": True, "status": "open", "last_answer": None, "answered_by": None, "call_again_at": None,
    "appointment_id": None, "queued_at": "2026-12-06T08:00:00+00:00",
}  # fmt: skip
FAILED = {
    "message_id": BOUNCED["message_id"], "customer_id": CUSTOMER, "kind": "maintenance_reminder",
    "channel": "email", "reference": "沪A12345", "status": "bounced", "reason": "550 mailbox unavailable",
    "failed_at": "2026-12-07T02:05:00+00:00", "handled_by": None, "handled_note": None, "handled_at": None,
}  # fmt: skip


class Api:
    def __init__(self, stand_in: StandIn) -> None:
        self.stand_in = stand_in
        self.asked: list[dict[str, str]] = []
        self.order: dict[str, Any] = {**ORDER, "customer": {**ORDER["customer"], "customer_id": CUSTOMER}}

    def routes(self) -> APIRouter:
        router = APIRouter(prefix="/api/v1/sites/{site}")

        @router.get("/messages")
        async def messages(request: Request) -> JSONResponse:
            self.asked.append(dict(request.query_params))
            if not READERS & set(self.stand_in.who.roles):
                return JSONResponse({"error": {"code": "forbidden", "message": "no"}}, status_code=403)
            return JSONResponse([BOUNCED, DELIVERED])

        @router.get("/contact-queue")
        async def queue() -> list[dict[str, Any]]:
            return [ITEM]

        @router.get("/failed-messages")
        async def failed() -> list[dict[str, Any]]:
            return [FAILED]

        @router.get("/repair-orders/{ro}")
        async def order(ro: str) -> dict[str, Any]:
            return self.order

        @router.get("/invoices")
        async def invoices() -> list[dict[str, Any]]:
            return []

        return router


@pytest.fixture
def api(stand_in: StandIn) -> Api:
    found = Api(stand_in)
    stand_in.serve_first(found.routes())
    return found


async def as_(desk: httpx.AsyncClient, stand_in: StandIn, role: str) -> None:
    await signed_in_as(desk, stand_in, role, "cs-1")


@pytest.mark.parametrize("role", ["cs_agent", "advisor", "service_manager"])
async def test_the_messages_as_the_api_gives_them_newest_first(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api, role: str
) -> None:
    await as_(desk, stand_in, role)
    page = await desk.get(f"/customers/{CUSTOMER}/messages", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200, page.text
    assert api.asked[-1]["customer_id"] == CUSTOMER
    text = page.text
    assert text.index("保养提醒") < text.index("完工通知"), "the API's order, newest first"
    assert ("电子邮件" in text, "wang@example.cn" in text, "已送达" in text) == (True, True, True)
    assert "发送失败" in text
    assert "550 mailbox unavailable" in text
    assert "请打电话联系客户" in text
    assert "2026-12-07 10:00" in text, "the request at the site's time"


async def test_the_page_in_english(desk: httpx.AsyncClient, stand_in: StandIn, api: Api) -> None:
    await as_(desk, stand_in, "cs_agent")
    page = await desk.get(f"/customers/{CUSTOMER}/messages", headers={"Accept-Language": "en"})
    assert page.status_code == 200, page.text
    assert ("Maintenance reminder" in page.text, "Delivered" in page.text, "call the customer" in page.text) == (
        True,
        True,
        True,
    )
    assert page.text.count("call the customer") == 1, "only the one that did not arrive"


@pytest.mark.parametrize("role", ["technician", "cashier"])
async def test_the_api_refusal_is_shown(desk: httpx.AsyncClient, stand_in: StandIn, api: Api, role: str) -> None:
    await as_(desk, stand_in, role)
    page = await desk.get(f"/customers/{CUSTOMER}/messages", headers={"Accept-Language": "en"})
    assert page.status_code == 403
    assert "You may not do this" in page.text
    assert "550 mailbox unavailable" not in page.text


async def test_an_unknown_id_shape_is_not_sent_to_the_api(desk: httpx.AsyncClient, stand_in: StandIn, api: Api) -> None:
    await as_(desk, stand_in, "cs_agent")
    assert (await desk.get("/customers/not-an-id/messages")).status_code == 422
    assert api.asked == []


async def test_the_contact_queue_links_to_the_customer_messages(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api
) -> None:
    await as_(desk, stand_in, "cs_agent")
    page = await desk.get("/contact-queue")
    assert page.status_code == 200, page.text
    assert f'href="/customers/{FILE}/messages"' in page.text, "from the proposal's row"
    assert f'href="/customers/{CUSTOMER}/messages"' in page.text, "from the failed message"


async def test_the_ro_page_links_to_the_customer_messages_when_reception_knows_the_customer(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api
) -> None:
    await as_(desk, stand_in, "advisor")
    page = await desk.get(f"/ro/{RO}")
    assert page.status_code == 200, page.text
    assert f'href="/customers/{CUSTOMER}/messages"' in page.text
    api.order = ORDER  # a walk-in reception has no customer id for: no link made up from the phone
    page = await desk.get(f"/ro/{RO}")
    assert page.status_code == 200, page.text
    assert "/messages" not in page.text
