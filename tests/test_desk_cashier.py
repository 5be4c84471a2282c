"""The cashier's screen in a real headless Chromium: a car the workshop passed (set up through the
API: the advisor's visit, the floor's work and QC) is ready to settle; the cashier (English)
issues its invoice by clicking, reads its lines with net, tax and gross and the customer's share,
is refused an amount that is not one, takes the money split across card and WeChat Pay (typed in
yuan), switches to Chinese, requests a fapiao and sees how it stands, prints the invoice (a PDF
streamed by the desk), and closes the day, seeing the totals per method. Every page is checked
by axe-core; screenshots go to var/screenshots/desk/."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from browser import Desk, accessible, desk_beside, new_page, sign_in
from dealership import line, login, signed_and_handed_over, typed
from playwright.async_api import Browser, expect

from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
PLATE = "沪B88888"  # the helpers' car


@pytest.fixture(scope="module")
def started() -> Iterator[tuple[RunningSystem, Desk]]:
    with desk_beside(["booking", "catalogue", "reception", "workshop", "billing"]) as both:
        yield both


async def ready_car(gateway: httpx.AsyncClient) -> str:
    """The advisor's, the dispatcher's, the technician's and QC's parts, through the API: a car
    with an oil change (labour 380.00, an oil filter 45.50) ready for delivery."""
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    dispatcher = await login(gateway, GROUP, SITE, "dispatcher")
    technician = await login(gateway, GROUP, SITE, "technician", "tech-zhang")
    qc = await login(gateway, GROUP, SITE, "qc_inspector")
    work = line("oil change", 38000, "OIL-FILTER", 1, 4550)
    ro = await signed_and_handed_over(advisor, typed(work, "fixed-price offer"), promised_in=timedelta(hours=2))
    wpath, job = f"work-orders/{ro}", work["line_id"]
    await dispatcher.until(wpath, lambda w: w["key_tag"] == "K-42", "the work order")
    await dispatcher.ok("POST", f"{wpath}/jobs/{job}/dispatch", {"technician_id": "tech-zhang", "bay": "B1"})
    await technician.ok("POST", f"{wpath}/jobs/{job}/start")
    await technician.ok("POST", f"{wpath}/jobs/{job}/complete")
    await qc.ok("POST", f"{wpath}/quality-checks", {"passed": True}, status=201)
    await advisor.until(f"repair-orders/{ro}", lambda r: r["ready"], "the car ready for delivery")
    return ro


async def test_the_cashier_invoices_a_ready_car_takes_a_split_payment_asks_a_fapiao_prints_and_closes_the_day(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient
) -> None:
    ro = await ready_car(gateway)

    # English: the car ready to settle; the invoice issued by clicking.
    page = await new_page(browser, language="en-US")
    await sign_in(page, desk, name="cashier-liu", role="cashier", group=GROUP, sites=[SITE])
    await page.get_by_role("navigation").get_by_role("link", name="Cashier", exact=True).click()
    await expect(page.get_by_role("heading", name="Cashier", level=1)).to_be_visible()
    car = page.locator(f"[data-car='{ro}']")
    await expect(car).to_contain_text(PLATE)
    await accessible(page, "cashier-ready")
    await car.get_by_role("button", name="Issue the invoice").click()
    await expect(page.locator("[data-done]")).to_have_text("Invoice issued.")
    heading = page.get_by_role("heading", level=1)
    await expect(heading).to_contain_text("Invoice SVC-")
    number = (await heading.inner_text()).removeprefix("Invoice ").strip()
    lines = page.locator("[data-lines] tbody tr")
    await expect(lines).to_have_count(2)
    await expect(lines.nth(0)).to_contain_text("oil change")
    await expect(lines.nth(0)).to_contain_text("¥336.28")  # net of 380.00 at 13 %
    await expect(lines.nth(0)).to_contain_text("¥43.72")
    await expect(page.locator("[data-customer-share]")).to_contain_text("¥425.50")
    await expect(page.locator("[data-balance]")).to_have_text("¥425.50")
    await accessible(page, "cashier-invoice-issued")

    # An amount that is not one is refused beside its input, nothing taken.
    first, second = page.locator("[data-split='0']"), page.locator("[data-split='1']")
    await first.get_by_label("Method").select_option("card")
    await first.get_by_label("Amount (yuan)").fill("200.005")
    await page.get_by_role("button", name="Take the payment").click()
    await expect(page.locator("[data-split='0'] .error")).to_contain_text("at most two decimals")
    await expect(page.locator("[data-balance]")).to_have_text("¥425.50")
    await accessible(page, "cashier-amount-refused")

    # Card 200.00 and WeChat Pay 225.50: paid.
    await first.get_by_label("Amount (yuan)").fill("200.00")
    await second.get_by_label("Method").select_option("wechat_pay")
    await second.get_by_label("Amount (yuan)").fill("225.50")
    await page.get_by_role("button", name="Take the payment").click()
    await expect(page.locator("[data-done]")).to_have_text("Payment recorded.")
    await expect(page.locator("[data-status]")).to_have_text("paid")
    await expect(page.locator("[data-balance]")).to_have_text("¥0.00")
    await expect(page.locator("[data-payment='card']")).to_contain_text("¥200.00")
    await expect(page.locator("[data-payment='wechat_pay']")).to_contain_text("¥225.50")
    await accessible(page, "cashier-invoice-paid")

    # Chinese: the fapiao asked for a normal VAT invoice, its status shown.
    await page.get_by_role("link", name="中文").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"结算单 {number}")
    await page.get_by_label("增值税普通发票").check()
    await expect(page.get_by_label("购买方名称")).to_have_value("Liu Yang")
    await page.get_by_role("button", name="申请开具发票").click()
    await expect(page.locator("[data-done]")).to_have_text("发票申请已提交。")
    await expect(page.locator("[data-fapiao-status]")).to_have_text(re.compile("^(开具中|已开具|开具失败)$"))
    await accessible(page, "cashier-fapiao-zh")

    # Printed: the desk streams the gateway's PDF (the link carries no token).
    link = page.get_by_role("link", name="打印结算单")
    href = await link.get_attribute("href")
    assert href is not None
    assert href.startswith("/cashier/invoices/")
    assert href.endswith("/invoice.pdf")
    printed = await page.request.get(f"{desk.url}{href}")
    assert printed.status == 200
    assert printed.headers["content-type"] == "application/pdf"
    assert (await printed.body()).startswith(b"%PDF")

    # The day: totals per method, then closed.
    await page.get_by_role("link", name="返回收银台").click()
    await page.get_by_role("link", name="今日收银与日结").click()
    await expect(page.locator("[data-method='card'] [data-net]")).to_have_text("¥200.00")
    await expect(page.locator("[data-method='wechat_pay'] [data-net]")).to_have_text("¥225.50")
    await expect(page.locator("[data-total] [data-net]")).to_have_text("¥425.50")
    await accessible(page, "cashier-day-zh")
    await page.get_by_role("button", name="日结").click()
    await expect(page.locator("[data-done]")).to_have_text("已日结。")
    await expect(page.locator("[data-closed]")).to_contain_text("cashier-liu")
    await expect(page.locator("[data-total] [data-net]")).to_have_text("¥425.50")
    await accessible(page, "cashier-day-closed-zh")
