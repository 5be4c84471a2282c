"""End to end over HTTP through the gateway, every service a real process: printed documents
(issue 19, "Paper"). A car is checked in, estimated and signed; the advisor prints the repair
order the customer signed and reads back its car, concern, lines and total. A complaint is
received; the CS agent prints its report, a technician is refused by the complaints service
itself, another site's advisor by the gateway, and an unknown id is the service's 404. The next
day's appointment list prints the booked car. A ready car is invoiced and paid by two methods;
the cashier prints the invoice, whose total is its lines'. Each PDF's text is read back with pypdf."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pypdf
import pytest
from dealership import CAPACITY, CONCERN, VIN, Person, book, line, login, running, signed_and_handed_over, staff

from events.testing.system import RunningSystem

GROUP, SITE, OTHER_SITE = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
SERVICES = ["booking", "catalogue", "reception", "workshop", "parts", "complaints", "billing"]


@pytest.fixture(scope="module")
def system() -> Iterator[RunningSystem]:
    with running(SERVICES) as started:
        yield started


async def document(person: Person, kind: str, document_id: str, query: str = "") -> httpx.Response:
    return await person.get(f"documents/{kind}/{document_id}.pdf{query}")


def text_of(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)


async def open_site(manager: Person) -> None:
    """The site's capacity, on Shanghai's clock (the documents' times follow it), set once."""
    if (await manager.get("capacity")).status_code == 404:
        await manager.ok("PUT", "capacity", {**CAPACITY, "timezone": "Asia/Shanghai"})


def yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


async def test_the_signed_repair_order_prints_the_car_the_concern_the_lines_and_the_total(
    gateway: httpx.AsyncClient,
) -> None:
    people = await staff(gateway, GROUP, SITE)
    advisor = people["advisor"]
    await open_site(people["manager"])
    # Typed by hand (the catalogue knows no such work here), so it carries its reason.
    service = {**line("oil change", 10000, "OIL-FILTER", 1, 6000), "reason": "not in this site's catalogue"}
    ro = await signed_and_handed_over(advisor, service, promised_in=timedelta(hours=2))
    view = await advisor.ok("GET", f"repair-orders/{ro}")

    text = text_of(await document(advisor, "repair-order", ro))
    english = text_of(await document(advisor, "repair-order", ro, "?lang=en"))

    assert "维修委托书" in text
    for value in ("沪B88888", VIN, "Magotan", "Liu Yang", str(CONCERN["customer_words"]), "oil change", "OIL-FILTER"):
        assert value in text, value
    assert "30,125 km" in text  # the walk-around's mileage in, from reception's view
    total = sum(x["labour_price"] + sum(p["quantity"] * p["unit_price"] for p in x["parts"]) for x in view["lines"])
    assert total == 16000
    assert f"合计 {yuan(total)}" in text
    promised = datetime.fromisoformat(view["promised_at"]).astimezone(UTC) + timedelta(hours=8)
    assert promised.strftime("%Y-%m-%d %H:%M") in text  # the promise on the site's (Shanghai) clock
    assert f"Total {yuan(total)}" in english

    elsewhere = await login(gateway, GROUP, OTHER_SITE, "advisor")
    refused = await document(Person(gateway, SITE, elsewhere.headers), "repair-order", ro)
    assert refused.status_code == 403
    unknown = await document(advisor, "repair-order", str(uuid.uuid4()))
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"


async def test_a_complaints_report_is_printed_for_those_who_may_read_the_complaint(gateway: httpx.AsyncClient) -> None:
    people = await staff(gateway, GROUP, SITE)
    complaint = {
        "channel": "phone",
        "kind": "complaint",
        "category": "time",
        "customer_words": "等了三个小时没人解释",
        "customer_id": str(uuid.uuid4()),
        "vin": VIN,
    }
    received = await people["agent"].ok("POST", "complaints", complaint, status=201)
    complaint_id = received["complaint_id"]

    text = text_of(await document(people["agent"], "complaint", complaint_id))
    refused = await document(people["technician"], "complaint", complaint_id)
    direct = await people["technician"].get(f"complaints/{complaint_id}")
    unknown = await document(people["agent"], "complaint", str(uuid.uuid4()))

    assert "客户投诉处理报告" in text
    assert "等了三个小时没人解释" in text
    assert "1. 受理 已完成" in text
    assert refused.status_code == 403
    assert refused.json() == direct.json()  # the complaints service's own refusal, unchanged
    assert unknown.status_code == 404


async def test_tomorrows_appointment_list_prints_the_booked_car(gateway: httpx.AsyncClient) -> None:
    people = await staff(gateway, GROUP, SITE)
    await open_site(people["manager"])
    appointment = await book(people["advisor"])
    day = datetime.fromisoformat(appointment["slot_start"]).astimezone(UTC) + timedelta(hours=8)
    listed = f"appointment-lists?date={day.date().isoformat()}"
    await people["advisor"].until(listed, lambda view: view["appointments"], "the appointment on the day's list")

    text = text_of(await document(people["advisor"], "appointment-list", day.date().isoformat()))

    assert "预约清单" in text
    assert "沪B88888" in text
    assert "30,000 km service" in text
    assert day.strftime("%H:%M") in text


async def test_the_paid_invoice_prints_its_number_lines_taxes_and_the_split_payment(gateway: httpx.AsyncClient) -> None:
    people = await staff(gateway, GROUP, SITE)
    await open_site(people["manager"])
    settings = {"vat_bp": {"labour": 600, "parts": 1300, "other": 600}, "series": ["service"]}
    await people["manager"].ok("PUT", "billing-settings", settings)
    await people["clerk"].ok("POST", "stock/BRAKE-PADS/receipts", {"quantity": 4, "unit_cost": 9000}, status=201)
    service = {**line("brake service", 20000, "BRAKE-PADS", 2, 15000), "reason": "not in this site's catalogue"}
    ro = await signed_and_handed_over(people["advisor"], service, promised_in=timedelta(hours=2))
    wpath, job = f"work-orders/{ro}", service["line_id"]
    await people["dispatcher"].until(wpath, lambda w: w["key_tag"] == "K-42", "the work order")
    technician = people["technician"]
    await people["dispatcher"].ok(
        "POST", f"{wpath}/jobs/{job}/dispatch", {"technician_id": technician.user, "bay": "B1"}
    )
    await technician.ok("POST", f"{wpath}/jobs/{job}/start")
    await technician.ok("POST", f"{wpath}/jobs/{job}/complete")
    await people["qc"].ok("POST", f"{wpath}/quality-checks", {"passed": True}, status=201)
    await people["advisor"].until(f"repair-orders/{ro}", lambda r: r["ready"], "the car ready for delivery")
    cashier = people["cashier"]
    issued = await cashier.ok("POST", "invoices", {"repair_order_id": ro, "series": "service"}, status=201)
    invoice_id, gross = issued["invoice_id"], issued["customer"]["gross"]
    await cashier.ok("POST", f"invoices/{invoice_id}/payments", {"method": "wechat_pay", "amount": 30000}, status=201)
    await cashier.ok("POST", f"invoices/{invoice_id}/payments", {"method": "cash", "amount": gross - 30000}, status=201)
    view = await cashier.ok("GET", f"invoices/{invoice_id}")

    text = text_of(await document(cashier, "invoice", invoice_id))

    assert view["status"] == "paid"
    assert sum(x["gross"] for x in view["lines"]) == 20000 + 2 * 15000 == gross
    for value in ("结算单", view["number"], "沪B88888", "brake service", "BRAKE-PADS", "6%", "13%"):
        assert value in text, value
    for x in view["lines"]:
        assert f"{yuan(x['net'])} {yuan(x['tax'])} {yuan(x['gross'])}" in text, x["description"]
    assert f"客户应付合计 {yuan(gross)}" in text
    assert f"微信支付 {yuan(30000)}" in text
    assert f"现金 {yuan(gross - 30000)}" in text
    assert "未付余额 ¥0.00" in text
    refused = await document(people["technician"], "invoice", invoice_id)
    assert refused.status_code == 403  # billing's own rule: a technician reads no invoice
