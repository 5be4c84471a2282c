"""The reminder page (`/proposal/{token}`) against a stand-in of the gateway's public API: it
shows the car and why, posts the customer's answer to followup's link, books a free time
through booking's self-booking with the proposal's id, and shows refusals in the customer's
language. followup's rules are its own tests; the whole path is tests/test_e2e_reminders.py."""

from __future__ import annotations

import uuid

import httpx
from portal_helpers import GatewayStandIn

SITE = str(uuid.uuid4())
PROPOSAL = str(uuid.uuid4())
TOKEN = "eyJhIjoxfQ.c2ln"
LINK = f"/api/v1/public/proposal-links/{TOKEN}"
SHOWN = {
    "proposal_id": PROPOSAL,
    "site_id": SITE,
    "reason": "maintenance_due",
    "name": "王磊",
    "plate": "京A12345",
    "vin": "LFV2A21K8G3000001",
    "model": "Sagitar",
    "due_on": "2031-05-10",
    "status": "open",
    "answers": ["book_now", "later", "not_interested", "opt_out"],
}
SLOT = "2031-05-07T01:00:00Z"
SLOTS = {"date": "2031-05-07", "time_zone": "Asia/Shanghai", "minutes": 60, "slots": [SLOT]}


async def test_the_page_shows_the_car_and_why_in_the_customers_language(
    portal: httpx.AsyncClient, gateway: GatewayStandIn
) -> None:
    gateway.answer("GET", LINK, 200, SHOWN)
    zh = await portal.get(f"/proposal/{TOKEN}", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 200, zh.text
    assert ("京A12345" in zh.text, "定期保养到期" in zh.text, "立即预约" in zh.text) == (True, True, True)
    en = await portal.get(f"/proposal/{TOKEN}", headers={"Accept-Language": "en"})
    assert "Scheduled maintenance" in en.text


async def test_an_answer_is_posted_to_the_link_and_a_refusal_reads_in_the_customers_words(
    portal: httpx.AsyncClient, gateway: GatewayStandIn
) -> None:
    gateway.answer("GET", LINK, 200, SHOWN)
    gateway.answer("POST", LINK, 201, {"proposal_id": PROPOSAL, "status": "later", "version": 2})
    done = await portal.post(f"/proposal/{TOKEN}/answer", data={"answer": "later", "call_again_on": "2031-05-20"})
    assert done.status_code == 303
    assert done.headers["location"] == f"/proposal/{TOKEN}?done=later"
    (posted,) = [seen for seen in gateway.seen if seen.method == "POST"]
    assert posted.body == {"answer": "later", "call_again_on": "2031-05-20"}
    gateway.refuse("POST", LINK, 409, "link_used")
    used = await portal.post(f"/proposal/{TOKEN}/answer", data={"answer": "opt_out"}, headers={"Accept-Language": "en"})
    assert used.status_code == 409
    assert "has been used" in used.text


async def test_book_now_books_a_free_time_with_the_proposal(portal: httpx.AsyncClient, gateway: GatewayStandIn) -> None:
    gateway.answer("GET", LINK, 200, SHOWN)
    gateway.answer("GET", f"/api/v1/public/self-booking/{SITE}/free-slots", 200, SLOTS)
    page = await portal.get(f"/proposal/{TOKEN}/book", params={"day": "2031-05-07"})
    assert page.status_code == 200, page.text
    assert "09:00" in page.text, "01:00Z at the site"
    gateway.answer("POST", f"/api/v1/public/self-booking/{SITE}/appointments", 201, {"status": "booked"})
    appointment = str(uuid.uuid4())
    form = {"appointment_id": appointment, "day": "2031-05-07", "slot_start": SLOT, "name": "王磊"}
    done = await portal.post(f"/proposal/{TOKEN}/book", data={**form, "phone": "13900000001"})
    assert done.status_code == 303
    assert done.headers["location"] == f"/proposal/{TOKEN}?done=booked"
    (posted,) = [seen for seen in gateway.seen if seen.method == "POST"]
    assert posted.body["proposal_id"] == PROPOSAL
    assert (posted.body["appointment_id"], posted.body["vin"], posted.body["plate"]) == (
        appointment,
        "LFV2A21K8G3000001",
        "京A12345",
    )
