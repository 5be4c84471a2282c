"""The cashier's and the complaint handler's screens over plain HTTP, their calls answered by a
stand-in of billing's, reception's and complaints' routes: the screens refused to a role whose
API refuses them; amounts typed in yuan sent as fen by integer arithmetic, one payment per
method each under its own key, and anything that is not an amount refused beside its input with
nothing sent; the printed invoice streamed with the session's token; a decision beyond the
handler's authority shown with the escalation: the proposal as a link that opens the page filled in."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from desk_helpers import StandIn, signed_in_as
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from desk.screens.cashier import fen_of

RO, INVOICE, COMPLAINT = (
    "0b7f7c9e-4d1a-4f0e-9a53-5d4f1c2e8a10",
    "5d0c1f3e-8a51-4b9e-9a6e-2f1c0b7d4e21",
    "7a1e2d3c-4b5a-4c6d-8e9f-0a1b2c3d4e5f",
)
VISIT_ROW = {
    "repair_order_id": RO, "plate": "沪B88888", "customer_name": "Liu Yang", "advisor": "advisor-li",
    "ready": True, "settled": False, "delivered": False, "invoice_total": 42550, "currency": "CNY",
}  # fmt: skip
INVOICE_VIEW: dict[str, Any] = {
    "invoice_id": INVOICE, "number": "SVC-2026-000001", "series": "service", "repair_order_id": RO,
    "status": "issued", "currency": "CNY", "buyer": {"name": "Liu Yang", "phone": "13800000000"},
    "vehicle": {"vin": "LFV2A21K8G3045678", "plate": "沪B88888", "model": "Magotan"},
    "lines": [{"line_id": RO, "kind": "labour", "description": "oil change", "labour_operation": None,
               "part_number": None, "quantity": 1, "pay_type": "CUSTOMER_PAY", "payer": "customer",
               "gross": 38000, "net": 33628, "tax": 4372, "rate_bp": 1300}],
    "totals": {"gross": 38000, "net": 33628, "tax": 4372}, "customer": {"gross": 38000, "net": 33628, "tax": 4372},
    "taxes": [], "receivables": [], "payments": [], "refunds": [], "paid": 0, "balance": 38000,
    "issued_by": "cashier-liu", "issued_at": "2026-12-07T08:00:00+00:00", "paid_at": None, "voided": None,
    "fapiao": None, "version": 1,
}  # fmt: skip
COMPLAINT_VIEW = {
    "complaint_id": COMPLAINT, "version": 3, "step": "facts_confirmed", "kind": "complaint", "channel": "phone",
    "category": "price", "customer_id": RO, "vin": None, "repair_order_id": None,
    "customer_words": "the bill was higher than the estimate", "serious_reasons": [], "escalated": False,
    "received_at": "2026-12-07T08:00:00+00:00", "resolve_by": "2026-12-08T08:00:00+00:00", "sla_breached": False,
    "overdue": False, "responsibility": "dealer", "cause": "price", "findings": "labour billed twice",
    "remedy": None, "cost": 0, "customer_disagreed": False, "resolved_at": None, "second_callback_due": None,
    "follow_up_overdue": False, "times_back_to_facts": 0, "times_reopened": 0,
}  # fmt: skip


class Api:
    """The routes the two screens call: what they answer, and what they were sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self.answer: tuple[int, dict[str, Any]] | None = None
        self.printed_with: str | None = None
        self.in_force: list[dict[str, Any]] = []  # billing's invoices in force of the RO

    def routes(self) -> APIRouter:
        router = APIRouter(prefix="/api/v1/sites/{site}")

        @router.get("/repair-orders")
        async def visits() -> list[dict[str, Any]]:
            return [VISIT_ROW]

        @router.get("/billing-settings")
        async def settings() -> dict[str, Any]:
            return {"series": ["service"], "time_zone": "Asia/Shanghai"}

        @router.get("/invoices")
        async def of_the_ro(repair_order_id: str) -> list[dict[str, Any]]:
            return [i for i in self.in_force if i["repair_order_id"] == repair_order_id]

        @router.get("/invoices/{invoice}")
        async def invoice(invoice: str) -> dict[str, Any]:
            return INVOICE_VIEW

        @router.get("/documents/invoice/{name}")
        async def printed(name: str, request: Request) -> Response:
            self.printed_with = request.headers.get("authorization")
            return Response(b"%PDF-1.7 stand-in", media_type="application/pdf")

        @router.get("/complaints/{complaint}")
        async def complaint(complaint: str) -> dict[str, Any]:
            return COMPLAINT_VIEW

        @router.post("/{rest:path}")
        async def command(rest: str, request: Request) -> JSONResponse:
            keys = {k: v for k, v in request.headers.items() if k in ("idempotency-key", "if-match")}
            self.sent.append((rest, await request.json(), keys))
            status, body = self.answer or (201, INVOICE_VIEW)
            return JSONResponse(body, status_code=status)

        return router


@pytest.fixture
def api(stand_in: StandIn) -> Api:
    """The routes ahead of the stand-in's catch-all of a site's resources."""
    found = Api()
    stand_in.serve_first(found.routes())
    return found


async def as_(desk: httpx.AsyncClient, stand_in: StandIn, user: str, role: str) -> str:
    return await signed_in_as(desk, stand_in, role, user)


def test_yuan_typed_is_fen_by_integer_arithmetic_and_anything_else_is_no_amount() -> None:
    assert [fen_of(x) for x in ("123.45", "80", "0.1", "¥1,234.5", " 7.05 ")] == [12345, 8000, 10, 123450, 705]
    assert [fen_of(x) for x in ("12.345", "abc", "-5", "0", "0.00", "1e3", "", "12.")] == [None] * 8


@pytest.mark.parametrize(
    ("role", "screen", "command"),
    [
        ("technician", "/cashier", f"/cashier/invoices/{INVOICE}/payments"),
        ("advisor", "/cashier", "/cashier/invoices"),
        ("technician", "/complaints/handle", f"/complaints/handle/{COMPLAINT}/decision"),
        ("cashier", "/complaints/new", "/complaints/new"),
    ],
)
async def test_a_screen_is_refused_to_a_role_its_api_refuses(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api, role: str, screen: str, command: str
) -> None:
    token = await as_(desk, stand_in, "someone", role)
    page = await desk.get(screen, headers={"accept-language": "en"})
    assert page.status_code == 403
    posted = await desk.post(command, data={"csrf_token": token, "payment.0.amount": "10"})
    assert posted.status_code == 403
    assert api.sent == []


async def test_a_split_payment_goes_as_fen_one_call_per_method_each_under_its_own_key(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api
) -> None:
    token = await as_(desk, stand_in, "cashier-liu", "cashier")
    page = await desk.get(f"/cashier/invoices/{INVOICE}", headers={"accept-language": "en"})
    assert page.status_code == 200, page.text
    for shown in ("¥336.28", "¥43.72", "¥380.00"):  # net, tax, gross
        assert shown in page.text
    form = {
        "csrf_token": token,
        "payment.0.key": "k0",
        "payment.0.method": "card",
        "payment.0.amount": "123.45",
        "payment.1.key": "k1",
        "payment.1.method": "wechat_pay",
        "payment.1.amount": "256.55",
        "payment.2.key": "k2",
        "payment.2.method": "cash",
        "payment.2.amount": "",
    }
    sent = await desk.post(f"/cashier/invoices/{INVOICE}/payments", data=form)
    assert sent.status_code == 303, sent.text
    assert api.sent == [
        (f"invoices/{INVOICE}/payments", {"method": "card", "amount": 12345}, {"idempotency-key": "k0"}),
        (f"invoices/{INVOICE}/payments", {"method": "wechat_pay", "amount": 25655}, {"idempotency-key": "k1"}),
    ]


async def test_an_amount_that_is_not_one_is_refused_beside_its_input_and_nothing_is_sent(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api
) -> None:
    token = await as_(desk, stand_in, "cashier-liu", "cashier")
    form = {"csrf_token": token, "payment.0.method": "card", "payment.0.amount": "100",
            "payment.1.method": "cash", "payment.1.amount": "12.345"}  # fmt: skip
    page = await desk.post(f"/cashier/invoices/{INVOICE}/payments", data=form, headers={"accept-language": "en"})
    assert page.status_code == 422
    assert api.sent == []  # not even the good row: the form is taken whole or not at all
    assert 'aria-describedby="e-payment.1.amount"' in page.text
    assert 'value="12.345"' in page.text
    assert "at most two decimals" in page.text
    deposit = {"csrf_token": token, "deposit.repair_order_id": RO, "deposit.method": "cash", "deposit.amount": "abc"}
    refused = await desk.post("/cashier/deposits", data=deposit, headers={"accept-language": "zh"})
    assert refused.status_code == 422
    assert "最多两位小数" in refused.text
    assert api.sent == []


async def test_billings_refusal_of_a_payment_is_shown_in_the_persons_language(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api
) -> None:
    token = await as_(desk, stand_in, "cashier-liu", "cashier")
    api.answer = (409, {"error": {"code": "overpayment", "message": "more than the balance"}})
    form = {"csrf_token": token, "payment.0.key": "k0", "payment.0.method": "cash", "payment.0.amount": "999"}
    page = await desk.post(f"/cashier/invoices/{INVOICE}/payments", data=form, headers={"accept-language": "zh"})
    assert page.status_code == 409
    assert "金额超过待收金额" in page.text
    assert 'value="999"' in page.text


async def test_the_printed_invoice_is_streamed_with_the_sessions_token(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api
) -> None:
    await as_(desk, stand_in, "cashier-liu", "cashier")
    printed = await desk.get(f"/cashier/invoices/{INVOICE}/invoice.pdf")
    assert printed.status_code == 200
    assert printed.headers["content-type"] == "application/pdf"
    assert printed.content.startswith(b"%PDF")
    assert (api.printed_with or "").startswith("Bearer ")


async def test_a_decision_beyond_authority_is_refused_and_offers_the_escalation_as_a_link(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api
) -> None:
    token = await as_(desk, stand_in, "agent-wu", "cs_agent")
    api.answer = (409, {"error": {"code": "approval_required", "message": "beyond the limit of 20000"}})
    form = {
        "csrf_token": token,
        "version": "3",
        "decision.remedy": "goodwill",
        "decision.description": "refund the labour billed twice",
        "decision.cost": "380.50",
        "decision.remedy_due": "2026-12-08T10:00",
        "decision.spokesperson": "agent-wu",
    }
    page = await desk.post(f"/complaints/handle/{COMPLAINT}/decision", data=form, headers={"accept-language": "en"})
    assert page.status_code == 409
    ((path, body, headers),) = api.sent
    assert (path, headers) == (f"complaints/{COMPLAINT}/decision", {"if-match": "3"})
    assert body["cost"] == 38050
    assert body["remedy_due"] == "2026-12-08T10:00:00+08:00"  # typed at the site (Shanghai)
    assert "the service manager decides" in page.text
    link = page.text.split("data-escalation-link", 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    proposal = await desk.get(link.replace("&amp;", "&"))
    assert proposal.status_code == 200
    assert 'value="380.50"' in proposal.text
    assert "refund the labour billed twice" in proposal.text


async def test_a_car_already_invoiced_opens_its_invoice_instead_of_issuing_a_second(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api
) -> None:
    # Another cashier issued it: their idempotency key is not this cashier's.
    api.in_force = [INVOICE_VIEW]
    token = await as_(desk, stand_in, "cashier-wang", "cashier")
    page = await desk.get("/cashier", headers={"accept-language": "en"})
    assert page.status_code == 200, page.text
    assert f'href="/cashier/invoices/{INVOICE}"' in page.text
    assert "Open invoice SVC-2026-000001" in page.text
    assert 'action="/cashier/invoices"' not in page.text  # no second issue offered
    pressed = await desk.post("/cashier/invoices", data={"csrf_token": token, "repair_order_id": RO})
    assert pressed.status_code == 303
    assert pressed.headers["location"].endswith(f"/cashier/invoices/{INVOICE}")
    assert api.sent == []
    api.in_force = []
    offered = await desk.get("/cashier", headers={"accept-language": "zh"})
    assert 'action="/cashier/invoices"' in offered.text
