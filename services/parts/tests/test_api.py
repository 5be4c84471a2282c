"""The parts service over HTTP, on a real PostgreSQL and broker: stock, shortages, emergency
orders and transfers, with the policies that move stock when orders arrive or leave."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from events.identity import PARTS_CLERK, Identity
from events.testing import eventually, kafka_for_tests
from events.testing.identity import identity_headers
from parts.app import create_app

GROUP_A, GROUP_B = str(uuid.uuid4()), str(uuid.uuid4())
SITE_1, SITE_2, SITE_B = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())


def clerk(group: str = GROUP_A, *sites: str) -> dict[str, str]:
    identity = Identity("clerk-1", "Zhao Min", group, frozenset({PARTS_CLERK}), frozenset(sites or (SITE_1, SITE_2)))
    return identity_headers(identity)


@pytest.fixture
async def api(database: str, bootstrap_servers: str, topic_prefix: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        database_url=database,
        kafka=kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}."),
    )
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://p") as client:
        yield client


async def stock(api: httpx.AsyncClient, site: str, part: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = await api.get(f"/sites/{site}/stock/{part}", headers=headers or clerk())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_shortage_emergency_order_and_receipt_fill_the_waiting_job(api: httpx.AsyncClient) -> None:
    ro, line = str(uuid.uuid4()), str(uuid.uuid4())
    received = await api.post(
        f"/sites/{SITE_1}/stock/90915-yzze1/receipts", json={"quantity": 1, "unit_cost": 3200}, headers=clerk()
    )
    assert received.status_code == 201, received.text
    assert received.json()["part_number"] == "90915-YZZE1"

    reserved = await api.post(
        f"/sites/{SITE_1}/stock/90915-YZZE1/reservations",
        json={"quantity": 3, "repair_order_id": ro, "line_id": line},
        headers=clerk(),
    )
    assert reserved.status_code == 201
    assert (reserved.json()["reserved"], reserved.json()["backordered"]) == (1, 2)

    expected = (datetime.now(UTC) + timedelta(hours=4)).isoformat()
    order = await api.post(
        f"/sites/{SITE_1}/parts-orders/emergency",
        json={
            "supplier": "FAW-VW Tianjin",
            "expected_at": expected,
            "lines": [
                {"part_number": "90915-YZZE1", "quantity": 2, "repair_order_id": ro, "line_id": line, "unit_cost": 2950}
            ],
        },
        headers=clerk(),
    )
    assert order.status_code == 201, order.text
    assert order.json()["lines"][0]["unit_cost"] == 2950
    order_id = order.json()["parts_order_id"]
    receipt = await api.post(
        f"/sites/{SITE_1}/parts-orders/{order_id}/receipts",
        json={"lines": [{"line_number": 1, "quantity": 2}]},
        headers=clerk(),
    )
    assert receipt.json()["status"] == "complete"

    # The stock-movement policy puts the parts on the shelf and fills the waiting reservation.
    after = await eventually(
        lambda: stock(api, SITE_1, "90915-YZZE1"), until=lambda s: s["backordered"] == 0, what="back-order filled"
    )
    assert (after["on_hand"], after["reserved"], after["available"]) == (3, 3, 0)
    assert after["unit_cost"] == 2950, "received at the order's cost, not 0"
    listed = await eventually(
        lambda: api.get(f"/sites/{SITE_1}/stock", headers=clerk()),
        until=lambda r: r.json() and r.json()[0]["on_hand"] == 3,
        what="stock list projection",
    )
    assert listed.json()[0]["backordered"] == 0


async def test_transfer_within_the_group_moves_stock_and_across_groups_is_refused(api: httpx.AsyncClient) -> None:
    await api.post(
        f"/sites/{SITE_2}/stock/04465-02220/receipts", json={"quantity": 4, "unit_cost": 41000}, headers=clerk()
    )
    await api.post(
        f"/sites/{SITE_B}/stock/04465-02220/receipts",
        json={"quantity": 9, "unit_cost": 41000},
        headers=clerk(GROUP_B, SITE_B),
    )
    known = lambda: api.post(  # noqa: E731
        f"/sites/{SITE_1}/parts-orders/transfers",
        json={"from_site_id": SITE_2, "lines": [{"part_number": "04465-02220", "quantity": 2}]},
        headers=clerk(),
    )
    transfer = await eventually(known, until=lambda r: r.status_code == 201, what="site 2 known to the service")
    order_id = transfer.json()["parts_order_id"]

    refused = await eventually(
        lambda: api.post(
            f"/sites/{SITE_1}/parts-orders/transfers",
            json={"from_site_id": SITE_B, "lines": [{"part_number": "04465-02220", "quantity": 2}]},
            headers=clerk(),
        ),
        until=lambda r: r.status_code != 404,
        what="site B known to the service",
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "cross_group_transfer"

    # The giving site dispatches; its stock goes down; the receiving site receives.
    not_giver = await api.post(f"/sites/{SITE_1}/parts-orders/{order_id}/dispatch", headers=clerk())
    assert not_giver.status_code == 404
    stale = await api.post(f"/sites/{SITE_2}/parts-orders/{order_id}/dispatch", headers={**clerk(), "If-Match": '"0"'})
    assert stale.status_code == 409, stale.text
    assert stale.json()["error"]["code"] == "concurrency_conflict"
    dispatched = await api.post(f"/sites/{SITE_2}/parts-orders/{order_id}/dispatch", headers=clerk())
    assert dispatched.json()["status"] == "in_transit", dispatched.text
    giver = await eventually(lambda: stock(api, SITE_2, "04465-02220"), until=lambda s: s["on_hand"] == 2, what="out")
    assert giver["available"] == 2
    await api.post(
        f"/sites/{SITE_1}/parts-orders/{order_id}/receipts",
        json={"lines": [{"line_number": 1, "quantity": 2}]},
        headers=clerk(),
    )
    taker = await eventually(lambda: stock(api, SITE_1, "04465-02220"), until=lambda s: s["on_hand"] == 2, what="in")
    assert taker["available"] == 2
    assert taker["unit_cost"] == 41000, "a transfer arrives at the giving site's cost"


async def test_bad_input_unknown_ids_and_scope(api: httpx.AsyncClient) -> None:
    invalid = await api.post(
        f"/sites/{SITE_1}/stock/P-1/receipts", json={"quantity": 0, "unit_cost": -1}, headers=clerk()
    )
    assert invalid.status_code == 422
    assert {f["field"] for f in invalid.json()["error"]["fields"]} == {"body.quantity", "body.unit_cost"}
    unknown = await api.get(f"/sites/{SITE_1}/parts-orders/{uuid.uuid4()}", headers=clerk())
    assert unknown.status_code == 404
    other_site = await api.post(
        f"/sites/{SITE_1}/stock/P-1/receipts", json={"quantity": 1, "unit_cost": 1}, headers=clerk(GROUP_A, SITE_2)
    )
    assert other_site.status_code == 403
    too_many = await api.post(
        f"/sites/{SITE_1}/stock/P-1/issues",
        json={"repair_order_id": str(uuid.uuid4()), "line_id": str(uuid.uuid4()), "quantity": 5},
        headers=clerk(),
    )
    assert too_many.status_code == 409
    assert too_many.json()["error"]["code"] == "insufficient_stock"
    # Another group cannot see this group's order.
    order = await api.post(
        f"/sites/{SITE_1}/parts-orders/emergency",
        json={
            "supplier": "s",
            "expected_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
            "lines": [{"part_number": "P-1", "quantity": 1}],
        },
        headers=clerk(),
    )
    assert order.status_code == 201, order.text
    foreign = await api.get(
        f"/sites/{SITE_B}/parts-orders/{order.json()['parts_order_id']}", headers=clerk(GROUP_B, SITE_B)
    )
    assert foreign.status_code == 404
