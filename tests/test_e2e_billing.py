"""End to end over HTTP through the gateway, every service a real process: the cashier invoices a
car the workshop passed — billing reads the repair order from the real reception with the
cashier's identity — and takes a split payment; an RO not ready, an unknown one and a
technician are refused on the way; reception settles the RO from `billing.InvoicePaid`; the
settlement's repair e-record goes to the provincial platform (the local stand-in, a real
process): the platform refuses the first upload, the refusal and its reason are visible, the
cashier resubmits and the platform accepts the record with the invoice's number."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from dealership import VIN, line, login, published_about, running, signed_and_handed_over

import standins
from events.testing import eventually
from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())


@pytest.fixture(scope="module")
def system(receivers: str) -> Iterator[RunningSystem]:
    services = ["catalogue", "reception", "workshop", "parts", "billing"]
    with running(services, standins.billing_env(receivers)) as started:
        yield started


async def test_a_ready_car_is_invoiced_from_receptions_lines_and_paid_by_two_methods(
    system: RunningSystem, gateway: httpx.AsyncClient, bootstrap_servers: str, receivers: str
) -> None:
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    dispatcher = await login(gateway, GROUP, SITE, "dispatcher")
    tech = await login(gateway, GROUP, SITE, "technician", "tech-zhang")
    clerk = await login(gateway, GROUP, SITE, "parts_clerk")
    qc = await login(gateway, GROUP, SITE, "qc_inspector")
    cashier = await login(gateway, GROUP, SITE, "cashier", "cashier-liu")
    manager = await login(gateway, GROUP, SITE, "service_manager")
    enterprise = {
        "enterprise_name": "上海浦东丰田汽车服务有限公司",
        "enterprise_licence_number": "沪交运管维字310115000123",
    }
    settings = {"vat_bp": {"labour": 1300, "parts": 1300, "other": 600}, "rounding": "per_line", "series": ["service"]}
    await manager.ok("PUT", "billing-settings", settings | enterprise | {"enterprise_tax_id": "91310000MA1FL0000N"})

    await clerk.ok("POST", "stock/OIL-FILTER/receipts", {"quantity": 10, "unit_cost": 2500}, status=201)
    # Typed by hand (the catalogue has no data in this system): reception wants the reason.
    service = line("oil change", 38000, "OIL-FILTER", 1, 4550) | {"reason": "fixed-price offer"}
    ro = await signed_and_handed_over(advisor, service, promised_in=timedelta(hours=2))

    early = await cashier.post("invoices", {"repair_order_id": ro})
    assert (early.status_code, early.json()["error"]["code"]) == (409, "repair_order_not_ready")
    unknown = await cashier.post("invoices", {"repair_order_id": str(uuid.uuid4())})
    assert unknown.status_code == 404
    technician = await tech.post("invoices", {"repair_order_id": ro})
    assert technician.status_code == 403

    wpath, job = f"work-orders/{ro}", service["line_id"]
    await dispatcher.until(wpath, lambda w: w["key_tag"] == "K-42", "the work order")
    await dispatcher.ok("POST", f"{wpath}/jobs/{job}/dispatch", {"technician_id": "tech-zhang", "bay": "B1"})
    await tech.ok("POST", f"{wpath}/jobs/{job}/start")
    await tech.ok("POST", f"{wpath}/jobs/{job}/complete")
    await qc.ok("POST", f"{wpath}/quality-checks", {"passed": True}, status=201)
    await advisor.until(f"repair-orders/{ro}", lambda r: r["ready"], "the car ready for delivery")

    year = datetime.now(ZoneInfo("Asia/Shanghai")).year  # the site's year (the default settings' time zone)
    invoice = await cashier.ok("POST", "invoices", {"repair_order_id": ro}, status=201)
    assert invoice["number"] == f"SVC-{year}-000001"
    assert [(x["kind"], x["description"], x["gross"], x["tax"]) for x in invoice["lines"]] == [
        ("labour", "oil change", 38000, 4372),
        ("parts", "OIL-FILTER", 4550, 523),
    ]
    assert invoice["customer"] == {"gross": 42550, "net": 37655, "tax": 4895}
    assert invoice["buyer"]["name"] == "Liu Yang"
    again = await cashier.post("invoices", {"repair_order_id": ro})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "repair_order_already_invoiced")

    ipath = f"invoices/{invoice['invoice_id']}"
    await cashier.ok("POST", f"{ipath}/payments", {"method": "cash", "amount": 20000}, status=201)
    paid = await cashier.ok("POST", f"{ipath}/payments", {"method": "wechat_pay", "amount": 22550}, status=201)
    assert (paid["status"], paid["balance"]) == ("paid", 0)
    seen = await advisor.ok("GET", ipath)
    assert seen["paid"] == 42550
    # Reception settles the RO from billing.InvoicePaid, under billing's number.
    settled = await advisor.until(
        f"repair-orders/{ro}", lambda r: r["invoice"] is not None, "the RO settled from billing's InvoicePaid"
    )
    assert (settled["status"], settled["invoice"]["invoice_number"]) == ("settled", invoice["number"])
    published = await published_about(
        system, "billing", bootstrap_servers, "invoice_id", invoice["invoice_id"], last="billing.InvoicePaid"
    )
    assert published == ["billing.InvoiceIssued", "billing.PaymentTaken", "billing.PaymentTaken", "billing.InvoicePaid"]

    # The repair e-record of the settlement: the platform refuses the first upload (a rule of its
    # own), which stays visible with its reason until the cashier resubmits.
    async with httpx.AsyncClient(base_url=receivers) as platform:
        refusal = {"count": 1, "mode": "reject", "reason": "维修企业许可证号未备案 (licence not on file)"}
        (await platform.post("/erecord/admin/failures", json=refusal)).raise_for_status()
        rejected = await cashier.until(
            "e-records", lambda rows: any(r["status"] == "rejected" for r in rows), "the e-record rejected"
        )
        (record,) = rejected
        assert record["invoice_number"] == invoice["number"]
        assert record["reason"] == refusal["reason"]
        fields = record["record"]
        assert fields["vin"] == VIN
        assert enterprise["enterprise_licence_number"] in str(fields)
        await cashier.ok("POST", f"e-records/{record['record_id']}/resubmission", status=202)
        accepted = await cashier.until(
            f"e-records/{record['record_id']}", lambda r: r["status"] == "accepted", "the e-record accepted"
        )
        assert accepted["submission"] == 2

        async def received() -> list[dict[str, object]]:
            answer = await platform.get("/erecord/admin/records")
            return [r for r in answer.json() if r["answer"].get("status") == "accepted"]

        (uploaded,) = await eventually(received)
        assert invoice["number"] in str(uploaded["record"])
