"""End to end over HTTP: the gateway and the parts service as real processes, on the run's
PostgreSQL and broker. A parts clerk's day: receive stock, a job reserves more than there
is, an emergency order arrives and the waiting job gets its parts; another group's clerk
sees none of it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

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
