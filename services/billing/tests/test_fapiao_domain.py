"""The fapiao without a database: what the provider is asked (the customer's lines only, VAT
carved out as on the invoice), one request at a time, a retry of the same request recording
nothing, and the provider's answer counting only for the request in flight."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from billing_helpers import issue, line, repair_order, void

from billing import fapiao as fp
from billing.domain.invoice import Invoice, invoice
from events.catalog.billing_outbound import FapiaoAttemptFailed, FapiaoBuyer, FapiaoIssued, FapiaoRequested
from events.contract import Event
from events.decider import fold

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INVOICE_ID = uuid.uuid4()
COMPANY = FapiaoBuyer(
    name="上海某某物流有限公司",
    tax_id="91310000MA1FL0000N",
    address="上海市浦东新区某路1号",
    phone="021-55550000",
    bank="中国工商银行上海分行",
    account="1001234509876543210",
)


def an_invoice(*lines: dict[str, Any], voided: bool = False) -> Invoice:
    ro = repair_order(*lines)
    events = list(invoice.decide(invoice.initial_state, issue(ro, invoice_id=INVOICE_ID)))
    state = fold(invoice, events)
    if voided:
        state = fold(invoice, list(invoice.decide(state, void())), state)
    return state


def request(state: Invoice, buyer: FapiaoBuyer = COMPANY, kind: str = "special") -> fp.RequestFapiao:
    return fp.RequestFapiao(
        INVOICE_ID, uuid.uuid4(), state, kind, buyer, "上海丰田", "91310000MA1FL0000N", "cashier-1", AT
    )


def given(*events: Event) -> fp.Fapiao:
    return fold(fp.fapiao, list(events))


def asked_for(state: Invoice) -> FapiaoRequested:
    (asked,) = fp.decide(given(), request(state))
    assert isinstance(asked, FapiaoRequested)
    return asked


def test_the_provider_is_asked_for_the_customers_lines_with_their_vat() -> None:
    state = an_invoice(
        line(labour=38_000, parts=(("90915-YZZD2", 1, 4_550),)),
        line(pay_type="WARRANTY", labour=30_000, labour_operation="WTY-1", description="warranty repair"),
    )
    asked = asked_for(state)
    assert isinstance(asked, FapiaoRequested)
    issued = state.issued
    assert issued is not None
    customer = [x for x in issued.lines if x.payer == "customer"]
    assert [(x.name, x.net, x.tax, x.rate_bp) for x in asked.lines] == [
        (x.description, x.net, x.tax, x.rate_bp) for x in customer
    ]
    assert "warranty repair" not in [x.name for x in asked.lines]
    assert asked.total_gross == issued.customer_gross
    assert (asked.total_net, asked.total_tax) == (issued.customer_net, issued.customer_tax)
    assert asked.invoice_number == issued.number
    assert (asked.seller_name, asked.kind, asked.buyer) == ("上海丰田", "special", COMPANY)


def test_the_same_request_again_records_nothing() -> None:
    state = an_invoice()
    asked = asked_for(state)
    assert fp.decide(given(asked), request(state)) == []
    issued = FapiaoIssued(
        invoice_id=INVOICE_ID, request_id=asked.request_id, einvoice_number="2644", check_code="1", issued_at=AT
    )
    assert fp.decide(given(asked, issued), request(state)) == []


def test_another_request_while_one_is_pending_or_issued_is_refused() -> None:
    state = an_invoice()
    asked = asked_for(state)
    person = FapiaoBuyer(name="李伟")
    with pytest.raises(fp.FapiaoPending):
        fp.decide(given(asked), request(state, person, "normal"))
    issued = FapiaoIssued(
        invoice_id=INVOICE_ID, request_id=asked.request_id, einvoice_number="2644", check_code="1", issued_at=AT
    )
    with pytest.raises(fp.FapiaoAlreadyIssued):
        fp.decide(given(asked, issued), request(state, person, "normal"))


def test_after_a_failure_a_corrected_request_is_a_new_one() -> None:
    state = an_invoice()
    asked = asked_for(state)
    (failed,) = fp.decide(given(asked), fp.RecordFailed(asked.request_id, "税号校验位错误", AT))
    assert given(asked, failed).status == fp.FAILED
    (again,) = fp.decide(given(asked, failed), request(state))
    assert isinstance(again, FapiaoRequested)
    assert again.request_id != asked.request_id


def test_a_voided_invoice_or_one_the_customer_owes_nothing_on_gets_none() -> None:
    with pytest.raises(fp.NoFapiaoForInvoice):
        fp.decide(given(), request(an_invoice(voided=True)))
    with pytest.raises(fp.NoFapiaoForInvoice):
        fp.decide(given(), request(an_invoice(line(pay_type="WARRANTY", labour=30_000))))


def test_an_answer_counts_only_for_the_request_in_flight() -> None:
    state = an_invoice()
    asked = asked_for(state)
    assert fp.decide(given(asked), fp.RecordIssued(uuid.uuid4(), "2644", "1", AT)) == []
    (down,) = fp.decide(given(asked), fp.RecordAttemptFailed(asked.request_id, "503", AT + timedelta(seconds=10)))
    assert isinstance(down, FapiaoAttemptFailed)
    assert down.attempt == 1
    assert given(asked, down).status == fp.PENDING
    (issued,) = fp.decide(given(asked, down), fp.RecordIssued(asked.request_id, "2644", "1", AT))
    done = given(asked, down, issued)
    assert (done.status, done.einvoice_number) == (fp.ISSUED, "2644")
    assert fp.decide(done, fp.RecordIssued(asked.request_id, "2645", "2", AT)) == []
