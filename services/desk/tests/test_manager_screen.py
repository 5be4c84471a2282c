"""The service manager's page over plain HTTP, its calls answered by a stand-in of reception's,
complaints', followup's and the reports' routes: refused to a role whose API refuses the
approval; only what the API flags as waiting, escalated, breached or overdue is listed; the
KPIs as the API gives them, formatted; the approval sent with the version the page showed; a
report that cannot be read leaves the rest of the page working."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from desk_helpers import SITE, StandIn, signed_in_as
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

WAITING, APPROVED, SIGNED = (
    "0b7f7c9e-4d1a-4f0e-9a53-5d4f1c2e8a10",
    "1b7f7c9e-4d1a-4f0e-9a53-5d4f1c2e8a11",
    "2b7f7c9e-4d1a-4f0e-9a53-5d4f1c2e8a12",
)
ESCALATED, QUIET = "7a1e2d3c-4b5a-4c6d-8e9f-0a1b2c3d4e5f", "8a1e2d3c-4b5a-4c6d-8e9f-0a1b2c3d4e5f"
LATE_CALL, CALL = "9a1e2d3c-4b5a-4c6d-8e9f-0a1b2c3d4e50", "9a1e2d3c-4b5a-4c6d-8e9f-0a1b2c3d4e51"


def _order(ro: str, plate: str, approval: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "repair_order_id": ro, "version": 7, "service_advisor": "advisor-li", "currency": "CNY",
        "vehicle": {"vin": "LFV2A21K8G3045678", "plate": plate}, "estimate_total": 42550,
        "discount_total": 8000, "discount_approval": approval,
    }  # fmt: skip


ORDERS = {
    WAITING: _order(WAITING, "沪B11111", {"required": True, "approved_by": None, "approved_at": None}),
    APPROVED: _order(APPROVED, "沪B22222", {"required": True, "approved_by": "manager-zhao", "approved_at": None}),
}


def _complaint(cid: str, escalated: bool, words: str) -> dict[str, Any]:
    return {
        "complaint_id": cid, "customer_words": words, "escalated": escalated, "breached": False,
        "follow_up_overdue": False, "received_at": "2026-12-07T08:00:00+00:00",
        "resolve_by": "2026-12-08T08:00:00+00:00",
    }  # fmt: skip


def _callback(cid: str, overdue: bool, plate: str) -> dict[str, Any]:
    return {
        "callback_id": cid, "plate": plate, "vin": None, "kind": "three_day", "agent": None, "overdue": overdue,
        "due_at": "2026-12-04T08:00:00+00:00", "hard_limit_at": "2026-12-05T08:00:00+00:00",
    }  # fmt: skip


CSI = {"scope": "site", "period": "week", "time_zone": "Asia/Shanghai", "rows": [
    {"site_id": SITE, "period": "2026-W49", "average_score": 4.5, "reach_rate_72h": 0.875,
     "on_time_delivery_rate": None, "first_time_fix_rate": 1.0, "appointment_rate": 0.5, "no_show_rate": 0.125,
     "complaints": {"complaint": 2, "enquiry": 1}, "complaints_sla_breached": 1, "greeting_rate_3min": None},
]}  # fmt: skip
PRODUCTIVITY = [
    {"technician_id": "tech-old", "period": "2026-W48", "productivity_bp": 1, "efficiency_bp": 1, "proficiency_bp": 1},
    {"technician_id": "tech-wang", "period": "2026-W49", "productivity_bp": 9050, "efficiency_bp": 11000,
     "proficiency_bp": None},
]  # fmt: skip
BAYS = {
    "period": "week",
    "time_zone": "Asia/Shanghai",
    "rows": [{"period": "2026-W49", "bays": 4, "utilisation_bp": 6250}],
}


class Api:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, str]]] = []
        self.answer: tuple[int, dict[str, Any]] = (200, ORDERS[WAITING])
        self.reports_away = False

    def routes(self) -> APIRouter:
        router = APIRouter(prefix="/api/v1/sites/{site}")

        @router.get("/repair-orders")
        async def visits() -> list[dict[str, Any]]:
            return [{"repair_order_id": ro, "signed": ro == SIGNED} for ro in (WAITING, APPROVED, SIGNED)]

        @router.get("/repair-orders/{ro}")
        async def visit(ro: str) -> dict[str, Any]:
            assert ro != SIGNED, "a signed visit's estimate waits for nobody: not read"
            return ORDERS[ro]

        @router.get("/complaints")
        async def complaints() -> list[dict[str, Any]]:
            return [_complaint(ESCALATED, True, "the bill was double"), _complaint(QUIET, False, "a quiet one")]

        @router.get("/callbacks")
        async def callbacks() -> list[dict[str, Any]]:
            return [_callback(LATE_CALL, True, "沪C33333"), _callback(CALL, False, "沪C44444")]

        @router.get("/reports/{name}")
        async def report(name: str) -> JSONResponse:
            if self.reports_away:
                return JSONResponse({"error": {"code": "service_unavailable"}}, status_code=503)
            body: Any = {"csi": CSI, "technician-productivity": PRODUCTIVITY, "bay-utilisation": BAYS}[name]
            return JSONResponse(body)

        @router.post("/{rest:path}")
        async def command(rest: str, request: Request) -> JSONResponse:
            self.sent.append((rest, {k: v for k, v in request.headers.items() if k == "if-match"}))
            status, body = self.answer
            return JSONResponse(body, status_code=status)

        return router


@pytest.fixture
def api(stand_in: StandIn) -> Api:
    found = Api()
    stand_in.serve_first(found.routes())
    return found


async def as_(desk: httpx.AsyncClient, stand_in: StandIn, role: str) -> str:
    return await signed_in_as(desk, stand_in, role, "someone")


@pytest.mark.parametrize("role", ["advisor", "cs_agent", "dispatcher"])
async def test_the_managers_page_is_refused_to_a_role_the_approval_refuses(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api, role: str
) -> None:
    token = await as_(desk, stand_in, role)
    assert (await desk.get("/manager")).status_code == 403
    posted = await desk.post(f"/manager/sites/{SITE}/approvals/{WAITING}", data={"csrf_token": token})
    assert posted.status_code == 403
    assert api.sent == []


async def test_only_what_the_api_flags_is_listed_and_the_kpis_are_formatted(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api
) -> None:
    await as_(desk, stand_in, "service_manager")
    page = await desk.get("/manager", headers={"accept-language": "en"})
    assert page.status_code == 200, page.text
    html = page.text
    assert "沪B11111" in html
    assert "¥80.00" in html
    assert "沪B22222" not in html  # approved already
    assert "the bill was double" in html
    assert f"/complaints/handle/{ESCALATED}" in html
    assert "a quiet one" not in html
    assert "沪C33333" in html
    assert "沪C44444" not in html
    for shown in ("complaint 2, enquiry 1", "87.5%", "100.0%", "12.5%", "62.50%", "90.50%", "110.00%", "tech-wang"):
        assert shown in html, shown
    assert "tech-old" not in html  # last week's row: only the latest period is shown


async def test_the_approval_is_sent_with_the_version_the_page_showed_and_a_refusal_explained(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api
) -> None:
    token = await as_(desk, stand_in, "service_manager")
    form = {"csrf_token": token, "version": "7"}
    approved = await desk.post(f"/manager/sites/{SITE}/approvals/{WAITING}", data=form)
    assert approved.status_code == 303
    assert approved.headers["location"] == "/manager?done=approved"
    assert api.sent == [(f"repair-orders/{WAITING}/discount-approval", {"if-match": "7"})]

    api.answer = (409, {"error": {"code": "discount_approval_not_needed", "message": "no"}})
    refused = await desk.post(
        f"/manager/sites/{SITE}/approvals/{WAITING}", data=form, headers={"accept-language": "zh"}
    )
    assert refused.status_code == 409
    assert "无需批准" in refused.text


async def test_a_report_that_cannot_be_read_leaves_the_rest_of_the_page(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api
) -> None:
    await as_(desk, stand_in, "service_manager")
    api.reports_away = True
    page = await desk.get("/manager", headers={"accept-language": "en"})
    assert page.status_code == 200, page.text
    assert "沪B11111" in page.text
    assert "Cannot be read just now" in page.text
