"""The work-order board pages by cursor: walked by its `Link` header, every car comes once, in the
board's order (late first, then by promise, ties by repair order); a cursor it did not hand out is
a 422."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from test_api import DISPATCH, SITE, Workshop, handed_over, line, signed, workshop

from events.testing import eventually
from events.testing.lists import walk

__all__ = ["workshop"]  # the fixture, shared with test_api


async def test_the_board_is_walked_to_its_end(workshop: Workshop) -> None:
    # Three cars share a promise: their order, and the cursor, rest on the repair order id.
    orders = [uuid.uuid4() for _ in range(5)]
    for n, ro in enumerate(orders):
        promise = timedelta(hours=2 if n < 3 else 2 + n)
        await workshop.reception(signed(ro, line("oil service", 40), promise=promise), handed_over(ro))

    async def board() -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = (await workshop.http.get(f"/sites/{SITE}/work-orders", headers=DISPATCH)).json()
        return rows

    whole = await eventually(board, until=lambda rows: len(rows) == 5, what="five cars on the board")
    assert sorted(row["repair_order_id"] for row in whole) == sorted(str(ro) for ro in orders)

    pages = await walk(workshop.http, f"/sites/{SITE}/work-orders?include_ready=true&limit=2", DISPATCH)

    assert [len(page) for page in pages] == [2, 2, 1]
    assert [row["repair_order_id"] for page in pages for row in page] == [row["repair_order_id"] for row in whole]


async def test_a_cursor_the_board_did_not_hand_out_is_422(workshop: Workshop) -> None:
    response = await workshop.http.get(f"/sites/{SITE}/work-orders?cursor=e30", headers=DISPATCH)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_cursor"
    assert (await workshop.http.get(f"/sites/{SITE}/work-orders?limit=0", headers=DISPATCH)).status_code == 422
