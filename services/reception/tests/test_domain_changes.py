"""Changes after signing need the customer's recorded consent (seed 003: "如有更改则必须得到
客户认可 … 或告知(必须有录音)"): lines added or removed, promised time revised."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import pytest
from domain_helpers import (
    AWAITING_BRAKES,
    BRAKES,
    DELIVER,
    ESTIMATED,
    HANDED_OVER,
    READY,
    READY_FOR_DELIVERY,
    RO,
    SERVICE,
    SETTLE,
    SETTLED,
    SIGNED,
    at,
    given,
    line,
    phone_consent,
    recorded,
    state_after,
)

from events.catalog.reception import PromisedTimeRevised, ReadyForDeliveryMarked, RepairLineAdded, RepairLineRemoved
from events.catalog.reception_values import Consent
from reception.domain import errors
from reception.domain.pricing import from_catalogue
from reception.domain.repair_order_commands import AddRepairLine, RemoveRepairLine, RevisePromisedTime

WIPERS = line("Replace wiper blades", 2000, minutes=10)
ADD_WIPERS = AddRepairLine(line=from_catalogue(WIPERS), consent=phone_consent(40), added_at=at(41))
REMOVE_SERVICE = RemoveRepairLine(
    line_id=SERVICE.line_id, reason="customer will service elsewhere", consent=phone_consent(40), removed_at=at(41)
)
LATER = RevisePromisedTime(
    promised_at=at(180), reason="waiting for the oil filter", consent=phone_consent(90), revised_at=at(91)
)

# --- adding a line ------------------------------------------------------------------------


def test_a_line_is_added_with_the_customers_consent() -> None:
    added = WIPERS.model_copy(update={"origin": "additional_work"})
    state = (
        given(*HANDED_OVER)
        .when(ADD_WIPERS)
        .then(RepairLineAdded(repair_order_id=RO, line=added, consent=phone_consent(40), added_at=at(41)))
    )
    assert [ln.line_id for ln in state.lines] == [SERVICE.line_id, WIPERS.line_id]


def test_a_signed_consent_counts_as_consent() -> None:
    signed = Consent(kind="signature", recorded_by="SA Li", at=at(40), reference="addendum-scan-7")
    state = (
        given(*SIGNED)
        .when(replace(ADD_WIPERS, consent=signed))
        .then(
            RepairLineAdded(
                repair_order_id=RO,
                line=WIPERS.model_copy(update={"origin": "additional_work"}),
                consent=signed,
                added_at=at(41),
            )
        )
    )
    assert state.line(WIPERS.line_id) is not None


def test_adding_a_line_without_consent_is_refused() -> None:
    given(*HANDED_OVER).when(replace(ADD_WIPERS, consent=None)).then_refused(errors.ConsentRequired)


def test_consent_dated_after_the_change_is_no_consent() -> None:
    given(*HANDED_OVER).when(replace(ADD_WIPERS, consent=phone_consent(42))).then_refused(errors.ConsentRequired)


def test_lines_are_added_after_signing_only() -> None:
    # Before signing the estimate itself is changed.
    given(*ESTIMATED).when(ADD_WIPERS).then_refused(errors.NotSigned)


def test_an_added_line_has_its_own_id() -> None:
    clash = replace(ADD_WIPERS, line=from_catalogue(WIPERS.model_copy(update={"line_id": SERVICE.line_id})))
    given(*HANDED_OVER).when(clash).then_refused(errors.DuplicateLine)


def test_adding_a_line_makes_a_ready_car_go_back_through_qc() -> None:
    history = recorded(ADD_WIPERS, after=READY_FOR_DELIVERY)
    assert not state_after(history).ready
    given(*history).when(SETTLE).then_refused(errors.NotReadyForDelivery)
    given(*history).when(READY).then(ReadyForDeliveryMarked(repair_order_id=RO, ready_at=READY.ready_at))


# --- removing a line ----------------------------------------------------------------------


def test_a_line_is_removed_with_the_customers_consent() -> None:
    history = recorded(ADD_WIPERS, after=HANDED_OVER)
    state = (
        given(*history)
        .when(REMOVE_SERVICE)
        .then(
            RepairLineRemoved(
                repair_order_id=RO,
                line_id=SERVICE.line_id,
                reason="customer will service elsewhere",
                consent=phone_consent(40),
                removed_at=at(41),
            )
        )
    )
    assert [ln.line_id for ln in state.lines] == [WIPERS.line_id]


def test_removing_a_line_without_consent_is_refused() -> None:
    history = recorded(ADD_WIPERS, after=HANDED_OVER)
    given(*history).when(replace(REMOVE_SERVICE, consent=None)).then_refused(errors.ConsentRequired)


def test_removing_a_line_needs_a_reason() -> None:
    history = recorded(ADD_WIPERS, after=HANDED_OVER)
    given(*history).when(replace(REMOVE_SERVICE, reason=" ")).then_refused(errors.MissingInformation)


def test_only_lines_on_the_order_are_removed() -> None:
    # A finding's proposed line is not on the RO until approved.
    given(*AWAITING_BRAKES).when(replace(REMOVE_SERVICE, line_id=BRAKES.line_id)).then_refused(errors.LineNotFound)
    given(*HANDED_OVER).when(replace(REMOVE_SERVICE, line_id=uuid4())).then_refused(errors.LineNotFound)


def test_the_last_line_is_not_removed() -> None:
    given(*HANDED_OVER).when(REMOVE_SERVICE).then_refused(errors.LastLine)


def test_lines_are_removed_after_signing_only() -> None:
    given(*ESTIMATED).when(REMOVE_SERVICE).then_refused(errors.NotSigned)


# --- promised time ------------------------------------------------------------------------


def revised(**changes: object) -> PromisedTimeRevised:
    fields: dict[str, object] = {
        "repair_order_id": RO,
        "previous_promised_at": at(120),
        "promised_at": at(180),
        "reason": "waiting for the oil filter",
        "consent": phone_consent(90),
        "informed_before_promise": True,
        "revised_at": at(91),
    }
    return PromisedTimeRevised.model_validate({**fields, **changes})


def test_the_customer_agrees_a_new_promised_time_before_the_old_one() -> None:
    state = given(*HANDED_OVER).when(LATER).then(revised())
    assert state.promised_at == at(180)
    assert state.original_promised_at == at(120)


def test_a_customer_told_after_the_promise_passed_is_recorded_as_told_late() -> None:
    late = RevisePromisedTime(promised_at=at(200), reason="parts late", consent=phone_consent(130), revised_at=at(131))
    given(*HANDED_OVER).when(late).then(
        revised(
            promised_at=at(200),
            reason="parts late",
            consent=phone_consent(130),
            revised_at=at(131),
            informed_before_promise=False,
        )
    )


def test_a_second_revision_starts_from_the_first() -> None:
    again = RevisePromisedTime(promised_at=at(240), reason="rework", consent=phone_consent(150), revised_at=at(151))
    given(*recorded(LATER, after=HANDED_OVER)).when(again).then(
        revised(
            previous_promised_at=at(180),
            promised_at=at(240),
            reason="rework",
            consent=phone_consent(150),
            revised_at=at(151),
        )
    )


def test_revising_the_promised_time_needs_consent() -> None:
    given(*HANDED_OVER).when(replace(LATER, consent=None)).then_refused(errors.ConsentRequired)


def test_revising_the_promised_time_needs_a_reason() -> None:
    given(*HANDED_OVER).when(replace(LATER, reason="")).then_refused(errors.MissingInformation)


def test_the_new_promised_time_is_a_new_time_in_the_future() -> None:
    given(*HANDED_OVER).when(replace(LATER, promised_at=at(120))).then_refused(errors.PromisedTimeUnchanged)
    given(*HANDED_OVER).when(replace(LATER, promised_at=at(91))).then_refused(errors.PromisedTimeInPast)


def test_the_promised_time_is_revised_after_signing_only() -> None:
    given(*ESTIMATED).when(LATER).then_refused(errors.NotSigned)


# --- after settlement or delivery nothing changes -----------------------------------------


@pytest.mark.parametrize("command", [ADD_WIPERS, LATER], ids=["add line", "revise promise"])
def test_a_settled_order_does_not_change(command: AddRepairLine | RevisePromisedTime) -> None:
    given(*SETTLED).when(command).then_refused(errors.AlreadySettled)


def test_a_delivered_order_does_not_change() -> None:
    given(*recorded(DELIVER, after=SETTLED)).when(ADD_WIPERS).then_refused(errors.AlreadyDelivered)
