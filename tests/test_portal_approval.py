"""Approval from the customer's phone, in a real headless Chromium at a phone's size (390 by 844),
against the catalogue, reception, the workshop, the gateway and the portal as processes. Set up
through the API by the people whose work it is (the advisor's car signed and handed over, the
technician's findings: worn discs, red; wiper blades, yellow). Then the customer, by tapping only,
in Chinese: opens the link from the message, sees each item's grade in words, approves the discs
and declines the wipers while the total follows, and reads the confirmation — the RO has the
discs as a job and the wipers as a recommendation. In English: a second car's link opened twice
and sent twice (the second is refused as used). Then an expired link, a tampered one and one
altered to name another RO: each an error page saying what to do. Every page is checked by
axe-core; screenshots go to var/screenshots/portal/."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from browser import AXE, FAILING_IMPACTS, ROOT
from dealership import Person, line, login, signed_and_handed_over, typed
from playwright.async_api import Browser, Page, ViewportSize, expect

from events.envelope import Tenant
from events.local.ports import free_port, wait_for_port
from events.testing.system import STARTUP_SECONDS, RunningSystem
from reception.approval_links import configured_links, token_of

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
PHONE: ViewportSize = {"width": 390, "height": 844}
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
SCREENSHOTS = ROOT / "var" / "screenshots" / "portal"
WAIT = 45_000
SIGNED_WORK = 24000 + 38000  # the estimate's typed line: what the customer already agreed
DISCS = 40000 + 2 * 52000


class Portal:
    def __init__(self, url: str) -> None:
        self.url = url


@pytest.fixture(scope="module")
def started() -> Iterator[tuple[RunningSystem, Portal]]:
    """The services, the gateway and the portal, reception minting links to this portal."""
    port = free_port()
    portal_url = f"http://127.0.0.1:{port}"
    system = RunningSystem(["catalogue", "reception", "workshop"], extra_env={"PORTAL_URL": portal_url})
    process: subprocess.Popen[bytes] | None = None
    try:
        asyncio.run(system.start())
        log = system.logs / "portal.log"
        env = {
            **os.environ,
            "PORT": str(port),
            "PORTAL_URL": portal_url,
            "GATEWAY_URL": system.gateway_url,
            "OTEL_TRACES_EXPORTER": "none",
        }
        with open(log, "ab") as output:
            process = subprocess.Popen([sys.executable, "-m", "portal"], env=env, stdout=output, stderr=output)
        try:
            wait_for_port(port, timeout=STARTUP_SECONDS)
        except TimeoutError:
            raise RuntimeError(f"the portal did not start:\n{log.read_text(errors='replace')[-5000:]}") from None
        yield system, Portal(portal_url)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        system.stop()


@pytest.fixture
def system(started: tuple[RunningSystem, Portal]) -> RunningSystem:
    return started[0]


@pytest.fixture
def portal(started: tuple[RunningSystem, Portal]) -> Portal:
    return started[1]


async def checked(page: Page, name: str) -> None:
    """axe-core on the page as it is (WCAG 2.x A/AA); a screenshot either way."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    await page.add_script_tag(path=str(AXE))
    results: dict[str, Any] = await page.evaluate(
        """async () => await axe.run(document, {
             runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
             resultTypes: ["violations"]})"""
    )
    failing = [v for v in results["violations"] if v.get("impact") in FAILING_IMPACTS]
    assert not failing, f"{name}: axe finds " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}" for v in failing
    )


async def phone(browser: Browser, language: str) -> Page:
    # bypass_csp: axe is injected into the page; the portal's own policy allows no inline script.
    context = await browser.new_context(
        viewport=PHONE,
        locale=language,
        timezone_id="Asia/Shanghai",
        is_mobile=True,
        user_agent=IPHONE,
        bypass_csp=True,
    )
    return await context.new_page()


async def car_with_findings(gateway: httpx.AsyncClient, vin: str) -> tuple[Person, str, str]:
    """A signed car in the workshop with the technician's two findings: the advisor, the RO, and
    the link reception sent the customer."""
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    dispatcher = await login(gateway, GROUP, SITE, "dispatcher", "dispatcher-wang")
    # One job per technician and per bay (decision 0007): each car its own.
    technician = await login(gateway, GROUP, SITE, "technician", f"tech-{vin[-2:]}")
    work = typed(line("front brake pads", 24000, "04465-02220", 1, 38000), "diagnosed: not on the menu")
    ro = await signed_and_handed_over(advisor, work, promised_in=timedelta(hours=3), vin=vin)
    wpath = f"work-orders/{ro}"
    car = await dispatcher.until(wpath, lambda w: w["key_tag"] == "K-42", "the car in the workshop")
    job = car["jobs"][0]["job_id"]
    await dispatcher.ok(
        "POST", f"{wpath}/jobs/{job}/dispatch", {"technician_id": technician.user, "bay": f"B{vin[-2:]}"}
    )
    await technician.ok("POST", f"{wpath}/jobs/{job}/start")
    findings = [
        {
            "description": "前刹车盘磨损超限 front brake discs worn",
            "safety_critical": True,
            "proposed_lines": [line("front brake discs", 40000, "DISC-F", 2, 52000)],
            "extra_minutes": 60,
        },
        {
            "description": "雨刮片老化 wiper blades streak",
            "safety_critical": False,
            "proposed_lines": [line("wiper blades", 2000, "WIPER-1", 2, 6000)],
            "extra_minutes": 10,
        },
    ]
    await technician.ok("POST", f"{wpath}/findings", {"findings": findings}, status=201)
    sent = await advisor.until(
        f"repair-orders/{ro}/approval-requests", lambda rows: len(rows) == 1, "the approval link sent"
    )
    return advisor, ro, str(sent[0]["link"])


def item(page: Page, words: str) -> Any:
    return page.locator("li[data-item]").filter(has_text=words)


async def test_the_customer_approves_the_discs_and_declines_the_wipers_on_the_phone(
    browser: Browser, portal: Portal, gateway: httpx.AsyncClient
) -> None:
    advisor, ro, link = await car_with_findings(gateway, "LFV2A21K8G3045601")
    assert link.startswith(f"{portal.url}/approvals/")
    page = await phone(browser, "zh-CN")
    await page.goto(link)
    await expect(page.locator("h1")).to_have_text("追加维修项目确认", timeout=WAIT)
    discs, wipers = item(page, "front brake discs"), item(page, "wiper blades")
    await expect(discs.locator("[data-severity]")).to_have_text("红色:影响行车安全,建议立即维修")
    await expect(wipers.locator("[data-severity]")).to_have_text("黄色:建议近期维修")
    await expect(discs.locator("[data-item-price]")).to_have_text("¥1,440.00")
    total = page.locator("#approval-total")
    await expect(total).to_have_text("¥620.00")
    await checked(page, "approval-zh")

    await discs.get_by_label("同意维修", exact=True).check()
    await expect(total).to_have_text("¥2,060.00")  # the chosen items added as the customer chooses
    await wipers.get_by_label("暂不维修", exact=True).check()
    await wipers.get_by_label("暂不维修的原因(选填)").fill("下次保养再换")
    await expect(total).to_have_text("¥2,060.00")
    await page.get_by_role("button", name="提交我的选择").click()
    await expect(page.locator("[data-done]")).to_be_visible(timeout=WAIT)
    await expect(page.locator("[data-total]")).to_have_text("¥2,060.00")  # the API's total
    await checked(page, "approval-done-zh")

    # The RO: the discs are work now, the wipers a recommendation, both with the digital consent.
    seen = await advisor.ok("GET", f"repair-orders/{ro}")
    assert any(x["description"] == "front brake discs" for x in seen["lines"])
    assert not any(x["description"] == "wiper blades" for x in seen["lines"])
    decided = {f["description"]: f for f in seen["findings"]}
    declined = decided["雨刮片老化 wiper blades streak"]
    assert (declined["decision"], declined["customer_reason"]) == ("declined", "下次保养再换")
    assert decided["前刹车盘磨损超限 front brake discs worn"]["consent"]["kind"] == "digital"
    dispatcher = await login(gateway, GROUP, SITE, "dispatcher", "dispatcher-wang")
    await dispatcher.until(f"work-orders/{ro}", lambda w: len(w["jobs"]) == 2, "the discs' job in the workshop")
    (sent,) = await advisor.ok("GET", f"repair-orders/{ro}/approval-requests")
    assert sent["decided_at"] is not None
    # The phone it came from: its browser, and its address as the portal and the gateway passed it on.
    assert (sent["user_agent"], sent["client_address"]) == (IPHONE, "127.0.0.1")

    # Opened again, the link shows what was decided; it decides nothing more.
    await page.goto(link)
    await expect(page.locator("[data-done]")).to_be_visible(timeout=WAIT)
    await expect(page.locator("form[data-approval]")).to_have_count(0)


async def test_a_link_sent_twice_is_refused_the_second_time_in_english(
    browser: Browser, portal: Portal, gateway: httpx.AsyncClient
) -> None:
    _, _, link = await car_with_findings(gateway, "LFV2A21K8G3045602")
    first, second = await phone(browser, "en-US"), await phone(browser, "en-US")
    for page in (first, second):
        await page.goto(link)
        await expect(page.locator("h1")).to_have_text("Extra work for your approval", timeout=WAIT)
        await item(page, "front brake discs").get_by_label("Approve", exact=True).check()
        await item(page, "wiper blades").get_by_label("Approve", exact=True).check()
    await checked(first, "approval-en")
    await first.get_by_role("button", name="Send my decision").click()
    await expect(first.locator("[data-done]")).to_have_text(
        "Your decision is recorded: the approved work is being scheduled now.", timeout=WAIT
    )
    await second.get_by_role("button", name="Send my decision").click()
    await expect(second.locator('[data-error="link_used"]')).to_be_visible(timeout=WAIT)
    await expect(second.locator('[data-error="link_used"]')).to_contain_text("Call the dealer to change it")
    await checked(second, "approval-used-en")


def _with_subject(token: str, subject: str) -> str:
    payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims[3] = subject
    forged = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).rstrip(b"=").decode()
    return f"{forged}.{signature}"


async def test_expired_tampered_and_another_ros_links_are_refused_in_the_customers_language(
    browser: Browser, portal: Portal, gateway: httpx.AsyncClient
) -> None:
    _, ro, link = await car_with_findings(gateway, "LFV2A21K8G3045603")
    _, other_ro, _ = await car_with_findings(gateway, "LFV2A21K8G3045604")
    token = token_of(link)
    # The key make run and the tests share (LINK_SECRET unset: the built-in development one).
    expired, _ = configured_links().mint(
        Tenant(GROUP, SITE), uuid.UUID(ro), "round-1", datetime.now(UTC) - timedelta(days=2)
    )
    page = await phone(browser, "zh-CN")
    await page.goto(f"{portal.url}/approvals/{token_of(expired)}")
    await expect(page.locator('[data-error="link_expired"]')).to_have_text(
        "此链接已过期。如需帮助,请致电门店。", timeout=WAIT
    )
    await checked(page, "approval-expired-zh")
    for name, bad in (
        ("tampered", token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")),
        ("other-ro", _with_subject(token, other_ro)),
    ):
        await page.goto(f"{portal.url}/approvals/{bad}")
        await expect(page.locator('[data-error="link_invalid"]')).to_be_visible(timeout=WAIT)
        await checked(page, f"approval-{name}-zh")
    english = await phone(browser, "en-US")
    await english.goto(f"{portal.url}/approvals/{_with_subject(token, other_ro)}")
    await expect(english.locator('[data-error="link_invalid"]')).to_contain_text("This link is not valid")
    # None of it touched either car.
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    for visit in (ro, other_ro):
        assert all(f["decision"] is None for f in (await advisor.ok("GET", f"repair-orders/{visit}"))["findings"])
