"""The parts counter over plain HTTP, its calls answered by a stand-in of the parts and reception
routes: refused to a role the parts API refuses; the pick list shows each RO line's reservation
(held, short) and issues with that reservation; the API's refusal of an issue stands beside the
line in the person's language with the typed quantity; the stocktake sends the count with its
reason; goods in sends each arrived line; the price list's price stands beside the stock; a typed
part number never reaches another route."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from desk_helpers import SITE, StandIn, live_regions_read_again, signed_in_as
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from desk.screens.parts import part_path

RO, LINE, RESERVATION = (
    "0b7f7c9e-4d1a-4f0e-9a53-5d4f1c2e8a10",
    "5d0c1f3e-8a51-4b9e-9a6e-2f1c0b7d4e21",
    "7a1e2d3c-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
)
ORDER = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
PART = "04465-02220"


class PartsCounter:
    """The parts and reception routes the counter calls: what they answer, what they were sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.answer: tuple[int, dict[str, Any]] | None = None
        self.priced = True

    def routes(self) -> APIRouter:
        router = APIRouter(prefix="/api/v1/sites/{site}")

        @router.get("/repair-orders")
        async def repair_orders() -> list[dict[str, Any]]:
            summary = {"repair_order_id": RO, "plate": "沪B88888", "vin": "LFV2A21K8G3045678"}
            return [{**summary, "signed": True, "promised_at": "2026-12-07T08:00:00+00:00"}]

        @router.get("/repair-orders/{ro}")
        async def repair_order(ro: str) -> dict[str, Any]:
            part = {"part_number": PART, "description": "brake pads", "quantity": 2}
            return {"lines": [{"line_id": LINE, "description": "front brake pads", "parts": [part]}]}

        @router.get("/stock")
        async def stock_list() -> list[dict[str, Any]]:
            row = {"part_number": PART, "on_hand": 1, "reserved": 1, "available": 0, "backordered": 1}
            return [{**row, "updated_at": "2026-12-07T01:00:00+00:00"}]

        @router.get("/stock/{part}")
        async def shelf(part: str) -> dict[str, Any]:
            held = {"reservation_id": RESERVATION, "repair_order_id": RO, "line_id": LINE, "held": 1, "waiting": 1}
            return {
                "part_number": part,
                "on_hand": 1,
                "reserved": 1,
                "available": 0,
                "backordered": 1,
                "unit_cost": 26600,
                "reservations": [{**held, "appointment_id": None}],
                "version": 3,
            }

        @router.get("/parts-prices/{part}")
        async def price(part: str) -> JSONResponse:
            if not self.priced:
                return JSONResponse({"error": {"code": "not_found", "message": "no"}}, status_code=404)
            body = {"part_number": part, "description": "brake pads", "list_price": 38000, "superseded_by": None}
            return JSONResponse(body)

        @router.get("/parts-orders")
        async def orders() -> list[dict[str, Any]]:
            return [
                {
                    "parts_order_id": ORDER,
                    "site_id": SITE,
                    "kind": "emergency",
                    "status": "ordered",
                    "supplier": "FAW-VW",
                    "from_site_id": None,
                    "expected_at": "2026-12-07T08:00:00+00:00",
                    "lines": "[]",
                    "outstanding": 3,
                }
            ]

        @router.get("/parts-orders/{order}")
        async def order(order: str) -> dict[str, Any]:
            line = {"part_number": PART, "repair_order_id": RO, "line_id": LINE, "unit_cost": 30000}
            other = {"part_number": "90915-YZZE1", "repair_order_id": None, "line_id": None, "unit_cost": None}
            return {
                "lines": [
                    {**line, "line_number": 1, "quantity": 1, "outstanding": 1},
                    {**other, "line_number": 2, "quantity": 2, "outstanding": 2},
                ]
            }

        @router.post("/{rest:path}")
        async def command(rest: str, request: Request) -> JSONResponse:
            self.sent.append((rest, await request.json()))
            status, body = self.answer or (201, {})
            return JSONResponse(body, status_code=status)

        return router


@pytest.fixture
def counter(stand_in: StandIn) -> PartsCounter:
    """The counter's routes ahead of the stand-in's catch-all of a site's resources."""
    parts = PartsCounter()
    stand_in.serve_first(parts.routes())
    return parts


async def as_(desk: httpx.AsyncClient, stand_in: StandIn, role: str) -> str:
    return await signed_in_as(desk, stand_in, role, f"{role}-zhao")


@pytest.mark.parametrize("role", ["advisor", "technician", "cashier"])
async def test_the_parts_counter_is_refused_to_a_role_the_parts_api_refuses(
    desk: httpx.AsyncClient, stand_in: StandIn, counter: PartsCounter, role: str
) -> None:
    token = await as_(desk, stand_in, role)
    assert 'href="/parts"' not in (await desk.get("/")).text
    for screen in ("/parts", "/parts/orders", "/parts/stock"):
        assert (await desk.get(screen)).status_code == 403
    form = {"csrf_token": token, "part_number": PART, "repair_order_id": RO, "line_id": LINE, "quantity": "1"}
    assert (await desk.post("/parts/issue", data=form)).status_code == 403
    assert (await desk.post("/parts/stock/count", data={**form, "counted_quantity": "0"})).status_code == 403
    assert counter.sent == []


async def test_the_pick_list_shows_the_lines_reservation_and_issues_with_it(
    desk: httpx.AsyncClient, stand_in: StandIn, counter: PartsCounter
) -> None:
    token = await as_(desk, stand_in, "parts_clerk")
    page = await desk.get("/parts", headers={"accept-language": "en"})
    assert page.status_code == 200, page.text
    assert "沪B88888 · front brake pads" in page.text
    assert "1 held" in page.text
    assert "1 short" in page.text
    assert f'data-short="{PART}"' in page.text  # the shortage list
    assert await live_regions_read_again(desk, page) == ["pick"]
    form = {
        "csrf_token": token,
        "part_number": PART,
        "repair_order_id": RO,
        "line_id": LINE,
        "reservation_id": RESERVATION,
        "quantity": "1",
    }
    sent = await desk.post("/parts/issue", data=form)
    assert sent.status_code == 303, sent.text
    assert counter.sent == [
        (
            f"stock/{PART}/issues",
            {"repair_order_id": RO, "line_id": LINE, "quantity": 1, "reservation_id": RESERVATION},
        )
    ]


async def test_the_refusal_of_an_issue_stands_beside_the_line_with_the_typed_quantity(
    desk: httpx.AsyncClient, stand_in: StandIn, counter: PartsCounter
) -> None:
    token = await as_(desk, stand_in, "parts_clerk")
    counter.answer = (409, {"error": {"code": "insufficient_stock", "message": "1 on the shelf"}})
    form = {"csrf_token": token, "part_number": PART, "repair_order_id": RO, "line_id": LINE, "quantity": "7"}
    page = await desk.post("/parts/issue", data=form, headers={"accept-language": "zh"})
    assert page.status_code == 409
    assert "data-refused>货架上的数量不够" in page.text
    assert 'value="7"' in page.text


async def test_the_stocktake_sends_the_count_with_its_reason_and_a_refusal_keeps_it(
    desk: httpx.AsyncClient, stand_in: StandIn, counter: PartsCounter
) -> None:
    token = await as_(desk, stand_in, "parts_clerk")
    page = await desk.get(f"/parts/stock?part_number={PART}", headers={"accept-language": "en"})
    assert "data-list-price>¥380.00" in page.text  # the catalogue's price beside the shelf
    assert "data-cost>¥266.00" in page.text
    form = {"csrf_token": token, "part_number": PART, "counted_quantity": "0", "reason": "damaged box found"}
    done = await desk.post("/parts/stock/count", data=form)
    assert done.status_code == 303
    assert counter.sent == [(f"stock/{PART}/counts", {"counted_quantity": 0, "reason": "damaged box found"})]
    counter.answer = (409, {"error": {"code": "reason_required", "message": "why?"}})
    again = await desk.post("/parts/stock/count", data={**form, "reason": " "}, headers={"accept-language": "en"})
    assert again.status_code == 409
    assert "data-refused>Give the reason." in again.text
    assert 'id="f-counted_quantity" name="counted_quantity" type="number" value="0"' in again.text


async def test_a_part_off_the_price_list_is_said_so(
    desk: httpx.AsyncClient, stand_in: StandIn, counter: PartsCounter
) -> None:
    await as_(desk, stand_in, "parts_clerk")
    counter.priced = False
    page = await desk.get(f"/parts/stock?part_number={PART}", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert "data-list-price>not on the price list" in page.text


async def test_goods_in_sends_each_arrived_line_and_skips_the_rest(
    desk: httpx.AsyncClient, stand_in: StandIn, counter: PartsCounter
) -> None:
    token = await as_(desk, stand_in, "parts_clerk")
    page = await desk.get("/parts/orders", headers={"accept-language": "en"})
    assert "¥300.00" in page.text  # the order's cost of the line
    assert await live_regions_read_again(desk, page) == ["orders"]
    form = {"csrf_token": token, "line-1": "1", "line-2": ""}
    done = await desk.post(f"/parts/orders/{ORDER}/receive", data=form)
    assert done.status_code == 303, done.text
    assert counter.sent == [(f"parts-orders/{ORDER}/receipts", {"lines": [{"line_number": 1, "quantity": 1}]})]


def test_a_typed_part_number_stays_one_path_segment() -> None:
    assert part_path({"part_number": "../repair-orders"}) == "-"
    assert part_path({"part_number": "A/../../me"}) == "A%2F..%2F..%2Fme"
    assert part_path({"part_number": " 04465-02220 "}) == "04465-02220"
