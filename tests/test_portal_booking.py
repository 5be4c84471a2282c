"""The customer portal in Chromium at a phone's size (390x844): a customer books a service on the
dealer's booking page without signing in; the confirmation text message reaches the local SMS
gateway (the stand-ins' receiver) with its link; following it, the customer moves the
appointment to another day, then cancels it with a reason. An expired link and a tampered one
show what they are and do nothing. Chinese first, then English through the page's switch; axe
on every page; screenshots under var/screenshots/portal/.

Booking, notifications and the gateway are real processes, the portal too; the catalogue is not
started (the page then offers the general maintenance and repair visits only)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import browser as harness
import httpx
import pytest
from browser import WAIT, accessible
from dealership import login
from playwright.async_api import Browser, Page, ViewportSize, expect
from receivers import received

import standins
from events.links import LinkClaims, sign_link
from events.local.ports import free_port, wait_for_port
from events.testing import eventually
from events.testing.system import STARTUP_SECONDS, RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
PHONE = "13900000042"
LINK_SECRET = "portal-browser-test-link-secret"
PHONE_SCREEN: ViewportSize = {"width": 390, "height": 844}
SHANGHAI = ZoneInfo("Asia/Shanghai")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots" / "portal"
expect.set_options(timeout=WAIT)  # a loaded 2-core machine runs other suites at the same time
# Open round the clock, so a slot less than a day ahead is always free: the confirmation of an
# internet booking made less than a day ahead goes at once (booking.domain.clocks).
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


@pytest.fixture(autouse=True)
def portal_screenshots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness, "SCREENSHOTS", SCREENSHOTS)


@pytest.fixture(scope="module")
def portal_system(receivers: str) -> Iterator[tuple[RunningSystem, str]]:
    """Booking, notifications and the gateway, and the portal beside them on a free port."""
    port = free_port()
    portal_url = f"http://127.0.0.1:{port}"
    env = {
        "LINK_SECRET": LINK_SECRET,
        "PORTAL_URL": portal_url,  # where booking's links in messages point
        **standins.messages_env(receivers),
    }
    system = RunningSystem(["booking", "notifications"], extra_env=env)
    process: subprocess.Popen[bytes] | None = None
    try:
        asyncio.run(system.start())
        log = system.logs / "portal.log"
        portal_env = {
            **os.environ,
            "PORT": str(port),
            "GATEWAY_URL": system.gateway_url,
            "PORTAL_URL": portal_url,
            "OTEL_TRACES_EXPORTER": "none",
        }
        with open(log, "ab") as output:
            process = subprocess.Popen([sys.executable, "-m", "portal"], env=portal_env, stdout=output, stderr=output)
        try:
            wait_for_port(port, timeout=STARTUP_SECONDS)
        except TimeoutError:
            raise RuntimeError(f"the portal did not start:\n{log.read_text(errors='replace')[-5000:]}") from None
        yield system, portal_url
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        system.stop()


async def phone_page(browser: Browser, language: str) -> Page:
    # The test injects axe into the page: the portal's own policy allows no script at all.
    context = await browser.new_context(
        viewport=PHONE_SCREEN, locale=language, timezone_id="Asia/Shanghai", bypass_csp=True, is_mobile=True
    )
    page = await context.new_page()
    page.set_default_timeout(WAIT)
    return page


def claims_of(token: str) -> list[Any]:
    """What a link's token carries (its first part; the test only reads it)."""
    payload = token.split(".")[0]
    body: list[Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return body


def booking_day() -> date:
    """A day whose first free slots are less than a day away: two hours from now, at the site."""
    return (datetime.now(SHANGHAI) + timedelta(hours=2)).date()


async def test_book_on_the_phone_then_follow_the_messages_link_to_move_and_cancel(
    portal_system: tuple[RunningSystem, str], receivers: str, browser: Browser
) -> None:
    system, portal = portal_system
    async with httpx.AsyncClient(base_url=system.gateway_url, timeout=30) as gateway:
        dispatcher = await login(gateway, GROUP, SITE, "dispatcher")
        await dispatcher.ok("PUT", "capacity", CAPACITY)
        manager = await login(gateway, GROUP, SITE, "service_manager")
        # No quiet hours at this site: the test's message goes whatever the hour.
        await manager.ok("PUT", "quiet-hours", {"timezone": "Asia/Shanghai", "start": "00:00", "end": "00:00"})

    page = await phone_page(browser, "zh-CN")

    # --- the booking page, in Chinese -------------------------------------------------------
    await page.goto(f"{portal}/book/{SITE}")
    await expect(page.get_by_role("heading", name="在线预约保养维修")).to_be_visible()
    await accessible(page, "book-model")
    await page.get_by_label("车型").fill("Sagitar")
    await page.get_by_role("button", name="查看可预约项目").click()
    await page.get_by_label("维修(到店后由服务顾问检查)").check()
    await page.get_by_label("日期").fill(booking_day().isoformat())
    await page.get_by_role("button", name="查看空闲时间").click()
    slots = page.locator("input[name=slot_start]")
    if await slots.count() == 0:  # late in the evening: the first free hours are tomorrow's
        await page.get_by_label("日期").first.fill((booking_day() + timedelta(days=1)).isoformat())
        await page.get_by_role("button", name="查看空闲时间").click()
    await expect(slots.first).to_be_visible()
    await accessible(page, "book-slots")
    first_time = (await page.locator("label.slot").first.inner_text()).strip()
    await slots.first.check()
    await page.get_by_label("姓名").fill("王磊")
    await page.get_by_label("手机号码").fill(PHONE)
    await page.get_by_label("车牌号").fill("京A12345")
    await page.get_by_label("车辆识别代号(VIN)").fill("LFV2A21K8G3000001")
    await page.get_by_role("button", name="确认预约").click()
    await expect(page.get_by_role("heading", name="预约成功")).to_be_visible()
    await expect(page.locator("[data-when]")).to_contain_text(first_time)
    await expect(page.locator("main")).to_contain_text("王磊")
    await accessible(page, "booked")

    # --- the confirmation text message, from the SMS gateway's own records ------------------
    (sms,) = await eventually(
        lambda: received(receivers, PHONE),
        until=lambda rows: bool(rows) and rows[0]["status"] == "delivered",
        what="the appointment confirmation SMS",
        timeout=90,
    )
    assert "王磊" in sms["body"]
    found = re.search(rf"{re.escape(portal)}/appointment/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)", sms["body"])
    assert found, sms["body"]
    token = found.group(1)
    link = found.group(0)

    # --- the link: the appointment, then another day ----------------------------------------
    await page.goto(link)
    await expect(page.get_by_role("heading", name="您的预约")).to_be_visible()
    await expect(page.locator("[data-status]")).to_have_attribute("data-status", "booked")
    await accessible(page, "link")
    await page.get_by_role("link", name="改到其他时间").click()
    next_day = (booking_day() + timedelta(days=2)).isoformat()
    await page.get_by_label("选择日期").fill(next_day)
    await page.get_by_role("button", name="查看空闲时间").click()
    await accessible(page, "link-reschedule")
    await page.locator("input[name=slot_start]").nth(9).check()  # 09:00 at the site
    await page.get_by_role("button", name="改到这个时间").click()
    await expect(page.locator("[data-done]")).to_have_attribute("data-done", "reschedule")
    await expect(page.locator("[data-when]")).to_contain_text(f"{next_day} 09:00")
    await expect(page.get_by_role("link", name="改到其他时间")).to_have_count(0)  # once per link

    # --- in English: cancel with a reason ---------------------------------------------------
    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
    await page.get_by_label("Why are you cancelling?").fill("Plans changed")
    await page.get_by_role("button", name="Cancel the appointment").click()
    await expect(page.locator("[data-done]")).to_have_attribute("data-done", "cancel")
    await expect(page.locator("[data-status]")).to_have_attribute("data-status", "cancelled")
    await expect(page.locator("[data-nothing-left]")).to_be_visible()
    await accessible(page, "link-cancelled")

    # --- an expired link and a tampered one -------------------------------------------------
    _, purpose, site, subject, scope, _ = claims_of(token)
    past = LinkClaims(purpose, site, subject, scope, datetime.now(UTC) - timedelta(minutes=1))
    await page.goto(f"{portal}/appointment/{sign_link(past, LINK_SECRET.encode())}")
    await expect(page.locator("[data-error]")).to_have_attribute("data-error", "link_expired")
    await expect(page.locator("main")).to_contain_text("This link has expired")
    await accessible(page, "link-expired")
    tampered = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]  # one character of the claims
    await page.goto(f"{portal}/appointment/{tampered}")
    await expect(page.locator("[data-error]")).to_have_attribute("data-error", "link_invalid")
    await page.get_by_role("link", name="中文").click()
    await expect(page.locator("main")).to_contain_text("此链接无效")
    await accessible(page, "link-invalid")
