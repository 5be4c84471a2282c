"""Step 1, receipt: the customer's words, the source, the class and its SLA deadline; serious
complaints go to the service manager at once; reclassification counts the SLA again."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from domain_helpers import (
    CALENDAR,
    CALLBACK,
    COMPLAINT_ID,
    LISTEN,
    RECEIVE,
    SHANGHAI,
    T0,
    at,
    follow_up,
    given,
    opened,
    walked_to,
)

from complaints.domain import errors
from complaints.domain.commands import ReclassifyComplaint
from complaints.domain.state import RECEIVED
from events.catalog import complaints as ev
from events.errors import DomainError
from events.rules import InvalidCode, MissingInformation

GRIEVANCE_DUE = datetime(2024, 5, 10, 0, 0, tzinfo=SHANGHAI)  # end of Thursday: Tue, Wed, Thu after Monday


def test_a_complaint_is_received_with_the_customers_words_and_a_24_hour_deadline() -> None:
    state = given().when(RECEIVE).then(opened())
    assert state.step == RECEIVED
    assert state.resolve_by == T0 + timedelta(hours=24)
    assert not state.escalated


def test_a_general_grievance_gets_three_working_days() -> None:
    given().when(replace(RECEIVE, kind="general_grievance")).then(
        opened(kind="general_grievance", resolve_by=GRIEVANCE_DUE)
    )


def test_a_serious_complaint_is_escalated_to_the_service_manager_at_once() -> None:
    command = replace(RECEIVE, category="quality", serious_reasons=("safety", "injury", "safety"))
    escalated = ev.ComplaintEscalated(
        complaint_id=COMPLAINT_ID, reason="serious", to_role="service_manager", detail="safety, injury", escalated_at=T0
    )
    state = given().when(command).then(opened(category="quality", serious_reasons=("safety", "injury")), escalated)
    assert state.escalated


def test_a_serious_matter_is_never_a_general_grievance() -> None:
    command = replace(RECEIVE, kind="general_grievance", serious_reasons=("accident",))
    given().when(command).then_refused(errors.SeriousIsAComplaint)


def test_a_complaint_from_a_callback_names_the_callback() -> None:
    command = replace(RECEIVE, channel="callback")
    given().when(command).then_refused(MissingInformation)
    given().when(replace(command, callback_id=CALLBACK)).then(opened(channel="callback", callback_id=CALLBACK))


@pytest.mark.parametrize("words", ["", "   "])
def test_the_customers_words_are_required(words: str) -> None:
    given().when(replace(RECEIVE, customer_words=words)).then_refused(MissingInformation)


@pytest.mark.parametrize(
    "change",
    [
        {"channel": "fax"},
        {"kind": "disaster"},
        {"category": "weather"},
        {"serious_reasons": ("scratch",)},
    ],
    ids=["channel", "kind", "category", "serious_reason"],
)
def test_unknown_codes_are_refused(change: dict[str, object]) -> None:
    given().when(replace(RECEIVE, **change)).then_refused(InvalidCode)  # type: ignore[arg-type]


def test_a_complaint_is_received_once() -> None:
    given(opened()).when(RECEIVE).then_refused(errors.ComplaintAlreadyReceived)


def test_nothing_happens_to_a_complaint_never_received() -> None:
    given().when(LISTEN).then_refused(errors.NoComplaint)


def reclassify(
    kind: str, reason: str = "only the lounge coffee; no repair issue", minutes: int = 30
) -> ReclassifyComplaint:
    return ReclassifyComplaint(kind, reason, "cs-1", at(minutes), CALENDAR)


def test_reclassifying_counts_the_sla_again_from_receipt() -> None:
    expected = ev.ComplaintReclassified(
        complaint_id=COMPLAINT_ID,
        previous_kind="complaint",
        kind="general_grievance",
        reason="only the lounge coffee; no repair issue",
        resolve_by=GRIEVANCE_DUE,
        handled_by="cs-1",
        reclassified_at=at(30),
    )
    state = given(opened()).when(reclassify("general_grievance")).then(expected)
    assert (state.kind, state.resolve_by) == ("general_grievance", GRIEVANCE_DUE)
    assert state.step == RECEIVED  # the steps go on where they were


def test_reclassifying_to_the_same_class_changes_nothing() -> None:
    given(opened()).when(reclassify("complaint")).then()


def test_reclassifying_needs_a_reason_and_a_known_class() -> None:
    given(opened()).when(reclassify("general_grievance", reason=" ")).then_refused(MissingInformation)
    given(opened()).when(reclassify("minor")).then_refused(InvalidCode)


def test_a_serious_complaint_is_not_reclassified_as_a_grievance() -> None:
    given(opened(serious_reasons=("safety",))).when(reclassify("general_grievance")).then_refused(
        errors.SeriousIsAComplaint
    )


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (RECEIVE, errors.ComplaintAlreadyReceived),
        (reclassify("general_grievance", minutes=2000), errors.ComplaintClosed),
        (LISTEN, errors.ComplaintClosed),
    ],
)
def test_a_closed_complaint_takes_no_more_commands(command: object, error: type[DomainError]) -> None:
    closed_history = given(*walked_to("acted")).when(follow_up()).decided()
    given(*walked_to("acted"), *closed_history).when(command).then_refused(error)


def test_a_command_dated_before_the_last_record_is_refused() -> None:
    given(opened()).when(replace(LISTEN, listened_at=T0 - timedelta(minutes=1))).then_refused(errors.TimeOutOfOrder)
