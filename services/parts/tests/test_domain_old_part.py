"""OldPart rules: record with the customer's choice, dispose once; warranty parts go back to
the manufacturer (seed 003: "旧件处理方式要征求客户意见,索赔件应向客户说明需返厂")."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest
from domain_helpers import LINE, RO, T0, scenario

from events.catalog.parts import OldPartDisposed, OldPartRecorded
from parts.domain import errors
from parts.domain import old_part as op
from parts.domain.old_part import DisposeOldPart, RecordOldPart

given = scenario(op.old_part)
PART = uuid4()
LATER = T0 + timedelta(hours=3)

RECORD = RecordOldPart(PART, RO, LINE, "04465-33471", 1, warranty=False, customer_choice="discard", recorded_at=T0)


def recorded(*, warranty: bool = False, choice: str = "discard") -> OldPartRecorded:
    return OldPartRecorded(
        old_part_id=PART,
        repair_order_id=RO,
        line_id=LINE,
        part_number="04465-33471",
        quantity=1,
        warranty=warranty,
        customer_choice=choice,
        recorded_at=T0,
    )


def disposed(disposition: str, reference: str | None = None) -> OldPartDisposed:
    return OldPartDisposed(
        old_part_id=PART, repair_order_id=RO, disposition=disposition, reference=reference, disposed_at=LATER
    )


def test_an_old_part_is_recorded_with_the_customers_choice() -> None:
    state = given().when(replace(RECORD, part_number="04465-33471 ")).then(recorded())
    assert (state.old_part_id, state.customer_choice, state.disposition) == (PART, "discard", None)


def test_a_warranty_part_is_recorded_for_return_to_the_manufacturer() -> None:
    given().when(replace(RECORD, warranty=True)).then(recorded(warranty=True))


def test_a_customer_cannot_keep_a_warranty_part() -> None:
    given().when(replace(RECORD, warranty=True, customer_choice="keep")).then_refused(op.WarrantyPartMustReturn)


def test_the_customer_keeps_or_discards() -> None:
    given().when(replace(RECORD, customer_choice="sell")).then_refused(op.InvalidCustomerChoice)


def test_an_old_part_is_recorded_once() -> None:
    given(recorded()).when(RECORD).then_refused(op.OldPartAlreadyRecorded)


def test_an_old_part_record_is_of_at_least_one_part() -> None:
    given().when(replace(RECORD, quantity=0)).then_refused(errors.InvalidQuantity)


def test_an_old_part_record_names_the_part() -> None:
    given().when(replace(RECORD, part_number="")).then_refused(errors.InvalidPartNumber)


def test_a_warranty_part_goes_back_to_the_manufacturer() -> None:
    state = (
        given(recorded(warranty=True))
        .when(DisposeOldPart("returned_to_manufacturer", LATER, "claim W-2024-0183"))
        .then(disposed("returned_to_manufacturer", "claim W-2024-0183"))
    )
    assert state.disposition == "returned_to_manufacturer"


@pytest.mark.parametrize("disposition", ["returned_to_customer", "scrapped"])
def test_a_warranty_part_is_neither_handed_over_nor_scrapped(disposition: str) -> None:
    given(recorded(warranty=True)).when(DisposeOldPart(disposition, LATER)).then_refused(op.WarrantyPartMustReturn)


@pytest.mark.parametrize("disposition", ["returned_to_customer", "scrapped", "returned_to_manufacturer"])
def test_a_discarded_part_may_go_any_way(disposition: str) -> None:
    given(recorded()).when(DisposeOldPart(disposition, LATER)).then(disposed(disposition))


def test_a_part_the_customer_keeps_goes_back_to_the_customer() -> None:
    given(recorded(choice="keep")).when(DisposeOldPart("returned_to_customer", LATER)).then(
        disposed("returned_to_customer")
    )


@pytest.mark.parametrize("disposition", ["scrapped", "returned_to_manufacturer"])
def test_a_part_the_customer_keeps_is_not_scrapped_or_sent_away(disposition: str) -> None:
    given(recorded(choice="keep")).when(DisposeOldPart(disposition, LATER)).then_refused(op.CustomerKeepsOldPart)


def test_disposition_is_from_the_code_list() -> None:
    given(recorded()).when(DisposeOldPart("sold", LATER)).then_refused(op.InvalidDisposition)


def test_an_unrecorded_part_is_not_disposed() -> None:
    given().when(DisposeOldPart("scrapped", LATER)).then_refused(op.OldPartNotRecorded)


def test_an_old_part_is_disposed_once() -> None:
    given(recorded(), disposed("scrapped")).when(DisposeOldPart("scrapped", LATER)).then_refused(
        op.OldPartAlreadyDisposed
    )


def test_the_stream_is_named_after_the_old_part() -> None:
    assert op.stream_id(PART) == f"old_part-{PART}"
