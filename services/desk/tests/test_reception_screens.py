"""The RO desk (reception) over plain HTTP, its calls answered by a stand-in of reception's
routes: the desk refused to a role whose API would refuse check-in; the walk-around's diagram
marks sent as the API's damages; the signature sent as the drawn PNG and the RO signed with the
ref reception answered (a form without a drawing sends nothing); a refusal shown in the
person's language with what was typed kept; the estimate's promised time sent in the site's
time zone and a typed line's yuan as fen."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from desk_helpers import StandIn, signed_in_as
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

RO = "3a1f0c5e-6b2d-4c8e-9f10-2b3c4d5e6f70"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
ORDER: dict[str, Any] = {
    "repair_order_id": RO,
    "version": 3,
    "status": "estimated",
    "arrival_kind": "appointment",
    "priority": "appointment",
    "service_advisor": "advisor-li",
    "customer": {"name": "Liu Yang", "phone": "13900000007"},
    "vehicle": {"vin": "LFV2A21K8G3045678", "plate": "沪B88888", "model": "Magotan"},
    "vehicle_user": {"name": "Liu Yang", "phone": "13900000007"},
    "customer_waiting": True,
    "currency": "CNY",
    "arrived_at": "2026-12-07T01:00:00+00:00",
    "greeted_at": "2026-12-07T01:02:00+00:00",
    "greeting_seconds": 120,
    "walk_around_recorded": False,
    "walk_around": None,
    "concerns": [{"concern_id": "c", "customer_words": "刹车时有异响"}],
    "lines": [],
    "estimate_total": 65100,
    "price_lists": {},
    "menu_id": None,
    "old_parts": "discard",
    "wash": True,
    "price_adjustments": [],
    "discount_total": 0,
    "discount_approval": None,
    "promised_at": "2026-12-07T08:00:00+00:00",
    "signed_at": None,
    "signature_ref": None,
    "handed_over_at": None,
}


class Reception:
    """Reception's routes the RO desk calls: what they answer, and what they were sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []
        self.answer: tuple[int, dict[str, Any]] | None = None

    def routes(self) -> APIRouter:
        router = APIRouter(prefix="/api/v1/sites/{site}")

        @router.get("/repair-orders/{ro}")
        async def order(ro: str) -> dict[str, Any]:
            return ORDER

        @router.get("/service-menus")
        async def menus() -> list[dict[str, Any]]:
            return [{"menu_id": "magotan-10000", "name_zh": "一万公里保养", "name_en": "10,000 km service"}]

        @router.post("/repair-orders/{ro}/signature")
        async def signature(ro: str, request: Request) -> JSONResponse:
            self.sent.append(("signature", (request.headers["content-type"], await request.body())))
            return JSONResponse({"signature_ref": "sha256:abc", "bytes": 48}, status_code=201)

        @router.post("/repair-orders/{ro}/{action}")
        async def command(ro: str, action: str, request: Request) -> JSONResponse:
            self.sent.append((action, (request.headers.get("if-match"), await request.json())))
            status, body = self.answer or (201, ORDER)
            return JSONResponse(body, status_code=status)

        return router


@pytest.fixture
def reception(stand_in: StandIn) -> Reception:
    """Reception's routes ahead of the stand-in's catch-all of a site's resources."""
    desk = Reception()
    stand_in.serve_first(desk.routes())
    return desk


async def as_(desk: httpx.AsyncClient, stand_in: StandIn, role: str = "advisor") -> str:
    return await signed_in_as(desk, stand_in, role)


@pytest.mark.parametrize("role", ["technician", "cashier", "dispatcher"])
async def test_the_ro_desk_is_refused_to_a_role_the_api_refuses_check_in(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception, role: str
) -> None:
    token = await as_(desk, stand_in, role)
    assert 'href="/reception"' not in (await desk.get("/")).text
    assert (await desk.get("/reception", headers={"accept-language": "en"})).status_code == 403
    posted = await desk.post(f"/reception/visits/{RO}/hand-over", data={"csrf_token": token, "key_tag": "K-1"})
    assert posted.status_code == 403
    assert reception.sent == []


async def test_the_diagrams_marks_go_as_the_walk_arounds_damages(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception
) -> None:
    token = await as_(desk, stand_in)
    form = {
        "csrf_token": token,
        "version": "3",
        "damage": ["front_bumper|scratch|left corner", "left_rear_door|dent|"],
        "damage_area": "",
        "damage_kind": "",
        "mileage_km": "30125",
        "fuel_eighths": "4",
        "valuables_reminded": "on",
        "warning_lamps": "ABS,胎压",
    }
    posted = await desk.post(f"/reception/visits/{RO}/walk-around", data=form)
    assert posted.status_code == 303, posted.text
    ((action, (version, body)),) = reception.sent
    assert (action, version) == ("walk-around", "3")
    assert body["damages"] == [
        {"area": "front_bumper", "kind": "scratch", "note": "left corner"},
        {"area": "left_rear_door", "kind": "dent", "note": ""},
    ]
    assert body["warning_lamps"] == ["ABS", "胎压"]
    assert (body["valuables_reminded"], body["protective_covers_fitted"]) == (True, False)


async def test_the_drawn_signature_is_kept_then_the_ro_is_signed_with_its_ref(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception
) -> None:
    token = await as_(desk, stand_in)
    drawn = "data:image/png;base64," + base64.b64encode(PNG).decode()
    posted = await desk.post(
        f"/reception/visits/{RO}/sign", data={"csrf_token": token, "version": "3", "signature": drawn}
    )
    assert posted.status_code == 303, posted.text
    assert reception.sent == [("signature", ("image/png", PNG)), ("sign", ("3", {"signature_ref": "sha256:abc"}))]


async def test_a_signature_form_without_a_drawing_sends_nothing(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception
) -> None:
    token = await as_(desk, stand_in)
    posted = await desk.post(
        f"/reception/visits/{RO}/sign",
        data={"csrf_token": token, "version": "3", "signature": ""},
        headers={"accept-language": "en"},
    )
    assert posted.status_code == 422
    assert "Ask the customer to sign in the box first." in posted.text
    assert reception.sent == []


async def test_a_refusal_comes_back_in_the_persons_language_with_what_was_typed(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception
) -> None:
    token = await as_(desk, stand_in)
    reception.answer = (409, {"error": {"code": "concern_not_read_back", "message": "read it back"}})
    concern = {
        "csrf_token": token,
        "customer_words": "方向盘抖动",
        "what": "抖动",
        "when": "高速",
        "where": "方向盘",
        "who": "车主",
        "how_often": "每次",
    }
    posted = await desk.post(f"/reception/visits/{RO}/concerns", data=concern, headers={"accept-language": "zh"})
    assert posted.status_code == 409
    assert "请先向客户复述并得到确认" in posted.text
    assert "方向盘抖动</textarea>" in posted.text
    assert reception.sent[0][1][1]["read_back_confirmed"] is False


async def test_the_estimate_is_sent_in_the_sites_time_zone_with_a_typed_lines_yuan_as_fen(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception
) -> None:
    token = await as_(desk, stand_in)
    form = {
        "csrf_token": token,
        "menu_id": "magotan-10000",
        "line.description": "雨刮片更换",
        "line.labour_minutes": "10",
        "line.labour_price": "35.50",
        "line.reason": "目录无此项目",
        "promised_at": "2026-12-07T16:30",
        "payment_method": "card",
        "old_parts": "keep",
        "wash": "on",
    }
    posted = await desk.post(f"/reception/visits/{RO}/estimate", data=form)
    assert posted.status_code == 303, posted.text
    ((action, (_, body)),) = reception.sent
    assert action == "estimate"
    assert body["promised_at"] == "2026-12-07T16:30:00+08:00"  # the stand-in's site is in Asia/Shanghai
    assert body["menu_id"] == "magotan-10000"
    (line,) = body["lines"]
    assert (line["labour_price"], line["reason"]) == (3550, "目录无此项目")
    assert (body["old_parts"], body["wash"]) == ("keep", True)


async def test_a_discount_beyond_authority_shows_the_estimate_waits_and_the_manager_approves_it(
    desk: httpx.AsyncClient, stand_in: StandIn, reception: Reception
) -> None:
    waiting = {"required": True, "approved_by": None, "approved_at": None}
    ORDER.update(discount_total=2000, discount_approval=waiting)
    try:
        await as_(desk, stand_in, "advisor")
        page = await desk.get(f"/reception/visits/{RO}", headers={"accept-language": "en"})
        assert "waits for the service manager&#39;s approval" in page.text
        assert "data-discount-approval" not in page.text  # not the advisor's to approve
        token = await as_(desk, stand_in, "service_manager")
        page = await desk.get(f"/reception/visits/{RO}", headers={"accept-language": "en"})
        assert "data-discount-approval" in page.text
        posted = await desk.post(
            f"/reception/visits/{RO}/discount-approval", data={"csrf_token": token, "version": "3"}
        )
        assert posted.status_code == 303, posted.text
        assert reception.sent == [("discount-approval", ("3", {}))]
    finally:
        ORDER.update(discount_total=0, discount_approval=None)
