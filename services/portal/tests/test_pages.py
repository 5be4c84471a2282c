"""The self-booking and appointment-link pages against a stand-in of the gateway's public API:
what each page asks the API, what it shows of the answer, and how a refusal reads (in the
customer's language, nothing typed lost). The API's own rules are booking's tests; the whole
path in a browser is tests/test_portal_booking.py."""

from __future__ import annotations

import uuid

import httpx
from portal_helpers import PUBLIC_URL, GatewayStandIn

SITE = str(uuid.uuid4())
TOKEN = "eyJhIjoxfQ.c2ln"
BASE = f"/api/v1/public/self-booking/{SITE}"
LINK = f"/api/v1/public/appointment-links/{TOKEN}"
SERVICES = {
    "time_zone": "Asia/Shanghai",
    "general_services": ["maintenance", "repair"],
    "menus": [{"menu_id": "10K", "name_zh": "1万公里保养", "name_en": "10,000 km service", "interval_km": 10000}],
}
SLOTS = {
    "date": "2031-05-07",
    "time_zone": "Asia/Shanghai",
    "minutes": 50,
    "slots": ["2031-05-07T01:00:00Z", "2031-05-07T02:00:00Z"],
}
FORM = {
    "appointment_id": str(uuid.uuid4()),
    "model": "Sagitar",
    "service": "menu:10K",
    "day": "2031-05-07",
    "slot_start": "2031-05-07T01:00:00Z",
    "name": "王磊",
    "phone": "13900000001",
    "plate": "京A12345",
    "vin": "LFV2A21K8G3000001",
    "mileage_km": "",
    "customer_words": "刹车有异响",
}
APPOINTMENT = {
    "status": "booked",
    "slot_start": "2031-05-07T09:00:00+08:00",
    "time_zone": "Asia/Shanghai",
    "minutes": 60,
    "plate": "京A12345",
    "model": "Sagitar",
    "work": ["维修 Repair"],
    "name": "王磊",
    "may": ["confirm", "cancel", "reschedule"],
}


def offering(gateway: GatewayStandIn) -> None:
    gateway.answer("GET", BASE, 200, SERVICES)
    gateway.answer("GET", f"{BASE}/free-slots", 200, SLOTS)


async def test_the_steps_ask_for_the_models_menus_then_the_days_free_times_in_site_time(
    portal: httpx.AsyncClient, gateway: GatewayStandIn
) -> None:
    offering(gateway)
    first = await portal.get(f"/book/{SITE}", headers={"Accept-Language": "zh-CN"})
    assert first.status_code == 200, first.text
    assert 'name="service"' not in first.text, "the work comes once the model is known"
    page = await portal.get(f"/book/{SITE}", params={"model": "Sagitar", "service": "menu:10K", "day": "2031-05-07"})
    assert "1万公里保养" in page.text
    assert 'value="menu:10K" checked' in page.text
    assert ("09:00" in page.text, "10:00" in page.text) == (True, True), "01:00Z and 02:00Z at the site"
    asked = [(seen.path, seen.headers.get("x-forwarded-for")) for seen in gateway.seen]
    assert asked[-2:] == [(BASE, "203.0.113.7"), (f"{BASE}/free-slots", "203.0.113.7")]
    slots_query = gateway.seen[-1]
    assert slots_query.method == "GET"


async def test_booking_posts_what_was_typed_and_shows_only_the_answer(
    portal: httpx.AsyncClient, gateway: GatewayStandIn
) -> None:
    offering(gateway)
    answer = {
        "appointment_id": FORM["appointment_id"],
        "status": "booked",
        "slot_start": "2031-05-07T09:00:00+08:00",
        "time_zone": "Asia/Shanghai",
        "minutes": 50,
        "work": ["更换机油机滤 oil and filter"],
        "name": "王磊",
        "phone": "13900000001",
        "plate": "京A12345",
        "model": "Sagitar",
    }
    gateway.answer("POST", f"{BASE}/appointments", 201, answer)
    done = await portal.post(f"/book/{SITE}", data=FORM, headers={"Accept-Language": "en"})
    assert done.status_code == 201, done.text
    assert "You are booked" in done.text
    assert "2031-05-07 09:00" in done.text
    assert f"APPT {FORM['appointment_id'][:8]}" in done.text
    (posted,) = [seen for seen in gateway.seen if seen.method == "POST"]
    assert posted.body == {
        "appointment_id": FORM["appointment_id"],
        "menu_id": "10K",
        "slot_start": FORM["slot_start"],
        "name": "王磊",
        "phone": "13900000001",
        "plate": "京A12345",
        "vin": "LFV2A21K8G3000001",
        "model": "Sagitar",
        "customer_words": "刹车有异响",
    }
    assert posted.headers["x-forwarded-for"] == "203.0.113.7"
    assert "authorization" not in posted.headers


async def test_a_refusal_shows_the_form_again_in_the_customers_words(
    portal: httpx.AsyncClient, gateway: GatewayStandIn
) -> None:
    offering(gateway)
    gateway.refuse("POST", f"{BASE}/appointments", 409, "too_many_open_bookings")
    refused = await portal.post(f"/book/{SITE}", data=FORM, headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 409
    assert "这个手机号在本门店已有多个未完成的预约" in refused.text
    for typed in ("王磊", "13900000001", "LFV2A21K8G3000001", "刹车有异响", FORM["appointment_id"]):
        assert typed in refused.text, typed

    gateway.refuse("POST", f"{BASE}/appointments", 422, "invalid_request", [{"field": "body.vin", "message": "17"}])
    invalid = await portal.post(f"/book/{SITE}", data={**FORM, "vin": "123"}, headers={"Accept-Language": "en"})
    assert invalid.status_code == 422
    assert 'id="e-vin"' in invalid.text
    assert 'aria-invalid="true"' in invalid.text


async def test_a_form_from_another_site_is_refused_before_the_api_is_called(
    portal: httpx.AsyncClient, gateway: GatewayStandIn
) -> None:
    for origin in ("https://evil.example", None):
        headers = {"Origin": origin} if origin else {}
        if origin is None:
            portal.headers.pop("Origin", None)
        refused = await portal.post(f"/book/{SITE}", data=FORM, headers=headers)
        assert refused.status_code == 403, origin
        assert "not sent from this page" in refused.text or "不是从本页面提交" in refused.text
    assert not gateway.seen
    portal.headers["Origin"] = PUBLIC_URL


async def test_the_appointment_page_shows_what_the_link_may_still_do(
    portal: httpx.AsyncClient, gateway: GatewayStandIn
) -> None:
    gateway.answer("GET", LINK, 200, APPOINTMENT)
    page = await portal.get(f"/appointment/{TOKEN}", headers={"Accept-Language": "en"})
    assert page.status_code == 200, page.text
    assert "2031-05-07 09:00" in page.text
    for action in ('data-action="confirm"', 'data-action="cancel"', 'data-action="reschedule"'):
        assert action in page.text
    gateway.answer("GET", LINK, 200, {**APPOINTMENT, "status": "cancelled", "may": []})
    ended = await portal.get(f"/appointment/{TOKEN}", headers={"Accept-Language": "en"})
    assert "data-action" not in ended.text
    assert "nothing left to do" in ended.text


async def test_a_decision_is_posted_then_the_page_is_shown_again(
    portal: httpx.AsyncClient, gateway: GatewayStandIn
) -> None:
    gateway.answer("POST", f"{LINK}/cancel", 200, {**APPOINTMENT, "status": "cancelled", "may": []})
    cancelled = await portal.post(f"/appointment/{TOKEN}/cancel", data={"reason": "车已卖"})
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == f"/appointment/{TOKEN}?done=cancel"
    (posted,) = [seen for seen in gateway.seen if seen.method == "POST"]
    assert (posted.path, posted.body) == (f"{LINK}/cancel", {"reason": "车已卖"})


async def test_expired_invalid_and_used_links_read_in_the_customers_language(
    portal: httpx.AsyncClient, gateway: GatewayStandIn
) -> None:
    gateway.refuse("GET", LINK, 410, "link_expired")
    expired = await portal.get(f"/appointment/{TOKEN}", headers={"Accept-Language": "zh-CN"})
    assert (expired.status_code, 'data-error="link_expired"' in expired.text) == (410, True)
    assert "此链接已过期" in expired.text
    gateway.refuse("GET", LINK, 404, "link_invalid")
    invalid = await portal.get(f"/appointment/{TOKEN}", headers={"Accept-Language": "en"})
    assert (invalid.status_code, "This link is not valid" in invalid.text) == (404, True)
    gateway.answer("GET", LINK, 200, APPOINTMENT)
    gateway.refuse("POST", f"{LINK}/confirm", 409, "link_used")
    used = await portal.post(f"/appointment/{TOKEN}/confirm", headers={"Accept-Language": "en"})
    assert used.status_code == 409
    assert "This link has been used" in used.text
    assert "2031-05-07 09:00" in used.text, "the appointment is still shown"
