"""The service manager's page in a real headless Chromium beside booking, the catalogue,
reception, followup and complaints as processes. Set up through the API by the people whose work
it is: the manager sets the site's capacity and the advisors' discount authority (5%), the group
admin loads the demo catalogue, the advisor checks a car in and types its oil change at 20.00
against the catalogue's 90.00 (a discount beyond their authority), the CS agent receives a
safety complaint (escalated to the manager at once). Then the manager, by clicking only, in
English: finds the estimate waiting on their page and approves it; sees the week's KPIs table and
the escalated complaint with its link to the complaint's page; then in Chinese the same page.
Every page is checked by axe-core; screenshots go to var/screenshots/desk/."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from browser import Desk, accessible, desk_beside, new_page, sign_in
from dealership import CAPACITY, CONCERN, VISIT, WALK_AROUND, catalogue_loaded, login
from playwright.async_api import Browser, expect

from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
PLATE = "沪B88888"  # dealership.VISIT's car
WORDS = "刹车异响,差点追尾"
WAIT = 45_000


@pytest.fixture(scope="module")
def started() -> Iterator[tuple[RunningSystem, Desk]]:
    with desk_beside(["booking", "catalogue", "reception", "followup", "complaints"]) as both:
        yield both


async def test_the_manager_approves_a_discount_and_sees_the_kpis_and_an_escalated_complaint(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient
) -> None:
    manager = await login(gateway, GROUP, SITE, "service_manager", "manager-zhou")
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    agent = await login(gateway, GROUP, SITE, "cs_agent", "agent-sun")
    await manager.ok("PUT", "capacity", CAPACITY)
    await catalogue_loaded(gateway, GROUP, [SITE], "UTC")
    limits = {"discount_authority_bp": {"advisor": 500, "service_manager": 2000}}
    assert (await manager.put("reception-settings", limits)).is_success

    ro = (await advisor.ok("POST", "repair-orders", VISIT, status=201))["repair_order_id"]
    await advisor.ok("POST", f"repair-orders/{ro}/walk-around", WALK_AROUND, status=201)
    await advisor.ok("POST", f"repair-orders/{ro}/concerns", CONCERN, status=201)
    oil_change = {
        "line_id": str(uuid.uuid4()),
        "labour_operation": "OIL01",  # the catalogue's 45 minutes at 120.00 an hour: 90.00
        "description": "Engine oil and oil filter change",
        "labour_minutes": 45,
        "labour_price": 2000,
        "pay_type": "CUSTOMER_PAY",
        "parts": [],
        "reason": "a regular customer's goodwill",
    }
    promised = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    estimate = {"lines": [oil_change], "promised_at": promised, "payment_method": "card", "old_parts": "discard"}
    estimated = await advisor.ok("POST", f"repair-orders/{ro}/estimate", {**estimate, "wash": False}, status=201)
    assert estimated["discount_approval"]["required"], estimated  # the setup holds: beyond 5%

    customer = await advisor.ok("POST", "customers", {"name": "刘洋", "phones": ["13912345670"]}, status=201)
    complaint = {
        "channel": "phone",
        "kind": "complaint",
        "category": "quality",
        "customer_words": WORDS,
        "customer_id": customer["customer_id"],
        "serious_reasons": ["safety"],
    }
    received = await agent.ok("POST", "complaints", complaint, status=201)

    # The manager, in English: what waits for them.
    page = await new_page(browser, language="en-US")
    await sign_in(page, desk, name="manager-zhou", role="service_manager", group=GROUP, sites=[SITE])
    await page.get_by_role("navigation").get_by_role("link", name="Manager's desk", exact=True).click()
    await expect(page.get_by_role("heading", name="Manager's desk", level=1)).to_be_visible()
    waiting = page.locator(f"[data-approval='{ro}']")
    await expect(waiting).to_contain_text(PLATE, timeout=WAIT)
    await expect(waiting).to_contain_text("¥70.00")  # the discount reception computed, formatted
    row = page.locator(f"[data-complaint='{received['complaint_id']}']")
    await expect(row).to_contain_text(WORDS, timeout=WAIT)
    await expect(row).to_contain_text("Escalated")
    link = row.get_by_role("link", name="Handle")
    assert await link.get_attribute("href") == f"/complaints/handle/{received['complaint_id']}"
    kpis = page.locator("[data-kpis]")
    await expect(kpis).to_be_visible()
    await expect(kpis).to_contain_text("Bay utilisation")
    await accessible(page, "manager-en")

    await waiting.get_by_role("button", name=f"Approve the discount for {PLATE}").click()
    await expect(page.locator("[data-done]")).to_have_text("Discount approved: the advisor can have the customer sign.")
    await expect(page.locator(f"[data-approval='{ro}']")).to_have_count(0)
    approved = await advisor.ok("GET", f"repair-orders/{ro}")
    assert approved["discount_approval"]["approved_by"] == "manager-zhou"
    await accessible(page, "manager-approved-en")

    # The same page in Chinese.
    await page.get_by_role("link", name="中文").click()
    await expect(page.get_by_role("heading", name="经理待办", level=1)).to_be_visible()
    await expect(page.get_by_text("没有等待批准的折扣。")).to_be_visible()
    zh_row = page.locator(f"[data-complaint='{received['complaint_id']}']")
    await expect(zh_row).to_contain_text("已升级")
    await expect(page.locator("[data-kpis]")).to_contain_text("工位利用率")
    await accessible(page, "manager-zh")
