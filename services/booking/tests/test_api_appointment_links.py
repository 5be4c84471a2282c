"""The appointment link of the day-before message over HTTP (issue 21): the reminder carries it;
it shows its own appointment and nothing of anyone else; confirm, cancel (with a reason) and
reschedule go through the appointment's own rules, each once per link; an expired, tampered,
other-purpose or other-site link does nothing and says only that it is expired or invalid."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from public_helpers import DAY, PORTAL, SECRET, SITE, SLOT, Public, public, staff

from booking.domain.appointment_link import claims_for
from events.catalog.booking import AppointmentCancelled, AppointmentConfirmed, AppointmentRescheduled
from events.identity import ADVISOR
from events.links import LinkClaims, sign_link

__all__ = ["public"]  # the fixture


def link(token: str, tail: str = "") -> str:
    return f"/public/appointment-links/{token}{tail}"


async def booked(public: Public, **changes: object) -> str:
    answer = await public.book(**changes)
    assert answer.status_code == 201, answer.text
    appointment_id: str = answer.json()["appointment_id"]
    return appointment_id


async def test_the_reminder_of_an_internet_booking_carries_a_link_to_its_appointment(public: Public) -> None:
    appointment_id = await booked(public, customer_words="please check the wipers")
    token = await public.link_of(appointment_id)
    shown = await public.http.get(link(token))
    assert shown.status_code == 200, shown.text
    view = shown.json()
    assert (view["status"], view["plate"], view["name"], view["minutes"]) == ("booked", "京A12345", "Wang Lei", 60)
    assert view["slot_start"] == SLOT.isoformat()
    assert view["may"] == ["confirm", "cancel", "reschedule"]
    for private in ("13900000001", "139 0000 0001", "LFV2A21K8G3000001", "sa-li", "sa-zhang", appointment_id):
        assert private not in shown.text, private


async def test_confirm_through_the_link_once(public: Public) -> None:
    appointment_id = await booked(public)
    token = await public.link_of(appointment_id)
    confirmed = await public.http.post(link(token, "/confirm"))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"
    assert "confirm" not in confirmed.json()["may"]
    (event,) = [e for e in await public.events(appointment_id) if isinstance(e, AppointmentConfirmed)]
    assert (event.confirmation, event.channel) == ("day_before", "link")
    again = await public.http.post(link(token, "/confirm"))
    assert (again.status_code, again.json()["error"]["code"]) == (409, "link_used")
    assert len([e for e in await public.events(appointment_id) if isinstance(e, AppointmentConfirmed)]) == 1


async def test_reschedule_then_cancel_through_the_link_each_once(public: Public) -> None:
    appointment_id = await booked(public)
    token = await public.link_of(appointment_id)
    free = await public.http.get(link(token, "/free-slots"), params={"date": DAY.isoformat()})
    assert free.status_code == 200, free.text
    later = SLOT.replace(hour=15)
    assert later.isoformat() in free.json()["slots"]

    moved = await public.http.post(link(token, "/reschedule"), json={"slot_start": later.isoformat()})
    assert moved.status_code == 200, moved.text
    assert moved.json()["slot_start"] == later.isoformat()
    assert moved.json()["may"] == ["confirm", "cancel"]
    (event,) = [e for e in await public.events(appointment_id) if isinstance(e, AppointmentRescheduled)]
    assert (event.requested_by, event.slot_start) == ("customer", later)
    twice = await public.http.post(link(token, "/reschedule"), json={"slot_start": SLOT.replace(hour=16).isoformat()})
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "link_used")

    no_reason = await public.http.post(link(token, "/cancel"), json={"reason": ""})
    assert no_reason.status_code == 422
    cancelled = await public.http.post(link(token, "/cancel"), json={"reason": "the car is sold"})
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["may"]) == ("cancelled", [])
    (ended,) = [e for e in await public.events(appointment_id) if isinstance(e, AppointmentCancelled)]
    assert (ended.requested_by, ended.reason) == ("customer", "the car is sold")
    capacity = (await public.http.get(f"/sites/{SITE}/capacity", headers=staff(ADVISOR, "sa-li"))).json()
    assert capacity["reservations"] == 0, "the slot is given back"
    # The appointment's own rules still decide: a cancelled appointment is not confirmed.
    late_confirm = await public.http.post(link(token, "/confirm"))
    assert (late_confirm.status_code, late_confirm.json()["error"]["code"]) == (409, "appointment_cancelled")


async def test_a_full_slot_is_refused_and_spends_nothing(public: Public) -> None:
    appointment_id = await booked(public)
    for phone in ("13700000011", "13700000012", "13700000013", "13700000014"):
        assert (await public.book(phone=phone, slot_start=SLOT.replace(hour=15).isoformat())).status_code == 201
    token = await public.link_of(appointment_id)
    full = await public.http.post(link(token, "/reschedule"), json={"slot_start": SLOT.replace(hour=15).isoformat()})
    assert (full.status_code, full.json()["error"]["code"]) == (409, "capacity_exceeded")
    moved = await public.http.post(link(token, "/reschedule"), json={"slot_start": SLOT.replace(hour=16).isoformat()})
    assert moved.status_code == 200, "the refused move did not spend the link"


async def test_an_expired_link_is_gone(public: Public) -> None:
    appointment_id = await booked(public)
    token = await public.link_of(appointment_id)
    public.clock.set(SLOT + timedelta(seconds=1))
    for answer in (await public.http.get(link(token)), await public.http.post(link(token, "/confirm"))):
        assert (answer.status_code, answer.json()["error"]["code"]) == (410, "link_expired")
    assert not [e for e in await public.events(appointment_id) if isinstance(e, AppointmentConfirmed)]


async def test_tampered_other_purpose_other_site_and_unknown_links_are_invalid(public: Public) -> None:
    appointment_id = await booked(public)
    token = await public.link_of(appointment_id)
    payload, signature = token.split(".")
    other = await booked(public, phone="13700000021", slot_start=SLOT.replace(hour=11).isoformat())
    others_payload = sign_link(claims_for(SITE, UUID(other), SLOT.replace(hour=11)), SECRET.encode()).split(".")[0]
    forged = {
        "tampered signature": f"{payload}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}{signature[-1]}",
        "another appointment's subject, old signature": f"{others_payload}.{signature}",
        "another purpose": sign_link(LinkClaims("approval", SITE, appointment_id, "1", SLOT), SECRET.encode()),
        "another site": sign_link(claims_for(str(UUID(int=7)), UUID(appointment_id), SLOT), SECRET.encode()),
        "another secret": sign_link(claims_for(SITE, UUID(appointment_id), SLOT), b"not-our-secret"),
        "no appointment": sign_link(claims_for(SITE, UUID(int=9), SLOT), SECRET.encode()),
        "not a link": "hello",
    }
    for why, bad in forged.items():
        for answer in (
            await public.http.get(link(bad)),
            await public.http.post(link(bad, "/cancel"), json={"reason": "x"}),
        ):
            assert (answer.status_code, answer.json()["error"]["code"]) == (404, "link_invalid"), why
            assert "appointment" not in answer.json()["error"]["message"], "never says which"
    for appointment in (appointment_id, other):
        kinds = [type(e).__name__ for e in await public.events(appointment)]
        assert "AppointmentCancelled" not in kinds


async def test_a_link_acts_only_on_its_own_appointment(public: Public) -> None:
    mine = await booked(public)
    theirs = await booked(public, name="Li Na", phone="13700000031", plate="沪C55555")
    token = await public.link_of(mine)
    shown = (await public.http.get(link(token))).json()
    assert (shown["plate"], shown["name"]) == ("京A12345", "Wang Lei")
    cancelled = await public.http.post(link(token, "/cancel"), json={"reason": "no longer needed"})
    assert cancelled.status_code == 200
    assert [type(e).__name__ for e in await public.events(theirs)][-1] != "AppointmentCancelled"
    assert (await public.staff_view(theirs))["status"] in {"booked", "confirmed"}
    assert PORTAL not in cancelled.text
