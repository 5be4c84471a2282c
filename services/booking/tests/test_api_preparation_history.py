"""The preparation view shows the car's newest visits and says when it has more than it shows,
so the advisor preparing tomorrow's visit knows the history goes further back (and the summary
does not undercount the visits)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from test_api import SA, SITE, START, VIN, Booking, booking

from events.catalog.reception import VehicleDelivered
from events.catalog.reception_values import VehicleIdentity
from events.testing import eventually

__all__ = ["booking"]  # the fixture, shared with test_api
SHOWN = 50  # the newest visits the view lists


def visit(days_ago: int) -> tuple[str, VehicleDelivered]:
    ro = uuid.uuid4()
    at = START - timedelta(days=days_ago)
    delivered = VehicleDelivered(
        repair_order_id=ro,
        vehicle=VehicleIdentity(vin=VIN, plate="京A12345"),
        customer={"name": "Wang Lei", "phone": "13900000001"},
        vehicle_user={"name": "Wang Lei", "phone": "13900000001"},
        mileage_km=100_000 - days_ago,
        promised_at=at,
        original_promised_at=at,
        on_time=True,
        work_explained=True,
        old_parts_shown=True,
        old_parts_returned=False,
        delivered_at=at,
    )
    return f"repair_order-{ro}", delivered


async def test_the_preparation_view_says_when_the_history_goes_further_back(booking: Booking) -> None:
    appointment = (await booking.book()).json()["appointment_id"]
    path = f"/sites/{SITE}/appointments/{appointment}/preparation"

    async def view() -> dict[str, Any]:
        body: dict[str, Any] = (await booking.http.get(path, headers=SA)).json()
        return body

    await booking.publish(*(visit(days_ago) for days_ago in range(1, SHOWN + 1)))
    complete = await eventually(view, until=lambda v: len(v["history"]) == SHOWN, what="every visit listed")
    assert complete["service_history_more"] is False
    assert complete["history_summary"].startswith(f"{SHOWN} earlier visit(s)")

    await booking.publish(visit(days_ago=SHOWN + 400))
    await booking.publish(visit(days_ago=0))
    newest = await eventually(
        view, until=lambda v: v["history"][0]["mileage_km"] == 100_000, what="the newest visit first"
    )
    assert len(newest["history"]) == SHOWN
    assert newest["service_history_more"] is True
    assert newest["history"][-1]["mileage_km"] == 100_000 - (SHOWN - 1), "the oldest are the ones left out"
    assert newest["history_summary"].startswith(f"more than {SHOWN} earlier visits")
