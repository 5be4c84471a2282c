"""The CS agent's and the manager's pages in a real headless Chromium (Debian's, driven by
Playwright), on a 1024x768 tablet, every service a real process behind the gateway: a delivered
car's callback is recorded through the queue's call-result form and leaves the queue; the
complaint it raises stands on the complaint desk at its step with its SLA clock; the CSI/VOC
dashboard draws the report's figures; another group's agent sees none of it and is refused this
site. Screenshots of each page go to var/screenshots."""

from __future__ import annotations

import asyncio
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from dealership import Person, delivered_car, login, priced, running, staff, stocked
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
OTHER_GROUP, OTHER_SITE = str(uuid.uuid4()), str(uuid.uuid4())
PLATE = "沪B88888"  # the car of `dealership.delivered_car`
TABLET: ViewportSize = {"width": 1024, "height": 768}
TIME_ZONE = "Asia/Shanghai"  # the tablet's, so the page's clock times can be compared here
SCREENSHOTS = Path(__file__).parent.parent / "var" / "screenshots"
WAIT = 45_000  # ms: the read models follow the log within moments (much slower on a loaded machine)
LOADED = 60  # s: an event's reaction in another consumer, when every core is busy with other suites


@pytest.fixture(scope="module")
def system() -> Iterator[RunningSystem]:
    with running(["catalogue", "reception", "workshop", "parts", "billing", "followup", "complaints"]) as started:
        yield started


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        started = await playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        yield started
        await started.close()


async def open_page(browser: Browser, system: RunningSystem, path: str, person: Person, site: str = "") -> Page:
    context = await browser.new_context(viewport=TABLET, timezone_id=TIME_ZONE, accept_downloads=True)
    page = await context.new_page()
    await page.goto(f"{system.gateway_url}{path}#token={person.token}&site={site or person.site}")
    return page


async def test_an_agent_records_a_call_a_complaint_stands_at_its_step_and_the_dashboard_shows_the_report(
    system: RunningSystem, gateway: httpx.AsyncClient, browser: Browser
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    people = await staff(gateway, GROUP, SITE)
    agent, manager = people["agent"], people["manager"]
    await priced(gateway, GROUP, [SITE])
    await stocked(people["clerk"], 5)
    ro = await delivered_car(people)
    queue = await agent.until(
        "callbacks?status=open",
        lambda rows: any(r["repair_order_id"] == ro for r in rows),
        "the callback",
        timeout=LOADED,
    )
    (callback,) = [r for r in queue if r["repair_order_id"] == ro]

    callback_id = await record_a_call_through_the_form(browser, system, agent, callback)
    await call_me_later_then_do_not_call(browser, system, agent, ro, callback["file_id"])
    await the_desk_shows_the_complaint_at_its_step(browser, system, manager, callback_id)
    await the_dashboard_draws_the_reports_figures(browser, system, manager)
    await another_group_sees_nothing(browser, system, gateway)


async def record_a_call_through_the_form(
    browser: Browser, system: RunningSystem, agent: Person, callback: dict[str, Any]
) -> str:
    """The customer rings in (the window for our own call opens a day before the 72 h are up):
    the problem is back and it is a safety matter; the agent records it through the form."""
    callback_id = callback["callback_id"]
    page = await open_page(browser, system, "/callbacks", agent)
    row = page.locator(f'tr[data-callback="{callback_id}"]')
    await row.wait_for(timeout=WAIT)
    shown = await row.inner_text()
    assert PLATE in shown, shown
    assert "首次回访" in shown, shown
    assert "窗口未开 · Opens" in shown, "the window for our own call opens a day before the 72 h are up"
    await page.screenshot(path=str(SCREENSHOTS / "callback-queue.png"), full_page=True)

    await row.get_by_role("button", name="记录通话 · Record call").click()
    form = page.locator("#call")
    await form.locator('select[name="direction"]').select_option("inbound")
    await form.get_by_label("已接通 · Reached").check()
    await form.get_by_label("否 · No").check()
    for category in ("价格 · Price", "维修质量 · Quality"):
        await form.get_by_label(category).check()
    await form.locator('input[name="satisfaction_score"][value="2"]').check()
    await form.locator('textarea[name="customer_words"]').fill("刹车还是有异响,太贵了")
    await form.get_by_label("严重(安全)问题 · Serious (safety)").check()
    await form.get_by_label("已复述确认 · Read back to the customer").check()
    await page.screenshot(path=str(SCREENSHOTS / "callback-call-form.png"), full_page=True)
    await form.get_by_role("button", name="记录 · Record call").click()

    await page.get_by_text("已记录 · recorded: 已接通 · reached").wait_for(timeout=WAIT)
    recorded = await agent.ok("GET", f"callbacks/{callback_id}")
    assert (recorded["status"], recorded["attempts"], recorded["call_recorded"]) == ("completed", 1, True)
    await agent.until(
        "callbacks?status=open",
        lambda rows: callback_id not in [r["callback_id"] for r in rows],
        "off the queue",
        timeout=LOADED,
    )
    await row.wait_for(state="detached", timeout=WAIT)  # the page's next poll
    await page.screenshot(path=str(SCREENSHOTS / "callback-queue-after-the-call.png"), full_page=True)
    await page.context.close()
    return str(callback_id)


async def call_me_later_then_do_not_call(
    browser: Browser, system: RunningSystem, agent: Person, ro: str, file_id: str
) -> None:
    """The completed call opened the second follow-up. The customer rings: call me tomorrow at
    10 — the form reschedules it; then they ask not to be called at all: it is cancelled, and
    the page says why the call is not made."""
    queue = await agent.until(
        "callbacks?status=open",
        lambda rows: any(r["repair_order_id"] == ro and r["kind"] == "second" for r in rows),
        "the second follow-up",
        timeout=LOADED,
    )
    (second,) = [r for r in queue if r["repair_order_id"] == ro and r["kind"] == "second"]
    page = await open_page(browser, system, "/callbacks", agent)
    row = page.locator(f'tr[data-callback="{second["callback_id"]}"]')
    await row.get_by_role("button", name="记录通话 · Record call").click(timeout=WAIT)
    form = page.locator("#call")
    await form.locator('select[name="direction"]').select_option("inbound")
    await form.get_by_label("稍后再打 · Call me later").check()
    zone = ZoneInfo(TIME_ZONE)
    later = datetime.combine(datetime.now(zone).date() + timedelta(days=1), time(10), zone)
    await form.locator('input[name="call_me_later_at"]').fill(later.strftime("%Y-%m-%dT%H:%M"))
    await form.get_by_role("button", name="记录 · Record call").click()
    await page.get_by_text("已记录 · recorded: 稍后再打 · call me later").wait_for(timeout=WAIT)
    rescheduled = await agent.ok("GET", f"callbacks/{second['callback_id']}")
    assert datetime.fromisoformat(rescheduled["next_attempt_at"]) == later
    await agent.until(
        "callbacks?status=open",
        lambda rows: any(r["callback_id"] == second["callback_id"] and r["next_attempt_at"] for r in rows),
        "the next attempt in the queue",
        timeout=LOADED,
    )
    # the next attempt's own cell: a badge may show the same time (the window opening at it)
    await row.get_by_role("cell", name=f"{later.month}-{later:%d} 10:00", exact=True).wait_for(timeout=WAIT)
    assert "稍后再打" in await row.inner_text()  # the last outcome
    await agent.ok("POST", f"customer-files/{file_id}/do-not-call", {"reason": "请勿再来电 · no more calls, please"})
    await agent.until(  # a policy on followup's own events cancels it, then the queue follows
        "callbacks?status=cancelled",
        lambda rows: second["callback_id"] in [r["callback_id"] for r in rows],
        "the second follow-up cancelled",
        timeout=LOADED,
    )
    await row.wait_for(state="detached", timeout=WAIT)
    customer = page.locator(f'#do-not-call tr[data-file="{file_id}"]')
    await customer.get_by_text("二次回访 · 7 days 已取消 · cancelled").wait_for(timeout=WAIT)
    assert "no more calls, please" in await customer.inner_text()
    await page.screenshot(path=str(SCREENSHOTS / "callback-queue-do-not-call.png"), full_page=True)
    await page.context.close()


async def the_desk_shows_the_complaint_at_its_step(
    browser: Browser, system: RunningSystem, manager: Person, callback_id: str
) -> None:
    desk = await manager.until(
        "complaints",
        lambda rows: any(r["callback_id"] == callback_id for r in rows),
        "the complaint on the desk",
        timeout=LOADED,
    )
    (complaint,) = [r for r in desk if r["callback_id"] == callback_id]
    page = await open_page(browser, system, "/complaints", manager)
    row = page.locator(f'tr[data-complaint="{complaint["complaint_id"]}"]')
    await row.get_by_text("1/7 受理 · Received").wait_for(timeout=WAIT)
    shown = await row.inner_text()
    resolve_by = datetime.fromisoformat(complaint["resolve_by"]).astimezone(ZoneInfo(TIME_ZONE))
    assert f"期限 · due {resolve_by.month}-{resolve_by:%d %H:%M}" in shown, shown
    assert re.search(r"剩余 · 2[0-3] 小时 \d+ 分", shown), "24 hours to handle a complaint, just received"
    assert "严重 · Serious: 安全 safety" in shown
    assert "投诉 · Complaint" in shown
    await row.get_by_text("→ 服务经理 service manager").wait_for(timeout=WAIT)  # escalated at once

    # Step 2 through the API: the desk follows.
    listen = {"account": {"what": "brake noise again"}, "restated_words": "the brakes still grind"}
    await manager.ok("POST", f"complaints/{complaint['complaint_id']}/listen", listen)
    await row.get_by_text("2/7 倾听 · Listened").wait_for(timeout=WAIT)
    await page.screenshot(path=str(SCREENSHOTS / "complaint-desk.png"), full_page=True)
    await page.context.close()


async def the_dashboard_draws_the_reports_figures(browser: Browser, system: RunningSystem, manager: Person) -> None:
    """The page's tiles add up the periods shown (the callback counts in the week it falls due,
    the complaint and the delivery's KPIs in the week they happened: one or two weeks)."""

    def total(rows: list[dict[str, Any]], figure: str, key: str | None = None) -> int:
        """A figure added up over the periods; `key`: one count of a nested one, "*" all of them."""
        values = [r[figure] for r in rows]
        if key is None:
            return sum(values)
        return sum(sum(v.values()) if key == "*" else v[key] for v in values)

    def shows_the_visit(report: dict[str, Any]) -> bool:
        rows = report["rows"]
        delivery_kpis = any(r["first_time_fix_rate"] is not None for r in rows)
        return delivery_kpis and total(rows, "satisfaction", "2") == 1 and total(rows, "complaints", "*") == 1

    report = await manager.until("reports/csi?period=week", shows_the_visit, "the week's report", timeout=LOADED)
    rows = report["rows"]
    page = await open_page(browser, system, "/csi", manager)
    await page.wait_for_selector("text=实时 · live")
    bar = page.locator('#satisfaction-chart rect[data-key="satisfaction-2"]')
    assert await bar.get_attribute("data-value") == str(total(rows, "satisfaction", "2"))
    price = page.locator('#dissatisfaction-chart rect[data-key="dissatisfaction-price"]')
    assert await price.get_attribute("data-value") == str(total(rows, "dissatisfaction", "price"))
    assert await page.inner_text('[data-figure="complaints"]') == str(total(rows, "complaints", "*"))
    assert await page.inner_text('[data-figure="callbacks_due"]') == str(total(rows, "callbacks_due"))
    for row in rows:
        rate = row["first_time_fix_rate"]
        first_time_fix = await page.inner_text(f'[data-figure="first_time_fix_rate-{row["period"]}"]')
        assert first_time_fix == ("—" if rate is None else f"{round(rate * 1000) / 10:g}%")
    await page.screenshot(path=str(SCREENSHOTS / "csi-dashboard.png"), full_page=True)

    async with page.expect_download() as download:
        await page.get_by_role("button", name="下载 CSV · Download CSV").click()
    saved = await (await download.value).path()
    csv = await asyncio.to_thread(Path(saved).read_text, encoding="utf-8")
    assert csv.startswith("site_id,period,")
    assert all(f"{SITE},{row['period']}," in csv for row in rows)
    await page.context.close()


async def another_group_sees_nothing(browser: Browser, system: RunningSystem, gateway: httpx.AsyncClient) -> None:
    stranger = await login(gateway, OTHER_GROUP, OTHER_SITE, "cs_agent", "agent-xu")
    for path, table in (("/callbacks", "#callbacks"), ("/complaints", "#complaints")):
        page = await open_page(browser, system, path, stranger)
        await page.wait_for_selector("text=实时 · live")
        assert await page.inner_text(table) == "暂无 · None"
        assert PLATE not in await page.inner_text("body")
        await page.screenshot(path=str(SCREENSHOTS / f"other-group{path.replace('/', '-')}.png"), full_page=True)
        await page.context.close()
    page = await open_page(browser, system, "/csi", stranger)
    await page.wait_for_selector("text=实时 · live")
    assert await page.inner_text('[data-figure="callbacks_due"]') == "0"
    await page.context.close()
    for path in ("/callbacks", "/complaints", "/csi"):
        peeking = await open_page(browser, system, path, stranger, site=SITE)
        await peeking.wait_for_selector("text=无权限 · 403")
        assert PLATE not in await peeking.inner_text("body")
        await peeking.context.close()


async def test_the_pages_and_their_shared_script_are_served_and_nothing_else(gateway: httpx.AsyncClient) -> None:
    titles = {"/callbacks": "回访队列", "/complaints": "投诉处理台", "/csi": "客户满意度看板", "/board": "接待看板"}
    for path, title in titles.items():
        page = await gateway.get(path)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert f"<title>{title}" in page.text
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", page.text), "nothing from the internet"
    script = await gateway.get("/pages/common.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert (await gateway.get("/pages/common.css")).headers["content-type"].startswith("text/css")
    for unknown in ("/pages/board.html", "/pages/..%2Fapp.py", "/pages/nothing.js"):
        assert (await gateway.get(unknown)).status_code == 404, unknown


def chromium() -> str:
    """Debian's chromium (`make test` installs it when missing)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "chromium is not installed: run `make test` (it installs it) or `apt-get install chromium`"
    return found
