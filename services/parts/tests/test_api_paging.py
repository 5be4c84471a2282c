"""The stock list and the parts orders page by cursor: walked by their `Link` header, every row
comes once, in the list's order; a cursor the list did not hand out is a 422."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from test_api import SITE_1, api, clerk

from events.testing import eventually
from events.testing.lists import walk

__all__ = ["api"]  # the fixture, shared with test_api


async def _listed(http: httpx.AsyncClient, path: str, count: int) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = (await http.get(path, headers=clerk())).json()
        return rows

    return await eventually(probe, until=lambda rows: len(rows) == count, what=path)


async def test_the_stock_list_and_the_orders_are_walked_to_their_end(api: httpx.AsyncClient) -> None:
    for n in range(5):
        received = await api.post(
            f"/sites/{SITE_1}/stock/P-{n}/receipts", json={"quantity": 1, "unit_cost": 100}, headers=clerk()
        )
        assert received.status_code == 201, received.text
        line = {
            "part_number": f"P-{n}",
            "quantity": 1,
            "repair_order_id": str(uuid.uuid4()),
            "line_id": str(uuid.uuid4()),
        }
        body = {"supplier": "FAW-VW Tianjin", "expected_at": (datetime.now(UTC) + timedelta(hours=4)).isoformat()}
        order = await api.post(
            f"/sites/{SITE_1}/parts-orders/emergency", json=body | {"lines": [line]}, headers=clerk()
        )
        assert order.status_code == 201, order.text
    stock = await _listed(api, f"/sites/{SITE_1}/stock", 5)
    orders = await _listed(api, f"/sites/{SITE_1}/parts-orders", 5)

    stock_pages = await walk(api, f"/sites/{SITE_1}/stock?limit=2", clerk())
    order_pages = await walk(api, f"/sites/{SITE_1}/parts-orders?open_only=true&limit=2", clerk())

    assert [len(page) for page in stock_pages] == [2, 2, 1]
    assert [row["part_number"] for page in stock_pages for row in page] == [f"P-{n}" for n in range(5)]
    assert [row["part_number"] for row in stock] == [f"P-{n}" for n in range(5)]
    assert [len(page) for page in order_pages] == [2, 2, 1]
    assert [row["parts_order_id"] for page in order_pages for row in page] == [row["parts_order_id"] for row in orders]
    assert len({row["parts_order_id"] for row in orders}) == 5


@pytest.mark.parametrize("path", ["stock", "parts-orders"])
async def test_a_cursor_the_list_did_not_hand_out_is_422(api: httpx.AsyncClient, path: str) -> None:
    response = await api.get(f"/sites/{SITE_1}/{path}?cursor=e30", headers=clerk())
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_cursor"
    assert (await api.get(f"/sites/{SITE_1}/{path}?limit=0", headers=clerk())).status_code == 422
