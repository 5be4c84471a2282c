"""The RO after hand-over in a real headless Chromium beside booking (the printed papers' time
zone), the catalogue, reception, the workshop, billing and the gateway as processes. Set up
through the API by the people whose work it is: the advisor's car signed and handed over,
dispatched and started, and the technician's two findings (worn discs, safety-critical; wiper
blades). Then the advisor, by clicking only, in Chinese: approves the discs with the customer's
signature as consent, declines the wipers with the customer's reason (kept as a recommendation),
revises the promise with its reason and a recorded phone call; the workshop finishes and QC
passes (through the API) and the page follows live; in English: the car waits for the cashier;
once billing took the money (through the API) the invoice shows and prints; the advisor delivers
with the checklist, reads the next service as reception worked it out, and reads the RO's
history. Every page is checked by axe-core; screenshots go to var/screenshots/desk/."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from browser import Desk, accessible, desk_beside, new_page, sign_in
from dealership import Person, line, login, signed_and_handed_over, typed
from playwright.async_api import Browser, expect

from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
ADVISOR = "advisor-li"
PLATE = "沪B88888"  # the helpers' car
WAIT = 45_000


@pytest.fixture(scope="module")
def started() -> Iterator[tuple[RunningSystem, Desk]]:
    with desk_beside(["booking", "catalogue", "reception", "workshop", "billing"]) as both:
        yield both


async def finish_the_work(dispatcher: Person, technician: Person, advisor: Person, ro: str) -> None:
    """The floor's part: every approved job dispatched, worked and completed."""
    wpath = f"work-orders/{ro}"
    work = await dispatcher.until(wpath, lambda w: len(w["jobs"]) == 2, "the approved job in the workshop")
    for job in work["jobs"]:
        if job["status"] == "planned":
            body = {"technician_id": technician.user, "bay": "B2"}
            await dispatcher.ok("POST", f"{wpath}/jobs/{job['job_id']}/dispatch", body)
            await technician.ok("POST", f"{wpath}/jobs/{job['job_id']}/start")
        await technician.ok("POST", f"{wpath}/jobs/{job['job_id']}/complete")


async def test_the_advisor_takes_a_car_from_its_findings_to_delivery_and_reads_its_history(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient
) -> None:
    advisor = await login(gateway, GROUP, SITE, "advisor", ADVISOR)
    dispatcher = await login(gateway, GROUP, SITE, "dispatcher", "dispatcher-wang")
    technician = await login(gateway, GROUP, SITE, "technician", "tech-zhang")
    inspector = await login(gateway, GROUP, SITE, "qc_inspector", "qc-chen")
    cashier = await login(gateway, GROUP, SITE, "cashier", "cashier-liu")
    work = typed(line("front brake pads", 24000, "04465-02220", 1, 38000), "diagnosed: not on the menu")
    ro = await signed_and_handed_over(advisor, work, promised_in=timedelta(hours=2))
    wpath, rpath = f"work-orders/{ro}", f"repair-orders/{ro}"
    (job,) = [j["job_id"] for j in (await dispatcher.until(wpath, lambda w: w["key_tag"] == "K-42", "the car"))["jobs"]]
    await dispatcher.ok("POST", f"{wpath}/jobs/{job}/dispatch", {"technician_id": technician.user, "bay": "B1"})
    await technician.ok("POST", f"{wpath}/jobs/{job}/start")
    findings = [
        {
            "description": "前刹车盘磨损超限",
            "safety_critical": True,
            "proposed_lines": [line("front brake discs", 40000, "DISC-F", 2, 52000)],
            "extra_minutes": 60,
        },
        {
            "description": "雨刮片老化",
            "safety_critical": False,
            "proposed_lines": [line("wiper blades", 2000, "WIPER-1", 2, 6000)],
            "extra_minutes": 10,
        },
    ]
    await technician.ok("POST", f"{wpath}/findings", {"findings": findings}, status=201)
    await advisor.until(rpath, lambda r: len(r["findings"]) == 2, "the findings at the desk")

    # The advisor, in Chinese: the RO after hand-over with both findings waiting.
    page = await new_page(browser, language="zh-CN")
    await sign_in(page, desk, name=ADVISOR, role="advisor", group=GROUP, sites=[SITE])
    await page.wait_for_url(f"{desk.url}/")
    await page.goto(f"{desk.url}/ro/{ro}")
    await expect(page.get_by_role("heading", name=f"维修工单 {PLATE}", level=1)).to_be_visible()
    await expect(page.locator("[data-status]")).to_have_text("增项待客户确认")
    await expect(page.locator("[data-workshop]")).to_contain_text("维修中")
    await expect(page.locator("[data-key-tag]")).to_have_text("K-42")  # the keys taken at the hand-over
    discs = page.locator("article[data-finding='前刹车盘磨损超限']")
    await expect(discs.locator("[data-safety]")).to_have_text("涉及安全")
    await expect(discs).to_contain_text("需增加 60 分钟")
    await expect(discs).to_contain_text("¥400.00")
    await accessible(page, "ro-findings-zh")

    # The discs: the customer signs the additional-work sheet.
    approve = discs.locator("form[data-approve]")
    await approve.get_by_label("确认方式").select_option("signature")
    await approve.get_by_label("凭证编号").fill("AW-0001")
    await approve.get_by_role("button", name="记录同意").click()
    await expect(page.locator("[data-done]")).to_have_text("已记录客户同意,增项已加入工单并通知车间。")
    await expect(page.locator("[data-decision='approved']")).to_contain_text("前刹车盘磨损超限")
    await expect(page.locator("[data-decision='approved']")).to_contain_text("客户签字 AW-0001")

    # The wipers: declined on the phone, first without a reference (the API wants the consent).
    decline = page.locator("article[data-finding='雨刮片老化'] form[data-decline]")
    await decline.get_by_label("确认方式").select_option("phone")
    await decline.get_by_label("客户拒绝的原因").fill("下次保养时再换")
    await decline.get_by_role("button", name="记录拒绝").click()
    await expect(page.locator("[data-problem]")).to_have_text("部分内容需要修改,请查看标出的字段。")
    decline = page.locator("article[data-finding='雨刮片老化'] form[data-decline]")
    await expect(decline.get_by_label("客户拒绝的原因")).to_have_value("下次保养时再换")
    await accessible(page, "ro-decline-refused-zh")
    await decline.get_by_label("凭证编号").fill("REC-0042")
    await decline.get_by_role("button", name="记录拒绝").click()
    await expect(page.locator("[data-done]")).to_have_text("已记录客户拒绝,该项目作为建议保留到下次来店。")
    declined = page.locator("[data-decision='declined']")
    await expect(declined).to_contain_text("记为建议项目")
    await expect(declined).to_contain_text("下次保养时再换")
    await expect(page.locator("[data-no-pending]")).to_be_visible()

    # The promise: later, because of the extra work, agreed on a recorded call.
    later = (datetime.now(UTC) + timedelta(days=1)).replace(minute=30, second=0, microsecond=0)
    promise = page.locator("form[data-promise-form]")
    await promise.get_by_label("新的承诺交车时间").fill(later.strftime("%Y-%m-%dT%H:%M"))
    await promise.get_by_label("原因", exact=True).fill("增加刹车盘更换")
    await promise.get_by_label("确认方式").select_option("phone")
    await promise.get_by_label("凭证编号").fill("REC-0043")
    await promise.get_by_role("button", name="记录新的承诺时间").click()
    await expect(page.locator("[data-done]")).to_have_text("已记录新的承诺交车时间。")
    await expect(page.locator("[data-promise]")).to_contain_text(later.strftime("%Y-%m-%d %H:%M"))
    await expect(page.locator("[data-promise]")).to_contain_text("最初承诺")
    await accessible(page, "ro-decided-zh")

    # The floor finishes and QC passes (through the API): the page follows without a reload.
    await finish_the_work(dispatcher, technician, advisor, ro)
    await inspector.ok("POST", f"{wpath}/quality-checks", {"passed": True}, status=201)
    await expect(page.locator("[data-status]")).to_have_text("待交车", timeout=WAIT)

    # In English: the car waits for the cashier; then billing takes the money (through the API).
    await page.get_by_role("link", name="English").click()
    await expect(page.locator("[data-awaiting-payment]")).to_contain_text("the customer settles at the cashier")
    await expect(page.locator("[data-delivery-form]")).to_have_count(0)
    await accessible(page, "ro-ready-en")
    # The cashier issues the invoice (through the API): on the RO page, issued and not paid yet.
    issued = await cashier.ok("POST", "invoices", {"repair_order_id": ro, "series": "service"}, status=201)
    await page.reload()
    await expect(page.locator("[data-invoice-number]")).to_have_text(issued["number"])
    await expect(page.locator("[data-invoice-state]")).to_have_text("issued, not paid yet")
    balance = issued["balance"]
    await expect(page.locator("[data-invoice-balance]")).to_have_text(f"¥{balance // 100:,}.{balance % 100:02d}")
    await accessible(page, "ro-issued-en")
    payment = {"method": "card", "amount": issued["balance"]}
    invoice = await cashier.ok("POST", f"invoices/{issued['invoice_id']}/payments", payment, status=201)
    await cashier.until(f"repair-orders/{ro}", lambda r: r["status"] == "settled", "the RO settled by billing")
    await page.reload()
    await expect(page.locator("[data-status]")).to_have_text("settled")
    await expect(page.locator("[data-invoice-number]")).to_have_text(invoice["number"])
    await expect(page.locator("[data-invoice-state]")).to_have_text("paid")
    for kind in ("invoice", "pre-delivery"):
        printed = await page.request.get(f"{desk.url}/ro/{ro}/print/{kind}.pdf")
        assert printed.status == 200, kind
        assert printed.headers["content-type"] == "application/pdf"
        assert (await printed.body()).startswith(b"%PDF")
    await accessible(page, "ro-settled-en")

    # Delivery with the checklist: the next service is reception's answer.
    delivery = page.locator("form[data-delivery-form]")
    await delivery.get_by_label("The work done and the invoice were explained").check()
    await delivery.get_by_label("The old parts were shown").check()
    await delivery.get_by_role("button", name="Deliver").click()
    await expect(page.locator("[data-done]")).to_have_text("The car is delivered.")
    await expect(page.locator("[data-status]")).to_have_text("delivered")
    delivered = await advisor.ok("GET", rpath)
    assert delivered["next_service_due_km"] is not None
    await expect(page.locator("[data-next-service]")).to_contain_text(f"{delivered['next_service_due_km']} km")
    await expect(page.locator("[data-next-service]")).to_contain_text(str(delivered["next_service_due_date"]))
    await accessible(page, "ro-delivered-en")

    # The RO's history: every event in order, who did it and what.
    await page.get_by_role("link", name="RO history").click()
    await expect(page.get_by_role("heading", name=f"History of RO {PLATE}", level=1)).to_be_visible()
    rows = page.locator("[data-history] tbody tr")
    kinds = [await row.get_attribute("data-event") for row in await rows.all()]
    assert kinds[0] == "reception.VehicleCheckedIn"
    assert kinds[-1] == "reception.VehicleDelivered"
    for kind in ("AdditionalWorkApproved", "AdditionalWorkDeclined", "PromisedTimeRevised", "InvoiceSettled"):
        assert f"reception.{kind}" in kinds, kinds
    declined_row = page.locator("[data-event='reception.AdditionalWorkDeclined']")
    await expect(declined_row).to_contain_text("additional work declined")
    await expect(declined_row).to_contain_text("下次保养时再换")
    await expect(declined_row).to_contain_text(ADVISOR)
    await accessible(page, "ro-history-en")
    await page.context.close()
