"""`If-Match` on every parts aggregate: a command sent with the version the clerk last saw is
refused (409 `concurrency_conflict`, with the version now) once someone else changed the record,
and writes nothing. One test per aggregate: the stock item, the parts order, the old part."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from test_api import SITE_1, api, clerk

__all__ = ["api"]  # the fixture, shared with test_api


def stale(version: int) -> dict[str, str]:
    return {**clerk(), "If-Match": f'"{version}"'}


async def test_a_stock_command_on_a_changed_shelf_is_a_conflict(api: httpx.AsyncClient) -> None:
    path = f"/sites/{SITE_1}/stock/04152-YZZA6"
    first = await api.post(f"{path}/receipts", json={"quantity": 2, "unit_cost": 3200}, headers=clerk())
    assert first.json()["version"] == 1, first.text
    second = await api.post(f"{path}/receipts", json={"quantity": 1, "unit_cost": 3200}, headers=stale(1))
    assert second.json()["version"] == 2, second.text

    refused = await api.post(f"{path}/counts", json={"counted_quantity": 0, "reason": "stocktake"}, headers=stale(1))

    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "concurrency_conflict"
    assert refused.json()["error"]["current_version"] == 2
    shelf = (await api.get(path, headers=clerk())).json()
    assert (shelf["on_hand"], shelf["version"]) == (3, 2), "the refused count wrote nothing"


async def test_a_parts_order_command_on_a_changed_order_is_a_conflict(api: httpx.AsyncClient) -> None:
    expected_at = (datetime.now(UTC) + timedelta(hours=4)).isoformat()
    lines = [{"part_number": "04152-YZZA6", "quantity": 2}]
    order = await api.post(
        f"/sites/{SITE_1}/parts-orders/emergency",
        json={"supplier": "FAW-VW Tianjin", "expected_at": expected_at, "lines": lines},
        headers=clerk(),
    )
    assert order.status_code == 201, order.text
    path = f"/sites/{SITE_1}/parts-orders/{order.json()['parts_order_id']}"
    received = await api.post(f"{path}/receipts", json={"lines": [{"line_number": 1, "quantity": 1}]}, headers=stale(1))
    assert received.json()["version"] == 2, received.text

    refused = await api.post(f"{path}/cancel", json={"reason": "the job was cancelled"}, headers=stale(1))

    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "concurrency_conflict"
    assert refused.json()["error"]["current_version"] == 2
    now = (await api.get(path, headers=clerk())).json()
    assert (now["status"], now["version"]) == ("open", 2), "the refused cancellation wrote nothing"


async def test_an_old_part_command_on_a_changed_record_is_a_conflict(api: httpx.AsyncClient) -> None:
    recorded = await api.post(
        f"/sites/{SITE_1}/old-parts",
        json={
            "repair_order_id": str(uuid.uuid4()),
            "line_id": str(uuid.uuid4()),
            "part_number": "04152-YZZA6",
            "quantity": 1,
            "warranty": False,
            "customer_choice": "discard",
        },
        headers=clerk(),
    )
    assert recorded.status_code == 201, recorded.text
    path = f"/sites/{SITE_1}/old-parts/{recorded.json()['old_part_id']}"

    refused = await api.post(f"{path}/disposition", json={"disposition": "scrapped"}, headers=stale(0))

    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "concurrency_conflict"
    assert refused.json()["error"]["current_version"] == 1
    now = (await api.get(path, headers=clerk())).json()
    assert (now["disposition"], now["version"]) == (None, 1), "the refused disposition wrote nothing"
