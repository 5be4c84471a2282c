"""The invoice aggregate, pure: lines and VAT from the RO, who owes what, payments, deposits,
refunds, voids, and retries that record nothing twice."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import pytest
from billing_helpers import AT, issue, line, pay, refund, repair_order, void

from billing.domain import errors
from billing.domain.invoice import Invoice, decide, evolve, invoice
from events.catalog.billing import AppliedDeposit, InvoiceIssued, InvoicePaid, PaymentTaken, Tender
from events.contract import Event
from events.decider import fold
from events.rules import MissingInformation
from events.testing.deciders import scenario

given = scenario(invoice)


def issued_of(ro: dict[str, Any], **kwargs: Any) -> list[Event]:
    return list(decide(Invoice(), issue(ro, **kwargs)))


def test_one_line_per_labour_line_and_one_per_part_with_net_tax_gross() -> None:
    ro = repair_order(line(labour=38_000, parts=(("90915-YZZD2", 1, 4_550), ("0888083720", 4, 5_750))))
    (issued,) = issued_of(ro)
    assert isinstance(issued, InvoiceIssued)
    assert [(x.kind, x.part_number, x.quantity, x.gross) for x in issued.lines] == [
        ("labour", None, 1, 38_000),
        ("parts", "90915-YZZD2", 1, 4_550),
        ("parts", "0888083720", 4, 23_000),
    ]
    assert [(x.rate_bp, x.tax, x.net) for x in issued.lines] == [
        (1300, 4372, 33_628),
        (1300, 523, 4_027),
        (1300, 2646, 20_354),
    ]
    assert (issued.customer_gross, issued.customer_tax, issued.customer_net) == (65_550, 7_541, 58_009)
    assert issued.receivables == ()
    assert (issued.number, issued.series, issued.buyer.name) == ("SVC-2026-000001", "service", "Li Wei")


def test_warranty_internal_and_goodwill_lines_are_receivables_never_the_customers_bill() -> None:
    ro = repair_order(
        line("CUSTOMER_PAY", 10_000),
        line("WARRANTY", 20_000, (("04465-33450", 1, 50_000),)),
        line("INTERNAL", 3_000),
        line("DEALER", 4_000),
        line("MANUFACTURER", 5_000),
    )
    issued, *_ = issued_of(ro)
    assert isinstance(issued, InvoiceIssued)
    assert issued.customer_gross == 10_000
    owed = {(r.payer, r.pay_type): r.gross for r in issued.receivables}
    assert owed == {
        ("manufacturer", "WARRANTY"): 70_000,
        ("internal", "INTERNAL"): 3_000,
        ("dealer", "DEALER"): 4_000,
        ("manufacturer", "MANUFACTURER"): 5_000,
    }
    assert sum(x.gross for x in issued.lines) == issued.customer_gross + sum(owed.values())


def test_a_sublet_jobs_labour_is_taxed_at_the_other_rate() -> None:
    issued, *_ = issued_of(repair_order(line("SUBLET", 10_600)))
    assert isinstance(issued, InvoiceIssued)
    assert [(x.kind, x.rate_bp, x.tax) for x in issued.lines] == [("other", 600, 600)]


def test_an_ro_whose_customer_share_is_zero_is_paid_at_issue() -> None:
    issued, paid = issued_of(repair_order(line("WARRANTY", 20_000), line("INTERNAL", 1_000)))
    assert isinstance(paid, InvoicePaid)
    assert isinstance(issued, InvoiceIssued)
    assert (paid.customer_gross, paid.payments, paid.invoice_number, paid.paid_at) == (0, (), issued.number, AT)


def test_deposits_count_as_paid_and_a_deposit_covering_the_bill_pays_it_at_issue() -> None:
    ro = repair_order(line(labour=30_000))
    part = AppliedDeposit(deposit_id=uuid.uuid4(), method="wechat_pay", amount=10_000)
    (issued,) = issued_of(ro, deposits=(part,))
    state = fold(invoice, [issued])
    assert (state.held, state.balance, state.status) == (10_000, 20_000, "issued")

    whole = AppliedDeposit(deposit_id=uuid.uuid4(), method="alipay", amount=30_000)
    _, paid = issued_of(ro, deposits=(part, whole))
    assert isinstance(paid, InvoicePaid)
    assert paid.payments == (Tender(method="wechat_pay", amount=10_000), Tender(method="alipay", amount=30_000))


def test_an_ro_not_ready_or_without_lines_is_not_invoiced() -> None:
    given().when(issue(repair_order(ready=False))).then_refused(errors.RepairOrderNotReady)
    empty = repair_order()
    empty["lines"] = []
    given().when(issue(empty)).then_refused(errors.NothingToInvoice)


def test_issuing_again_with_the_same_invoice_id_records_nothing_and_another_ro_is_refused() -> None:
    ro = repair_order()
    first = issue(ro)
    history = issued_of(ro, invoice_id=first.invoice_id)
    given(*history).when(first).then()
    given(*history).when(issue(repair_order(), invoice_id=first.invoice_id)).then_refused(errors.IdempotencyKeyReused)


def test_split_payment_pays_in_full_once_and_names_each_method() -> None:
    history = issued_of(repair_order(line(labour=30_000)))
    cash = pay(10_000, "cash")
    (taken,) = decide(fold(invoice, history), cash)
    assert isinstance(taken, PaymentTaken)
    assert taken.cash_day.isoformat() == "2026-03-02"
    history.append(taken)
    card, paid = decide(fold(invoice, history), pay(20_000, "card"))
    assert isinstance(paid, InvoicePaid)
    assert paid.payments == (Tender(method="cash", amount=10_000), Tender(method="card", amount=20_000))
    history += [card, paid]
    final = fold(invoice, history)
    assert (final.status, final.balance, final.held) == ("paid", 0, 30_000)
    given(*history).when(pay(1)).then_refused(errors.InvoiceAlreadyPaid)
    given(*history).when(cash).then()  # a retried payment is taken once


def test_overpayment_is_refused() -> None:
    history = issued_of(repair_order(line(labour=30_000)))
    given(*history).when(pay(30_001)).then_refused(errors.Overpayment)


def test_a_refund_never_exceeds_what_is_held_and_needs_a_reason() -> None:
    history = issued_of(repair_order(line(labour=30_000)))
    history += list(decide(fold(invoice, history), pay(12_000)))
    given(*history).when(refund(12_001)).then_refused(errors.RefundExceedsPaid)
    given(*history).when(refund(100, reason="  ")).then_refused(MissingInformation)
    (made,) = decide(fold(invoice, history), refund(12_000))
    assert evolve(fold(invoice, history), made).held == 0


def test_a_void_keeps_the_number_and_says_why_but_not_while_money_is_held_nor_once_paid() -> None:
    history = issued_of(repair_order(line(labour=30_000)))
    (voided,) = given(*history).when(void()).decided()
    state = evolve(fold(invoice, history), voided)
    assert (state.status, state.voided and state.voided.reason, state.voided and state.voided.number) == (
        "voided",
        "wrong pay type on the brake job",
        "SVC-2026-000001",
    )
    given(*history, voided).when(void()).then_refused(errors.InvoiceVoided)
    given(*history, voided).when(pay(100)).then_refused(errors.InvoiceVoided)

    held = history + list(decide(fold(invoice, history), pay(100)))
    given(*held).when(void()).then_refused(errors.RefundBeforeVoid)
    paid = issued_of(repair_order(line("WARRANTY", 1_000)))
    given(*paid).when(void()).then_refused(errors.InvoicePaid)
    given(*history).when(void("   ")).then_refused(MissingInformation)


@pytest.mark.parametrize("rounding", ["per_line", "per_total"])
def test_customer_share_plus_receivables_is_every_line_under_both_roundings(rounding: str) -> None:
    ro = repair_order(line("CUSTOMER_PAY", 10_001, (("A", 3, 333),)), line("WARRANTY", 7_777, (("B", 1, 1),)))
    issued, *_ = issued_of(ro, rounding=rounding)
    assert isinstance(issued, InvoiceIssued)
    assert issued.customer_net + issued.customer_tax == issued.customer_gross
    assert issued.customer_gross + sum(r.gross for r in issued.receivables) == sum(x.gross for x in issued.lines)
    assert issued.customer_tax + sum(r.tax for r in issued.receivables) == sum(x.tax for x in issued.lines)


def test_a_payment_or_refund_id_reused_for_other_money_is_refused() -> None:
    history = issued_of(repair_order(line(labour=30_000)))
    first = pay(10_000, "cash")
    history += list(decide(fold(invoice, history), first))
    other = pay(5_000, "card", payment_id=first.payment_id)
    given(*history).when(other).then_refused(errors.IdempotencyKeyReused)
    made = refund(1_000)
    history += list(decide(fold(invoice, history), made))
    given(*history).when(made).then()
    given(*history).when(replace(made, amount=2_000)).then_refused(errors.IdempotencyKeyReused)
