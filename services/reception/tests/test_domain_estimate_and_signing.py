"""Estimate, signature and exit slip (docs/domain.md §2; seeds 000, 002, 003)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from domain_helpers import (
    APPOINTMENT,
    CHECK_IN,
    CHECKED_IN,
    ESTIMATE,
    ESTIMATED,
    READY_TO_ESTIMATE,
    RECORD_CONCERN,
    RO,
    SERVICE,
    SIGN,
    SIGNED,
    VEHICLE,
    WALK_AROUND,
    at,
    catalogued,
    given,
    line,
    part,
    recorded,
)

from events.catalog.reception import EstimatePrepared, ExitSlipIssued, RepairOrderOpened, RepairOrderSigned
from events.catalog.reception_values import PayTypeTotal, RepairLine
from reception.domain import errors
from reception.domain.repair_order_commands import IssueExitSlip, PrepareEstimate

SERVICE_TOTAL = PayTypeTotal(pay_type="CUSTOMER_PAY", labour=8000, parts=20300, total=28300)


def opened(minutes: int = 15) -> RepairOrderOpened:
    return RepairOrderOpened(
        repair_order_id=RO,
        appointment_id=APPOINTMENT,
        vehicle=VEHICLE,
        service_advisor="SA Li",
        priority="appointment",
        opened_at=at(minutes),
    )


def estimate_prepared(
    command: PrepareEstimate, totals: tuple[PayTypeTotal, ...], customer_pay: int
) -> EstimatePrepared:
    return EstimatePrepared(
        repair_order_id=RO,
        lines=tuple(priced.line for priced in command.lines),
        totals=totals,
        total=sum(t.total for t in totals),
        customer_pay_total=customer_pay,
        currency="CNY",
        estimate_method=command.estimate_method,
        promised_at=command.promised_at,
        payment_method=command.payment_method,
        old_parts=command.old_parts,
        wash=command.wash,
        prepared_at=command.prepared_at,
    )


# --- estimate -----------------------------------------------------------------------------


def test_the_first_estimate_opens_the_repair_order() -> None:
    # seed 003's sample price: 80 labour + 168 oil + 32 filter + 3 washer = 283 CNY.
    state = (
        given(*READY_TO_ESTIMATE).when(ESTIMATE).then(opened(), estimate_prepared(ESTIMATE, (SERVICE_TOTAL,), 28300))
    )
    assert state.opened
    assert state.promised_at == at(120)


def test_a_new_estimate_before_signing_replaces_the_old_one_without_reopening() -> None:
    revised = replace(ESTIMATE, lines=catalogued(replace_price(SERVICE, 9000)), prepared_at=at(18))
    total = PayTypeTotal(pay_type="CUSTOMER_PAY", labour=9000, parts=20300, total=29300)
    state = given(*ESTIMATED).when(revised).then(estimate_prepared(revised, (total,), 29300))
    assert state.lines == tuple(priced.line for priced in revised.lines)


def replace_price(repair_line: RepairLine, labour_price: int) -> RepairLine:
    return repair_line.model_copy(update={"labour_price": labour_price})


def test_totals_are_split_per_pay_type() -> None:
    regulator = line("Window regulator", 12000, part("8W0837461", "window regulator", 45000), pay_type="WARRANTY")
    goodwill = line("Wheel alignment", 5000, pay_type="DEALER", reason="loyal customer")
    command = replace(ESTIMATE, lines=catalogued(SERVICE, regulator, goodwill))
    totals = (
        SERVICE_TOTAL,
        PayTypeTotal(pay_type="WARRANTY", labour=12000, parts=45000, total=57000),
        PayTypeTotal(pay_type="DEALER", labour=5000, parts=0, total=5000),
    )
    given(*READY_TO_ESTIMATE).when(command).then(opened(), estimate_prepared(command, totals, 28300))


def test_customer_supplied_and_non_oem_parts_are_marked_quality_not_guaranteed() -> None:
    own_oil = part("OWN-OIL", "customer's own oil", 0, customer_supplied=True)
    pattern_pads = part("AFT-PADS", "aftermarket pads", 20000, non_oem=True)
    command = replace(ESTIMATE, lines=catalogued(line("Oil change with own oil", 8000, own_oil, pattern_pads)))
    total = PayTypeTotal(pay_type="CUSTOMER_PAY", labour=8000, parts=20000, total=28000)
    state = given(*READY_TO_ESTIMATE).when(command).then(opened(), estimate_prepared(command, (total,), 28000))
    assert [p.quality_guaranteed for p in state.lines[0].parts] == [False, False]
    assert [p.quality_guaranteed for p in SERVICE.parts] == [True, True, True]


def test_a_customer_supplied_part_is_not_charged() -> None:
    own_oil = part("OWN-OIL", "customer's own oil", 16800, customer_supplied=True)
    command = replace(ESTIMATE, lines=catalogued(line("Oil change with own oil", 8000, own_oil)))
    given(*READY_TO_ESTIMATE).when(command).then_refused(errors.CustomerSuppliedPartPriced)


@pytest.mark.parametrize("pay_type", ["DEALER", "MANUFACTURER"])
def test_a_goodwill_line_needs_a_reason(pay_type: str) -> None:
    command = replace(ESTIMATE, lines=catalogued(line("Paint touch-up", 3000, pay_type=pay_type, reason=" ")))
    given(*READY_TO_ESTIMATE).when(command).then_refused(errors.GoodwillReasonRequired)


def test_an_estimate_has_lines_each_once() -> None:
    given(*READY_TO_ESTIMATE).when(replace(ESTIMATE, lines=catalogued())).then_refused(errors.NoLines)
    given(*READY_TO_ESTIMATE).when(replace(ESTIMATE, lines=catalogued(SERVICE, SERVICE))).then_refused(
        errors.DuplicateLine
    )


def test_the_promised_time_lies_after_the_estimate() -> None:
    given(*READY_TO_ESTIMATE).when(replace(ESTIMATE, promised_at=at(15))).then_refused(errors.PromisedTimeInPast)


@pytest.mark.parametrize(
    "command",
    [
        replace(ESTIMATE, payment_method="barter"),
        replace(ESTIMATE, old_parts="sell"),
        replace(ESTIMATE, estimate_method="guess"),
    ],
    ids=["payment method", "old parts", "estimate method"],
)
def test_estimate_code_lists_are_checked(command: PrepareEstimate) -> None:
    given(*READY_TO_ESTIMATE).when(command).then_refused(errors.InvalidCode)


def test_the_estimate_is_not_changed_after_signing() -> None:
    given(*SIGNED).when(ESTIMATE).then_refused(errors.AlreadySigned)


# --- signature ----------------------------------------------------------------------------


def test_the_customer_signs_the_estimated_lines_and_promise() -> None:
    state = (
        given(*ESTIMATED)
        .when(SIGN)
        .then(
            RepairOrderSigned(
                repair_order_id=RO,
                appointment_id=APPOINTMENT,
                vehicle=VEHICLE,
                priority="appointment",
                customer_waiting=False,
                lines=(SERVICE,),
                promised_at=at(120),
                signature_ref="scan-0001",
                signed_at=at(20),
            )
        )
    )
    assert state.signed_at == at(20)
    assert state.original_promised_at == at(120)


def test_a_repair_order_is_signed_once() -> None:
    given(*SIGNED).when(SIGN).then_refused(errors.AlreadySigned)


def test_signing_needs_an_estimate() -> None:
    given(*READY_TO_ESTIMATE).when(SIGN).then_refused(errors.EstimateRequired)


def test_signing_needs_the_walk_around() -> None:
    history = recorded(RECORD_CONCERN, ESTIMATE, after=CHECKED_IN)
    given(*history).when(SIGN).then_refused(errors.WalkAroundRequired)


def test_signing_needs_the_customers_concern_on_the_order() -> None:
    history = recorded(WALK_AROUND, ESTIMATE, after=CHECKED_IN)
    given(*history).when(SIGN).then_refused(errors.ConcernRequired)


def test_signing_needs_a_signature() -> None:
    given(*ESTIMATED).when(replace(SIGN, signature_ref=" ")).then_refused(errors.MissingInformation)


def test_an_estimate_whose_promise_has_passed_is_not_signed() -> None:
    given(*ESTIMATED).when(replace(SIGN, signed_at=at(121))).then_refused(errors.PromisedTimeInPast)


def test_signing_needs_a_checked_in_car() -> None:
    given().when(SIGN).then_refused(errors.NotCheckedIn)


# --- exit slip ----------------------------------------------------------------------------


def exit_slip(kind: str, fee: int, advice: str) -> ExitSlipIssued:
    return ExitSlipIssued(
        repair_order_id=RO,
        exit_kind=kind,
        advice=advice,
        diagnosis_fee=fee,
        currency="CNY",
        vehicle=VEHICLE,
        issued_at=at(12),
    )


def test_a_consultation_with_no_work_ends_with_an_exit_slip() -> None:
    command = IssueExitSlip(advice="tyre pressure warning reset explained", issued_at=at(12))
    state = given(*CHECKED_IN).when(command).then(exit_slip("consultation", 0, "tyre pressure warning reset explained"))
    assert state.closed_by_exit_slip
    assert not state.opened


def test_a_customer_who_declines_the_repair_owes_the_diagnosis_fee() -> None:
    command = IssueExitSlip(
        advice="repair declined", issued_at=at(12), customer_declined_repair=True, diagnosis_fee=5000
    )
    given(*ESTIMATED).when(command).then(exit_slip("repair_declined", 5000, "repair declined"))


def test_no_diagnosis_fee_for_a_consultation() -> None:
    command = IssueExitSlip(advice="explained", issued_at=at(12), diagnosis_fee=5000)
    given(*CHECKED_IN).when(command).then_refused(errors.DiagnosisFeeNotAllowed)


def test_a_diagnosis_fee_is_not_negative() -> None:
    command = IssueExitSlip(advice="x", issued_at=at(12), customer_declined_repair=True, diagnosis_fee=-1)
    given(*CHECKED_IN).when(command).then_refused(errors.InvalidAmount)


def test_no_exit_slip_once_the_order_is_signed() -> None:
    given(*SIGNED).when(IssueExitSlip(advice="x", issued_at=at(30))).then_refused(errors.AlreadySigned)


def test_an_exit_slip_closes_the_visit() -> None:
    closed = recorded(IssueExitSlip(advice="x", issued_at=at(12)), after=ESTIMATED)
    given(*closed).when(IssueExitSlip(advice="x", issued_at=at(13))).then_refused(errors.VisitClosed)
    given(*closed).when(SIGN).then_refused(errors.VisitClosed)
    given(*closed).when(replace(CHECK_IN, customer_waiting=True)).then()  # the same visit, still closed
