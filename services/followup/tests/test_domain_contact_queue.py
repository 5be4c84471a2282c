"""The contact queue (docs/reminders.md): a proposal is queued once; the customer's answer is
recorded (book now, later with a day ahead, not interested, opt out); a "later" comes back on
its day; a booking with the proposal converts it whatever was answered, once; the booked car's
arrival completes it. A failed message is handled once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest
from domain_helpers import CAR, FILE, RO, USER, hours

from events.catalog import followup_files as ev
from events.catalog import followup_proposals as pv
from events.rules import InvalidCode, MissingInformation
from events.testing.deciders import scenario
from followup.domain import errors
from followup.domain.failed_message import failed_message
from followup.domain.proposal import BOOKED, LATER, OPEN, proposal
from followup.domain.proposal_commands import (
    AnswerProposal,
    BookProposal,
    HandleFailedMessage,
    MarkProposalArrived,
    QueueProposal,
    ReturnProposal,
)

given = scenario(proposal)
given_message = scenario(failed_message)

PROPOSAL = uuid4()
APPOINTMENT = uuid4()
DUE = date(2024, 11, 6)
TODAY = date(2024, 10, 23)
PROPOSED = ev.AppointmentProposed(
    file_id=FILE,
    proposal_id=PROPOSAL,
    reason="maintenance_due",
    contact=USER,
    vehicle=CAR,
    suggested_date=DUE,
    contact_from=TODAY,
    repair_order_id=RO,
    proposed_at=hours(1),
)
QUEUED = pv.ProposalQueued(
    proposal_id=PROPOSAL,
    file_id=FILE,
    reason="maintenance_due",
    contact=USER,
    vehicle=CAR,
    due_on=DUE,
    contact_from=TODAY,
    repair_order_id=RO,
    queued_at=hours(2),
)
AT = hours(30)
CALL_AGAIN_AT = datetime(2024, 11, 1, tzinfo=AT.tzinfo)


def answered(answer: str, call_again_at: datetime | None = None) -> pv.ProposalAnswered:
    return pv.ProposalAnswered(
        proposal_id=PROPOSAL,
        file_id=FILE,
        reason="maintenance_due",
        answer=answer,
        via="agent",
        answered_by="cs-1",
        call_again_at=call_again_at,
        answered_at=AT,
    )


def answer(kind: str, on: date | None = None, via: str = "agent") -> AnswerProposal:
    at = CALL_AGAIN_AT if on else None
    return AnswerProposal(kind, via, "cs-1", AT, TODAY, call_again_on=on, call_again_at=at)


def test_a_proposal_is_queued_once_with_its_due_day() -> None:
    state = given().when(QueueProposal(PROPOSED, hours(2))).then(QUEUED)
    assert state.status == OPEN
    given(QUEUED).when(QueueProposal(PROPOSED, hours(3))).then()


@pytest.mark.parametrize("kind", ["book_now", "not_interested", "opt_out"])
def test_the_customers_answer_is_recorded(kind: str) -> None:
    given(QUEUED).when(answer(kind)).then(answered(kind))


def test_later_names_a_day_after_today() -> None:
    state = given(QUEUED).when(answer("later", date(2024, 11, 1))).then(answered("later", CALL_AGAIN_AT))
    assert state.status == LATER
    given(QUEUED).when(answer("later")).then_refused(MissingInformation)
    given(QUEUED).when(answer("later", TODAY)).then_refused(errors.CallAgainNotAhead)


def test_an_unknown_answer_or_proposal_is_refused() -> None:
    given(QUEUED).when(answer("maybe")).then_refused(InvalidCode)
    given(QUEUED).when(answer("book_now", via="fax")).then_refused(InvalidCode)
    given().when(answer("book_now")).then_refused(errors.NoProposal)


@pytest.mark.parametrize("kind", ["not_interested", "opt_out"])
def test_a_declined_proposal_takes_no_further_answer(kind: str) -> None:
    given(QUEUED, answered(kind)).when(answer("book_now")).then_refused(errors.ProposalClosed)


def test_later_comes_back_in_the_queue_on_its_day_once() -> None:
    later = answered("later", CALL_AGAIN_AT)
    back = pv.ProposalDueAgain(proposal_id=PROPOSAL, file_id=FILE, reason="maintenance_due", due_at=CALL_AGAIN_AT)
    state = given(QUEUED, later).when(ReturnProposal(CALL_AGAIN_AT)).then(back)
    assert state.status == OPEN
    given(QUEUED, later, back).when(ReturnProposal(CALL_AGAIN_AT)).then()
    given(QUEUED).when(ReturnProposal(CALL_AGAIN_AT)).then()


def booked() -> pv.ProposalBooked:
    return pv.ProposalBooked(
        proposal_id=PROPOSAL,
        file_id=FILE,
        reason="maintenance_due",
        appointment_id=APPOINTMENT,
        slot_start=hours(100),
        booked_at=AT,
    )


def test_a_booking_converts_the_proposal_once_whatever_was_answered() -> None:
    book = BookProposal(APPOINTMENT, hours(100), AT)
    state = given(QUEUED, answered("not_interested")).when(book).then(booked())
    assert state.status == BOOKED
    given(QUEUED, booked()).when(BookProposal(uuid4(), hours(120), AT)).then()
    given(QUEUED, booked()).when(answer("later", date(2024, 11, 1))).then_refused(errors.ProposalClosed)
    later = answered("later", CALL_AGAIN_AT)
    given(QUEUED, later, booked()).when(ReturnProposal(CALL_AGAIN_AT)).then()  # the timer is moot
    given().when(book).then_refused(errors.NoProposal)


def test_the_booked_cars_arrival_completes_the_conversion_once() -> None:
    arrived = pv.ProposalArrived(
        proposal_id=PROPOSAL,
        file_id=FILE,
        reason="maintenance_due",
        appointment_id=APPOINTMENT,
        arrived_at=hours(100),
    )
    given(QUEUED, booked()).when(MarkProposalArrived(APPOINTMENT, hours(100))).then(arrived)
    given(QUEUED, booked(), arrived).when(MarkProposalArrived(APPOINTMENT, hours(101))).then()
    given(QUEUED, booked()).when(MarkProposalArrived(uuid4(), hours(100))).then()


def test_a_failed_message_is_handled_once_by_someone() -> None:
    message = uuid4()
    handled = pv.FailedMessageHandled(message_id=message, handled_by="cs-1", note="called", handled_at=AT)
    given_message().when(HandleFailedMessage(message, "cs-1", AT, " called ")).then(handled)
    given_message(handled).when(HandleFailedMessage(message, "cs-2", AT + timedelta(hours=1))).then_refused(
        errors.FailedMessageAlreadyHandled
    )
