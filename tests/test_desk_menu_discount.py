"""A discount on a service menu's line at the RO desk, in a real headless Chromium beside the
catalogue and reception: the site gives advisors 5 % discount authority and a Magotan walk-in is
checked in, walked around and its concern recorded (through the API). The advisor, by clicking
only, prices the estimate from the 10,000 km menu, types a lower labour price on the menu's line
and is refused without a reason (what was typed kept); with the reason the small discount is
priced within their authority; a larger one waits for the service manager's approval, as
reception decides. Every page is checked by axe-core; screenshots go to var/screenshots/desk/."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from browser import WIDE_SCREEN, Desk, accessible, desk_beside, new_page, sign_in
from dealership import CONCERN, MENU_TOTAL, VISIT, WALK_AROUND, catalogue_loaded, login
from playwright.async_api import Browser, expect

from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
ADVISOR = "advisor-li"


@pytest.fixture(scope="module")
def started() -> Iterator[tuple[RunningSystem, Desk]]:
    with desk_beside(["catalogue", "reception"]) as both:
        yield both


def yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


async def test_a_menu_lines_discount_is_typed_at_the_desk_and_reception_decides(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient
) -> None:
    manager = await login(gateway, GROUP, SITE, "service_manager", "manager-zhou")
    await manager.ok("PUT", "reception-settings", {"discount_authority_bp": {"advisor": 500}})
    await catalogue_loaded(gateway, GROUP, [SITE])  # no booking here: the catalogue's default zone
    advisor = await login(gateway, GROUP, SITE, "advisor", ADVISOR)
    visit = {**VISIT, "vehicle": {"vin": "LFV2A21K8G3099001", "plate": "沪B77777", "model": "Magotan"}}
    ro = (await advisor.ok("POST", "repair-orders", visit, status=201))["repair_order_id"]
    await advisor.ok("POST", f"repair-orders/{ro}/walk-around", WALK_AROUND, status=201)
    await advisor.ok("POST", f"repair-orders/{ro}/concerns", CONCERN, status=201)

    page = await new_page(browser, language="en-US", viewport=WIDE_SCREEN)
    await sign_in(page, desk, name=ADVISOR, role="advisor", group=GROUP, sites=[SITE])
    await page.goto(f"{desk.url}/reception/visits/{ro}")
    await page.get_by_label("Magotan 10,000 km service").check()
    await page.get_by_role("button", name="Price the estimate").click()
    await expect(page.locator("[data-total]")).to_have_text(yuan(MENU_TOTAL))
    discount = page.locator("[data-menu-discount]")
    await expect(discount.get_by_label("Menu line")).to_contain_text("(OIL01) · ¥90.00")
    await accessible(page, "reception-menu-discount-form")

    # A price other than the catalogue's, with no reason: reception refuses; what was typed stays.
    await discount.get_by_label("Labour price instead (CNY)").fill("70.00")
    await page.get_by_role("button", name="Price the estimate").click()
    await expect(page.locator("[data-problem]")).to_have_text("A price other than the catalogue's needs a reason.")
    await expect(page.locator("[data-menu-discount]").get_by_label("Labour price instead (CNY)")).to_have_value("70.00")
    await accessible(page, "reception-menu-discount-refused")

    # With the reason: 20.00 off 721.00 is within the advisor's 5 %: priced, nothing waits.
    await page.locator("[data-menu-discount]").get_by_label("Reason for the discount").fill("loyalty card")
    await page.get_by_role("button", name="Price the estimate").click()
    await expect(page.locator("[data-done]")).to_have_text("Estimate priced: explain it and ask the customer to sign.")
    await expect(page.locator("[data-total]")).to_have_text(yuan(MENU_TOTAL - 2000))
    await expect(page.locator("[data-approval]")).to_have_count(0)
    order = await advisor.ok("GET", f"repair-orders/{ro}")
    assert order["menu_id"] == "magotan-10000"
    assert not order["discount_approval"]["required"]

    # The whole labour given away is beyond it: the estimate waits for the service manager.
    discount = page.locator("[data-menu-discount]")
    await discount.get_by_label("Labour price instead (CNY)").fill("0")
    await discount.get_by_label("Reason for the discount").fill("comeback from the last visit")
    await page.get_by_role("button", name="Price the estimate").click()
    await expect(page.locator("[data-total]")).to_have_text(yuan(MENU_TOTAL - 9000))
    await expect(page.locator("[data-approval]")).to_have_text(
        "Beyond your discount authority: waits for the service manager's approval."
    )
    await accessible(page, "reception-menu-discount-waits")
    order = await advisor.ok("GET", f"repair-orders/{ro}")
    assert order["discount_approval"]["required"]
    assert order["discount_approval"]["approved_by"] is None
    await page.context.close()
