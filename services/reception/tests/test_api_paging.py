"""The site's visits page by cursor: walked by the `Link` header, every repair order comes once,
newest first; a cursor the list did not hand out is a 422."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from test_api_personal_data import DESK, SITE, api

from events.testing import eventually
from events.testing.lists import walk

__all__ = ["api"]  # the fixture, shared with test_api_personal_data


def _walk_in(n: int) -> dict[str, Any]:
    return {
        "arrival_kind": "walk_in",
        "customer": {"name": "Wang Wei", "phone": "13800000001"},
        "vehicle": {"vin": f"LFV3A23C0J300000{n}", "plate": f"京A1234{n}", "model": "Audi A4L"},
        "customer_waiting": True,
        "arrived_at": (datetime.now(UTC) - timedelta(minutes=2)).isoformat(),
    }


async def test_the_visits_are_walked_to_their_end(api: httpx.AsyncClient) -> None:
    created = []
    for n in range(5):
        response = await api.post(f"/sites/{SITE}/repair-orders", json=_walk_in(n), headers=DESK)
        assert response.status_code == 201, response.text
        created.append(response.json()["repair_order_id"])

    async def listed() -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = (await api.get(f"/sites/{SITE}/repair-orders", headers=DESK)).json()
        return rows

    whole = await eventually(listed, until=lambda rows: len(rows) == 5, what="five visits listed")
    assert sorted(row["repair_order_id"] for row in whole) == sorted(created)

    pages = await walk(api, f"/sites/{SITE}/repair-orders?open_only=true&limit=2", DESK)

    assert [len(page) for page in pages] == [2, 2, 1]
    assert [row["repair_order_id"] for page in pages for row in page] == [row["repair_order_id"] for row in whole]


async def test_a_cursor_the_list_did_not_hand_out_is_422(api: httpx.AsyncClient) -> None:
    response = await api.get(f"/sites/{SITE}/repair-orders?cursor=e30", headers=DESK)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_cursor"
    assert (await api.get(f"/sites/{SITE}/repair-orders?limit=501", headers=DESK)).status_code == 422
