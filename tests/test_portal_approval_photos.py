"""Issue 21's "done when", played end to end: a finding with photos approved from a phone-sized
browser while the advisor watches their screen update. Every party is a real process: the
catalogue, reception, the workshop (its media store a folder of this run), notifications and the
gateway; the desk and the portal beside them; the stand-ins' SMS gateway as the customer's phone.

Set up through the API by the people whose work it is: the customer's phone and their consent to
service messages (no quiet hours tonight, so nothing waits till morning), the car signed and
handed over, the technician's 30-point inspection — the front pads red, measured and photographed
(a real JPEG), the wiper blades yellow — completed into findings. The advisor, in English, has
the RO open in the desk. The customer, in Chinese on a 390x844 phone, opens the link the SMS
gateway received (not one read from our tables): the pads' thumbnail is loaded, tapping it opens
the full photo; they approve the pads and decline the wipers. The advisor's page, never reloaded,
then shows the pads as a workshop job, the wipers kept as a recommendation, and the consent given
on the customer's phone. Each page is checked by axe-core; screenshots go to var/screenshots/portal/."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from browser import AXE, FAILING_IMPACTS, ROOT, Desk, desk_beside, new_page, sign_in
from dealership import Person, line, login, signed_and_handed_over, typed
from PIL import Image, ImageDraw
from playwright.async_api import Browser, Locator, Page, ViewportSize, expect
from receivers import received

import standins
from events.local.ports import free_port, wait_for_port
from events.personal_data import phone_subject
from events.testing import eventually
from events.testing.system import STARTUP_SECONDS, RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
ADVISOR = "advisor-li"
PHONE_NUMBER = "13900000007"  # the visit's contact phone (tests/dealership.py VISIT)
VIN = "LFV2A21K8G3045621"
PHONE: ViewportSize = {"width": 390, "height": 844}
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
SCREENSHOTS = ROOT / "var" / "screenshots" / "portal"
WAIT = 45_000
SIGNED_WORK = 12000 + 5000  # the estimate's typed line, already agreed at the desk
PADS = 18000  # the 30-point check's usual repair of the front pads (labour only)
# The portal's links as the SMS carries them: a base64url token, then Chinese punctuation.
LINK = re.compile(r"http://127\.0\.0\.1:\d+/approvals/[A-Za-z0-9_.-]+")


@pytest.fixture(scope="module")
def portal_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def started(
    receivers: str, portal_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunningSystem, Desk]]:
    env = {
        "PORTAL_URL": portal_url,  # reception mints the links to this portal
        "MEDIA_PATH": str(tmp_path_factory.mktemp("media")),
        **standins.messages_env(receivers),
    }
    with desk_beside(["catalogue", "reception", "workshop", "notifications"], env) as both:
        yield both


@pytest.fixture(scope="module")
def portal(started: tuple[RunningSystem, Desk], portal_url: str) -> Iterator[str]:
    system = started[0]
    port = int(portal_url.rsplit(":", 1)[1])
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
        try:
            wait_for_port(port, timeout=STARTUP_SECONDS)
        except TimeoutError:
            raise RuntimeError(f"the portal did not start:\n{log.read_text(errors='replace')[-5000:]}") from None
        yield portal_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def photo() -> bytes:
    """What the tablet's camera sends: a 1024x768 JPEG (a pad worn to its backing plate)."""
    image = Image.new("RGB", (1024, 768), (90, 90, 95))
    draw = ImageDraw.Draw(image)
    draw.rectangle((200, 300, 820, 470), fill=(40, 40, 40))
    draw.rectangle((200, 470, 820, 490), fill=(200, 60, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


async def checked(page: Page, name: str) -> None:
    """axe-core on the page as it is (WCAG 2.x A/AA, best practice); a screenshot either way."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
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


async def the_customer_reachable(gateway: httpx.AsyncClient) -> None:
    """The customer's phone, Chinese, consent to service messages; and no quiet hours at the site
    (the approval request is not urgent: at night it would wait for the morning)."""
    agent = await login(gateway, GROUP, SITE, "cs_agent", "agent-sun")
    customer = str(phone_subject(PHONE_NUMBER))  # a walk-in known by phone
    said = {"phone": PHONE_NUMBER, "language": "zh", "preferred_channel": "sms", "consent": ["sms:service"]}
    await agent.ok("PUT", f"contact-preferences/{customer}", said)
    manager = await login(gateway, GROUP, SITE, "service_manager", "manager-zhou")
    await manager.ok("PUT", "quiet-hours", {"timezone": "Asia/Shanghai", "start": "00:00", "end": "00:00"})


async def inspected_with_a_photo(gateway: httpx.AsyncClient, advisor: Person) -> str:
    """The car signed and handed over, and its inspection completed by the technician: the front
    pads red (2 mm, photographed), the wiper blades yellow, everything else green. The RO."""
    dispatcher = await login(gateway, GROUP, SITE, "dispatcher", "dispatcher-wang")
    technician = await login(gateway, GROUP, SITE, "technician", "tech-zhang")
    work = typed(line("oil service", 12000, "OIL-FILTER", 1, 5000), "diagnosed: not on the menu")
    ro = await signed_and_handed_over(advisor, work, promised_in=timedelta(hours=3), vin=VIN)
    await dispatcher.until(f"work-orders/{ro}", lambda w: w["key_tag"] == "K-42", "the car in the workshop")
    inspection = f"work-orders/{ro}/inspection"
    opened = await technician.ok("POST", inspection, {}, status=201)
    for point in opened["items"]:
        body: dict[str, Any] = {"grade": "green"}
        if point["item_id"] == "brake_pads_front":
            body = {"grade": "red", "measured": 2.0, "note": "worn to the indicator"}
        elif point["item_id"] == "wiper_blades":
            body = {"grade": "yellow", "note": "streaking"}
        elif point["measure"] != "none":
            body["measured"] = 85 if point["measure"] == "battery_health_pct" else 8
        await technician.ok("PUT", f"{inspection}/items/{point['item_id']}", body)
    uploaded = await gateway.post(
        f"/api/v1/sites/{SITE}/{inspection}/items/brake_pads_front/media",
        files={"file": ("pads.jpg", photo(), "image/jpeg")},
        headers=technician.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    done = await technician.ok("POST", f"{inspection}/complete", {})
    assert sorted(f["item_id"] for f in done["findings"]) == ["brake_pads_front", "wiper_blades"]
    return ro


def item(page: Page, words: str) -> Locator:
    return page.locator("li[data-item]").filter(has_text=words)


async def test_the_customer_approves_a_finding_with_its_photo_on_the_phone_and_the_advisor_sees_it_live(
    browser: Browser, desk: Desk, portal: str, receivers: str, gateway: httpx.AsyncClient
) -> None:
    await the_customer_reachable(gateway)
    advisor = await login(gateway, GROUP, SITE, "advisor", ADVISOR)
    ro = await inspected_with_a_photo(gateway, advisor)
    await advisor.until(f"repair-orders/{ro}", lambda r: len(r["findings"]) == 2, "the findings at the desk")

    # The advisor, in English, has the RO open: both findings wait for the customer.
    desk_page = await new_page(browser, language="en-US")
    await sign_in(desk_page, desk, name=ADVISOR, role="advisor", group=GROUP, sites=[SITE])
    await desk_page.goto(f"{desk.url}/ro/{ro}")
    await expect(desk_page.locator("[data-status]")).to_have_text("additional work awaiting the customer")
    await expect(desk_page.locator("article[data-finding]")).to_have_count(2)
    await expect(desk_page.locator("[data-jobs] li")).to_have_count(1)
    await checked(desk_page, "photos-ro-waiting-en")
    await desk_page.evaluate("() => { window.neverReloaded = true; }")  # gone if the page reloads

    # The customer's phone: the approval request as the SMS gateway received it.
    (sms,) = await eventually(
        lambda: received(receivers, PHONE_NUMBER),
        until=lambda rows: any(LINK.search(r["body"]) for r in rows),
        what="the approval request in the SMS gateway",
        timeout=60,
    )
    assert (sms["channel"], "需要您确认" in sms["body"]) == ("sms", True)
    found = LINK.search(sms["body"])
    assert found is not None
    link = found.group(0)
    assert link.startswith(f"{portal}/approvals/")

    context = await browser.new_context(
        viewport=PHONE,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=True,
        has_touch=True,
        user_agent=IPHONE,
        bypass_csp=True,  # axe is injected; the portal's own policy allows no inline script
    )
    phone = await context.new_page()
    await phone.goto(link)
    await expect(phone.locator("h1")).to_have_text("追加维修项目确认", timeout=WAIT)
    pads, wipers = item(phone, "Brake pads, front"), item(phone, "Wiper blades")
    await expect(pads.locator("[data-severity]")).to_have_text("红色:影响行车安全,建议立即维修")
    await expect(wipers.locator("[data-severity]")).to_have_text("黄色:建议近期维修")
    await expect(pads.locator("[data-item-price]")).to_have_text(f"¥{PADS // 100}.00")
    await expect(wipers.locator("ul.media")).to_have_count(0)  # the wipers were not photographed
    total = phone.locator("#approval-total")
    await expect(total).to_have_text(f"¥{SIGNED_WORK // 100}.00")

    # The pads' photo: its thumbnail loaded through the portal (lazily, once scrolled to)...
    thumbnail = pads.locator("ul.media img")
    await expect(thumbnail).to_have_count(1)
    await expect(thumbnail).to_have_attribute("alt", re.compile("Brake pads, front"))
    await thumbnail.scroll_into_view_if_needed()
    loaded = await thumbnail.element_handle()
    await phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=loaded, timeout=WAIT)
    assert await thumbnail.evaluate("img => img.naturalWidth") == 320  # the store's thumbnail, not the photo
    await checked(phone, "photos-approval-zh")

    # ...and tapped, the full photo as the technician took it.
    async with context.expect_page() as opening:
        await thumbnail.tap()
    full = await opening.value
    await full.wait_for_function(
        "() => document.images.length > 0 && document.images[0].complete && document.images[0].naturalWidth > 0",
        timeout=WAIT,
    )
    size = await full.evaluate("() => [document.images[0].naturalWidth, document.images[0].naturalHeight]")
    assert size == [1024, 768]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await full.screenshot(path=str(SCREENSHOTS / "photos-full-photo-zh.png"))  # the browser's viewer: no axe
    await full.close()

    # The customer approves the pads and declines the wipers, the total following their choice.
    await pads.get_by_label("同意维修", exact=True).check()
    await expect(total).to_have_text(f"¥{(SIGNED_WORK + PADS) // 100}.00")
    await wipers.get_by_label("暂不维修", exact=True).check()
    await wipers.get_by_label("暂不维修的原因(选填)").fill("下次保养再换")
    await expect(total).to_have_text(f"¥{(SIGNED_WORK + PADS) // 100}.00")
    await phone.get_by_role("button", name="提交我的选择").click()
    await expect(phone.locator("[data-done]")).to_be_visible(timeout=WAIT)
    await expect(phone.locator("[data-total]")).to_have_text(f"¥{(SIGNED_WORK + PADS) // 100}.00")
    await checked(phone, "photos-approval-done-zh")

    # The advisor's page, never reloaded, follows: the pads a workshop job, the wipers kept as a
    # recommendation, both decided on the customer's phone.
    approved = desk_page.locator("[data-decision='approved']")
    await expect(approved).to_contain_text("Brake pads, front", timeout=WAIT)
    await expect(approved).to_contain_text("approval link on the customer's phone")
    await expect(approved.locator("[data-device]")).to_have_text("from iPhone · Safari (address 127.0.0.1)")
    await expect(desk_page.locator("[data-links] [data-link='decided']")).to_have_count(1)
    # The RO's total follows: the estimate and the pads approved on the phone.
    await expect(desk_page.locator("[data-total] strong")).to_have_text(f"¥{(SIGNED_WORK + PADS) // 100}.00")
    await expect(desk_page.locator("[data-estimate-total]")).to_contain_text(f"¥{SIGNED_WORK // 100}.00")
    declined = desk_page.locator("[data-decision='declined']")
    await expect(declined).to_contain_text("Wiper blades")
    await expect(declined).to_contain_text("kept as a recommendation")
    await expect(declined).to_contain_text("下次保养再换")
    await expect(desk_page.locator("[data-no-pending]")).to_be_visible()
    await expect(desk_page.locator("article[data-finding]")).to_have_count(0)
    await expect(desk_page.locator("[data-jobs] li")).to_have_count(2, timeout=WAIT)
    await expect(desk_page.locator("[data-jobs]")).to_contain_text("Brake pads, front")
    await expect(desk_page.locator("[data-status]")).not_to_have_text("additional work awaiting the customer")
    assert await desk_page.evaluate("() => window.neverReloaded === true"), "the advisor's page was reloaded"
    await checked(desk_page, "photos-ro-decided-en")
    await context.close()
    await desk_page.context.close()
