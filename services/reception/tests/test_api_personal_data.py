"""Customers' names and phones on reception's answers, by role (decision 0004): the workshop's
people get the car and the work, not who owns it; the desk, the cashier and the manager see
them, and each of their reads is recorded."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from events.identity import (
    ADVISOR,
    CASHIER,
    DISPATCHER,
    PARTS_CLERK,
    QC_INSPECTOR,
    SERVICE_MANAGER,
    TECHNICIAN,
    Identity,
)
from events.privacy import WITHHELD
from events.testing import consumers_assigned, eventually, kafka_for_tests
from events.testing.identity import identity_headers
from reception.app import create_app

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
NAME, PHONE, DRIVER, DRIVER_PHONE = "Wang Wei", "13800000001", "Wang Fang", "13900000002"
WORKSHOP = (DISPATCHER, TECHNICIAN, PARTS_CLERK, QC_INSPECTOR)
READERS = (ADVISOR, CASHIER, SERVICE_MANAGER)


def as_(role: str, user: str | None = None) -> dict[str, str]:
    identity = Identity(user or f"{role}-1", "Li Na", GROUP, frozenset({role}), frozenset({SITE}))
    return identity_headers(identity)


DESK = as_(ADVISOR, "advisor-at-the-door")  # checks the car in (not one of the readers compared)


@pytest.fixture
async def api(database: str, bootstrap_servers: str, topic_prefix: str) -> AsyncIterator[httpx.AsyncClient]:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    app = create_app(database_url=database, kafka=kafka)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://r") as client:
        await consumers_assigned(app)
        yield client


@pytest.fixture
async def visit(api: httpx.AsyncClient) -> str:
    """A walk-in checked in at the desk, listed on the site's visits: its id."""
    body = {
        "arrival_kind": "walk_in",
        "customer": {"name": NAME, "phone": PHONE},
        "vehicle_user": {"name": DRIVER, "phone": DRIVER_PHONE},
        "vehicle": {"vin": "LFV3A23C0J3000001", "plate": "京A12345", "model": "Audi A4L"},
        "customer_waiting": True,
        "arrived_at": (datetime.now(UTC) - timedelta(minutes=2)).isoformat(),
    }
    response = await api.post(f"/sites/{SITE}/repair-orders", json=body, headers=DESK)
    assert response.status_code == 201, response.text
    ro: str = response.json()["repair_order_id"]

    async def listed() -> list[str]:
        rows = (await api.get(f"/sites/{SITE}/repair-orders", headers=DESK)).json()
        return [row["repair_order_id"] for row in rows]

    await eventually(listed, until=lambda ids: ro in ids, what="the visit listed")
    return ro


async def reads_recorded(database: str, role: str) -> list[str]:
    conn = await asyncpg.connect(database)
    try:
        rows = await conn.fetch("SELECT subject_id, endpoint FROM personal_data_reads WHERE user_id = $1", f"{role}-1")
    finally:
        await conn.close()
    return [f"{row['endpoint']} {row['subject_id']}" for row in rows]


async def shown_to(api: httpx.AsyncClient, role: str, ro: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The visit's detail and its row in the list, as `role` gets them."""
    detail = await api.get(f"/sites/{SITE}/repair-orders/{ro}", headers=as_(role))
    assert detail.status_code == 200, detail.text
    listed = await api.get(f"/sites/{SITE}/repair-orders", headers=as_(role))
    assert listed.status_code == 200, listed.text
    (row,) = [row for row in listed.json() if row["repair_order_id"] == ro]
    return detail.json(), row


@pytest.mark.parametrize("role", WORKSHOP)
async def test_the_workshop_sees_the_car_but_not_who_owns_it(
    api: httpx.AsyncClient, visit: str, database: str, role: str
) -> None:
    detail, row = await shown_to(api, role, visit)
    for contact in (detail["customer"], detail["vehicle_user"]):
        assert (contact["name"], contact["phone"]) == (WITHHELD, WITHHELD)
    assert row["customer_name"] == WITHHELD
    assert (detail["vehicle"]["plate"], row["plate"]) == ("京A12345", "京A12345")
    shown = str(detail) + str(row)
    assert NAME not in shown
    assert PHONE not in shown
    assert await reads_recorded(database, role) == []  # nothing was read, so nothing is recorded


@pytest.mark.parametrize("role", READERS)
async def test_the_desk_the_cashier_and_the_manager_see_the_customer_and_their_reads_are_recorded(
    api: httpx.AsyncClient, visit: str, database: str, role: str
) -> None:
    detail, row = await shown_to(api, role, visit)
    assert (detail["customer"]["name"], detail["customer"]["phone"]) == (NAME, PHONE)
    assert (detail["vehicle_user"]["name"], detail["vehicle_user"]["phone"]) == (DRIVER, DRIVER_PHONE)
    assert row["customer_name"] == NAME
    assert sorted(await reads_recorded(database, role)) == [
        f"GET /sites/{{site_id}}/repair-orders {visit}",
        f"GET /sites/{{site_id}}/repair-orders/{{repair_order_id}} {visit}",
    ]


async def board_card(api: httpx.AsyncClient, role: str, ro: str) -> dict[str, Any]:
    async def cards() -> list[dict[str, Any]]:
        board = (await api.get(f"/sites/{SITE}/advisor-board", headers=as_(role))).json()
        return [card for card in board["cars"] if card["repair_order_id"] == ro]

    (card,) = await eventually(cards, until=bool, what="the visit's card on the advisor board")
    return card


async def test_the_dispatcher_sees_the_car_on_the_advisor_board_not_the_customer(
    api: httpx.AsyncClient, visit: str
) -> None:
    card = await board_card(api, DISPATCHER, visit)
    assert (card["plate"], card["customer_name"]) == ("京A12345", WITHHELD)
    assert (await board_card(api, ADVISOR, visit))["customer_name"] == DRIVER
