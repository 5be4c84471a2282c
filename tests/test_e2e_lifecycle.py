"""End to end over HTTP through the gateway, every service a real process on the run's
PostgreSQL and broker: one car's visit from the appointment to the settled, delivered car,
with additional work, a parts shortage, an emergency order, a failed QC and its rework — and
the events each service published along the way, read from the broker like any subscriber.
Also: a late job's signal, declined work offered at the next visit, no overbooking, and the
README's walk-through run as pasted, down to the printed invoice."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pypdf
import pytest
from dealership import (
    CAPACITY,
    MENU,
    MENU_TOTAL,
    MENU_WORK,
    book,
    consent,
    jobs_of,
    line,
    login,
    of,
    priced,
    published,
    published_about,
    running,
    settled,
    signed_and_handed_over,
    stocked,
    typed,
)
from playwright.async_api import ViewportSize, async_playwright

from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())


@pytest.fixture(scope="module")
def system() -> Iterator[RunningSystem]:
    with running(["booking", "catalogue", "reception", "workshop", "parts", "billing"]) as started:
        yield started


async def test_one_visit_from_check_in_to_the_settled_delivered_car(
    system: RunningSystem, gateway: httpx.AsyncClient, bootstrap_servers: str
) -> None:
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    dispatcher = await login(gateway, GROUP, SITE, "dispatcher")
    tech = await login(gateway, GROUP, SITE, "technician", "tech-zhang")
    clerk = await login(gateway, GROUP, SITE, "parts_clerk")
    qc = await login(gateway, GROUP, SITE, "qc_inspector")
    cashier = await login(gateway, GROUP, SITE, "cashier")

    # The shelf has the 10,000 km service's parts, no brake discs.
    await stocked(clerk)

    # --- booking: the site's capacity and prices, the service menu booked, confirmed, the car arrives
    await dispatcher.ok("PUT", "capacity", CAPACITY)
    await priced(gateway, GROUP, [SITE], str(CAPACITY["timezone"]))
    appointment = await book(advisor, menu_id=MENU)
    assert appointment["menu_id"] == MENU
    apath = f"appointments/{appointment['appointment_id']}"
    await advisor.ok("POST", f"{apath}/confirm", {"confirmation": "day_before"})
    arrived = await advisor.ok("POST", f"{apath}/arrival")
    assert arrived["status"] == "arrived"

    # --- reception: check in, walk around, concern, the estimate from the menu, signature, hand-over
    ro = await signed_and_handed_over(
        advisor, MENU_WORK, promised_in=timedelta(hours=3), appointment_id=appointment["appointment_id"]
    )
    rpath = f"repair-orders/{ro}"
    estimated = await advisor.ok("GET", rpath)
    assert (estimated["menu_id"], estimated["estimate_total"]) == (MENU, MENU_TOTAL)

    # --- workshop: the work order arrives, the job is dispatched and started ------------------
    wpath = f"work-orders/{ro}"
    await dispatcher.until(wpath, lambda w: w["key_tag"] == "K-42", "the work order with the car handed over")
    (job,) = await jobs_of(advisor, ro)
    await dispatcher.ok("POST", f"{wpath}/jobs/{job}/dispatch", {"technician_id": "tech-zhang", "bay": "B2"})
    await tech.ok("POST", f"{wpath}/jobs/{job}/start")

    # The technician finds worn discs: additional work for the customer to decide.
    discs = line("front brake discs", 40000, "DISC-F", 2, 52000)
    finding = {
        "description": "front discs worn below limit",
        "safety_critical": True,
        "proposed_lines": [discs],
        "extra_minutes": 60,
        "evidence_refs": ["photo-disc-1"],
    }
    reported = await tech.ok("POST", f"{wpath}/findings", {"findings": [finding]}, status=201)
    finding_id = reported["reported"][0]["finding_id"]

    # --- reception: the advisor calls, the customer approves -----------------------------------
    await advisor.until(rpath, lambda r: r["status"] == "awaiting_approval", "the finding at the desk")
    await advisor.ok("POST", f"{rpath}/additional-work/{finding_id}/approve", {"consent": consent("advisor-li")})

    # --- parts: no discs on the shelf → shortage; the job waits -------------------------------
    disc_job = discs["line_id"]
    await clerk.until("stock/DISC-F", lambda s: s["backordered"] == 2, "the shortage of discs")
    waiting = await dispatcher.until(
        wpath, lambda w: any(j["missing_parts"] == {"DISC-F": 2} for j in w["jobs"]), "the disc job waiting for parts"
    )
    assert {j["job_id"] for j in waiting["jobs"]} == {job, disc_job}
    # B2 still holds the first job (a bay holds one job at a time): the discs go to B3.
    await dispatcher.ok("POST", f"{wpath}/jobs/{disc_job}/dispatch", {"technician_id": "tech-zhang", "bay": "B3"})
    refused = await tech.post(f"{wpath}/jobs/{disc_job}/start")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "waiting_for_parts")

    # Emergency order, received: the back-order is filled and the job released.
    order = {
        "supplier": "FAW-VW parts centre",
        "expected_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
        "lines": [{"part_number": "DISC-F", "quantity": 2, "repair_order_id": ro, "line_id": disc_job}],
    }
    order_id = (await clerk.ok("POST", "parts-orders/emergency", order, status=201))["parts_order_id"]
    await clerk.ok("POST", f"parts-orders/{order_id}/receipts", {"lines": [{"line_number": 1, "quantity": 2}]})
    await dispatcher.until(
        wpath, lambda w: all(not j["missing_parts"] for j in w["jobs"]), "the disc job released", timeout=45
    )
    issue = {"repair_order_id": ro, "line_id": disc_job, "quantity": 2}
    await clerk.ok("POST", "stock/DISC-F/issues", issue, status=201)

    # --- workshop: both jobs done, QC fails the discs, rework, QC passes ----------------------
    await tech.ok("POST", f"{wpath}/jobs/{job}/complete")
    await tech.ok("POST", f"{wpath}/jobs/{disc_job}/start")
    await tech.ok("POST", f"{wpath}/jobs/{disc_job}/complete")
    fail = {"passed": False, "reasons": ["pedal feel soft after disc change"], "rework_job_ids": [disc_job]}
    await qc.ok("POST", f"{wpath}/quality-checks", fail, status=201)
    early = await cashier.post("invoices", {"repair_order_id": ro, "series": "service"})
    assert (early.status_code, early.json()["error"]["code"]) == (409, "repair_order_not_ready")
    await tech.ok("POST", f"{wpath}/jobs/{disc_job}/start")
    await tech.ok("POST", f"{wpath}/jobs/{disc_job}/complete")
    await qc.ok("POST", f"{wpath}/quality-checks", {"passed": True}, status=201)

    # --- billing: the ready car invoiced, paid by card and WeChat Pay; reception settles it ------
    await advisor.until(rpath, lambda r: r["ready"], "the car ready for delivery")
    invoice = await cashier.ok("POST", "invoices", {"repair_order_id": ro, "series": "service"}, status=201)
    assert re.fullmatch(r"SVC-\d{4}-\d{6}", invoice["number"]), invoice["number"]  # the system's, never typed
    # The invoice holds the signed service and the approved discs, nothing else, tax carved out of each line.
    gross = [x["gross"] for x in invoice["lines"]]
    assert invoice["customer"]["gross"] == sum(gross) == MENU_TOTAL + (40000 + 2 * 52000)
    for x in invoice["lines"]:
        assert x["tax"] == (2 * x["gross"] * 1300 + 11300) // (2 * 11300), x  # gross x 13/113, half up
        assert x["net"] + x["tax"] == x["gross"]
    assert invoice["customer"]["tax"] == sum(x["tax"] for x in invoice["lines"])
    ipath = f"invoices/{invoice['invoice_id']}"
    card = await cashier.ok("POST", f"{ipath}/payments", {"method": "card", "amount": 100000}, status=201)
    assert (card["status"], card["balance"]) == ("issued", invoice["customer"]["gross"] - 100000)
    wechat = {"method": "wechat_pay", "amount": card["balance"]}
    paid = await cashier.ok("POST", f"{ipath}/payments", wechat, status=201)
    assert (paid["status"], paid["balance"]) == ("paid", 0)
    settled = await advisor.until(rpath, lambda r: r["status"] == "settled", "the RO settled from InvoicePaid")
    assert settled["invoice"]["invoice_number"] == invoice["number"]
    assert settled["invoice"]["invoice_id"] == invoice["invoice_id"]
    assert settled["invoice"]["total"] == invoice["customer"]["gross"]
    assert settled["invoice"]["payment_method"] == "split"
    assert [(p["method"], p["amount"]) for p in settled["invoice"]["payments"]] == [
        ("card", 100000), ("wechat_pay", wechat["amount"])
    ]  # fmt: skip
    delivery = {"work_explained": True, "old_parts_shown": True, "old_parts_returned": False}
    delivered = await advisor.ok("POST", f"{rpath}/delivery", delivery)
    assert delivered["status"] == "delivered"

    # --- what each service published, as a subscriber reads it from the broker ---------------
    appointment_id = appointment["appointment_id"]
    booking = await published_about(
        system, "booking", bootstrap_servers, "appointment_id", appointment_id, last="booking.VehicleArrived"
    )
    # The capacity stream's SlotReserved names the appointment too, on its own partition.
    assert [t for t in booking if t != "booking.SlotReserved"] == [
        "booking.AppointmentBooked",
        "booking.AppointmentConfirmed",
        "booking.VehicleArrived",
    ]
    assert "booking.SlotReserved" in booking
    reception = await published_about(
        system, "reception", bootstrap_servers, "repair_order_id", ro, last="reception.VehicleDelivered"
    )
    assert reception == [
        "reception.VehicleCheckedIn",
        "reception.WalkAroundRecorded",
        "reception.ConcernRecorded",
        "reception.RepairOrderOpened",
        "reception.EstimatePrepared",
        "reception.RepairOrderSigned",
        "reception.VehicleHandedOver",
        "reception.AdditionalWorkAwaitingApproval",
        "reception.ApprovalRequested",  # the round's link for the customer's phone
        "reception.AdditionalWorkApproved",
        "reception.ReadyForDeliveryMarked",
        "reception.RepairOrderInvoiced",  # billing's invoice issued: the work is locked until it is paid
        "reception.InvoiceSettled",
        "reception.VehicleDelivered",
    ]
    about_the_car = await published_about(
        system, "workshop", bootstrap_servers, "repair_order_id", ro, last="workshop.VehicleReadyForDelivery"
    )
    # The technician's and the bay's events name the car too, on streams of their own: no order with the work order's.
    floor = {"workshop.TechnicianClockedOn", "workshop.TechnicianClockedOff", "workshop.BayTaken", "workshop.BayFreed"}
    assert floor <= set(about_the_car)
    workshop = [t for t in about_the_car if t not in floor]
    assert workshop[:2] == ["workshop.WorkOrderOpened", "workshop.VehicleReceived"]
    for expected in (
        "workshop.JobDispatched",
        "workshop.JobStarted",
        "workshop.AdditionalWorkFound",
        "workshop.JobsAdded",
        "workshop.JobWaitingForParts",
        "workshop.JobPartsArrived",
        "workshop.JobCompleted",
        "workshop.QualityCheckFailed",
    ):
        assert expected in workshop, expected
    assert workshop[-2:] == ["workshop.QualityCheckPassed", "workshop.VehicleReadyForDelivery"]
    parts = await published_about(system, "parts", bootstrap_servers, "repair_order_id", ro, last="parts.PartsIssued")
    for expected in ("parts.PartsReserved", "parts.PartsShortageDetected", "parts.PartsReceived", "parts.PartsIssued"):
        assert expected in parts, expected
    parts_orders = of(await published(system, "parts", bootstrap_servers), "parts_order_id", order_id)
    # Different streams (the order, the part's stock) may sit on different partitions: no order between them.
    assert {"parts.PartsOrdered", "parts.PartsReceived", "parts.StockReceived"} <= set(parts_orders)


async def test_a_late_job_raises_the_progress_signal_before_the_promised_time(
    system: RunningSystem, gateway: httpx.AsyncClient, bootstrap_servers: str
) -> None:
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    dispatcher = await login(gateway, GROUP, SITE, "dispatcher")
    tech = await login(gateway, GROUP, SITE, "technician", "tech-wu")
    clerk = await login(gateway, GROUP, SITE, "parts_clerk")
    await clerk.ok("POST", "stock/GASKET-7/receipts", {"quantity": 3, "unit_cost": 1500}, status=201)
    # 45 minutes of work promised in 20 seconds: the check at 75 % (15 s) must see it coming. The
    # line is typed by hand (the catalogue has no such repair), with its reason.
    service = line("oil leak repair", 20000, "GASKET-7", 1, 3000)
    ro = await signed_and_handed_over(
        advisor, typed(service, "the leak's repair is diagnosed, not on the menu"), promised_in=timedelta(seconds=20)
    )
    wpath = f"work-orders/{ro}"
    await dispatcher.until(wpath, lambda w: w["key_tag"] == "K-42", "the work order")
    job = service["line_id"]
    await dispatcher.ok("POST", f"{wpath}/jobs/{job}/dispatch", {"technician_id": "tech-wu", "bay": "B1"})
    await tech.ok("POST", f"{wpath}/jobs/{job}/start")

    late = await dispatcher.until(
        "work-orders", lambda rows: any(r["repair_order_id"] == ro and r["running_late"] for r in rows), "late flag"
    )
    (row,) = [r for r in late if r["repair_order_id"] == ro]
    assert datetime.fromisoformat(row["forecast_ready_at"]) > datetime.fromisoformat(row["promised_at"])
    types = await published_about(
        system, "workshop", bootstrap_servers, "repair_order_id", ro, last="workshop.JobRunningLate"
    )
    assert types.count("workshop.JobRunningLate") == 1
    signal = next(
        e["data"]
        for e in await published(system, "workshop", bootstrap_servers)
        if e["type"] == "workshop.JobRunningLate" and e["data"]["repair_order_id"] == ro
    )
    assert datetime.fromisoformat(signal["detected_at"]) < datetime.fromisoformat(signal["promised_at"])
    assert signal["job_ids"] == [job]


async def test_the_readme_walk_through_works_as_pasted(
    system: RunningSystem, gateway: httpx.AsyncClient, tmp_path: Path
) -> None:
    """Run in a folder of its own (the reader's, with the repository's .venv), where it leaves the
    printed invoice; the PDF's total is the invoice's lines'."""
    root = Path(__file__).parent.parent
    readme = (root / "README.md").read_text()
    block = readme.split("<!-- walkthrough: run by tests/test_e2e_lifecycle.py -->", 1)[1]
    script = block.split("```sh\n", 1)[1].split("```", 1)[0]
    (tmp_path / ".venv").symlink_to(root / ".venv")
    group, site = str(uuid.uuid4()), str(uuid.uuid4())
    done = await asyncio.to_thread(
        subprocess.run,
        ["bash", "-e", "-o", "pipefail", "-c", script],
        env={**os.environ, "GW": system.gateway_url, "GROUP": group, "SITE": site},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    arrived, estimate_total, ready, paid, delivered, invoice_id = done.stdout.splitlines()
    assert (arrived, ready, paid, delivered) == ("arrived", "ready", "paid", "delivered")

    cashier = await login(gateway, group, site, "cashier", "liu-yang")
    invoice = await cashier.ok("GET", f"invoices/{invoice_id}")
    total = sum(x["gross"] for x in invoice["lines"])
    assert total == invoice["customer"]["gross"] == int(estimate_total)
    assert invoice["status"] == "paid"
    assert sorted(p["method"] for p in invoice["payments"]) == ["card", "wechat_pay"]
    pdf = pypdf.PdfReader(io.BytesIO((tmp_path / "invoice.pdf").read_bytes()))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert invoice["number"] in text
    assert f"{total // 100:,}.{total % 100:02d}" in text, text


async def test_declined_work_is_offered_again_at_the_next_appointments_preparation(gateway: httpx.AsyncClient) -> None:
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    dispatcher = await login(gateway, GROUP, SITE, "dispatcher")
    tech = await login(gateway, GROUP, SITE, "technician", "tech-zhang")
    clerk = await login(gateway, GROUP, SITE, "parts_clerk")
    await stocked(clerk, 5)
    await dispatcher.ok("PUT", "capacity", CAPACITY)
    await priced(gateway, GROUP, [SITE], str(CAPACITY["timezone"]))
    vin = "LSVAU033512345678"
    ro = await signed_and_handed_over(advisor, MENU_WORK, promised_in=timedelta(hours=2), vin=vin)
    await dispatcher.until(f"work-orders/{ro}", lambda w: w["key_tag"] == "K-42", "the work order")

    tyres = line("rear tyres", 8000, "TYRE-205", 2, 60000)
    finding = {
        "description": "rear tyres at 2 mm",
        "safety_critical": True,
        "proposed_lines": [tyres],
        "extra_minutes": 30,
    }
    reported = await tech.ok("POST", f"work-orders/{ro}/findings", {"findings": [finding]}, status=201)
    finding_id = reported["reported"][0]["finding_id"]
    await advisor.until(f"repair-orders/{ro}", lambda r: r["status"] == "awaiting_approval", "the finding at the desk")
    decline = {"consent": consent("advisor-li"), "customer_reason": "next month", "safety_explained": True}
    await advisor.ok("POST", f"repair-orders/{ro}/additional-work/{finding_id}/decline", decline)

    # Next time the car is booked, the preparation offers the tyres again, flagged as safety.
    appointment = await book(advisor, vin=vin, advisor_id="advisor-ma")
    prepared = await advisor.until(
        f"appointments/{appointment['appointment_id']}/preparation",
        lambda p: bool(p["recommendations"]),
        "the declined tyres in the preparation",
    )
    (offer,) = prepared["recommendations"]
    assert offer["finding_id"] == finding_id
    assert offer["safety_critical"] is True
    assert "tyres" in offer["description"]


async def test_a_full_slot_is_refused_and_nothing_is_booked(gateway: httpx.AsyncClient) -> None:
    site = str(uuid.uuid4())
    planner = await login(gateway, GROUP, site, "dispatcher")
    advisor = await login(gateway, GROUP, site, "advisor", "advisor-li")
    await planner.ok("PUT", "capacity", {**CAPACITY, "advisors": ["advisor-li"]})
    first = await book(advisor)
    slot = first["slot_start"]

    second = await advisor.post(
        "appointments",
        {
            "appointment_id": (refused_id := str(uuid.uuid4())),
            "reason": "repair",
            "customer": {"name": "Zhou Xun", "phone": "13600000003"},
            "vehicle": {"vin": "LSGJA52U7CH000001", "plate": "苏E12345"},
            "requested_jobs": [{"description": "noise", "estimated_minutes": 60}],
            "advisor_id": "advisor-li",
            "slot_start": slot,
        },
    )
    assert second.status_code == 409, second.text
    assert second.json()["error"]["code"] == "capacity_exceeded"
    assert "advisor" in second.json()["error"]["message"] or "capacity" in second.json()["error"]["message"]
    assert (await advisor.get(f"appointments/{refused_id}")).status_code == 404
    day = slot[:10]
    free = await advisor.ok("GET", f"free-slots?date={day}&minutes=60&advisor=advisor-li")
    assert slot not in [s["start"] for s in free]


def test_a_plain_subscriber_finds_every_record_true_to_the_published_contract(
    system: RunningSystem, bootstrap_servers: str
) -> None:
    """examples/subscriber.py, outside the services' code, reads all this module's topics."""
    done = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).parent.parent / "examples" / "subscriber.py"),
            "--bootstrap",
            bootstrap_servers,
            "--prefix",
            f"e2e{system.run_id}.",
            "--idle",
            "5",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = done.stdout.strip().splitlines()[-1]
    read = int(summary.split()[0])
    assert read > 50, summary
    assert summary.endswith("0 broke the contract")


async def test_the_advisor_board_follows_a_car_live_and_shows_nothing_to_another_site(
    gateway: httpx.AsyncClient,
) -> None:
    site = str(uuid.uuid4())
    advisor = await login(gateway, GROUP, site, "advisor", "advisor-li")
    dispatcher = await login(gateway, GROUP, site, "dispatcher")
    clerk = await login(gateway, GROUP, site, "parts_clerk")
    stranger = await login(gateway, GROUP, str(uuid.uuid4()), "advisor", "advisor-xu")
    await stocked(clerk, 5)
    await dispatcher.ok("PUT", "capacity", CAPACITY)
    await priced(gateway, GROUP, [site], str(CAPACITY["timezone"]))

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()  # the appointment's day
    url = f"/api/v1/sites/{site}/advisor-board/stream?day={tomorrow}"
    headers = {**advisor.headers, "Accept": "text/event-stream"}
    async with gateway.stream("GET", url, headers=headers, timeout=httpx.Timeout(10, read=None)) as stream:
        assert stream.status_code == 200
        boards = board_events(stream)
        first = await asyncio.wait_for(anext(boards), 20)
        assert first["appointments"] == []
        assert first["cars"] == []

        appointment = await book(advisor)

        async def next_board_where(condition: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
            while True:
                board = await asyncio.wait_for(anext(boards), 20)
                if condition(board):
                    return board

        booked = await next_board_where(lambda b: bool(b["appointments"]))
        (card,) = booked["appointments"]
        assert (card["appointment_id"], card["status"], card["appointment_car"]) == (
            appointment["appointment_id"], "booked", True
        )  # fmt: skip
        # The car comes early (a day early, in this test): it is checked in as an appointment car.
        await advisor.ok("POST", f"appointments/{appointment['appointment_id']}/arrival")
        ro = await signed_and_handed_over(
            advisor, MENU_WORK, promised_in=timedelta(hours=2), appointment_id=appointment["appointment_id"]
        )
        # The stage comes from the workshop's events, the status from reception's own: either may be first.
        in_workshop = await next_board_where(
            lambda b: any(
                (c["repair_order_id"], c["stage"], c["status"]) == (ro, "waiting_dispatch", "in_workshop")
                for c in b["cars"]
            )
        )
        (car,) = [c for c in in_workshop["cars"] if c["repair_order_id"] == ro]
        assert (car["plate"], car["appointment_car"], car["status"]) == ("沪B88888", True, "in_workshop")
        assert in_workshop["appointments"] == [], "the appointment's card became the car's"

    assert (await stranger.ok("GET", "advisor-board"))["cars"] == []
    other = await gateway.get(f"/api/v1/sites/{site}/advisor-board", headers=stranger.headers)
    assert other.status_code == 403


async def board_events(stream: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """The `board` events of a server-sent event stream, as they come."""
    event = ""
    async for text in stream.aiter_lines():
        if text.startswith("event: "):
            event = text.removeprefix("event: ")
        elif text.startswith("data: ") and event == "board":
            yield json.loads(text.removeprefix("data: "))


async def test_the_board_page_in_a_browser_follows_a_car_and_shows_another_site_nothing(
    system: RunningSystem, gateway: httpx.AsyncClient
) -> None:
    """A real headless Chromium on the reception desk's tablet size; screenshots in var/screenshots."""
    site, other_site = str(uuid.uuid4()), str(uuid.uuid4())
    advisor = await login(gateway, GROUP, site, "advisor", "advisor-li")
    dispatcher = await login(gateway, GROUP, site, "dispatcher")
    clerk = await login(gateway, GROUP, site, "parts_clerk")
    stranger = await login(gateway, GROUP, other_site, "advisor", "advisor-xu")
    await stocked(clerk, 5)
    await priced(gateway, GROUP, [site])  # no capacity plan: the site keeps Shanghai's clock
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        tablet: ViewportSize = {"width": 1024, "height": 768}
        page = await browser.new_page(viewport=tablet)
        await page.goto(f"{system.gateway_url}/board#token={advisor.token}&site={site}")
        await page.wait_for_selector("text=实时 · live")

        ro = await signed_and_handed_over(advisor, MENU_WORK, promised_in=timedelta(hours=2))
        (job,) = await jobs_of(advisor, ro)
        row = page.locator(f'tr[data-repair-order="{ro}"]')
        await row.get_by_text("待派工 Waiting dispatch").wait_for(timeout=20_000)
        assert "沪B88888" in await row.inner_text()
        assert "在店等候 Waiting" in await row.inner_text(), "the customer waits at the dealership"
        await page.screenshot(path=str(SCREENSHOTS / "advisor-board-waiting-dispatch.png"), full_page=True)

        await dispatcher.ok(
            "POST", f"work-orders/{ro}/jobs/{job}/dispatch", {"technician_id": "tech-zhang", "bay": "B1"}
        )
        await row.get_by_text("维修中 In progress").wait_for(timeout=20_000)
        await page.screenshot(path=str(SCREENSHOTS / "advisor-board-in-progress.png"), full_page=True)

        # Done, checked, paid and driven away: the board no longer lists a car nobody waits for.
        tech = await login(gateway, GROUP, site, "technician", "tech-zhang")
        qc = await login(gateway, GROUP, site, "qc_inspector")
        cashier = await login(gateway, GROUP, site, "cashier")
        wpath, rpath = f"work-orders/{ro}", f"repair-orders/{ro}"
        await tech.ok("POST", f"{wpath}/jobs/{job}/start")
        await tech.ok("POST", f"{wpath}/jobs/{job}/complete")
        await qc.ok("POST", f"{wpath}/quality-checks", {"passed": True}, status=201)
        await row.get_by_text("可交车 Ready").wait_for(timeout=20_000)
        await advisor.until(rpath, lambda r: r["ready"], "the car ready for delivery")
        await settled(cashier, ro)
        delivery = {"work_explained": True, "old_parts_shown": True, "old_parts_returned": False}
        await advisor.ok("POST", f"{rpath}/delivery", delivery)
        await row.wait_for(state="detached", timeout=20_000)
        assert "沪B88888" not in await page.inner_text("#cars")
        await page.screenshot(path=str(SCREENSHOTS / "advisor-board-delivered.png"), full_page=True)

        foreign = await browser.new_page(viewport=tablet)
        await foreign.goto(f"{system.gateway_url}/board#token={stranger.token}&site={other_site}")
        await foreign.wait_for_selector("text=实时 · live")
        assert await foreign.locator(f'tr[data-repair-order="{ro}"]').count() == 0
        assert "沪B88888" not in await foreign.inner_text("body")
        await foreign.screenshot(path=str(SCREENSHOTS / "advisor-board-other-site.png"), full_page=True)
        peeking = await browser.new_page(viewport=tablet)
        await peeking.goto(f"{system.gateway_url}/board#token={stranger.token}&site={site}")
        await peeking.wait_for_selector("text=无权限 · 403")
        await browser.close()


SCREENSHOTS = Path(__file__).parent.parent / "var" / "screenshots"


def chromium() -> str:
    """Debian's chromium (`make test` installs it when missing)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "chromium is not installed: run `make test` (it installs it) or `apt-get install chromium`"
    return found
