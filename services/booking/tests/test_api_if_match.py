"""`If-Match` on every aggregate's commands: a caller who read an older version than the one now
stored gets 409 `concurrency_conflict` with the current version, and nothing is written. The
route passes the version to the command itself, so this holds without any request-wide state."""

from __future__ import annotations

import uuid

from test_api import CAPACITY, SA, SITE, Booking, as_, booking

from events.identity import DISPATCHER

__all__ = ["booking"]  # the fixture, shared with test_api


async def test_a_stale_if_match_on_an_appointment_is_a_conflict(booking: Booking) -> None:
    booked = (await booking.book()).json()
    path = f"/sites/{SITE}/appointments/{booked['appointment_id']}"
    confirmed = await booking.http.post(
        f"{path}/confirm", json={"confirmation": "day_before"}, headers={**SA, "If-Match": '"1"'}
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["version"] == 2

    stale = await booking.http.post(
        f"{path}/cancel", json={"requested_by": "customer", "reason": "sold"}, headers={**SA, "If-Match": '"1"'}
    )
    assert stale.status_code == 409, stale.text
    assert (stale.json()["error"]["code"], stale.json()["error"]["current_version"]) == ("concurrency_conflict", 2)
    assert await booking.recorded(f"appointment-{booked['appointment_id']}") == [
        "booking.AppointmentBooked",
        "booking.AppointmentConfirmed",
    ]
    capacity = (await booking.http.get(f"/sites/{SITE}/capacity", headers=SA)).json()
    assert capacity["reservations"] == 1, "the refused cancel gave no workshop time back"


async def test_a_stale_if_match_on_a_customer_is_a_conflict(booking: Booking) -> None:
    customer = await booking.http.post(
        f"/sites/{SITE}/customers", json={"name": "Wang Lei", "phones": ["13900000001"]}, headers=SA
    )
    path = f"/sites/{SITE}/customers/{customer.json()['customer_id']}"
    change = {"do_not_call": True, "preferred_contact": "sms"}
    changed = await booking.http.patch(path, json=change, headers={**SA, "If-Match": '"1"'})
    assert changed.json()["version"] == 2, changed.text
    stale = await booking.http.patch(path, json={"name": "Wang Li"}, headers={**SA, "If-Match": '"1"'})
    assert stale.status_code == 409, stale.text
    assert stale.json()["error"]["code"] == "concurrency_conflict"
    assert (await booking.http.get(path, headers=SA)).json()["name"] == "Wang Lei"


async def test_a_stale_if_match_on_the_capacity_is_a_conflict(booking: Booking) -> None:
    planner = as_(DISPATCHER)
    changed = await booking.http.put(
        f"/sites/{SITE}/capacity", json={**CAPACITY, "bays": 3}, headers={**planner, "If-Match": '"1"'}
    )
    assert changed.json()["version"] == 2, changed.text
    stale = await booking.http.put(
        f"/sites/{SITE}/capacity", json={**CAPACITY, "bays": 4}, headers={**planner, "If-Match": '"1"'}
    )
    assert stale.status_code == 409, stale.text
    assert stale.json()["error"]["code"] == "concurrency_conflict"
    assert (await booking.http.get(f"/sites/{SITE}/capacity", headers=SA)).json()["bays"] == 3


async def test_a_garbled_if_match_is_a_field_error(booking: Booking) -> None:
    path = f"/sites/{SITE}/appointments/{uuid.uuid4()}/arrival"
    garbled = await booking.http.post(path, headers={**SA, "If-Match": "latest"})
    assert garbled.status_code == 422
    assert garbled.json()["error"]["fields"][0]["field"] == "header.If-Match"
