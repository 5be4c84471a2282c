"""Customers found by phone and vehicles page by cursor: walked by their `Link` header, every row
comes once, in the list's order; a cursor the list did not hand out is a 422."""

from __future__ import annotations

from typing import Any

import pytest
from test_api import SA, SITE, Booking, booking

from events.testing import eventually
from events.testing.lists import walk

__all__ = ["booking"]  # the fixture, shared with test_api
PHONE = "139 0000 0042"


async def _listed(booking: Booking, path: str, count: int) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = (await booking.http.get(path, headers=SA)).json()
        return rows

    return await eventually(probe, until=lambda rows: len(rows) == count, what=path)


async def test_customers_by_phone_and_vehicles_are_walked_to_their_end(booking: Booking) -> None:
    # One phone shared by a family of five, each with a car: more than a page of each.
    for n in range(5):
        customer = await booking.http.post(
            f"/sites/{SITE}/customers", json={"name": "Wang", "phones": [PHONE]}, headers=SA
        )
        assert customer.status_code == 201, customer.text
        car = {
            "vin": f"LFV2A21K8G30001{n}0",
            "plate": "京A00001" if n < 3 else f"京B0000{n}",
            "model": "Sagitar",
            "year": 2020,
        }
        path = f"/sites/{SITE}/customers/{customer.json()['customer_id']}/vehicles"
        assert (await booking.http.post(path, json=car, headers=SA)).status_code == 201
    customers = await _listed(booking, f"/sites/{SITE}/customers?phone={PHONE}", 5)
    vehicles = await _listed(booking, f"/sites/{SITE}/vehicles", 5)

    customer_pages = await walk(booking.http, f"/sites/{SITE}/customers?phone={PHONE}&limit=2", SA)
    vehicle_pages = await walk(booking.http, f"/sites/{SITE}/vehicles?limit=2", SA)

    assert [len(page) for page in customer_pages] == [2, 2, 1]
    assert [c["customer_id"] for page in customer_pages for c in page] == [c["customer_id"] for c in customers]
    assert len({c["customer_id"] for c in customers}) == 5
    assert [len(page) for page in vehicle_pages] == [2, 2, 1]
    assert [v["vehicle_id"] for page in vehicle_pages for v in page] == [v["vehicle_id"] for v in vehicles]
    assert len({v["vehicle_id"] for v in vehicles}) == 5


@pytest.mark.parametrize("path", [f"customers?phone={PHONE}&", "vehicles?"])
async def test_a_cursor_the_list_did_not_hand_out_is_422(booking: Booking, path: str) -> None:
    response = await booking.http.get(f"/sites/{SITE}/{path}cursor=e30", headers=SA)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_cursor"
    assert (await booking.http.get(f"/sites/{SITE}/{path}limit=501", headers=SA)).status_code == 422
