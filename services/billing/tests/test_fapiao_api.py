"""The fapiao through billing's API against the real local e-invoice provider (the stand-in
process): a special VAT invoice without the buyer's bank details is refused with field errors;
an e-invoice is issued once even when the provider's first answer is lost and the call is made
again; the provider's refusal is recorded with its reason; the invoice view shows the fapiao."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from billing_helpers import repair_order
from billing_service import CASH, SITE, SM, START, Service, as_, running
from outbound_helpers import ENTERPRISE, Outside, outside_parties, point_billing_at, settings_body

from events.clock import ManualClock
from events.identity import ADVISOR
from events.kafka import KafkaSettings
from events.testing import eventually

COMPANY = {
    "kind": "special",
    "buyer_name": "上海某某物流有限公司",
    "buyer_tax_id": "91310000MA1FL0000N",
    "address": "上海市浦东新区某路1号",
    "phone": "021-55550000",
    "bank": "中国工商银行上海分行",
    "account": "1001234509876543210",
}


@pytest.fixture
def outside() -> Iterator[Outside]:
    # One provider per test: each test's database numbers its invoices from 1 again.
    with outside_parties() as parties:
        yield parties


@pytest.fixture
async def billing(
    database: str, kafka: KafkaSettings, outside: Outside, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Service]:
    point_billing_at(outside, monkeypatch)
    async with running(database, kafka, ManualClock(START)) as service:
        await service.call("PUT", "/billing-settings", settings_body(**ENTERPRISE), headers=SM)
        yield service


async def an_invoice(billing: Service) -> dict[str, Any]:
    invoice: dict[str, Any] = await billing.issue(repair_order())
    return invoice


async def fapiao(billing: Service, invoice_id: str, until: Any) -> dict[str, Any]:
    async def probe() -> dict[str, Any]:
        shown: dict[str, Any] = await billing.call("GET", f"/invoices/{invoice_id}/fapiao")
        return shown

    return await eventually(probe, until=until, what="the fapiao")


async def at_provider(outside: Outside, reference: str) -> list[dict[str, Any]]:
    return [r for r in await outside.received("einvoice") if r["request"]["reference"] == reference]


async def test_a_special_invoice_needs_the_buyers_bank_details(billing: Service) -> None:
    invoice = await an_invoice(billing)
    body = {"kind": "special", "buyer_name": "上海某某物流有限公司", "buyer_tax_id": "91310000MA1FL0000N"}
    answer = await billing.call("POST", f"/invoices/{invoice['invoice_id']}/fapiao", body, status=422)
    fields = {f["field"] for f in answer["error"]["fields"]}
    assert fields == {"body.address", "body.phone", "body.bank", "body.account"}
    bad_id = {**COMPANY, "buyer_tax_id": "12345"}
    answer = await billing.call("POST", f"/invoices/{invoice['invoice_id']}/fapiao", bad_id, status=422)
    assert [f["field"] for f in answer["error"]["fields"]] == ["body.buyer_tax_id"]
    missing = await billing.http.get(f"/sites/{SITE}/invoices/{invoice['invoice_id']}/fapiao", headers=CASH)
    assert missing.status_code == 404  # nothing was asked for


async def test_a_normal_fapiao_for_a_person_is_issued_and_shown_on_the_invoice(
    billing: Service, outside: Outside
) -> None:
    invoice = await an_invoice(billing)
    asked = await billing.call(
        "POST", f"/invoices/{invoice['invoice_id']}/fapiao", {"kind": "normal", "buyer_name": "李伟"}, status=202
    )
    assert asked["status"] == "pending"
    issued = await fapiao(billing, invoice["invoice_id"], lambda f: f["status"] == "issued")
    assert len(issued["einvoice_number"]) == 20
    assert issued["total_gross"] == invoice["customer"]["gross"]
    view = await billing.call("GET", f"/invoices/{invoice['invoice_id']}", headers=as_(ADVISOR))
    assert view["fapiao"]["einvoice_number"] == issued["einvoice_number"]
    (received,) = await at_provider(outside, invoice["number"])
    assert received["request"]["total_gross"] == invoice["customer"]["gross"]
    assert received["request"]["seller_name"] == ENTERPRISE["enterprise_name"]


async def test_the_fapiao_is_issued_once_when_the_first_answer_is_lost(billing: Service, outside: Outside) -> None:
    invoice = await an_invoice(billing)
    await outside.fail_next("einvoice", 1, "lost_answer")  # issued at the provider, answered 503
    path = f"/invoices/{invoice['invoice_id']}/fapiao"
    await billing.call("POST", path, COMPANY, status=202)

    pending = await fapiao(billing, invoice["invoice_id"], lambda f: f["attempts"] == 1)
    assert (pending["status"], pending["einvoice_number"]) == ("pending", None)
    billing.clock.advance(timedelta(hours=1))  # past the back-off: asked again, same key
    issued = await fapiao(billing, invoice["invoice_id"], lambda f: f["status"] == "issued")

    (received,) = await at_provider(outside, invoice["number"])
    assert received["receipts"] == 2  # asked twice ...
    assert received["answer"]["invoice_number"] == issued["einvoice_number"]  # ... issued once
    again = await billing.call("POST", path, COMPANY, status=200)  # the cashier's retry
    assert again["einvoice_number"] == issued["einvoice_number"]
    billing.clock.advance(timedelta(hours=2))  # any watchdog left over
    (received,) = await at_provider(outside, invoice["number"])
    assert received["receipts"] == 2
    other = await billing.http.post(f"/sites/{SITE}{path}", json={"kind": "normal", "buyer_name": "李伟"}, headers=CASH)
    assert (other.status_code, other.json()["error"]["code"]) == (409, "fapiao_issued")


async def test_the_providers_refusal_is_recorded_with_its_reason(billing: Service) -> None:
    invoice = await an_invoice(billing)
    wrong_check = {**COMPANY, "buyer_tax_id": "91310000MA1FL00001"}  # the check character is N
    await billing.call("POST", f"/invoices/{invoice['invoice_id']}/fapiao", wrong_check, status=202)
    failed = await fapiao(billing, invoice["invoice_id"], lambda f: f["status"] == "failed")
    assert "校验位" in failed["reason"]
    assert failed["einvoice_number"] is None
    corrected = await billing.call("POST", f"/invoices/{invoice['invoice_id']}/fapiao", COMPANY, status=202)
    assert corrected["status"] == "pending"
    await fapiao(billing, invoice["invoice_id"], lambda f: f["status"] == "issued")


async def test_a_voided_invoice_gets_no_fapiao(billing: Service) -> None:
    invoice = await an_invoice(billing)
    await billing.call("POST", f"/invoices/{invoice['invoice_id']}/void", {"reason": "wrong pay type"}, headers=SM)
    answer = await billing.call("POST", f"/invoices/{invoice['invoice_id']}/fapiao", COMPANY, status=409)
    assert answer["error"]["code"] == "no_fapiao_for_invoice"
