"""The CS agent's contact queue in a real headless Chromium beside booking, followup and
notifications as processes and the message receivers' stand-ins. Set up through the API and
the stand-ins: the manager opens the site (capacity, no quiet hours); customer A agreed to
marketing by e-mail and the mail stand-in is told to bounce the next message; reception's
delivery of two cars is published as reception would. Then, by clicking only: the CS agent, in
Chinese, finds both maintenance proposals and the bounced reminder, marks the bounce handled
(she called the customer) and records A's "call me later"; the service manager, in English,
books car B in a free slot from the queue, and the conversion counts it. axe on every page;
screenshots in var/screenshots/desk/."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from browser import Desk, accessible, desk_beside, new_page, sign_in
from dealership import CAPACITY, login
from played import car_delivered
from playwright.async_api import Browser, expect

import standins
from events.catalog.reception_values import VehicleIdentity
from events.envelope import Metadata, Tenant
from events.testing import kafka_for_tests
from events.testing.publishing import Publisher
from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
A, B = uuid.uuid4(), uuid.uuid4()
CAR_A = VehicleIdentity(vin="LFV2A21K8G3000071", plate="沪D71717", model="Lavida")
CAR_B = VehicleIdentity(vin="LFV2A21K8G3000072", plate="沪D72727", model="Tiguan")
MAIL = "chen.a@example.cn"
WAIT = 45_000
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def started(receivers: str) -> Iterator[tuple[RunningSystem, Desk]]:
    env = standins.messages_env(receivers)
    with desk_beside(["booking", "followup", "notifications"], extra_env=env) as both:
        yield both


async def test_the_agent_works_the_queue_and_a_bounce_and_the_manager_books_from_it(
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
    prefs = {"email": MAIL, "preferred_channel": "email", "consent": ["email:marketing"]}
    await agent.ok("PUT", f"contact-preferences/{A}", prefs)
    async with httpx.AsyncClient() as client:
        plan = {"channel": "mail", "count": 1, "mode": "bounced"}
        (await client.post(f"{receivers}/messages/admin/failures", json=plan)).raise_for_status()
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"e2e{system.run_id}.")
    await Publisher(postgres_url, kafka).publish(
        Metadata(Tenant(GROUP, SITE), "advisor-li", str(uuid.uuid4())),
        car_delivered(A, CAR_A, "陈静", "13900000071"),
        car_delivered(B, CAR_B, "Brian Xu", "13900000072"),
    )
    await agent.until("contact-queue", lambda rows: len(rows) == 2, "both proposals queued", timeout=60)
    failed: list[dict[str, Any]] = await agent.until("failed-messages", bool, "the bounced reminder", timeout=60)
    assert (failed[0]["channel"], failed[0]["status"]) == ("email", "bounced")

    # The CS agent, in Chinese.
    page = await new_page(browser, language="zh-CN")
    await sign_in(page, desk, name="agent-sun", role="cs_agent", group=GROUP, sites=[SITE])
    await page.get_by_role("navigation").get_by_role("link", name="联系队列", exact=True).click()
    await expect(page.get_by_role("heading", name="联系队列", level=1)).to_be_visible()
    item_a = page.locator("article[data-proposal]").filter(has_text=CAR_A.plate)
    await expect(item_a).to_contain_text("定期保养到期")
    await expect(item_a).to_contain_text("陈静")
    await expect(page.locator("article[data-proposal]").filter(has_text=CAR_B.plate)).to_be_visible()
    bounce = page.locator(f"[data-message='{failed[0]['message_id']}']")
    await expect(bounce).to_contain_text("保养提醒")
    await expect(bounce).to_contain_text("bounced")
    await accessible(page, "contact-queue-zh")

    await bounce.get_by_label("备注").fill("已电话联系,客户更新了邮箱")
    await bounce.get_by_role("button", name="已处理").click()
    await expect(page.locator("[data-done]")).to_have_text("已标记为已处理。")
    await agent.until("failed-messages", lambda rows: rows == [], "the bounce handled")

    item_a = page.locator("article[data-proposal]").filter(has_text=CAR_A.plate)
    await item_a.get_by_label("稍后再联系", exact=True).check()
    again = (datetime.now(SHANGHAI) + timedelta(days=3)).date().isoformat()
    await item_a.get_by_label("再次联系日期(稍后再联系时填写)").fill(again)
    await item_a.get_by_role("button", name="记录答复").click()
    await expect(page.locator("[data-done]")).to_have_text("已记录:到期后会回到队列。")
    later = await agent.until("contact-queue?status=later", bool, "A waiting for its day")
    assert later[0]["plate"] == CAR_A.plate
    await accessible(page, "contact-queue-answered-zh")

    # The service manager, in English, books car B from the queue.
    boss = await new_page(browser, language="en-US")
    await sign_in(boss, desk, name="manager-zhou", role="service_manager", group=GROUP, sites=[SITE], check=False)
    await boss.goto(f"{desk.url}/contact-queue")
    item_b = boss.locator("article[data-proposal]").filter(has_text=CAR_B.plate)
    await expect(item_b).to_contain_text("Maintenance due")
    await item_b.get_by_role("link", name="Book now").click()
    await expect(boss.get_by_role("heading", level=1)).to_contain_text(CAR_B.plate)
    await accessible(boss, "contact-queue-book-en")
    await boss.get_by_role("radio").first.check()
    await boss.get_by_role("button", name="Book", exact=True).click()
    await expect(boss.locator("[data-done]")).to_have_text("Booked; the conversion is counted.", timeout=WAIT)
    booked = await manager.until("contact-queue?status=booked", bool, "B converted")
    assert booked[0]["plate"] == CAR_B.plate
    report = await manager.until(
        "reports/conversion?period=month", lambda r: any(x["booked"] == 1 for x in r["rows"]), "the conversion"
    )
    assert [(x["reason"], x["proposed"], x["booked"]) for x in report["rows"]] == [("maintenance_due", 2, 1)]
    await accessible(boss, "contact-queue-booked-en")
