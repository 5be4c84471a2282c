"""The RO desk in a real headless Chromium beside booking, the catalogue, reception and the
gateway as processes. Set up through the API by the people whose work it is: the service manager
sets the site's capacity, the group admin loads the demo catalogue, the booking desk books a
Magotan for today from its 10,000 km service menu. Then the advisor, by clicking only: sees the
appointment car among today's arrivals, checks it in (booking records its arrival), walks around
the car marking a scratch on the diagram by clicking, switches to Chinese, records the concern
in the customer's words with 5W2H and the read-back, prices the estimate from the menu (the
catalogue's prices and the total reception answers), has the customer sign on the screen (drawn
with the mouse), hands the car over with its key tag, and finds it in the workshop on the
arrivals page and on the printed RO (with the drawn signature). Every page is checked by
axe-core; screenshots go to var/screenshots/desk/."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pypdf
import pytest
from browser import WIDE_SCREEN, Desk, accessible, desk_beside, new_page, screenshot, sign_in
from dealership import MENU, MENU_TOTAL, VIN, book, catalogue_loaded, login
from playwright.async_api import Browser, Page, expect

from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
ADVISOR = "advisor-li"
PLATE = "沪B88888"  # dealership.book's car


def morning_zone() -> str:
    """A fixed-offset zone where it is about six in the morning now: the site's today has free
    slots whatever the hour the test runs (a site on UTC had none after 22:00 UTC)."""
    hours = (6 - datetime.now(UTC).hour + 12) % 24 - 12  # ahead of UTC, in -12..+11
    return "Etc/GMT" if hours == 0 else f"Etc/GMT{-hours:+d}"  # Etc/ names count west as plus


ZONE = morning_zone()
CAPACITY = {
    "timezone": ZONE,
    "opens_at": "00:00",
    "closes_at": "23:00",
    "slot_minutes": 60,
    "open_weekdays": [1, 2, 3, 4, 5, 6, 7],
    "advisors": [ADVISOR, "advisor-ma"],
    "receptions_per_advisor": 1,
    "technicians": 4,
    "bays": 4,
    "workshop_minutes_per_slot": 240,
}
WAIT = 45_000


@pytest.fixture(scope="module")
def started() -> Iterator[tuple[RunningSystem, Desk]]:
    with desk_beside(["booking", "catalogue", "reception"]) as both:
        yield both


@pytest.fixture
async def appointment(gateway: httpx.AsyncClient) -> str:
    """Today's appointment of the Magotan from the 10,000 km service menu, booked the day before."""
    manager = await login(gateway, GROUP, SITE, "service_manager", "manager-zhou")
    await manager.ok("PUT", "capacity", CAPACITY)
    await catalogue_loaded(gateway, GROUP, [SITE], ZONE)
    booking_desk = await login(gateway, GROUP, SITE, "advisor", "advisor-ma")
    today = datetime.now(ZoneInfo(ZONE)).date().isoformat()
    free = await booking_desk.ok("GET", f"free-slots?date={today}&minutes=60&advisor={ADVISOR}")
    assert free, f"a free slot left today in {ZONE}"
    booked = await book(booking_desk, advisor_id=ADVISOR, slot=free[0]["start"], menu_id=MENU)
    return str(booked["appointment_id"])


def yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


async def draw_signature(page: Page) -> None:
    """The customer's name, more or less: three strokes with the mouse on the pad."""
    pad = page.locator("[data-signature-pad]")
    await pad.scroll_into_view_if_needed()
    box = await pad.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"]
    for stroke in ([(40, 120), (80, 60), (120, 140), (160, 70)], [(200, 100), (260, 110)], [(300, 60), (320, 150)]):
        await page.mouse.move(x + stroke[0][0], y + stroke[0][1])
        await page.mouse.down()
        for dx, dy in stroke[1:]:
            await page.mouse.move(x + dx, y + dy, steps=6)
        await page.mouse.up()


async def test_the_advisor_checks_in_walks_around_estimates_takes_the_signature_and_hands_over(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient, appointment: str
) -> None:
    page = await new_page(browser, language="en-US")
    await sign_in(page, desk, name=ADVISOR, role="advisor", group=GROUP, sites=[SITE])
    await page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="RO desk").click()

    # today's arrivals: the appointment car, marked, with its check-in
    await expect(page.get_by_role("heading", name="RO desk", level=1)).to_be_visible()
    row = page.locator("[data-arrivals] tr", has_text=PLATE)
    await expect(row).to_be_visible(timeout=WAIT)
    await expect(row).to_contain_text("appointment")
    await accessible(page, "reception-arrivals-en")
    await row.get_by_role("link", name=f"Check in {PLATE}").click()

    # check-in: the customer and the car as booking has them
    await expect(page.get_by_role("heading", name="Check-in", level=1)).to_be_visible()
    await expect(page.get_by_label("Plate")).to_have_value(PLATE)
    await expect(page.get_by_label("VIN")).to_have_value(VIN)
    await page.get_by_label("The customer waits in the lounge").check()
    await accessible(page, "reception-check-in-en")
    await page.get_by_role("button", name="Check in").click()
    await page.wait_for_url(f"{desk.url}/reception/visits/**")
    ro = page.url.split("/reception/visits/")[1].split("?")[0]
    await expect(page.locator("[data-done]")).to_have_text("Checked in: walk around the car with the customer.")
    await expect(page.locator("[data-status]")).to_have_text("checked in")

    # the walk-around: a scratch marked by clicking the front bumper on the diagram
    await page.locator('[data-area="front_bumper"]').click()
    await expect(page.get_by_label("Area")).to_have_value("front_bumper")
    await page.get_by_label("Kind of damage").select_option("scratch")
    await page.get_by_label("Note").fill("left corner, 5 cm")
    await page.get_by_role("button", name="Add mark").click()
    await expect(page.locator("[data-marks] li")).to_have_text("Front bumper: scratch (left corner, 5 cm) Remove")
    await expect(page.locator('[data-area="front_bumper"]')).to_have_class("area damaged")
    await page.get_by_label("Mileage (km)").fill("9850")
    await page.get_by_label("Fuel").select_option("5")
    await page.get_by_label("Customer reminded to take valuables").check()
    await page.get_by_label("Protective covers fitted (seat, wheel, floor)").check()
    await accessible(page, "reception-walk-around-en")
    await page.get_by_role("button", name="Record the walk-around").click()
    await expect(page.locator("[data-done]")).to_have_text("Walk-around recorded.")
    await expect(page.locator("[data-damages]")).to_have_text("Front bumper: scratch (left corner, 5 cm)")

    # the customer speaks Chinese: so does the desk from here
    await page.get_by_role("link", name="中文").click()
    await expect(page.get_by_role("heading", name=f"维修委托书 {PLATE}", level=1)).to_be_visible()

    # the concern in the customer's own words, 5W2H, read back and confirmed
    words = "冷车启动时刹车有吱吱声"
    await page.get_by_label("客户原话", exact=True).fill(words)
    await page.get_by_label("什么现象(What)").fill("刹车异响")
    await page.get_by_label("什么时候(When)").fill("早上冷车")
    await page.get_by_label("什么部位 / 路况(Where)").fill("前轮")
    await page.get_by_label("谁在驾驶(Who)").fill("车主本人")
    await page.get_by_label("出现频率(How often)").fill("每天早上")
    await page.get_by_label("已向客户复述,客户确认无误").check()
    await page.get_by_role("button", name="记录客户描述").click()
    await expect(page.locator("[data-done]")).to_have_text("客户描述已记录。")
    await expect(page.locator("[data-concerns]")).to_contain_text(words)

    # the estimate from the model's service menu: reception prices it with the catalogue
    await page.get_by_label("Magotan 10000公里保养").check()
    await page.get_by_label("付款方式").select_option("wechat_pay")
    await page.get_by_label("旧件处理").select_option("keep")
    await accessible(page, "reception-estimate-zh")
    await page.get_by_role("button", name="计算估价").click()
    await expect(page.locator("[data-done]")).to_have_text("估价已完成:请向客户说明并请客户签字。")
    await expect(page.locator("[data-total]")).to_have_text(yuan(MENU_TOTAL))
    await expect(page.locator("[data-price-lists]")).not_to_be_empty()
    await expect(page.locator("[data-status]")).to_have_text("已估价")

    # the customer signs on the screen: an empty pad is refused in the page, a drawn one kept
    await page.get_by_role("button", name="确认签字").click()
    await expect(page.locator("[data-signature-empty]")).to_be_visible()
    await draw_signature(page)
    await accessible(page, "reception-signature-zh")
    await page.get_by_role("button", name="确认签字").click()
    await expect(page.locator("[data-done]")).to_have_text("客户已签字。")
    await expect(page.locator("[data-signed]")).to_be_visible()

    advisor = await login(gateway, GROUP, SITE, "advisor", ADVISOR)
    order = await advisor.ok("GET", f"repair-orders/{ro}")
    assert order["signature_ref"].startswith("sha256:")
    image = await advisor.get(f"repair-orders/{ro}/signature")
    assert image.status_code == 200
    assert image.content.startswith(b"\x89PNG")

    # hand-over with the key tag
    await page.get_by_label("钥匙牌号").fill("K-42")
    await page.get_by_role("button", name="交车间").click()
    await expect(page.locator("[data-done]")).to_have_text("已交车间,钥匙牌 K-42。")
    await expect(page.locator("[data-status]")).to_have_text("在修")
    await expect(page.locator("[data-handed-over]")).to_be_visible()
    await page.set_viewport_size(WIDE_SCREEN)
    await accessible(page, "reception-handed-over-zh-wide")

    # the arrivals page shows the car in the workshop; the printed RO carries the drawn signature
    await page.get_by_role("link", name="← 返回到店车辆").click()
    visit_row = page.locator(f'[data-visit="{ro}"]')
    await expect(visit_row).to_contain_text("在修")
    await expect(page.locator("[data-arrivals] tr", has_text=PLATE)).to_have_count(0)
    await accessible(page, "reception-arrivals-zh-wide")
    printed = await page.request.get(f"{desk.url}/reception/visits/{ro}/repair-order.pdf")
    assert printed.status == 200
    assert printed.headers["content-type"] == "application/pdf"
    pdf = pypdf.PdfReader(io.BytesIO(await printed.body()))
    assert sum(len(p.images) for p in pdf.pages) == 1
    assert "客户签字" in "".join(p.extract_text() for p in pdf.pages)
    await screenshot(page, "reception-done")
