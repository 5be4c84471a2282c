"""The RO after hand-over (`/ro/{id}`) over plain HTTP, its calls answered by a stand-in of
reception's routes: refused to a role whose API would refuse the commands; the customer's
consent sent as the API's body (kind, reference, who recorded it, when — in the site's time
zone); a refusal shown in the person's language with what was typed kept; delivery sends the
checklist alone (the next service is reception's to work out)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from desk_helpers import StandIn, live_regions_read_again, signed_in_as
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

RO = "4b2e1d6f-7c3e-4d9f-8a21-3c4d5e6f7a81"
FINDING = "5c3f2e70-8d4f-4eaf-9b32-4d5e6f7a8b92"
LINE = {
    "line_id": "6d4a3f81-9e5a-4fba-8c43-5e6f7a8b9ca3",
    "labour_operation": "BRAKE",
    "description": "前刹车片更换",
    "labour_minutes": 60,
    "labour_price": 20000,
    "pay_type": "CUSTOMER_PAY",
    "parts": [],
    "safety_critical": True,
    "origin": "additional_work",
}
ORDER: dict[str, Any] = {
    "repair_order_id": RO,
    "version": 9,
    "status": "awaiting_approval",
    "service_advisor": "advisor-1",
    "customer": {"name": "Liu Yang", "phone": "13900000007"},
    "vehicle": {"vin": "LFV2A21K8G3045678", "plate": "沪B88888", "model": "Magotan"},
    "customer_waiting": True,
    "currency": "CNY",
    "lines": [],
    "estimate_total": 28300,
    "promised_at": "2026-12-07T08:00:00+00:00",
    "original_promised_at": "2026-12-07T08:00:00+00:00",
    "signed_at": "2026-12-07T02:00:00+00:00",
    "findings": [
        {
            "finding_id": FINDING,
            "description": "前刹车片磨损到极限",
            "safety_critical": True,
            "extra_minutes": 60,
            "decision": None,
            "lines": [LINE],
            "consent": None,
            "customer_reason": None,
            "safety_explained": None,
        }
    ],
    "ready": False,
    "invoice": None,
    "delivered": False,
    "delivery": None,
    "next_service_due_date": None,
    "next_service_due_km": None,
}


class Reception:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []
        self.answer: tuple[int, dict[str, Any]] | None = None
        self.order: dict[str, Any] = ORDER
        self.in_force: list[dict[str, Any]] = []  # billing's invoices in force of the RO
        self.links: list[dict[str, Any]] = []  # the approval links sent, oldest first (as the API lists them)

    def routes(self) -> APIRouter:
        router = APIRouter(prefix="/api/v1/sites/{site}")

        @router.get("/repair-orders/{ro}")
        async def order(ro: str) -> dict[str, Any]:
            return self.order

        @router.get("/repair-orders/{ro}/approval-requests")
        async def links(ro: str) -> list[dict[str, Any]]:
            return self.links

        @router.get("/invoices")
        async def invoices(repair_order_id: str) -> list[dict[str, Any]]:
            return [i for i in self.in_force if i["repair_order_id"] == repair_order_id]

        @router.get("/capacity")
        async def capacity() -> dict[str, Any]:
            return {"timezone": "Asia/Shanghai"}

        @router.post("/repair-orders/{ro}/{action:path}")
        async def command(ro: str, action: str, request: Request) -> JSONResponse:
            self.sent.append((action, (request.headers.get("if-match"), await request.json())))
            status, body = self.answer or (200, ORDER)
            return JSONResponse(body, status_code=status)

        return router


@pytest.fixture
def reception(stand_in: StandIn) -> Reception:
    desk = Reception()
    stand_in.serve_first(desk.routes())
    return desk


async def as_(desk: httpx.AsyncClient, stand_in: StandIn, role: str = "advisor") -> str:
    return await signed_in_as(desk, stand_in, role)


@pytest.mark.parametrize("role", ["technician", "cashier"])
async def test_the_ro_page_is_refused_to_a_role_the_api_refuses_its_commands(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception, role: str
) -> None:
    token = await as_(desk, stand_in, role)
    assert (await desk.get(f"/ro/{RO}")).status_code == 403
    posted = await desk.post(f"/ro/{RO}/delivery", data={"csrf_token": token, "work_explained": "on"})
    assert posted.status_code == 403
    assert reception.sent == []


async def test_an_approval_sends_the_consent_as_the_api_takes_it(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception
) -> None:
    token = await as_(desk, stand_in)
    page = await desk.get(f"/ro/{RO}", headers={"accept-language": "zh"})
    assert "前刹车片磨损到极限" in page.text
    assert await live_regions_read_again(desk, page) == ["ro-live", "ro-findings"]
    assert "涉及安全" in page.text
    form = {
        "csrf_token": token,
        "version": "9",
        "form": f"decline:{FINDING}",
        "consent.kind": "signature",
        "consent.reference": "AW-0007",
        "consent.at": "2026-12-07T10:30",
    }
    posted = await desk.post(f"/ro/{RO}/findings/{FINDING}/approve", data=form)
    assert posted.status_code == 303, posted.text
    ((action, (version, body)),) = reception.sent
    assert (action, version) == (f"additional-work/{FINDING}/approve", "9")
    assert body["consent"] == {
        "kind": "signature",
        "reference": "AW-0007",
        "recorded_by": "advisor-1",
        "at": "2026-12-07T10:30:00+08:00",
    }


async def test_a_refused_decline_comes_back_in_the_persons_language_with_what_was_typed(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception
) -> None:
    token = await as_(desk, stand_in)
    reception.answer = (409, {"error": {"code": "safety_explanation_required", "message": "explain"}})
    form = {
        "csrf_token": token,
        "version": "9",
        "form": f"decline:{FINDING}",
        "consent.kind": "phone",
        "consent.reference": "REC-42",
        "customer_reason": "下次再换",
    }
    posted = await desk.post(f"/ro/{RO}/findings/{FINDING}/decline", data=form, headers={"accept-language": "en"})
    assert posted.status_code == 409
    assert "explain the risk to the customer" in posted.text
    assert "下次再换</textarea>" in posted.text
    assert 'value="REC-42"' in posted.text
    assert 'sse-connect="/live/board?opening=skip"' in posted.text  # no read at opening wipes the refusal
    body = reception.sent[0][1][1]
    assert (body["customer_reason"], body["safety_explained"]) == ("下次再换", False)


async def test_delivery_sends_the_checklist_alone(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception
) -> None:
    token = await as_(desk, stand_in)
    form = {"csrf_token": token, "version": "9", "form": "delivery", "work_explained": "on", "old_parts_shown": "on"}
    posted = await desk.post(f"/ro/{RO}/delivery", data=form)
    assert posted.status_code == 303, posted.text
    assert reception.sent == [
        ("delivery", ("9", {"work_explained": True, "old_parts_shown": True, "old_parts_returned": False}))
    ]


async def test_an_invoice_issued_and_not_paid_yet_shows_on_the_ro_page(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception
) -> None:
    await as_(desk, stand_in)
    reception.order = ORDER | {"status": "ready", "ready": True, "findings": []}
    waiting = await desk.get(f"/ro/{RO}", headers={"accept-language": "en"})
    assert "data-awaiting-payment" in waiting.text
    assert "data-invoice-number" not in waiting.text
    issued = {
        "invoice_id": "7e5b4a92-af6b-4acb-9d54-6f7a8b9cadb4", "number": "SVC-2026-000042", "repair_order_id": RO,
        "status": "issued", "currency": "CNY", "customer": {"gross": 28300, "net": 25044, "tax": 3256},
        "paid": 10000, "balance": 18300,
    }  # fmt: skip
    reception.in_force = [issued]
    page = await desk.get(f"/ro/{RO}", headers={"accept-language": "en"})
    assert "SVC-2026-000042" in page.text
    assert "issued, not paid yet" in page.text
    assert "¥283.00" in page.text  # the customer's share
    assert "¥183.00" in page.text  # what is left to pay
    assert 'href="/ro/' + RO + '/print/invoice.pdf"' in page.text
    chinese = await desk.get(f"/ro/{RO}", headers={"accept-language": "zh"})
    assert "已开具,待付款" in chinese.text


async def test_the_key_tag_of_the_hand_over_shows_on_the_ro_page(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception
) -> None:
    await as_(desk, stand_in)
    reception.order = ORDER | {"key_tag": "K-17"}
    page = await desk.get(f"/ro/{RO}", headers={"accept-language": "en"})
    assert "data-key-tag" in page.text
    assert "K-17" in page.text
    reception.order = ORDER | {"key_tag": None}
    assert "data-key-tag" not in (await desk.get(f"/ro/{RO}")).text


IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"


def link(reference: str, requested_at: str, expires_at: str, **used: Any) -> dict[str, Any]:
    return {
        "approval_of": "additional_work", "scope": "round-1", "finding_ids": [FINDING],
        "link": f"http://portal/approvals/{reference}", "expires_at": expires_at, "requested_at": requested_at,
        "reference": f"link:sha256:{reference}", "decided_at": None, "user_agent": None, "client_address": None,
    } | used  # fmt: skip


async def test_a_decision_on_the_phone_shows_the_device_and_every_link_its_state(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception
) -> None:
    await as_(desk, stand_in)
    used = {"decided_at": "2026-12-07T03:12:00+00:00", "user_agent": IPHONE, "client_address": "203.0.113.50"}
    reception.links = [
        link("aaa", "2026-12-05T02:00:00+00:00", "2026-12-06T02:00:00+00:00"),  # expired unused
        link("bbb", "2026-12-07T02:30:00+00:00", "2026-12-08T02:30:00+00:00", **used),
    ]
    consent = {"kind": "digital", "recorded_by": "customer", "at": used["decided_at"], "reference": "link:sha256:bbb"}
    decided = ORDER["findings"][0] | {"decision": "approved", "consent": consent}
    reception.order = ORDER | {"findings": [decided]}

    page = await desk.get(f"/ro/{RO}", headers={"accept-language": "en"})
    assert page.status_code == 200, page.text
    approved = page.text.split('data-decision="approved"', 1)[1].split("</li>", 1)[0]
    assert "approval link on the customer&#39;s phone" in approved
    assert "from iPhone · Safari (address 203.0.113.50)" in approved
    assert "link:sha256:bbb" not in approved, "the device, not the digest"
    states = page.text.split("data-links", 1)[1]
    assert states.index('data-link="decided"') < states.index('data-link="expired"'), "newest first"
    assert "decided at 2026-12-07 11:12" in states  # Shanghai time
    assert "expired at 2026-12-06 10:00, unused" in states
    assert "data-send-link" not in page.text, "nothing waits for the customer: no link to send"
    chinese = await desk.get(f"/ro/{RO}", headers={"accept-language": "zh"})
    assert "使用设备:iPhone · Safari(地址 203.0.113.50)" in chinese.text


async def test_a_new_link_is_sent_for_the_work_waiting_for_the_customer(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception
) -> None:
    token = await as_(desk, stand_in)
    reception.links = [link("aaa", "2026-12-05T02:00:00+00:00", "2026-12-06T02:00:00+00:00")]
    page = await desk.get(f"/ro/{RO}", headers={"accept-language": "en"})
    assert 'data-link="expired"' in page.text
    assert "Send the customer a new link" in page.text
    form = {"csrf_token": token, "approval_of": "additional_work", "form": "send_link"}
    posted = await desk.post(f"/ro/{RO}/approval-requests", data=form)
    assert (posted.status_code, posted.headers["location"]) == (303, f"/ro/{RO}?done=link_sent")
    assert reception.sent == [("approval-requests", (None, {"approval_of": "additional_work"}))]

    reception.answer = (409, {"error": {"code": "nothing_to_approve", "message": "nothing"}})
    refused = await desk.post(f"/ro/{RO}/approval-requests", data=form, headers={"accept-language": "en"})
    assert refused.status_code == 409
    assert "Nothing is waiting for the customer&#39;s decision: there is no link to send." in refused.text


async def test_the_total_follows_the_additional_work_approved_and_names_the_estimate(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception
) -> None:
    await as_(desk, stand_in)
    reception.order = ORDER | {"current_total": 48300}  # the estimate's 28300 and 20000 approved since
    page = await desk.get(f"/ro/{RO}", headers={"accept-language": "en"})
    total = page.text.split("data-total>", 1)[1].split("</p>", 1)[0]
    assert "<strong>¥483.00</strong>" in total
    assert "the estimate was ¥283.00" in total
    reception.order = ORDER | {"current_total": 28300}  # nothing approved since: the estimate alone
    page = await desk.get(f"/ro/{RO}", headers={"accept-language": "en"})
    assert "data-estimate-total" not in page.text
    assert "<strong>¥283.00</strong>" in page.text.split("data-total>", 1)[1]


async def test_while_the_invoice_stands_the_work_cannot_be_approved_but_may_be_declined(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception
) -> None:
    await as_(desk, stand_in)
    reception.order = ORDER | {"invoice_in_force": "SVC-2026-000042"}
    page = await desk.get(f"/ro/{RO}", headers={"accept-language": "en"})
    assert "Invoice SVC-2026-000042 is issued" in page.text
    assert "data-approve" not in page.text
    assert "data-decline" in page.text
    reception.order = ORDER | {"invoice_in_force": None}
    page = await desk.get(f"/ro/{RO}", headers={"accept-language": "zh"})
    assert "data-invoice-lock" not in page.text
    assert "data-approve" in page.text
