"""Invoices over HTTP: issued from a ready RO with system numbers (gap-free per site and series,
under concurrency), retries that never issue twice, voids that keep their number, VAT from the
site's settings — and the refusals (roles, tenancy, unknown ids, field errors, 409 codes)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from billing_helpers import line, repair_order
from billing_service import CASH, OTHER_GROUP, OTHER_SITE, SITE, SM, Service, as_

from events.identity import ADVISOR, CASHIER, SYSTEM, TECHNICIAN

SETTINGS = {
    "vat_bp": {"labour": 1300, "parts": 1300, "other": 600},
    "rounding": "per_line",
    "series": ["service", "bodyshop"],
    "number_formats": {"bodyshop": "BS{year}/{seq:04d}"},
    "enterprise_name": "上海浦东丰田汽车服务有限公司",
    "enterprise_licence_number": "沪交运管许可310115000123",
    "enterprise_tax_id": "91310115MA1K4ABC12",
}


async def test_an_invoice_is_issued_from_a_ready_ro_with_its_lines_taxes_and_the_first_number(
    service: Service,
) -> None:
    order = repair_order(line(labour=38_000, parts=(("90915-YZZD2", 1, 4_550), ("0888083720", 4, 5_750))))
    invoice = await service.issue(order)
    assert (invoice["number"], invoice["series"], invoice["status"]) == ("SVC-2026-000001", "service", "issued")
    assert invoice["repair_order_id"] == order["repair_order_id"]
    assert [(x["kind"], x["gross"], x["net"], x["tax"], x["rate_bp"]) for x in invoice["lines"]] == [
        ("labour", 38_000, 33_628, 4_372, 1300),
        ("parts", 4_550, 4_027, 523, 1300),
        ("parts", 23_000, 20_354, 2_646, 1300),
    ]
    assert invoice["customer"] == {"gross": 65_550, "net": 58_009, "tax": 7_541}
    assert (invoice["paid"], invoice["balance"], invoice["voided"], invoice["fapiao"]) == (0, 65_550, None, None)
    assert invoice["buyer"]["name"] == "Li Wei"
    assert invoice["vehicle"]["plate"] == "沪A12345"
    fetched = await service.call("GET", f"/invoices/{invoice['invoice_id']}", headers=as_(ADVISOR))
    assert fetched == invoice
    assert await service.recorded(f"invoice-{invoice['invoice_id']}") == ["billing.InvoiceIssued"]


async def test_a_retry_never_issues_a_second_invoice(service: Service) -> None:
    order = repair_order()
    key = {"Idempotency-Key": "desk-1/visit-42"}
    first = await service.issue(order, headers=CASH | key, status=201)
    again = await service.issue(order, headers=CASH | key, status=200)
    assert (again["invoice_id"], again["number"]) == (first["invoice_id"], first["number"])
    refused = await service.issue(order, status=409)  # the same RO without the key
    assert refused["error"]["code"] == "repair_order_already_invoiced"
    other_key = await service.issue(order, headers=CASH | {"Idempotency-Key": "another"}, status=409)
    assert other_key["error"]["code"] == "repair_order_already_invoiced"
    # None of the refusals took a number: the next invoice is the second.
    assert (await service.issue(repair_order()))["number"] == "SVC-2026-000002"


async def test_an_ro_not_ready_is_refused_and_consumes_no_number(service: Service) -> None:
    refused = await service.issue(repair_order(ready=False), status=409)
    assert refused["error"]["code"] == "repair_order_not_ready"
    unknown_series = await service.issue(repair_order(), series="bodyshop", status=409)
    assert unknown_series["error"]["code"] == "unknown_series"
    assert (await service.issue(repair_order()))["number"] == "SVC-2026-000001"


async def test_fifty_concurrent_issues_at_one_site_take_numbers_one_to_fifty(service: Service) -> None:
    orders = [repair_order() for _ in range(50)]
    invoices = await asyncio.gather(*(service.issue(order) for order in orders))
    numbers = sorted(invoice["number"] for invoice in invoices)
    assert numbers == [f"SVC-2026-{n:06d}" for n in range(1, 51)]
    assert len({invoice["invoice_id"] for invoice in invoices}) == 50


async def test_series_and_sites_count_on_their_own(service: Service) -> None:
    await service.call("PUT", "/billing-settings", SETTINGS, headers=SM)
    both = as_(CASHIER, sites=(SITE, OTHER_SITE))
    assert (await service.issue(repair_order(), headers=both))["number"] == "SVC-2026-000001"
    assert (await service.issue(repair_order(), series="bodyshop", headers=both))["number"] == "BS2026/0001"
    assert (await service.issue(repair_order(), headers=both))["number"] == "SVC-2026-000002"
    assert (await service.issue(repair_order(), site=OTHER_SITE, headers=both))["number"] == "SVC-2026-000001"
    assert (await service.issue(repair_order(), series="bodyshop", headers=both))["number"] == "BS2026/0002"


async def test_a_void_keeps_the_number_and_the_reason_and_the_ro_is_invoiced_again_under_the_next(
    service: Service,
) -> None:
    order = repair_order()
    first = await service.issue(order)
    path = f"/invoices/{first['invoice_id']}/void"
    cashier = await service.call("POST", path, {"reason": "typo"}, status=403)  # the manager's decision
    assert cashier["error"]["code"] == "forbidden"
    blank = await service.call("POST", path, {"reason": "  "}, headers=SM, status=422)
    assert blank["error"]["code"] == "invalid_request"
    voided = await service.call("POST", path, {"reason": "brake job is warranty, not customer pay"}, headers=SM)
    assert (voided["status"], voided["number"]) == ("voided", "SVC-2026-000001")
    assert voided["voided"]["reason"] == "brake job is warranty, not customer pay"
    again = await service.call("POST", path, {"reason": "twice"}, headers=SM, status=409)
    assert again["error"]["code"] == "invoice_voided"
    order["lines"][0]["pay_type"] = "WARRANTY"
    second = await service.issue(order)
    assert (second["number"], second["repair_order_id"]) == ("SVC-2026-000002", order["repair_order_id"])
    kept = await service.call("GET", f"/invoices/{first['invoice_id']}")
    assert (kept["number"], kept["status"]) == ("SVC-2026-000001", "voided")


async def test_vat_and_rounding_come_from_the_sites_settings_and_an_issued_invoice_keeps_its_own(
    service: Service,
) -> None:
    tiny = repair_order(*(line(labour=1) for _ in range(5)))
    before = await service.issue(tiny)
    assert before["customer"]["tax"] == 0  # per line: 1 fen at 13 % rounds to 0, five times
    await service.call("PUT", "/billing-settings", SETTINGS | {"rounding": "per_total"}, headers=SM)
    after = await service.issue(repair_order(*(line(labour=1) for _ in range(5))))
    assert after["customer"]["tax"] == 1  # per total: 5 fen carry 1 fen, on the first line
    assert [x["tax"] for x in after["lines"]] == [1, 0, 0, 0, 0]
    await service.call(
        "PUT", "/billing-settings", SETTINGS | {"vat_bp": {"labour": 0, "parts": 0, "other": 0}}, headers=SM
    )
    kept = await service.call("GET", f"/invoices/{before['invoice_id']}")
    assert (kept["vat_bp"], kept["version"]) == ({"labour": 1300, "parts": 1300, "other": 600}, 1)
    untaxed = await service.issue(repair_order(line(labour=10_000)))
    assert untaxed["customer"] == {"gross": 10_000, "net": 10_000, "tax": 0}


async def test_settings_are_the_managers_and_are_checked_field_by_field(service: Service) -> None:
    defaults = await service.call("GET", "/billing-settings")
    assert (defaults["vat_bp"], defaults["rounding"], defaults["series"], defaults["version"]) == (
        {"labour": 1300, "parts": 1300, "other": 600},
        "per_line",
        ["service"],
        0,
    )
    assert defaults["number_formats"] == {"service": "SVC-{year}-{seq:06d}"}
    forbidden = await service.call("PUT", "/billing-settings", SETTINGS, headers=CASH, status=403)
    assert forbidden["error"]["code"] == "forbidden"
    bad: dict[str, Any]
    for bad in (
        {"vat_bp": {"labour": 10_001, "parts": 1300, "other": 600}},
        {"vat_bp": {"labour": 13.0, "parts": 1300, "other": 600}},
        {"rounding": "per_invoice"},
        {"series": []},
        {"series": ["Service Desk"]},
        {"number_formats": {"service": "SVC-{year}"}},
        {"number_formats": {"service": "SVC-{month}-{seq}"}},
        {"number_formats": {"warranty": "W-{seq}"}},
        {"time_zone": "Mars/Olympus"},
    ):
        refused = await service.call("PUT", "/billing-settings", SETTINGS | bad, headers=SM, status=422)
        assert refused["error"]["code"] == "invalid_request", bad
    saved = await service.call("PUT", "/billing-settings", SETTINGS, headers=SM)
    assert (saved["enterprise_tax_id"], saved["series"], saved["version"]) == (
        "91310115MA1K4ABC12",
        ["service", "bodyshop"],
        1,
    )
    assert saved["number_formats"] == {"service": "SVC-{year}-{seq:06d}", "bodyshop": "BS{year}/{seq:04d}"}


async def test_roles_tenancy_unknown_ids_and_field_errors(service: Service) -> None:
    order = repair_order()
    ro = service.reception.put(order)
    body = {"repair_order_id": ro}
    technician = await service.call("POST", "/invoices", body, headers=as_(TECHNICIAN), status=403)
    assert technician["error"]["code"] == "forbidden"
    advisor = await service.call("POST", "/invoices", body, headers=as_(ADVISOR), status=403)
    assert advisor["error"]["code"] == "forbidden"
    other_site = await service.call("POST", "/invoices", body, site=OTHER_SITE, status=403)
    assert other_site["error"]["code"] == "forbidden"
    unknown_ro = await service.call("POST", "/invoices", {"repair_order_id": str(uuid.uuid4())}, status=404)
    assert unknown_ro["error"]["code"] == "not_found"
    bad: dict[str, Any]
    for bad in ({}, {"repair_order_id": "RO-1"}, {"repair_order_id": ro, "series": "Service!"}, body | {"total": 1}):
        refused = await service.call("POST", "/invoices", bad, status=422)
        assert refused["error"]["code"] == "invalid_request", bad
    invoice = await service.call("POST", "/invoices", body)
    assert (await service.call("GET", f"/invoices/{uuid.uuid4()}", status=404))["error"]["code"] == "not_found"
    # Another dealer group's cashier at a site of the same id sees no such invoice.
    stranger = as_(CASHIER, group=OTHER_GROUP)
    assert await service.call("GET", f"/invoices/{invoice['invoice_id']}", headers=stranger, status=404)
    technician_read = await service.call(
        "GET", f"/invoices/{invoice['invoice_id']}", headers=as_(TECHNICIAN), status=403
    )
    assert technician_read["error"]["code"] == "forbidden"
    assert service.reception.calls == 2  # refusals before the call (roles, site, body) never reach reception


async def test_the_buyers_name_and_phone_are_personal_data_withheld_from_machines_and_reads_recorded(
    service: Service,
) -> None:
    order = repair_order()
    invoice = await service.issue(order)
    path = f"/invoices/{invoice['invoice_id']}"
    machine = await service.call("GET", path, headers=as_(SYSTEM))
    assert (machine["buyer"]["name"], machine["buyer"]["phone"]) == ("[withheld]", "[withheld]")
    assert machine["lines"] == invoice["lines"]
    advisor = await service.call("GET", path, headers=as_(ADVISOR, user="advisor-7"))
    assert advisor["buyer"]["name"] == "Li Wei"
    reads = await service.app.state.runtime.pool.fetch(
        "SELECT user_id, subject_id FROM personal_data_reads WHERE user_id = 'advisor-7'"
    )
    assert [(r["user_id"], r["subject_id"]) for r in reads] == [("advisor-7", order["customer"]["customer_id"])]


async def test_the_invoice_in_force_of_a_repair_order_is_found_by_the_ro_and_a_void_removes_it(
    service: Service,
) -> None:
    order = repair_order()
    ro = order["repair_order_id"]
    assert await service.call("GET", f"/invoices?repair_order_id={ro}", headers=as_(ADVISOR)) == []
    first = await service.issue(order)
    found = await service.call("GET", f"/invoices?repair_order_id={ro}", headers=as_(ADVISOR))
    assert [(i["invoice_id"], i["number"], i["status"]) for i in found] == [
        (first["invoice_id"], first["number"], "issued")
    ]
    assert found[0]["buyer"]["name"] == "Li Wei"  # a person's read, recorded like the invoice's own
    assert await service.call("GET", f"/invoices?repair_order_id={uuid.uuid4()}") == []
    await service.call("POST", f"/invoices/{first['invoice_id']}/void", {"reason": "wrong payer"}, headers=SM)
    assert await service.call("GET", f"/invoices?repair_order_id={ro}") == []
    second = await service.issue(order)
    found = await service.call("GET", f"/invoices?repair_order_id={ro}&limit=1")
    assert [i["invoice_id"] for i in found] == [second["invoice_id"]]
    # The site's and the group's fences, the readers' roles, the parameter checked.
    assert await service.call("GET", f"/invoices?repair_order_id={ro}", headers=as_(CASHIER, group=OTHER_GROUP)) == []
    technician = await service.call("GET", f"/invoices?repair_order_id={ro}", headers=as_(TECHNICIAN), status=403)
    assert technician["error"]["code"] == "forbidden"
    elsewhere = await service.call("GET", f"/invoices?repair_order_id={ro}", site=OTHER_SITE, status=403)
    assert elsewhere["error"]["code"] == "forbidden"
    for query in ("", "?repair_order_id=RO-1", f"?repair_order_id={ro}&cursor=nonsense"):
        refused = await service.call("GET", f"/invoices{query}", status=422)
        assert refused["error"]["code"] in ("invalid_request", "invalid_cursor"), query
