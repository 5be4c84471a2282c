"""The workshop's three screens in a real headless Chromium, each person in their own browser:
a car the advisor handed over (set up through the API) is dispatched by the dispatcher by
clicking (and re-dispatched to another bay); the technician, on a 10-inch tablet and in Chinese,
reads the concern in the customer's words, clocks on, pauses with a reason, resumes, reports a
priced, safety-critical finding and completes; the dispatcher's floor follows without a reload
and shows the workshop's refusal of a re-dispatch while the job is worked; the QC inspector (in
English) is refused a failure without reasons, fails it with a reason, the technician sees the
rework and completes it, and QC passes the car, which leaves the dispatcher's floor live. The
floor and the QC list follow the workshop's own stream: a technician's pause (no change on the
advisor board) shows on the open floor, a car completed comes to the open QC list. Every page is
checked by axe-core; screenshots go to var/screenshots/desk/."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from browser import TABLET, Desk, accessible, desk_beside, new_page, screenshot, sign_in
from dealership import CONCERN, Person, consent, line, login, signed_and_handed_over, typed
from playwright.async_api import Browser, Page, ViewportSize, expect

from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
DISPATCHER, TECHNICIAN, INSPECTOR = "dispatcher-wang", "tech-zhang", "qc-chen"
PLATE = "沪B88888"  # the helpers' car
WORDS = str(CONCERN["customer_words"])
WAIT = 45_000
SMALL_TABLET: ViewportSize = {"width": 1024, "height": 768}


@pytest.fixture(scope="module")
def started() -> Iterator[tuple[RunningSystem, Desk]]:
    with desk_beside(["catalogue", "reception", "workshop"]) as both:
        yield both


async def opened(page: Page, desk: Desk, name: str, role: str, link: str) -> None:
    """Signed in as `name` and on the screen its navigation names `link`."""
    await sign_in(page, desk, name=name, role=role, group=GROUP, sites=[SITE])
    await page.wait_for_url(f"{desk.url}/")
    await page.get_by_role("navigation").get_by_role("link", name=link, exact=True).click()


async def test_a_car_is_dispatched_worked_failed_at_qc_reworked_and_passed_through_the_screens(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient
) -> None:
    # The advisor's part, through the API: a car signed and handed over with one brake job.
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    watcher = await login(gateway, GROUP, SITE, "service_manager", "manager-zhou")
    work = typed(line("front brake pads", 24000, "04465-02220", 1, 38000), "diagnosed: not on the menu")
    ro = await signed_and_handed_over(advisor, work, promised_in=timedelta(hours=2))
    (job,) = [str(line["line_id"]) for line in (await advisor.ok("GET", f"repair-orders/{ro}"))["lines"]]
    await watcher.until(f"work-orders/{ro}", lambda w: w["key_tag"] == "K-42", "the car in the workshop")

    # The dispatcher (English, at the desk PC): the car waits; dispatched, then moved to another bay.
    dispatcher = await new_page(browser, language="en-US")
    await opened(dispatcher, desk, DISPATCHER, "dispatcher", "Dispatch")
    await expect(dispatcher.get_by_role("heading", name="Dispatch", level=1)).to_be_visible()
    car = dispatcher.locator(f"[data-car='{ro}']")
    await expect(car.get_by_role("heading", name=PLATE)).to_be_visible()
    await expect(car.locator("[data-stage]")).to_have_text("waiting dispatch")
    await accessible(dispatcher, "dispatch-waiting")
    row = dispatcher.locator(f"[data-job='{job}']")
    await row.get_by_label("Technician").fill(TECHNICIAN)
    await row.get_by_label("Bay").fill("B1")
    await row.get_by_role("button", name="Dispatch").click()
    await expect(dispatcher.locator("[data-done]")).to_have_text("Dispatched.")
    await expect(row.locator("[data-technician]")).to_have_text(TECHNICIAN)
    await expect(row.locator("[data-bay]")).to_have_text("B1")
    await row.get_by_label("Bay").fill("B2")
    await row.get_by_role("button", name="Re-dispatch").click()
    await expect(row.locator("[data-bay]")).to_have_text("B2")
    await expect(row.locator("[data-status]")).to_have_text("dispatched")
    await expect(dispatcher.locator("[data-bay-row='B2']")).to_contain_text("front brake pads")
    await accessible(dispatcher, "dispatch-dispatched")

    # The technician (Chinese, on the tablet): the concern in the customer's words; clock on.
    technician = await new_page(browser, language="zh-CN", viewport=TABLET)
    await opened(technician, desk, TECHNICIAN, "technician", "我的作业")
    await expect(technician.get_by_role("heading", name="我的作业", level=1)).to_be_visible()
    mine = technician.locator(f"[data-job='{job}']")
    await expect(technician.locator("[data-concerns]")).to_contain_text(WORDS)
    await expect(mine.locator("[data-status]")).to_have_text("已派工")
    start = mine.get_by_role("button", name="开工")
    assert (await start.bounding_box() or {"height": 0})["height"] >= 44  # a finger's target
    await accessible(technician, "technician-my-jobs-tablet")
    await start.click()
    await expect(technician.locator("[data-done]")).to_have_text("已开工。")
    await expect(mine.locator("[data-status]")).to_have_text("施工中")

    # The dispatcher's floor follows without a reload; the workshop refuses moving a job being worked.
    await expect(row.locator("[data-status]")).to_have_text("in progress", timeout=WAIT)
    await expect(car.locator("[data-stage]")).to_have_text("in progress")
    await expect(dispatcher.locator(f"[data-technician-row='{TECHNICIAN}']")).to_contain_text("front brake pads")
    await screenshot(dispatcher, "dispatch-live-in-progress")
    await row.get_by_label("Technician").fill("tech-li")
    await row.get_by_role("button", name="Re-dispatch").click()
    refused = dispatcher.locator("[data-problem]")  # above the live floor, which may refresh meanwhile
    await expect(refused).to_have_text("A technician is working on this job: have them pause it before re-dispatching.")
    await expect(dispatcher.locator(f"[data-job='{job}']").get_by_label("Technician")).to_have_value("tech-li")
    await accessible(dispatcher, "dispatch-refused")

    # Pause with a reason, resume, report a finding, complete.
    await mine.get_by_label("暂停原因").select_option(label="等待工具")
    await mine.get_by_role("button", name="暂停").click()
    await expect(mine.locator("[data-status]")).to_have_text("已暂停")
    await mine.get_by_role("button", name="继续").click()
    await expect(mine.locator("[data-status]")).to_have_text("施工中")
    await technician.get_by_role("link", name="报增项").click()
    await expect(technician.get_by_role("heading", name=f"报增项 · {PLATE}", level=1)).to_be_visible()
    await technician.get_by_label("发现的问题").fill("前刹车盘磨损超限")
    await technician.get_by_label("涉及安全").check()
    await technician.get_by_label("需增加的时间(分钟)").fill("60")
    await technician.get_by_label("工时代码").fill("BRAKE-DISC-F")
    await technician.get_by_label("项目说明").fill("更换前刹车盘")
    await technician.get_by_label("工时(分钟)", exact=True).fill("60")
    await technician.get_by_label("工时费(元)").fill("240.00")
    await technician.get_by_label("备件号").fill("43512-02220")
    await technician.get_by_label("数量").fill("2")
    await technician.get_by_label("单价(元)").fill("450.5")
    await accessible(technician, "technician-findings-tablet")
    await technician.get_by_role("button", name="报给服务顾问").click()
    await expect(technician.locator("[data-done]")).to_have_text("增项已报给服务顾问。")
    found = await advisor.until(f"repair-orders/{ro}", lambda r: bool(r["findings"]), "the finding at reception")
    (finding,) = found["findings"]
    assert finding["safety_critical"]
    assert finding["extra_minutes"] == 60
    (proposed,) = finding["lines"]
    assert (proposed["labour_price"], proposed["parts"][0]["unit_price"]) == (24000, 45050)  # yuan typed, fen sent
    await mine.get_by_role("button", name="完工").click()
    await expect(technician.locator("[data-done]")).to_have_text("已完工。")
    await expect(technician.locator("[data-no-jobs]")).to_be_visible()

    # The advisor's part, through the API: the customer declines the extra work.
    decline = {"consent": consent("advisor-li"), "customer_reason": "next month", "safety_explained": True}
    await advisor.ok("POST", f"repair-orders/{ro}/additional-work/{finding['finding_id']}/decline", decline)
    await until_stage(watcher, ro, "quality_check")

    # The QC inspector (English): a failure needs its reasons; failed once, sent back.
    inspector = await new_page(browser, language="en-US")
    await opened(inspector, desk, INSPECTOR, "qc_inspector", "Quality check")
    checked = inspector.locator(f"article[data-car='{ro}']")
    await expect(checked.get_by_role("heading", name=PLATE)).to_be_visible()
    await expect(checked.locator(".concerns")).to_contain_text(WORDS)
    await accessible(inspector, "qc-awaiting")
    await checked.get_by_role("button", name="Fail and send back").click()
    await expect(inspector.locator("[data-refused]")).to_have_text("Some entries need a change: see the marked fields.")
    checked = inspector.locator(f"article[data-car='{ro}']")
    await checked.get_by_label("front brake pads (technician tech-zhang)").check()
    await checked.get_by_label("Reasons it fails (one a line)").fill("front brakes still squeal")
    await checked.get_by_role("button", name="Fail and send back").click()
    await expect(inspector.locator("[data-done]")).to_have_text("Failed: sent back to the technician for rework.")
    await expect(inspector.locator("[data-reworking]")).to_contain_text(PLATE)
    await expect(inspector.locator("[data-reworking]")).to_contain_text("front brake pads (tech-zhang, dispatched)")
    await accessible(inspector, "qc-failed")

    # The technician sees the rework without touching the tablet (the workshop's stream), works it and completes it.
    await expect(mine.locator("[data-rework]")).to_have_text("质检返工", timeout=WAIT)
    await expect(mine.locator("[data-status]")).to_have_text("已派工")
    await accessible(technician, "technician-rework-tablet")
    await technician.set_viewport_size(SMALL_TABLET)  # the smaller tablets: still usable, still clean
    await accessible(technician, "technician-rework-tablet-1024")
    await mine.get_by_role("button", name="开工").click()
    await expect(mine.locator("[data-status]")).to_have_text("施工中")
    await mine.get_by_role("button", name="完工").click()
    await expect(technician.locator("[data-no-jobs]")).to_be_visible()
    await until_stage(watcher, ro, "quality_check")

    # QC passes it: the car is ready, and leaves the dispatcher's floor without a reload.
    await inspector.goto(f"{desk.url}/qc")
    checked = inspector.locator(f"article[data-car='{ro}']")
    await expect(checked.locator(".badge")).to_have_text("QC failed: 1")
    await checked.get_by_role("button", name="Pass").click()
    await expect(inspector.locator("[data-done]")).to_have_text("Passed: the car is ready for delivery.")
    await expect(inspector.locator(f"article[data-car='{ro}']")).to_have_count(0)
    await accessible(inspector, "qc-passed")
    await expect(dispatcher.get_by_text("No cars in the workshop.")).to_be_visible(timeout=WAIT)
    await screenshot(dispatcher, "dispatch-live-ready")
    assert (await watcher.ok("GET", f"work-orders/{ro}"))["status"] == "ready"
    for page in (dispatcher, technician, inspector):
        await page.context.close()


async def test_the_tablet_shows_a_job_dispatched_to_the_technician_without_a_reload(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient
) -> None:
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    foreman = await login(gateway, GROUP, SITE, "dispatcher", DISPATCHER)
    work = typed(line("wiper blades", 3000, "85222-02220", 1, 9000), "diagnosed: not on the menu")
    ro = await signed_and_handed_over(advisor, work, promised_in=timedelta(hours=3))
    (job,) = [str(line["line_id"]) for line in (await advisor.ok("GET", f"repair-orders/{ro}"))["lines"]]
    await foreman.until(f"work-orders/{ro}", lambda w: w["key_tag"] == "K-42", "the car in the workshop")

    # The technician's tablet is open on My jobs, with nothing of theirs yet.
    tablet = await new_page(browser, language="en-US", viewport=TABLET)
    await opened(tablet, desk, "tech-liu", "technician", "My jobs")
    await expect(tablet.get_by_role("heading", name="My jobs", level=1)).to_be_visible()
    await expect(tablet.locator("[data-no-jobs]")).to_be_visible()
    await expect(tablet.get_by_role("link", name="Refresh")).to_have_count(0)  # no button to press any more
    await tablet.evaluate("window.stillThisPage = true")  # gone if the page were loaded again

    # The dispatcher sends the job to this technician (through the API): it appears on the open tablet.
    await foreman.ok("POST", f"work-orders/{ro}/jobs/{job}/dispatch", {"technician_id": "tech-liu", "bay": "B3"})
    arrived = tablet.locator(f"[data-job='{job}']")
    await expect(arrived.locator("[data-status]")).to_have_text("dispatched", timeout=WAIT)
    await expect(arrived.get_by_role("button", name="Clock on")).to_be_visible()
    assert await tablet.evaluate("window.stillThisPage === true"), "the job came without a reload"
    await accessible(tablet, "technician-live-dispatched")
    await tablet.context.close()


async def test_the_dispatch_floor_and_the_qc_list_follow_the_technicians_work_without_a_reload(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient
) -> None:
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    foreman = await login(gateway, GROUP, SITE, "dispatcher", "dispatcher-zhao")
    tech = await login(gateway, GROUP, SITE, "technician", "tech-wu")
    work = typed(line("cabin filter", 4000, "87139-02090", 1, 12000), "diagnosed: not on the menu")
    ro = await signed_and_handed_over(advisor, work, promised_in=timedelta(hours=3))
    (job,) = [str(line["line_id"]) for line in (await advisor.ok("GET", f"repair-orders/{ro}"))["lines"]]
    await foreman.until(f"work-orders/{ro}", lambda w: w["key_tag"] == "K-42", "the car in the workshop")
    await foreman.ok("POST", f"work-orders/{ro}/jobs/{job}/dispatch", {"technician_id": "tech-wu", "bay": "B4"})

    # The dispatcher's floor (English) and the QC list (Chinese) are open; the car is not at QC yet.
    floor = await new_page(browser, language="en-US")
    await opened(floor, desk, DISPATCHER, "dispatcher", "Dispatch")
    row = floor.locator(f"[data-job='{job}']")
    await expect(row.locator("[data-status]")).to_have_text("dispatched", timeout=WAIT)
    qc = await new_page(browser, language="zh-CN")
    await opened(qc, desk, INSPECTOR, "qc_inspector", "质检")
    await expect(qc.get_by_role("heading", name="质检", level=1)).to_be_visible()
    await expect(qc.locator(f"article[data-car='{ro}']")).to_have_count(0)
    for page in (floor, qc):
        await page.evaluate("window.stillThisPage = true")  # gone if the page were loaded again

    # The technician clocks on and pauses (through the API): a pause is no change on the advisor
    # board, only on the workshop's own stream, and the floor shows it.
    await tech.ok("POST", f"work-orders/{ro}/jobs/{job}/start", {})
    await expect(row.locator("[data-status]")).to_have_text("in progress", timeout=WAIT)
    await tech.ok("POST", f"work-orders/{ro}/jobs/{job}/pause", {"reason": "break"})
    await expect(row.locator("[data-status]")).to_have_text("paused", timeout=WAIT)
    await screenshot(floor, "dispatch-live-paused")

    # Resumed and completed: the car comes to the open QC list, its job to check with it.
    await tech.ok("POST", f"work-orders/{ro}/jobs/{job}/start", {})
    await tech.ok("POST", f"work-orders/{ro}/jobs/{job}/complete", {})
    arrived = qc.locator(f"article[data-car='{ro}']")
    await expect(arrived.get_by_role("heading", name=PLATE)).to_be_visible(timeout=WAIT)
    await expect(arrived.get_by_label("cabin filter(技师 tech-wu)")).to_be_visible()
    await expect(row.locator("[data-status]")).to_have_text("completed", timeout=WAIT)
    for page in (floor, qc):
        assert await page.evaluate("window.stillThisPage === true"), "the change came without a reload"
    await accessible(qc, "qc-live-arrived-zh")
    for page in (floor, qc):
        await page.context.close()


async def until_stage(person: Person, ro: str, stage: str) -> None:
    await person.until(
        "work-orders", lambda rows: any(r["repair_order_id"] == ro and r["stage"] == stage for r in rows), stage
    )
