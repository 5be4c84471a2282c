"""The vehicle search shows the car's user and owner (names, phones) only to the roles that talk
to customers, and records each such read; a dispatcher or a system caller gets the car with
those fields withheld (docs/decisions/0004-personal-data.md)."""

from __future__ import annotations

from typing import Any

import pytest
from test_api import SA, SITE, VIN, Booking, as_, booking

from events.identity import ADVISOR, CS_AGENT, DISPATCHER, SERVICE_MANAGER, SYSTEM
from events.privacy import WITHHELD
from events.testing import eventually

__all__ = ["booking"]  # the fixture, shared with test_api


async def _registered_car(booking: Booking) -> str:
    customer = await booking.http.post(
        f"/sites/{SITE}/customers", json={"name": "Wang Lei", "phones": ["13900000001"]}, headers=SA
    )
    customer_id: str = customer.json()["customer_id"]
    car = {
        "vin": VIN,
        "plate": "京A12345",
        "model": "Sagitar",
        "year": 2030,
        "vehicle_user": {"name": "Wang Fang", "phone": "13900000002"},
    }
    registered = await booking.http.post(f"/sites/{SITE}/customers/{customer_id}/vehicles", json=car, headers=SA)
    assert registered.status_code == 201, registered.text
    return customer_id


async def _found(booking: Booking, role: str) -> dict[str, Any]:
    response = await eventually(
        lambda: booking.http.get(f"/sites/{SITE}/vehicles", params={"vin": VIN}, headers=as_(role)),
        until=lambda r: r.status_code == 200 and bool(r.json()),
        what=f"the vehicle found by a {role}",
    )
    (row,) = response.json()
    found: dict[str, Any] = row
    return found


@pytest.mark.parametrize("role", [ADVISOR, CS_AGENT, SERVICE_MANAGER])
async def test_those_who_talk_to_customers_see_who_drives_the_car_and_the_read_is_recorded(
    booking: Booking, role: str
) -> None:
    customer_id = await _registered_car(booking)
    row = await _found(booking, role)
    assert (row["user_name"], row["user_phone"], row["customer_name"]) == ("Wang Fang", "13900000002", "Wang Lei")
    assert row["customer_phones"] == ["13900000001"]
    reads = await booking.app.state.runtime.pool.fetch(
        "SELECT subject_id, endpoint FROM personal_data_reads WHERE user_id = $1", f"{role}-1"
    )
    assert [(r["subject_id"], r["endpoint"]) for r in reads] == [(customer_id, "GET /sites/{site_id}/vehicles")]


@pytest.mark.parametrize("role", [DISPATCHER, SYSTEM])
async def test_others_get_the_car_with_its_people_withheld_and_nothing_is_recorded(booking: Booking, role: str) -> None:
    customer_id = await _registered_car(booking)
    row = await _found(booking, role)
    assert (row["customer_id"], row["plate"], row["vin"]) == (customer_id, "京A12345", VIN)
    assert (row["user_name"], row["user_phone"], row["customer_name"]) == (WITHHELD, WITHHELD, WITHHELD)
    assert row["customer_phones"] == [WITHHELD]
    reads = await booking.app.state.runtime.pool.fetchval(
        "SELECT count(*) FROM personal_data_reads WHERE user_id = $1", f"{role}-1"
    )
    assert reads == 0


async def test_an_appointment_and_a_customers_cars_withhold_their_people_from_other_roles(booking: Booking) -> None:
    """The appointment's customer and the car's user, and the users of a customer's cars, are
    people too: a dispatcher sees the appointment and the cars without them; an advisor sees
    them and the read is recorded."""
    booked = await booking.book()
    assert booked.status_code == 201, booked.text
    appointment_id = booked.json()["appointment_id"]
    customer_id = await _registered_car(booking)

    path = f"/sites/{SITE}/appointments/{appointment_id}"
    seen = (await booking.http.get(path, headers=as_(ADVISOR))).json()
    hidden = (await booking.http.get(path, headers=as_(DISPATCHER))).json()
    assert seen["customer"]["name"] != WITHHELD
    assert seen["vehicle_user"]["phone"] != WITHHELD
    for who in ("customer", "vehicle_user"):
        assert (hidden[who]["name"], hidden[who]["phone"]) == (WITHHELD, WITHHELD)
    assert hidden["vehicle"] == seen["vehicle"]  # the car itself is no secret

    record = f"/sites/{SITE}/customers/{customer_id}"
    owner = (await booking.http.get(record, headers=as_(ADVISOR))).json()
    dispatcher = (await booking.http.get(record, headers=as_(DISPATCHER))).json()
    assert owner["vehicles"][0]["vehicle_user"]["name"] == "Wang Fang"
    assert dispatcher["vehicles"][0]["vehicle_user"] == {"name": WITHHELD, "phone": WITHHELD, "customer_id": None}
    reads = await booking.app.state.runtime.pool.fetch(
        "SELECT subject_id, endpoint FROM personal_data_reads WHERE user_id = $1 ORDER BY read_at", f"{ADVISOR}-1"
    )
    assert [r["endpoint"] for r in reads] == [
        "GET /sites/{site_id}/appointments/{appointment_id}",
        "GET /sites/{site_id}/customers/{customer_id}",
    ]
    assert (
        await booking.app.state.runtime.pool.fetchval(
            "SELECT count(*) FROM personal_data_reads WHERE user_id = $1", f"{DISPATCHER}-1"
        )
        == 0
    )
