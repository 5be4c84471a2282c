"""Money over HTTP: split payments that pay an invoice in full (`billing.InvoicePaid` once),
overpayment, deposits applied at issue, refunds never above what was paid, the receivables of
warranty/internal/goodwill lines, and the cashier's day with its close."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from billing_helpers import line, repair_order
from billing_service import CASH, SITE, SM, Service, as_

from events.catalog.billing import InvoicePaid, Tender
from events.identity import ADVISOR, CASHIER, TECHNICIAN


async def pay(service: Service, invoice_id: str, method: str, amount: int, **extra: Any) -> dict[str, Any]:
    answer: dict[str, Any] = await service.call(
        "POST", f"/invoices/{invoice_id}/payments", {"method": method, "amount": amount}, **extra
    )
    return answer


async def test_a_split_payment_pays_the_invoice_in_full_and_publishes_invoice_paid_once(service: Service) -> None:
    invoice = await service.issue(repair_order(line(labour=30_000)))
    iid = invoice["invoice_id"]
    part = await pay(service, iid, "cash", 10_000, status=201)
    assert (part["status"], part["paid"], part["balance"]) == ("issued", 10_000, 20_000)
    over = await pay(service, iid, "card", 20_001, status=409)
    assert over["error"]["code"] == "overpayment"
    key = {"Idempotency-Key": "wechat-slip-77"}
    paid = await pay(service, iid, "wechat_pay", 20_000, headers=CASH | key, status=201)
    assert (paid["status"], paid["paid"], paid["balance"]) == ("paid", 30_000, 0)
    assert paid["paid_at"] is not None
    again = await pay(service, iid, "wechat_pay", 20_000, headers=CASH | key, status=200)
    assert again["version"] == paid["version"]
    more = await pay(service, iid, "cash", 1, status=409)
    assert more["error"]["code"] == "invoice_already_paid"
    events = await service.events(f"invoice-{iid}")
    assert [type(e).__name__ for e in events] == ["InvoiceIssued", "PaymentTaken", "PaymentTaken", "InvoicePaid"]
    published = events[-1]
    assert isinstance(published, InvoicePaid)
    assert (published.invoice_number, published.customer_gross, published.repair_order_id) == (
        "SVC-2026-000001",
        30_000,
        uuid.UUID(invoice["repair_order_id"]),
    )
    assert published.payments == (Tender(method="cash", amount=10_000), Tender(method="wechat_pay", amount=20_000))


async def test_payment_fields_are_checked_and_money_is_never_a_fraction(service: Service) -> None:
    iid = (await service.issue(repair_order()))["invoice_id"]
    for bad in (
        {"method": "cash", "amount": 100.5},
        {"method": "cash", "amount": 100.0},
        {"method": "cash", "amount": "100"},
        {"method": "cash", "amount": 0},
        {"method": "cash", "amount": -5},
        {"method": "bitcoin", "amount": 100},
        {"amount": 100},
    ):
        refused = await service.call("POST", f"/invoices/{iid}/payments", bad, status=422)
        assert refused["error"]["code"] == "invalid_request", bad
    missing = await service.call(
        "POST", f"/invoices/{uuid.uuid4()}/payments", {"method": "cash", "amount": 1}, status=404
    )
    assert missing["error"]["code"] == "not_found"
    technician = await service.call(
        "POST", f"/invoices/{iid}/payments", {"method": "cash", "amount": 1}, headers=as_(TECHNICIAN), status=403
    )
    assert technician["error"]["code"] == "forbidden"


async def test_an_ro_whose_customer_share_is_zero_is_paid_at_issue(service: Service) -> None:
    invoice = await service.issue(repair_order(line("WARRANTY", 50_000), line("INTERNAL", 8_000)))
    assert (invoice["status"], invoice["customer"]["gross"], invoice["balance"]) == ("paid", 0, 0)
    assert await service.recorded(f"invoice-{invoice['invoice_id']}") == [
        "billing.InvoiceIssued",
        "billing.InvoicePaid",
    ]


async def test_deposits_taken_before_the_invoice_are_applied_when_it_is_issued(service: Service) -> None:
    order = repair_order(line(labour=50_000))
    ro = service.reception.put(order)
    deposit = await service.call(
        "POST", "/deposits", {"repair_order_id": ro, "method": "alipay", "amount": 20_000}, status=201
    )
    assert (deposit["amount"], deposit["cash_day"]) == (20_000, "2026-03-02")
    key = {"Idempotency-Key": "dep-1"}
    body = {"repair_order_id": ro, "method": "cash", "amount": 10_000}
    await service.call("POST", "/deposits", body, headers=CASH | key, status=201)
    await service.call("POST", "/deposits", body, headers=CASH | key, status=200)  # a retry: taken once
    unknown = await service.call("POST", "/deposits", body | {"repair_order_id": str(uuid.uuid4())}, status=404)
    assert unknown["error"]["code"] == "not_found"

    invoice = await service.call("POST", "/invoices", {"repair_order_id": ro})
    assert [(p["kind"], p["method"], p["amount"]) for p in invoice["payments"]] == [
        ("deposit", "alipay", 20_000),
        ("deposit", "cash", 10_000),
    ]
    assert (invoice["paid"], invoice["balance"], invoice["status"]) == (30_000, 20_000, "issued")
    late = await service.call("POST", "/deposits", body | {"amount": 1}, status=409)
    assert late["error"]["code"] == "repair_order_already_invoiced"
    paid = await pay(service, invoice["invoice_id"], "card", 20_000)
    assert paid["status"] == "paid"


async def test_refunds_never_exceed_what_was_paid_and_the_day_counts_payments_less_refunds(service: Service) -> None:
    iid = (await service.issue(repair_order(line(labour=30_000))))["invoice_id"]
    await pay(service, iid, "cash", 10_000)
    await pay(service, iid, "card", 20_000)
    path = f"/invoices/{iid}/refunds"
    too_much = await service.call("POST", path, {"method": "card", "amount": 30_001, "reason": "x"}, status=409)
    assert too_much["error"]["code"] == "refund_exceeds_paid"
    no_reason = await service.call("POST", path, {"method": "card", "amount": 100}, status=422)
    assert no_reason["error"]["code"] == "invalid_request"
    refunded = await service.call(
        "POST", path, {"method": "card", "amount": 5_000, "reason": "wash not done"}, status=201
    )
    assert (refunded["paid"], refunded["balance"], refunded["status"]) == (25_000, 5_000, "paid")
    assert refunded["refunds"][0]["reason"] == "wash not done"
    void = await service.call("POST", f"/invoices/{iid}/void", {"reason": "x"}, headers=SM, status=409)
    assert void["error"]["code"] == "invoice_paid"

    day = await service.call("GET", "/cash-days/2026-03-02")
    assert day["totals"] == [
        {"method": "cash", "taken": 10_000, "refunded": 0, "net": 10_000},
        {"method": "card", "taken": 20_000, "refunded": 5_000, "net": 15_000},
    ]
    assert (day["taken"], day["refunded"], day["net"], day["closed"]) == (30_000, 5_000, 25_000, False)


async def test_the_day_closes_once_and_money_taken_after_the_close_counts_in_the_next_day(service: Service) -> None:
    iid = (await service.issue(repair_order(line(labour=30_000))))["invoice_id"]
    await pay(service, iid, "cash", 10_000)
    future = await service.call("POST", "/cash-days/2026-03-03/close", status=409)
    assert future["error"]["code"] == "cash_day_not_started"
    closed = await service.call("POST", "/cash-days/2026-03-02/close", status=201)
    assert (closed["closed"], closed["closed_by"], closed["net"]) == (True, "cashier-1", 10_000)
    twice = await service.call("POST", "/cash-days/2026-03-02/close", status=409)
    assert twice["error"]["code"] == "cash_day_already_closed"
    assert await service.recorded(f"cash_day-{SITE}-2026-03-02") == ["billing.CashDayClosed"]

    service.clock.advance(timedelta(hours=1))  # still the 2nd at the site, after the close
    after = await pay(service, iid, "card", 5_000)
    assert after["paid"] == 15_000
    kept = await service.call("GET", "/cash-days/2026-03-02")
    assert (kept["net"], kept["totals"]) == (
        10_000,
        [{"method": "cash", "taken": 10_000, "refunded": 0, "net": 10_000}],
    )
    next_day = await service.call("GET", "/cash-days/2026-03-03")
    assert (next_day["net"], next_day["closed"]) == (5_000, False)
    advisor = await service.call("GET", "/cash-days/2026-03-02", headers=as_(ADVISOR), status=403)
    assert advisor["error"]["code"] == "forbidden"
    bad_day = await service.call("GET", "/cash-days/2026-02-30", status=422)
    assert bad_day["error"]["code"] == "invalid_request"


async def test_the_sites_local_day_not_utc_decides_the_till(service: Service) -> None:
    iid = (await service.issue(repair_order(line(labour=30_000))))["invoice_id"]
    service.clock.advance(timedelta(hours=14, minutes=30))  # 16:30 UTC on the 2nd: 00:30 on the 3rd in Shanghai
    await pay(service, iid, "cash", 1_000)
    assert (await service.call("GET", "/cash-days/2026-03-02"))["net"] == 0
    assert (await service.call("GET", "/cash-days/2026-03-03"))["net"] == 1_000


async def test_receivables_are_the_manufacturers_internal_and_dealers_never_the_customers(service: Service) -> None:
    mixed = repair_order(
        line("CUSTOMER_PAY", 10_000),
        line("WARRANTY", 20_000, (("04465-33450", 1, 50_000),)),
        line("INTERNAL", 3_000),
        line("DEALER", 4_000),
    )
    invoice = await service.issue(mixed)
    assert invoice["customer"]["gross"] == 10_000
    assert [(r["payer"], r["pay_type"], r["gross"]) for r in invoice["receivables"]] == [
        ("manufacturer", "WARRANTY", 70_000),
        ("internal", "INTERNAL", 3_000),
        ("dealer", "DEALER", 4_000),
    ]
    rows = await service.call("GET", "/receivables")
    assert sorted((r["payer"], r["gross"], r["invoice_number"]) for r in rows) == [
        ("dealer", 4_000, "SVC-2026-000001"),
        ("internal", 3_000, "SVC-2026-000001"),
        ("manufacturer", 70_000, "SVC-2026-000001"),
    ]
    only = await service.call("GET", "/receivables?payer=manufacturer")
    assert [r["gross"] for r in only] == [70_000]
    bad = await service.call("GET", "/receivables?payer=customer", status=422)
    assert bad["error"]["code"] == "invalid_request"
    page = await service.http.get(f"/sites/{SITE}/receivables?limit=2", headers=CASH)
    assert len(page.json()) == 2
    assert 'rel="next"' in page.headers["Link"]
    await service.call("POST", f"/invoices/{invoice['invoice_id']}/void", {"reason": "wrong customer"}, headers=SM)
    assert await service.call("GET", "/receivables") == []
    assert await service.call("GET", "/receivables", headers=as_(CASHIER, sites=("elsewhere",)), status=403)


async def test_a_deposit_key_reused_for_other_money_is_refused(service: Service) -> None:
    ro = service.reception.put(repair_order())
    key = CASH | {"Idempotency-Key": "dep-9"}
    await service.call("POST", "/deposits", {"repair_order_id": ro, "method": "cash", "amount": 100}, headers=key)
    reused = await service.call(
        "POST", "/deposits", {"repair_order_id": ro, "method": "cash", "amount": 200}, headers=key, status=409
    )
    assert reused["error"]["code"] == "idempotency_key_reused"
