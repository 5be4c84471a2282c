"""Sites by name, in a real headless Chromium: the group's administrator names the group's sites
in Chinese and English (booking's site directory, through the API); a service manager of two of
them picks one by its name — in Chinese, then in English — and the header names it; the group's
administrator, signed in before the group adds a third site, finds it in the picker and in the
manager's desk for all sites of the group without signing in again. Every page is checked by
axe-core; screenshots go to var/screenshots/desk/."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from browser import Desk, accessible, desk_beside, new_page, sign_in
from dealership import Person, login
from playwright.async_api import Browser, expect

from events.identity import GROUP_ADMIN
from events.testing.system import RunningSystem

GROUP = str(uuid.uuid4())
FIRST, SECOND, LATER = (str(uuid.uuid4()) for _ in range(3))
# As the demo names its sites (simulator.group): the city and the number, in both languages.
NAMES = {
    FIRST: ("上海1号店", "Shanghai No. 1"),
    SECOND: ("上海2号店", "Shanghai No. 2"),
    LATER: ("上海3号店", "Shanghai No. 3"),
}


@pytest.fixture(scope="module")
def started() -> Iterator[tuple[RunningSystem, Desk]]:
    with desk_beside(["booking"]) as both:
        yield both


async def named(gateway: httpx.AsyncClient, site: str) -> None:
    """The group's administrator names `site` in the group's directory (through the API)."""
    admin: Person = await login(gateway, GROUP, site, GROUP_ADMIN, "admin-gao")
    zh, en = NAMES[site]
    await admin.ok("PUT", "site-profile", {"name_zh": zh, "name_en": en})


async def test_sites_are_picked_and_shown_by_name_and_all_sites_cover_the_groups(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient
) -> None:
    await named(gateway, FIRST)
    await named(gateway, SECOND)

    # A service manager of the two sites, in Chinese: the picker names them.
    page = await new_page(browser, language="zh-CN")
    await sign_in(page, desk, name="manager-zhou", role="service_manager", group=GROUP, sites=[FIRST, SECOND])
    await page.wait_for_url("**/site")
    await expect(page.locator(f"[data-site-choice='{FIRST}']")).to_contain_text("上海1号店")
    await expect(page.locator(f"[data-site-choice='{SECOND}']")).to_contain_text("上海2号店")
    await accessible(page, "site-picker-names-zh")
    # ... and in English.
    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", name="Pick a site")).to_be_visible()
    await expect(page.locator(f"[data-site-choice='{FIRST}']")).to_contain_text("Shanghai No. 1")
    await expect(page.locator(f"[data-site-choice='{SECOND}']")).to_contain_text("Shanghai No. 2")
    await accessible(page, "site-picker-names-en")
    await page.get_by_label("Shanghai No. 2").check()
    await page.get_by_role("button", name="OK").click()
    await page.wait_for_url(f"{desk.url}/")
    await expect(page.locator("[data-site]")).to_have_text("Shanghai No. 2")  # the header names the site
    await accessible(page, "site-named-in-header")

    # The group's administrator signs in (no site on the account: the group's are listed)...
    admin = await new_page(browser, language="en-US")
    await sign_in(admin, desk, name="admin-gao", role="group_admin", group=GROUP, sites=[])
    await admin.wait_for_url("**/site")
    await expect(admin.locator("[data-site-choice]")).to_have_count(2)
    # ... then the group adds a third site: the next look at the picker has it, no new sign-in.
    await named(gateway, LATER)
    await admin.reload()
    await expect(admin.locator(f"[data-site-choice='{LATER}']")).to_contain_text("Shanghai No. 3")
    await accessible(admin, "site-picker-group-admin")
    await admin.get_by_label("All sites of the group").check()
    await admin.get_by_role("button", name="OK").click()
    await admin.wait_for_url(f"{desk.url}/")
    await expect(admin.locator("[data-site]")).to_have_text("All sites of the group")
    await admin.get_by_role("navigation").get_by_role("link", name="Manager's desk", exact=True).click()
    for site, (_, english) in NAMES.items():
        await expect(admin.locator(f"section[data-site='{site}']").get_by_role("heading", level=2)).to_have_text(
            f"Site {english}"
        )
    await accessible(admin, "manager-all-sites-of-the-group")
    for each in (page, admin):
        await each.context.close()
