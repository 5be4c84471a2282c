"""End to end, followup, booking, notifications and the gateway real processes and the message
receivers the real local stand-ins (`standins.running`): a delivered car's next service is
proposed; the maintenance reminder reaches the stand-in SMS gateway with its link; the customer
follows it (the gateway's public API, as the portal does), books a free time through booking's
self-booking with the proposal; the appointment exists, linked to the proposal, the contact
queue shows it booked and the conversion per reason counts it (docs/reminders.md).

Reception's delivery is published to its topic as reception would (the workshop's path to a
delivery is tests/test_e2e_lifecycle.py's)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from dealership import login, running
from played import car_delivered
from receivers import received

import standins
from events.catalog.reception_values import VehicleIdentity
from events.envelope import Metadata, Tenant
from events.testing import eventually, kafka_for_tests
from events.testing.publishing import Publisher
from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
PHONE = "13900000061"
CUSTOMER = uuid.uuid4()
CAR = VehicleIdentity(vin="LFV2A21K8G3000061", plate="沪C61616", model="Lavida")
SHANGHAI = ZoneInfo("Asia/Shanghai")
CAPACITY = {
    "timezone": "Asia/Shanghai",
    "opens_at": "00:00",
    "closes_at": "23:00",
    "slot_minutes": 60,
    "open_weekdays": [1, 2, 3, 4, 5, 6, 7],
    "advisors": ["sa-li", "sa-zhang"],
    "receptions_per_advisor": 2,
    "technicians": 4,
    "bays": 4,
    "workshop_minutes_per_slot": 240,
}
PORTAL_URL = "http://portal.example.cn"


@pytest.fixture(scope="module")
def system(receivers: str) -> Iterator[RunningSystem]:
    env = {
        "PORTAL_URL": PORTAL_URL,
        **standins.messages_env(receivers),
    }
    with running(["booking", "followup", "notifications"], extra_env=env) as started:
        yield started


async def test_a_reminder_reaches_the_customer_who_books_through_its_link_and_the_conversion_counts(
    system: RunningSystem, receivers: str, gateway: httpx.AsyncClient, bootstrap_servers: str, postgres_url: str
) -> None:
    dispatcher = await login(gateway, GROUP, SITE, "dispatcher")
    agent = await login(gateway, GROUP, SITE, "cs_agent", "agent-wu")
    manager = await login(gateway, GROUP, SITE, "service_manager", "sm-zhao")
    await dispatcher.ok("PUT", "capacity", CAPACITY)
    # No quiet hours at this site: a reminder (not urgent) would otherwise wait for the morning.
    await manager.ok("PUT", "quiet-hours", {"start": "00:00", "end": "00:00"})
    # A maintenance reminder is marketing: it needs the customer's consent for the channel.
    await agent.ok("PUT", f"contact-preferences/{CUSTOMER}", {"phone": PHONE, "consent": ["sms:marketing"]})

    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"e2e{system.run_id}.")
    await Publisher(postgres_url, kafka).publish(
        Metadata(Tenant(GROUP, SITE), "advisor-li", str(uuid.uuid4())),
        car_delivered(CUSTOMER, CAR, "Chen Jing", PHONE, next_service_km=20000),
    )

    await agent.until("contact-queue", lambda rows: any(r["plate"] == CAR.plate for r in rows), "the contact queue")
    await agent.until(f"messages?customer_id={CUSTOMER}", bool, "the reminder in notifications' list", timeout=60)
    (sms,) = await eventually(
        lambda: received(receivers, PHONE),
        until=lambda rows: bool(rows) and rows[0]["status"] == "delivered",
        what="the maintenance reminder in the SMS gateway",
        timeout=60,
    )
    assert CAR.plate in sms["body"]
    link = re.search(rf"{re.escape(PORTAL_URL)}/proposal/(\S+)", sms["body"])
    assert link is not None, sms["body"]
    token = link.group(1)

    shown = await gateway.get(f"/api/v1/public/proposal-links/{token}")
    assert shown.status_code == 200, shown.text
    proposal = shown.json()
    assert (proposal["plate"], proposal["reason"], proposal["site_id"]) == (CAR.plate, "maintenance_due", SITE)
    assert "phone" not in proposal

    tomorrow = (datetime.now(SHANGHAI) + timedelta(days=1)).date().isoformat()
    free = await gateway.get(f"/api/v1/public/self-booking/{SITE}/free-slots", params={"date": tomorrow})
    assert free.status_code == 200, free.text
    appointment = str(uuid.uuid4())
    booking = {
        "appointment_id": appointment,
        "slot_start": free.json()["slots"][0],
        "name": proposal["name"],
        "phone": PHONE,
        "plate": proposal["plate"],
        "vin": proposal["vin"],
        "model": proposal["model"],
        "proposal_id": proposal["proposal_id"],
    }
    booked = await gateway.post(f"/api/v1/public/self-booking/{SITE}/appointments", json=booking)
    assert booked.status_code == 201, booked.text

    await agent.until(f"appointments/{appointment}", lambda a: a["status"] == "booked", "the appointment")
    queued = await agent.until(
        "contact-queue?status=booked",
        lambda rows: any(r["proposal_id"] == proposal["proposal_id"] for r in rows),
        "the proposal converted",
    )
    (row,) = [r for r in queued if r["proposal_id"] == proposal["proposal_id"]]
    assert (row["appointment_id"], row["plate"]) == (appointment, CAR.plate)

    report = await agent.until(
        "reports/conversion?period=month",
        lambda r: any(x["booked"] == 1 for x in r["rows"]),
        "the conversion in the report",
    )
    assert [(x["reason"], x["proposed"], x["booked"]) for x in report["rows"]] == [("maintenance_due", 1, 1)]
