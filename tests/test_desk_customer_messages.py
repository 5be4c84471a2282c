"""A customer's messages in a real headless Chromium beside booking, followup and notifications
as processes and the message receivers' stand-ins. Set up through the API and the stand-ins:
the manager opens the site (capacity, no quiet hours); customer A takes messages by e-mail and
the mail stand-in is told to bounce the next one; reception's delivery of A's car (a maintenance
reminder, bounced) and booking's day-before confirmation of A's appointment (delivered) are
published as those services would. Then, by clicking only: the CS agent, in Chinese, opens A's
messages from the contact queue's failed message and sees both with their statuses, the
bounce's reason and what to do; in English the same. axe on every page; screenshots in
var/screenshots/desk/."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from browser import Desk, accessible, desk_beside, new_page, sign_in
from dealership import CAPACITY, login
from played import car_delivered
from playwright.async_api import Browser, expect

import standins
from events.catalog.booking import ConfirmationRequested
from events.catalog.booking_values import Contact as BookingContact
from events.catalog.reception_values import VehicleIdentity
from events.envelope import Metadata, Tenant
from events.testing import kafka_for_tests
from events.testing.publishing import Publisher
from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
A = uuid.uuid4()
CAR = VehicleIdentity(vin="LFV2A21K8G3000081", plate="沪D81818", model="Lavida")
NAME, PHONE, MAIL = "陈静", "13900000081", "chen.m@example.cn"


@pytest.fixture(scope="module")
def started(receivers: str) -> Iterator[tuple[RunningSystem, Desk]]:
    env = standins.messages_env(receivers)
    with desk_beside(["booking", "followup", "notifications"], extra_env=env) as both:
        yield both


def confirmation() -> tuple[str, ConfirmationRequested]:
    appointment, at = uuid.uuid4(), datetime.now(UTC)
    return f"appointment-{appointment}", ConfirmationRequested(
        appointment_id=appointment,
        slot_start=at + timedelta(days=1),
        advisor_id="advisor-li",
        contact=BookingContact(name=NAME, phone=PHONE, customer_id=A),
        requested_at=at,
    )


async def test_the_agent_opens_a_customers_messages_from_a_bounce(
    browser: Browser,
    desk: Desk,
    system: RunningSystem,
    gateway: httpx.AsyncClient,
    receivers: str,
    bootstrap_servers: str,
    postgres_url: str,
) -> None:
    manager = await login(gateway, GROUP, SITE, "service_manager", "manager-zhou")
    agent = await login(gateway, GROUP, SITE, "cs_agent", "agent-sun")
    await manager.ok("PUT", "capacity", CAPACITY)
    await manager.ok("PUT", "quiet-hours", {"start": "00:00", "end": "00:00"})
    prefs = {"email": MAIL, "preferred_channel": "email", "consent": ["email:service", "email:marketing"]}
    await agent.ok("PUT", f"contact-preferences/{A}", prefs)
    async with httpx.AsyncClient() as client:
        plan = {"channel": "mail", "count": 1, "mode": "bounced"}
        (await client.post(f"{receivers}/messages/admin/failures", json=plan)).raise_for_status()
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"e2e{system.run_id}.")
    publisher = Publisher(postgres_url, kafka)
    reception = Metadata(Tenant(GROUP, SITE), "advisor-li", str(uuid.uuid4()))
    await publisher.publish(reception, car_delivered(A, CAR, NAME, PHONE))
    failed: list[dict[str, Any]] = await agent.until("failed-messages", bool, "the bounced reminder", timeout=60)
    assert (failed[0]["customer_id"], failed[0]["status"]) == (str(A), "bounced")
    await publisher.publish(Metadata(Tenant(GROUP, SITE), "booking", str(uuid.uuid4())), confirmation())
    both: list[dict[str, Any]] = await agent.until(
        f"messages?customer_id={A}",
        lambda rows: sorted(row["status"] for row in rows) == ["delivered", "failed"],
        "the confirmation delivered beside the bounce",
        timeout=60,
    )
    bounced = next(row for row in both if row["status"] == "failed")
    arrived = next(row for row in both if row["status"] == "delivered")

    # The CS agent, in Chinese, from the contact queue's failed message.
    page = await new_page(browser, language="zh-CN")
    await sign_in(page, desk, name="agent-sun", role="cs_agent", group=GROUP, sites=[SITE])
    await page.get_by_role("navigation").get_by_role("link", name="联系队列", exact=True).click()
    bounce = page.locator(f"[data-message='{failed[0]['message_id']}']")
    await bounce.get_by_role("link", name="消息记录").click()
    await expect(page.get_by_role("heading", name="客户的消息记录", level=1)).to_be_visible()
    row_bounced = page.locator(f"tr[data-message='{bounced['message_id']}']")
    row_arrived = page.locator(f"tr[data-message='{arrived['message_id']}']")
    await expect(row_bounced).to_contain_text("保养提醒")
    await expect(row_bounced).to_contain_text("发送失败")
    await expect(row_bounced).to_contain_text(bounced["reason"])
    await expect(row_bounced).to_contain_text("请打电话联系客户")
    await expect(row_arrived).to_contain_text("预约确认")
    await expect(row_arrived).to_contain_text("已送达")
    await expect(row_arrived).not_to_contain_text("请打电话联系客户")
    await expect(row_arrived).to_contain_text(MAIL)
    await accessible(page, "customer-messages-zh")

    # The same page in English.
    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", name="The customer's messages", level=1)).to_be_visible()
    await expect(page.locator(f"tr[data-message='{bounced['message_id']}']")).to_contain_text("call the customer")
    await expect(page.locator(f"tr[data-message='{arrived['message_id']}']")).to_contain_text("Delivered")
    await accessible(page, "customer-messages-en")
