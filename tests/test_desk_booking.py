"""The booking desk in a real headless Chromium beside booking, the catalogue and the gateway as
processes. Set up through the API by the people whose work it is: the service manager sets the
site's capacity, the group admin loads the demo catalogue. Then the advisor, by clicking only,
reads tomorrow's capacity and free slots by advisor, books a car from the Magotan 10,000 km
service menu and another with typed work, sees both in the day and their slots taken, confirms
one, reschedules it, is refused a no-show before the slot, switches to Chinese, cancels the
other, opens tomorrow's list, records a preparation and prints the list (a PDF streamed by the
desk: no token in any link). Every page is checked by axe-core; screenshots go to
var/screenshots/desk/. Over HTTP: a role the screen is not for is refused it and its PDF."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from browser import Desk, accessible, desk_beside, new_page, sign_in
from dealership import catalogue_loaded, login
from playwright.async_api import Browser, Page, expect
from test_desk_sign_in import signed_in_over_http

from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
ADVISOR, OTHER_ADVISOR = "advisor-li", "advisor-ma"
ZONE = "Asia/Shanghai"
CAPACITY = {
    "timezone": ZONE,
    "opens_at": "08:00",
    "closes_at": "18:00",
    "slot_minutes": 60,
    "open_weekdays": [1, 2, 3, 4, 5, 6, 7],
    "advisors": [ADVISOR, OTHER_ADVISOR],
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
async def prepared_site(gateway: httpx.AsyncClient) -> None:
    manager = await login(gateway, GROUP, SITE, "service_manager", "manager-zhou")
    if (await manager.get("capacity")).status_code == 404:
        await manager.ok("PUT", "capacity", CAPACITY)
        await catalogue_loaded(gateway, GROUP, [SITE], ZONE)


def tomorrow() -> str:
    return (datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=1)).isoformat()


async def book_by_clicking(
    page: Page, desk: Desk, *, plate: str, vin: str, name: str, slot: str, menu: str | None, screenshots: str
) -> None:
    """From the day's page: the work first (the model's menu, or typed), then a slot and the customer."""
    await page.goto(f"{desk.url}/booking")
    await page.get_by_role("link", name="Book an appointment").click()
    await expect(page.get_by_role("heading", name="Book an appointment", level=1)).to_be_visible()
    await page.get_by_label("Model").fill("Magotan")
    await page.get_by_role("button", name="Find menus and free slots").click()
    if menu is not None:
        await page.get_by_label(menu).check()
        await accessible(page, f"{screenshots}-menus")
    else:
        await page.get_by_label("No menu: type the work").check()
        await page.get_by_label("Typed work's estimated minutes").fill("60")
    await page.get_by_role("button", name="Find menus and free slots").click()
    await page.get_by_label(slot).check()
    await page.get_by_label("Customer's name").fill(name)
    await page.get_by_label("Phone").fill("13900000021")
    await page.get_by_label("Plate").fill(plate)
    await page.get_by_label("VIN").fill(vin)
    await page.get_by_label("Mileage (km)").fill("9800")
    if menu is None:
        await page.get_by_label("Typed job (with a menu: extra work)").fill("brakes squeak when cold")
    await page.get_by_label("In the customer's words").fill("the usual service, and the brakes squeak")
    await accessible(page, f"{screenshots}-slots")
    await page.get_by_role("button", name="Book an appointment").click()
    await page.wait_for_url(f"{desk.url}/booking/appointments/**")
    await expect(page.locator("[data-done]")).to_have_text("Booked.")


async def test_the_advisor_books_confirms_reschedules_cancels_and_prepares_tomorrow_by_clicking(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient, prepared_site: None
) -> None:
    page = await new_page(browser, language="en-US")
    await sign_in(page, desk, name=ADVISOR, role="advisor", group=GROUP, sites=[SITE])
    await page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Booking").click()

    # tomorrow at the site: its capacity and every slot free for both advisors
    await expect(page.get_by_role("heading", name="Booking desk", level=1)).to_be_visible()
    await expect(page.locator("[data-capacity]")).to_contain_text("Open 08:00-18:00, slots of 60 minutes")
    await expect(page.locator("#f-date")).to_have_value(tomorrow())
    first = page.locator('[data-slot="08:00"]')
    await expect(first.locator(f'[data-free="{ADVISOR}"]')).to_have_text("free")
    await expect(page.get_by_text("No appointment that day yet.")).to_be_visible()
    await accessible(page, "booking-day-empty")

    # booked from the model's service menu (its flat-rate minutes by the catalogue), and typed
    await book_by_clicking(
        page, desk, plate="沪A10001", vin="LFV2A21K8G3000101", name="Wang Lei",
        slot=f"08:00 · {ADVISOR}", menu="Magotan 10,000 km service", screenshots="booking-new-menu",
    )  # fmt: skip
    await expect(page.locator("[data-jobs]")).to_contain_text("45 min")  # OIL01's flat rate for a Magotan
    await expect(page.locator("[data-status]")).to_have_text("booked")
    await accessible(page, "booking-appointment")
    menu_booked = page.url.split("/booking/appointments/")[1].split("?")[0]
    await book_by_clicking(
        page, desk, plate="沪A10002", vin="LFV2A21K8G3000102", name="Zhao Min",
        slot=f"09:00 · {OTHER_ADVISOR}", menu=None, screenshots="booking-new-typed",
    )  # fmt: skip
    await expect(page.locator("[data-jobs]")).to_contain_text("brakes squeak when cold")
    typed_booked = page.url.split("/booking/appointments/")[1].split("?")[0]

    # the day shows both, and their slots are no longer free for their advisors
    await page.get_by_role("link", name="Back to the booking desk").click()
    rows = page.locator("#day-list")
    await expect(rows.locator(f'[data-appointment="{menu_booked}"]')).to_contain_text("沪A10001")
    await expect(rows.locator(f'[data-appointment="{typed_booked}"]')).to_contain_text("brakes squeak when cold")
    await expect(first.locator(f'[data-free="{ADVISOR}"]')).to_have_count(0)
    await expect(first.locator(f'[data-free="{OTHER_ADVISOR}"]')).to_have_text("free")
    await expect(page.locator('[data-slot="09:00"]').locator(f'[data-free="{OTHER_ADVISOR}"]')).to_have_count(0)
    await accessible(page, "booking-day-booked")

    # the call the day before: confirmed
    await rows.get_by_role("link", name="沪A10001").click()
    await page.get_by_label("Confirmation").select_option("day_before")
    await page.get_by_label("By", exact=True).select_option("phone")
    await page.get_by_role("button", name="Record the confirmation").click()
    await expect(page.locator("[data-done]")).to_have_text("Confirmation recorded.")
    await expect(page.locator("[data-status]")).to_have_text("confirmed")

    # a no-show before the slot: booking refuses it, and the page says why
    await page.get_by_role("button", name="Record a no-show").click()
    await expect(page.locator("[data-problem]")).to_contain_text("The slot has not started yet")
    await accessible(page, "booking-no-show-refused")

    # rescheduled to 11:00 with the other advisor
    await page.get_by_label("New slot").select_option(label=f"{tomorrow()} 11:00 · {OTHER_ADVISOR}")
    await page.locator("#f-reschedule-reason").fill("the customer works until ten")
    await page.get_by_role("button", name="Reschedule", exact=True).click()
    await expect(page.locator("[data-done]")).to_have_text("Rescheduled.")
    await expect(page.locator("[data-slot]")).to_have_text(f"{tomorrow()} 11:00 · {OTHER_ADVISOR}")

    # in Chinese: the typed one cancelled
    await page.get_by_role("link", name="中文").click()
    await page.goto(f"{desk.url}/booking/appointments/{typed_booked}")
    await expect(page.get_by_role("heading", name="预约 沪A10002", level=1)).to_be_visible()
    await page.locator("#f-cancel-by").select_option("customer")
    await page.locator("#f-cancel-reason").fill("客户出差")
    await page.get_by_role("button", name="取消预约").click()
    await expect(page.locator("[data-done]")).to_have_text("已取消预约。")
    await expect(page.locator("[data-status]")).to_have_text("已取消")
    await accessible(page, "booking-cancelled-zh")

    # tomorrow's list: the menu-booked car to prepare
    await page.get_by_role("link", name="返回预约台").click()
    await expect(page.get_by_role("heading", name="预约台", level=1)).to_be_visible()
    await expect(rows.locator(f'[data-appointment="{menu_booked}"]')).to_contain_text("11:00")
    await expect(rows.locator(f'[data-appointment="{menu_booked}"]')).to_contain_text(OTHER_ADVISOR)
    await expect(rows.locator(f'[data-appointment="{typed_booked}"]')).to_contain_text("已取消")
    await expect(page.locator('[data-slot="08:00"]').locator(f'[data-free="{ADVISOR}"]')).to_have_text("空闲")
    await accessible(page, "booking-day-zh")
    await rows.locator(f'[data-appointment="{menu_booked}"]').get_by_role("link", name="准备").click()
    await expect(page.get_by_role("heading", name="预约准备 沪A10001", level=1)).to_be_visible()
    await expect(page.locator("[data-no-history]")).to_have_text("本店没有该车的维修记录。")
    await expect(page.get_by_text("90915-YZZE1")).to_be_visible()  # the menu's oil, pre-checked
    await page.get_by_label("历史摘要").fill("首次到店;预约 10000 公里保养")
    await accessible(page, "booking-preparation-zh")
    await page.get_by_role("button", name="记录准备").click()
    await expect(page.locator("[data-done]")).to_have_text("已记录预约准备。")
    await expect(page.locator("[data-recorded]")).to_contain_text(ADVISOR)
    await expect(page.get_by_label("历史摘要")).to_have_value("首次到店;预约 10000 公里保养")

    # the printed list: the desk's own link (no token in it), a PDF streamed with the session's
    await page.get_by_role("link", name="返回预约").click()
    await page.get_by_role("link", name="返回预约台").click()
    await expect(rows.locator(f'[data-appointment="{menu_booked}"]')).to_contain_text("已完成")
    link = page.get_by_role("link", name="打印预约清单(PDF)")
    href = await link.get_attribute("href")
    assert href == f"/booking/list/{tomorrow()}.pdf"
    printed = await page.request.get(f"{desk.url}{href}")
    assert printed.status == 200, await printed.text()
    assert printed.headers["content-type"] == "application/pdf"
    assert (await printed.body()).startswith(b"%PDF")
    await page.context.close()


async def test_a_role_the_booking_desk_is_not_for_is_refused_its_pages_and_its_print(
    desk: Desk, prepared_site: None
) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        await signed_in_over_http(client, desk, name="tech-zhang", role="technician", group=GROUP, sites=[SITE])
        home = await client.get(f"{desk.url}/", headers={"accept-language": "en"})
        assert 'href="/booking"' not in home.text
        for path in ("/booking", "/booking/new", f"/booking/list/{tomorrow()}.pdf"):
            refused = await client.get(f"{desk.url}{path}", headers={"accept-language": "en"})
            assert refused.status_code == 403, path
            assert "You may not do this" in refused.text
