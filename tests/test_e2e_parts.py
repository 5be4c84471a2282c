"""End to end over HTTP: the gateway and the parts service as real processes, on the run's
PostgreSQL and broker. A parts clerk's day: receive stock, a job reserves more than there
is, an emergency order arrives and the waiting job gets its parts; another group's clerk
sees none of it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import dealership
import httpx
import pytest

from events.testing import eventually
from events.testing.system import RunningSystem

GROUP, OTHER_GROUP = str(uuid.uuid4()), str(uuid.uuid4())
SITE, OTHER_SITE = str(uuid.uuid4()), str(uuid.uuid4())


@pytest.fixture
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    system = RunningSystem(["parts"])
    try:
        await system.start()
        async with httpx.AsyncClient(base_url=system.gateway_url, timeout=30) as client:
            yield client
    finally:
        system.stop()


async def login(gateway: httpx.AsyncClient, group: str, site: str, role: str = "parts_clerk") -> dict[str, str]:
    body = {"user_id": f"{role}-{site[:4]}", "name": "Zhao Min", "group_id": group, "roles": [role], "site_ids": [site]}
    response = await gateway.post("/auth/dev-token", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_a_waiting_job_gets_its_parts_when_the_emergency_order_arrives(gateway: httpx.AsyncClient) -> None:
    clerk = await login(gateway, GROUP, SITE)
    api = f"/api/v1/sites/{SITE}"
    ro, line = str(uuid.uuid4()), str(uuid.uuid4())

    received = await gateway.post(
        f"{api}/stock/06A115561B/receipts", json={"quantity": 1, "unit_cost": 3200}, headers=clerk
    )
    assert received.status_code == 201, received.text
    assert "x-request-id" in received.headers
    reserved = await gateway.post(
        f"{api}/stock/06A115561B/reservations",
        json={"quantity": 2, "repair_order_id": ro, "line_id": line},
        headers=clerk,
    )
    assert (reserved.json()["reserved"], reserved.json()["backordered"]) == (1, 1)

    expected = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    order = await gateway.post(
        f"{api}/parts-orders/emergency",
        json={
            "supplier": "FAW-VW",
            "expected_at": expected,
            "lines": [{"part_number": "06A115561B", "quantity": 1, "repair_order_id": ro, "line_id": line}],
        },
        headers=clerk,
    )
    assert order.status_code == 201, order.text
    order_id = order.json()["parts_order_id"]
    await gateway.post(
        f"{api}/parts-orders/{order_id}/receipts", json={"lines": [{"line_number": 1, "quantity": 1}]}, headers=clerk
    )

    async def shelf() -> dict[str, Any]:
        body: dict[str, Any] = (await gateway.get(f"{api}/stock/06A115561B", headers=clerk)).json()
        return body

    filled = await eventually(shelf, until=lambda s: s["backordered"] == 0, what="the waiting job got its part")
    assert (filled["on_hand"], filled["reserved"]) == (2, 2)

    stranger = await login(gateway, OTHER_GROUP, OTHER_SITE)
    assert (await gateway.get(f"{api}/stock", headers=stranger)).status_code == 403
    foreign = await gateway.get(f"/api/v1/sites/{OTHER_SITE}/parts-orders/{order_id}", headers=stranger)
    assert foreign.status_code == 404
    advisor = await login(gateway, GROUP, SITE, role="advisor")
    refused = await gateway.post(
        f"{api}/stock/06A115561B/receipts", json={"quantity": 1, "unit_cost": 1}, headers=advisor
    )
    assert refused.status_code == 403


async def test_sites_of_one_group_lend_each_other_parts_and_other_groups_are_refused(
    gateway: httpx.AsyncClient,
) -> None:
    lender_site, foreign_site = str(uuid.uuid4()), str(uuid.uuid4())
    here = await dealership.login(gateway, GROUP, SITE, "parts_clerk")
    lender = await dealership.login(gateway, GROUP, lender_site, "parts_clerk")
    foreign = await dealership.login(gateway, OTHER_GROUP, foreign_site, "parts_clerk")
    await lender.ok("POST", "stock/5Q0615301H/receipts", {"quantity": 6, "unit_cost": 41000}, status=201)
    await foreign.ok("POST", "stock/5Q0615301H/receipts", {"quantity": 6, "unit_cost": 41000}, status=201)
    for clerk in (lender, foreign):  # parts learns a site (and its group) from the site's own stock events
        await clerk.until("stock", lambda rows: [r["part_number"] for r in rows] == ["5Q0615301H"], "the stock list")

    asked = {"from_site_id": lender_site, "lines": [{"part_number": "5Q0615301H", "quantity": 2}]}
    transfer = await here.ok("POST", "parts-orders/transfers", asked, status=201)
    order_id = transfer["parts_order_id"]
    await lender.until("parts-orders", lambda rows: order_id in [r["parts_order_id"] for r in rows], "the request")
    await lender.ok("POST", f"parts-orders/{order_id}/dispatch")
    await lender.until("stock/5Q0615301H", lambda s: s["on_hand"] == 4, "the lender's shelf after dispatch")
    await here.ok("POST", f"parts-orders/{order_id}/receipts", {"lines": [{"line_number": 1, "quantity": 2}]})
    await here.until("stock/5Q0615301H", lambda s: s["on_hand"] == 2, "the parts on this site's shelf")

    across = await here.post("parts-orders/transfers", {**asked, "from_site_id": foreign_site})
    assert across.status_code == 409, across.text
    assert across.json()["error"]["code"] == "cross_group_transfer"
    stranger_sends = await foreign.post(f"parts-orders/{order_id}/dispatch")
    assert stranger_sends.status_code == 404
    assert (await foreign.ok("GET", "stock/5Q0615301H"))["on_hand"] == 6
