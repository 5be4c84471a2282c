"""Self-booking over HTTP (issue 21): a customer, with no sign-in, sees a site's services and free
slots and books one as an `internet` appointment against the site's capacity; a retry books
nothing twice; a phone holds at most three open internet bookings at a site; nothing of any
other customer (or of the staff) is ever in an answer."""

from __future__ import annotations

import uuid
from datetime import timedelta

from public_helpers import DAY, GROUP, SHANGHAI, SITE, SLOT, Public, public, self_booking_body, staff

from booking.domain.self_booking import OPEN_BOOKINGS_PER_PHONE
from events.identity import ADVISOR, SYSTEM
from events.testing import eventually

__all__ = ["public"]  # the fixture


async def test_a_customer_books_a_free_slot_as_an_internet_appointment(public: Public) -> None:
    services = await public.http.get(public.path(), params={"model_family": "Sagitar"})
    assert services.status_code == 200, services.text
    assert services.json()["general_services"] == ["maintenance", "repair"]
    assert [m["menu_id"] for m in services.json()["menus"]] == ["10K"]
    slots = await public.http.get(public.path("/free-slots"), params={"date": DAY.isoformat(), "service": "repair"})
    assert slots.status_code == 200, slots.text
    assert slots.json()["minutes"] == 60
    assert SLOT.isoformat() in slots.json()["slots"]

    booked = await public.book(service="repair", customer_words="the brakes squeak")
    assert booked.status_code == 201, booked.text
    answer = booked.json()
    assert (answer["status"], answer["name"], answer["plate"], answer["minutes"]) == (
        "booked",
        "Wang Lei",
        "京A12345",
        60,
    )
    assert answer["slot_start"] == SLOT.isoformat()

    appointment = await public.staff_view(answer["appointment_id"])
    assert (appointment["channel"], appointment["kind"], appointment["reason"]) == ("internet", "passive", "repair")
    assert appointment["advisor_id"] in {"sa-li", "sa-zhang"}
    assert appointment["vehicle"]["vin"] == "LFV2A21K8G3000001"
    assert appointment["customer_words"] == "the brakes squeak"
    capacity = (await public.http.get(f"/sites/{SITE}/capacity", headers=staff(ADVISOR, "sa-li"))).json()
    assert capacity["reservations"] == 1


async def test_a_service_menu_books_the_catalogues_operations_asked_as_a_system_for_this_site(public: Public) -> None:
    slots = await public.http.get(
        public.path("/free-slots"), params={"date": DAY.isoformat(), "menu_id": "10K", "model_family": "Sagitar"}
    )
    assert slots.json()["minutes"] == 50
    booked = await public.book(menu_id="10K")
    assert booked.status_code == 201, booked.text
    assert booked.json()["work"] == ["更换机油机滤 oil and filter", "10000公里检查 inspection"]
    appointment = await public.staff_view(booked.json()["appointment_id"])
    assert (appointment["menu_id"], appointment["reason"], appointment["estimated_minutes"]) == (
        "10K",
        "maintenance",
        50,
    )
    identities = {(call[2].group_id, call[2].site_ids, call[2].roles) for call in public.catalogue.calls}
    assert identities == {(GROUP, frozenset({SITE}), frozenset({SYSTEM}))}


async def test_the_same_booking_sent_again_books_nothing_twice(public: Public) -> None:
    body = self_booking_body()
    first = await public.http.post(public.path("/appointments"), json=body)
    again = await public.http.post(public.path("/appointments"), json=body)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert first.json() == again.json()
    kinds = [type(e).__name__ for e in await public.events(body["appointment_id"])]
    assert kinds == ["AppointmentBooked"]
    # The same number from another phone is not the same booking: refused, nothing changed.
    other = await public.http.post(public.path("/appointments"), json={**body, "phone": "13800000009"})
    assert (other.status_code, other.json()["error"]["code"]) == (409, "already_booked")


async def test_a_phone_holds_at_most_three_open_internet_bookings_at_a_site(public: Public) -> None:
    written = ["13900000001", "139 0000 0001", "139-0000-0001"]  # one phone, typed three ways
    booked = []
    for hour, phone in zip((9, 10, 11), written, strict=True):
        answer = await public.book(phone=phone, slot_start=SLOT.replace(hour=hour).isoformat())
        assert answer.status_code == 201, answer.text
        booked.append(answer.json()["appointment_id"])
    assert OPEN_BOOKINGS_PER_PHONE == 3
    fourth = await public.book(phone="+86 139 0000 0001", slot_start=SLOT.replace(hour=12).isoformat())
    assert (fourth.status_code, fourth.json()["error"]["code"]) == (409, "too_many_open_bookings"), fourth.text
    capacity = (await public.http.get(f"/sites/{SITE}/capacity", headers=staff(ADVISOR, "sa-li"))).json()
    assert capacity["reservations"] == 3, "the refused booking reserved nothing"
    assert (await public.book(phone="13700000002")).status_code == 201, "another phone is not limited by it"

    # One of them cancelled (at the dealer): the phone may book again.
    cancel = await public.http.post(
        f"/sites/{SITE}/appointments/{booked[0]}/cancel",
        json={"requested_by": "customer", "reason": "plans changed"},
        headers=staff(ADVISOR, "sa-li"),
    )
    assert cancel.status_code == 200, cancel.text

    async def again() -> int:
        return (await public.book(phone="13900000001", slot_start=SLOT.replace(hour=13).isoformat())).status_code

    await eventually(again, until=lambda status: status == 201, what="a booking once one was cancelled")


async def test_no_other_customers_data_is_in_any_answer(public: Public) -> None:
    customer_id = str(uuid.uuid4())
    registered = await public.http.post(
        f"/sites/{SITE}/customers",
        json={"customer_id": customer_id, "name": "Li Na", "phones": ["13900000001"], "preferred_contact": "sms"},
        headers=staff(ADVISOR, "sa-li"),
    )
    assert registered.status_code == 201, registered.text
    staff_booking = await public.http.post(
        f"/sites/{SITE}/appointments",
        json={
            "reason": "maintenance",
            "customer": {"name": "Zhao Min", "phone": "13600000003"},
            "vehicle": {"vin": "LFV2A21K8G3000002", "plate": "沪B99999", "model": "Sagitar"},
            "requested_jobs": [{"description": "service", "estimated_minutes": 60}],
            "advisor_id": "sa-li",
            "slot_start": (SLOT + timedelta(hours=1)).isoformat(),
        },
        headers=staff(ADVISOR, "sa-li"),
    )
    assert staff_booking.status_code == 201, staff_booking.text

    booked = await public.book(name="Wang Lei", phone="13900000001")
    assert booked.status_code == 201, booked.text
    slots = await public.http.get(public.path("/free-slots"), params={"date": DAY.isoformat()})
    services = await public.http.get(public.path(), params={"model_family": "Sagitar"})
    for answer in (booked, slots, services):
        for secret in ("Li Na", customer_id, "Zhao Min", "13600000003", "沪B99999", "sa-li", "sa-zhang", GROUP):
            assert secret not in answer.text, (secret, answer.text)
    appointment = await public.staff_view(booked.json()["appointment_id"])
    assert appointment["customer"]["customer_id"] is None, "never matched to a customer by the phone"


async def test_refusals_unknown_site_full_or_odd_slot_and_bad_input(public: Public) -> None:
    unknown = await public.http.get(public.path(site=str(uuid.uuid4())))
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")
    assert (
        await public.http.post(public.path("/appointments", site=str(uuid.uuid4())), json=self_booking_body())
    ).status_code == 404

    half_past = await public.book(slot_start=SLOT.replace(minute=30).isoformat())
    assert (half_past.status_code, half_past.json()["error"]["code"]) == (409, "capacity_exceeded")
    past = await public.book(slot_start=(SLOT - timedelta(days=3)).isoformat())
    assert past.status_code == 409

    for phone in ("13700000011", "13700000012", "13700000013", "13700000014"):  # 2 advisors x 2 receptions
        assert (await public.book(phone=phone)).status_code == 201
    full = await public.book(phone="13700000015")
    assert (full.status_code, full.json()["error"]["code"]) == (409, "capacity_exceeded")

    bad = await public.book(phone="call me", vin="123", service="tuning", slot_start="0001-01-01T00:00:00+14:00")
    assert bad.status_code == 422
    fields = {f["field"] for f in bad.json()["error"]["fields"]}
    assert {"body.phone", "body.vin", "body.service", "body.slot_start"} <= fields
    no_family = await public.http.get(public.path("/free-slots"), params={"date": DAY.isoformat(), "menu_id": "10K"})
    assert no_family.status_code == 422
    far = await public.http.get(public.path("/free-slots"), params={"date": "9999-12-31"})
    assert (far.status_code, far.json()["error"]["fields"][0]["field"]) == (422, "query.date")


async def test_times_are_answered_in_the_sites_zone(public: Public) -> None:
    booked = await public.book(slot_start=SLOT.astimezone(SHANGHAI).isoformat())
    assert booked.json()["time_zone"] == "Asia/Shanghai"
    assert booked.json()["slot_start"].endswith("+08:00")
