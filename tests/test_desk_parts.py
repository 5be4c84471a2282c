"""The parts counter in a real headless Chromium: a signed RO's job reserves two oil filters
with one on the shelf (set up through the API); the parts clerk (in English) sees the pick list
and the shortage, issues the one on the shelf, places an emergency order for the other, receives
it (it goes to the waiting line first), issues it, returns one unused; then (in Chinese)
requests a transfer from a sister site of the group, whose clerk (another browser) dispatches
it — the first clerk's orders follow without a reload — and adjusts a stocktake difference
with its reason, beside the price list's price. Every page is checked by axe-core; screenshots
go to var/screenshots/desk/."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from browser import TIME_ZONE, Desk, accessible, desk_beside, new_page, screenshot, sign_in
from dealership import Person, line, login, signed_and_handed_over, typed
from playwright.async_api import Browser, Page, Route, expect

from events.identity import GROUP_ADMIN
from events.testing.system import RunningSystem

GROUP, SITE, SISTER = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
CLERK, SISTER_CLERK = "clerk-zhao", "clerk-qian"
FILTER, WASHER = "04152-YZZA1", "90430-12031"  # on the demo price list: ¥68.00 and ¥3.00
PRICE_LIST = Path(__file__).resolve().parents[1] / "examples" / "catalogue" / "parts_price_list.csv"
WAIT = 45_000


@pytest.fixture(scope="module")
def started() -> Iterator[tuple[RunningSystem, Desk]]:
    with desk_beside(["catalogue", "reception", "parts"]) as both:
        yield both


async def price_list(gateway: httpx.AsyncClient) -> None:
    """The group's parts price list (the demo's), in force from today, loaded by a group admin."""
    body = {"user_id": "admin-gao", "name": "Gao Lan", "group_id": GROUP, "roles": [GROUP_ADMIN], "site_ids": [SITE]}
    token = (await gateway.post("/auth/dev-token", json=body)).json()["access_token"]
    today = datetime.now(ZoneInfo(TIME_ZONE)).date().isoformat()
    loaded = await gateway.post(
        f"/api/v1/sites/{SITE}/price-lists",
        params={"effective_from": today},
        content=PRICE_LIST.read_bytes(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
    )
    assert loaded.is_success, loaded.text


async def opened(page: Page, desk: Desk, name: str, site: str, link: str) -> None:
    await sign_in(page, desk, name=name, role="parts_clerk", group=GROUP, sites=[site])
    await page.wait_for_url(f"{desk.url}/")
    await page.get_by_role("navigation").get_by_role("link", name=link, exact=True).click()


def reserved_for(ro: str) -> Any:
    def check(shelf: dict[str, Any]) -> bool:
        return any(r["repair_order_id"] == ro and (r["held"], r["waiting"]) == (1, 1) for r in shelf["reservations"])

    return check


async def test_the_clerk_picks_issues_orders_receives_returns_transfers_and_counts_through_the_screens(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient
) -> None:
    # Other people's part, through the API: the price list, one filter on the shelf, the sister
    # site's washers, and a signed RO whose job needs two filters (one short).
    await price_list(gateway)
    clerk_api = await login(gateway, GROUP, SITE, "parts_clerk", CLERK)
    sister_api = await login(gateway, GROUP, SISTER, "parts_clerk", SISTER_CLERK)
    await clerk_api.ok("POST", f"stock/{FILTER}/receipts", {"quantity": 1, "unit_cost": 4420}, status=201)
    await sister_api.ok("POST", f"stock/{WASHER}/receipts", {"quantity": 10, "unit_cost": 120}, status=201)
    await sister_api.until("stock", lambda rows: any(r["part_number"] == WASHER for r in rows), "the sister's shelf")
    advisor: Person = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    work = typed(line("oil service", 8000, FILTER, 2, 6800), "sublet: typed at the desk")
    ro = await signed_and_handed_over(advisor, work, promised_in=timedelta(hours=3))
    (job,) = [str(line["line_id"]) for line in (await advisor.ok("GET", f"repair-orders/{ro}"))["lines"]]
    await clerk_api.until(f"stock/{FILTER}", reserved_for(ro), "the RO's filters reserved, one short")

    # The clerk (English): the pick list with the held part and the shortage.
    page = await new_page(browser, language="en-US")
    await opened(page, desk, CLERK, SITE, "Parts")
    await expect(page.get_by_role("heading", name="Parts counter", level=1)).to_be_visible()
    row = page.locator(f"[data-pick='{job}-{FILTER}']")
    await expect(row.get_by_role("heading")).to_contain_text("沪B88888 · oil service")
    await expect(row.locator("[data-held]")).to_have_text("1 held")
    await expect(row.locator("[data-waiting]")).to_have_text("1 short")
    await expect(page.locator(f"[data-short='{FILTER}'] [data-backordered]")).to_have_text("1")
    await accessible(page, "parts-pick-list")

    # Issue what is on the shelf; order the other one urgently.
    await row.get_by_label("Quantity to issue", exact=True).fill("1")
    await row.get_by_role("button", name="Issue", exact=True).click()
    await expect(page.locator("[data-done]")).to_have_text("Issued.")
    await expect(row.locator("[data-held]")).to_have_text("0 held")
    await row.get_by_text("Emergency order").click()
    await row.get_by_label("Supplier", exact=True).fill("FAW-VW Tianjin")
    await row.get_by_label("Cost per part (yuan, optional)", exact=True).fill("45.50")
    expected = (datetime.now(ZoneInfo(TIME_ZONE)) + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    await row.get_by_label("Expected at", exact=True).fill(expected)
    await accessible(page, "parts-emergency-order-form")
    await row.get_by_role("button", name="Place order", exact=True).click()
    await expect(page.locator("[data-done]")).to_have_text("Emergency order placed.")

    # Goods in, at the order's cost; the part goes to the waiting line first.
    await page.get_by_role("navigation", name="Parts pages").get_by_role("link", name="Orders and transfers").click()
    order = page.locator("[data-order]").filter(has_text="FAW-VW Tianjin")
    await expect(order.locator("[data-status]")).to_have_text("ordered")
    await expect(order.locator(f"[data-line='{FILTER}']")).to_contain_text("¥45.50")
    await accessible(page, "parts-orders")
    await order.get_by_role("button", name="Receive", exact=True).click()
    await expect(page.locator("[data-done]")).to_have_text("Received into stock.")
    await page.get_by_role("navigation", name="Parts pages").get_by_role("link", name="Today's picking").click()
    await expect(row.locator("[data-held]")).to_have_text("1 held", timeout=WAIT)
    await expect(row.locator("[data-waiting]")).to_have_count(0)
    await expect(page.locator("[data-no-shortage]")).to_be_visible()

    # Issue the rest; one comes back unused.
    await row.get_by_label("Quantity to issue", exact=True).fill("1")
    await row.get_by_role("button", name="Issue", exact=True).click()
    await expect(page.locator("[data-done]")).to_have_text("Issued.")
    await row.get_by_label("Quantity to return", exact=True).fill("1")
    await row.get_by_role("button", name="Return", exact=True).click()
    await expect(page.locator("[data-done]")).to_have_text("Returned to the shelf.")
    await accessible(page, "parts-returned")
    await row.get_by_label("Quantity to return", exact=True).fill("5")
    await row.get_by_role("button", name="Return", exact=True).click()
    await expect(row.locator("[data-refused]")).to_have_text("More than was issued to this line: check the quantity.")
    await expect(row.get_by_label("Quantity to return", exact=True)).to_have_value("5")

    # In Chinese: a transfer from the sister site.
    await page.get_by_role("navigation", name="Parts pages").get_by_role("link", name="Orders and transfers").click()
    await page.get_by_role("link", name="中文").click()
    await expect(page.get_by_role("heading", name="订货与调拨", level=1)).to_be_visible()
    await page.get_by_label("调出门店(门店编号)", exact=True).fill(SISTER)
    await page.get_by_label("备件号", exact=True).fill(WASHER)
    await page.get_by_label("数量", exact=True).fill("2")
    await page.get_by_role("button", name="申请调拨").click()
    await expect(page.locator("[data-done]")).to_have_text("调拨申请已发出。")
    transfer = page.locator("[data-order]").filter(has_text=f"从门店 {SISTER} 调入")
    await expect(transfer.locator("[data-status]")).to_have_text("待调出", timeout=WAIT)
    await accessible(page, "parts-transfer-requested-zh")

    # The sister site's clerk (another browser) dispatches it; the first clerk's list follows.
    sister = await new_page(browser, language="zh-CN")
    await opened(sister, desk, SISTER_CLERK, SISTER, "备件")
    await sister.get_by_role("navigation", name="备件页面").get_by_role("link", name="订货与调拨").click()
    asked = sister.locator("[data-order]").filter(has_text=f"调拨给门店 {SITE}")
    await expect(asked.locator("[data-status]")).to_have_text("待调出", timeout=WAIT)
    await expect(asked).to_contain_text(f"{WASHER} \u00d7 2")
    await accessible(sister, "parts-transfer-to-dispatch-zh")
    await asked.get_by_role("button", name="发出调拨").click()
    await expect(sister.locator("[data-done]")).to_have_text("调拨已发出。")
    await expect(transfer.locator("[data-status]")).to_have_text("在途", timeout=WAIT)
    await screenshot(page, "parts-transfer-live-in-transit-zh")

    # Stocktake: the shelf beside the price list's price; a difference adjusted with its reason.
    await page.get_by_role("navigation", name="备件页面").get_by_role("link", name="库存与盘点").click()
    await page.get_by_role("search").get_by_label("备件号", exact=True).fill(FILTER)
    await page.get_by_role("button", name="查询").click()
    shelf = page.locator(f"[data-shelf='{FILTER}']")
    await expect(shelf.locator("[data-on-hand]")).to_have_text("1")
    await expect(shelf.locator("[data-list-price]")).to_have_text("¥68.00")
    await accessible(page, "parts-stock-zh")
    await shelf.get_by_label("实盘数量", exact=True).fill("0")
    await shelf.get_by_label("差异原因", exact=True).fill("盘点发现包装破损,已报废")
    await shelf.get_by_role("button", name="调整库存").click()
    await expect(page.locator("[data-done]")).to_have_text("盘点已调整。")
    await expect(page.locator(f"[data-shelf='{FILTER}'] [data-on-hand]")).to_have_text("0")
    await accessible(page, "parts-stocktake-adjusted-zh")


async def test_a_new_jobs_parts_appear_on_the_open_pick_list_without_a_reload(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient
) -> None:
    clerk_api = await login(gateway, GROUP, SITE, "parts_clerk", CLERK)
    page = await new_page(browser, language="en-US")
    await opened(page, desk, CLERK, SITE, "Parts")
    await expect(page.get_by_role("heading", name="Parts counter", level=1)).to_be_visible()
    await page.evaluate("window.stillThisPage = true")  # gone if the page were loaded again

    # The advisor signs a job needing three washers none of which are on this shelf (through the
    # API): parts reserves them for the line, and the open pick list shows it.
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    work = typed(line("sump plug", 2000, WASHER, 3, 300), "sublet: typed at the desk")
    ro = await signed_and_handed_over(advisor, work, promised_in=timedelta(hours=2))
    (job,) = [str(line["line_id"]) for line in (await advisor.ok("GET", f"repair-orders/{ro}"))["lines"]]
    row = page.locator(f"[data-pick='{job}-{WASHER}']")
    await expect(row.locator("[data-waiting]")).to_have_text("3 short", timeout=WAIT)
    await expect(row.get_by_role("heading")).to_contain_text("sump plug")
    assert await page.evaluate("window.stillThisPage === true"), "the job came without a reload"
    shelf = await clerk_api.ok("GET", f"stock/{WASHER}")
    assert any(r["repair_order_id"] == ro and r["waiting"] == 3 for r in shelf["reservations"])
    await accessible(page, "parts-pick-list-live")
    await page.context.close()


class HeldStream:
    """The page's live stream held at the network until `release()`: a test decides what happens
    between the page's render and the moment its stream opens."""

    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self.released = asyncio.Event()

    async def hold(self, route: Route) -> None:
        self.reached.set()
        await self.released.wait()
        await route.continue_()

    def release(self) -> None:
        self.released.set()


async def transfer(clerk_api: Person) -> str:
    """A transfer of one washer from the sister site, requested through the API (a colleague at
    another counter), once the site's orders list holds it."""
    body = {"from_site_id": SISTER, "lines": [{"part_number": WASHER, "quantity": 1}]}
    order = str((await clerk_api.ok("POST", "parts-orders/transfers", body, status=201))["parts_order_id"])
    await clerk_api.until("parts-orders", lambda rows: any(r["parts_order_id"] == order for r in rows), "the transfer")
    return order


async def test_a_change_before_the_live_stream_opens_shows_and_no_change_keeps_what_was_typed(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient
) -> None:
    """The race a clerk met: the orders page rendered, a transfer requested (and the list's read
    model told of it) before the page's live stream was open, and no later change to announce it."""
    clerk_api = await login(gateway, GROUP, SITE, "parts_clerk", CLERK)
    sister_api = await login(gateway, GROUP, SISTER, "parts_clerk", SISTER_CLERK)
    await sister_api.ok("POST", f"stock/{WASHER}/receipts", {"quantity": 2, "unit_cost": 120}, status=201)
    await sister_api.until("stock", lambda rows: any(r["part_number"] == WASHER for r in rows), "the sister's shelf")
    first = await transfer(clerk_api)
    page = await new_page(browser, language="en-US")
    await opened(page, desk, CLERK, SITE, "Parts")
    await expect(page.get_by_role("heading", name="Parts counter", level=1)).to_be_visible()

    # Nothing changes while the stream opens: the region reads itself again and keeps what the
    # clerk typed in it (the answer is what it shows).
    held = HeldStream()
    await page.route("**/live/parts", held.hold)
    await page.goto(f"{desk.url}/parts/orders")
    await asyncio.wait_for(held.reached.wait(), WAIT / 1000)
    arrived = page.locator(f"#r-{first}-1")
    await arrived.fill("7")
    await arrived.blur()
    async with page.expect_response(lambda r: r.url.endswith("/parts/orders/list")) as read_again:
        held.release()
    assert (await read_again.value).ok
    await expect(arrived).to_have_value("7")

    # A transfer lands between the page's render and its stream: the list shows it on opening.
    held = HeldStream()
    await page.unroute("**/live/parts")
    await page.route("**/live/parts", held.hold)
    await page.reload()
    await asyncio.wait_for(held.reached.wait(), WAIT / 1000)
    second = await transfer(clerk_api)
    await expect(page.locator(f"[data-order='{second}']")).to_have_count(0)  # the page is older than it
    held.release()
    await expect(page.locator(f"[data-order='{second}'] [data-status]")).to_have_text("requested", timeout=WAIT)
    await accessible(page, "parts-orders-change-before-stream")
    await page.context.close()
