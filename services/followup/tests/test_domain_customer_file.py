"""The customer file (docs/domain.md §6; seed 002 §2.1, §3.2): kept for the vehicle user, each visit
entered within 2 days and amended by its other half, do-not-call with who and why, wishes,
notes for the next visit, the call and letter log, and proposals from the visit."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from domain_helpers import CALLBACK, CAR, FILE, FILE_OPENED, OWNER, RO, T0, USER, given_file, hours, recommendation

from events.catalog import followup_files as ev
from events.catalog.reception_values import Contact
from events.rules import InvalidAmount, InvalidCode, MissingInformation
from followup.domain import errors
from followup.domain.commands import (
    AddNextVisitNote,
    ClearDoNotCall,
    LogCall,
    LogLetter,
    ProposeDeclinedWork,
    RecordVisit,
    RecordWish,
    SetDoNotCall,
)
from followup.domain.customer_file import stream_id
from followup.domain.ids import file_id_for, note_id_for, proposal_id_for


def visit(at_hours: float = 1, **changes: object) -> RecordVisit:
    command = RecordVisit(
        file_id=FILE,
        repair_order_id=RO,
        vehicle_user=USER,
        owner=OWNER,
        vehicle=CAR,
        visited_at=T0,
        mileage_km=10_240,
        recorded_at=hours(at_hours),
    )
    return RecordVisit(**{**command.__dict__, **changes})


def recorded(at_hours: float = 1, **changes: object) -> ev.VisitRecorded:
    fields: dict[str, object] = {
        "file_id": FILE,
        "repair_order_id": RO,
        "vehicle": CAR,
        "owner": OWNER,
        "vehicle_user": USER,
        "visited_at": T0,
        "mileage_km": 10_240,
        "due_by": T0 + timedelta(days=2),
        "on_time": at_hours <= 48,
        "recorded_at": hours(at_hours),
    }
    return ev.VisitRecorded.model_validate({**fields, **changes})


DNC = ev.DoNotCallSet(file_id=FILE, set_by="cs-1", reason="客户要求不要回访", set_at=hours(2))


def test_the_files_stream_is_the_vehicle_users() -> None:
    assert stream_id(FILE) == f"customer_file-{FILE}"
    assert file_id_for(USER, "group-1") == USER.customer_id
    walk_in = Contact(name="李女士", phone="138-0000-0002")
    same = Contact(name="李女士", phone="13800000002")
    assert file_id_for(walk_in, "group-1") == file_id_for(same, "group-1")
    assert file_id_for(walk_in, "group-1") != file_id_for(walk_in, "group-2")


def test_the_first_visit_opens_the_file_within_two_days() -> None:
    state = given_file().when(visit()).then(FILE_OPENED, recorded())
    assert state.contact == USER
    assert state.visits[RO].on_time


def test_a_file_entered_later_than_two_days_is_recorded_as_late() -> None:
    opened = ev.CustomerFileOpened(file_id=FILE, contact=USER, opened_at=hours(49))
    state = given_file().when(visit(49)).then(opened, recorded(49))
    assert not state.visits[RO].on_time


def test_the_invoice_amends_the_delivered_visit_and_the_same_facts_change_nothing() -> None:
    history = [FILE_OPENED, recorded()]
    command = visit(3, work_done=("10,000 km service",), invoice_number="INV-1")
    amended = recorded(3, work_done=("10,000 km service",), invoice_number="INV-1", amended=True, on_time=True)
    state = given_file(*history).when(command).then(amended)
    assert state.visits[RO].invoice_number == "INV-1"
    given_file(*history, amended).when(command).then()


def test_a_visit_is_recorded_after_it_happened_with_a_real_mileage() -> None:
    given_file().when(visit(-1)).then_refused(errors.TimeOutOfOrder)
    given_file().when(visit(mileage_km=-5)).then_refused(InvalidAmount)


def test_the_next_service_becomes_a_maintenance_proposal_two_weeks_ahead() -> None:
    due = date(2024, 11, 6)
    events = given_file().when(visit(next_service_due_date=due, next_service_due_km=20_000)).decided()
    proposal = events[-1]
    assert isinstance(proposal, ev.AppointmentProposed)
    assert proposal.reason == "maintenance_due"
    assert (proposal.suggested_date, proposal.due_km, proposal.contact_from) == (due, 20_000, date(2024, 10, 23))
    assert proposal.proposal_id == proposal_id_for(FILE, "maintenance_due", RO)
    assert proposal.contact == USER
    assert proposal.phone_allowed


def test_pending_recommendations_are_proposed_once() -> None:
    rec = recommendation(safety=True)
    events = given_file().when(visit(pending_recommendations=(rec,))).decided()
    proposal = events[-1]
    assert isinstance(proposal, ev.AppointmentProposed)
    assert proposal.reason == "declined_recommendation"
    assert proposal.recommendation == rec
    assert proposal.suggested_date == (hours(1) + timedelta(days=7)).date()
    again = ProposeDeclinedWork(RO, CAR, rec, hours(0))
    given_file(*events).when(again).then()


def test_declined_work_is_proposed_from_reception_and_needs_the_file() -> None:
    rec = recommendation()
    given_file().when(ProposeDeclinedWork(RO, CAR, rec, hours(-2))).then_refused(errors.NoCustomerFile)
    events = given_file(FILE_OPENED).when(ProposeDeclinedWork(RO, CAR, rec, hours(-2))).decided()
    assert len(events) == 1
    proposal = events[0]
    assert isinstance(proposal, ev.AppointmentProposed)
    assert proposal.suggested_date == (hours(-2) + timedelta(days=30)).date()


def test_do_not_call_is_set_and_cleared_with_who_and_why() -> None:
    state = given_file(FILE_OPENED).when(SetDoNotCall("cs-1", "客户要求不要回访", hours(2))).then(DNC)
    assert state.do_not_call
    assert (state.do_not_call_by, state.do_not_call_reason) == ("cs-1", "客户要求不要回访")
    given_file(FILE_OPENED, DNC).when(SetDoNotCall("cs-1", "again", hours(3))).then()
    given_file(FILE_OPENED).when(SetDoNotCall("cs-1", " ", hours(2))).then_refused(MissingInformation)
    cleared = ev.DoNotCallCleared(file_id=FILE, cleared_by="cs-2", reason="客户同意回访", cleared_at=hours(9))
    state = given_file(FILE_OPENED, DNC).when(ClearDoNotCall("cs-2", "客户同意回访", hours(9))).then(cleared)
    assert not state.do_not_call
    given_file(FILE_OPENED).when(ClearDoNotCall("cs-2", "x", hours(9))).then()
    given_file().when(SetDoNotCall("cs-1", "x", hours(2))).then_refused(errors.NoCustomerFile)


def test_do_not_call_stops_reminders_but_not_safety_proposals() -> None:
    due = date(2024, 11, 6)
    safety, wipers = recommendation(safety=True), recommendation()
    command = visit(4, next_service_due_date=due, pending_recommendations=(safety, wipers))
    events = given_file(FILE_OPENED, DNC).when(command).decided()
    proposals = [e for e in events if isinstance(e, ev.AppointmentProposed)]
    assert len(proposals) == 1
    assert proposals[0].recommendation == safety
    assert not proposals[0].phone_allowed


def test_marketing_calls_to_a_do_not_call_customer_are_refused_but_their_own_calls_are_logged() -> None:
    reminder = LogCall("outbound", "reminder", USER.phone, "cs-1", "保养提醒", hours(5))
    given_file(FILE_OPENED, DNC).when(reminder).then_refused(errors.DoNotCall)
    inbound = LogCall("inbound", "inquiry", USER.phone, "cs-1", "问保养价格", hours(5))
    logged = ev.CallLogged(
        file_id=FILE,
        direction="inbound",
        purpose="inquiry",
        phone=USER.phone,
        agent="cs-1",
        summary="问保养价格",
        called_at=hours(5),
    )
    assert given_file(FILE_OPENED, DNC).when(inbound).then(logged).calls_logged == 1
    bad = LogCall("sideways", "inquiry", USER.phone, "cs-1", "x", hours(5))
    given_file(FILE_OPENED).when(bad).then_refused(InvalidCode)


def test_a_call_logged_without_a_phone_goes_to_the_files_phone() -> None:
    """The agent logging a customer's call need not type the number the file already holds."""

    def logged(phone: str) -> ev.CallLogged:
        return ev.CallLogged(
            file_id=FILE,
            direction="inbound",
            purpose="inquiry",
            phone=phone,
            agent="cs-1",
            summary="问保养价格",
            called_at=hours(5),
        )

    given_file(FILE_OPENED).when(LogCall("inbound", "inquiry", None, "cs-1", "问保养价格", hours(5))).then(
        logged(USER.phone)
    )
    given_file(FILE_OPENED).when(LogCall("inbound", "inquiry", "13900000009", "cs-1", "问保养价格", hours(5))).then(
        logged("13900000009")
    )


def test_letters_are_logged() -> None:
    campaign = uuid4()
    letter = ev.LetterLogged(
        file_id=FILE,
        letter_kind="invitation",
        subject="免费检测周",
        sent_by="cs-1",
        campaign_id=campaign,
        sent_at=hours(8),
    )
    command = LogLetter("invitation", "免费检测周", "cs-1", hours(8), campaign)
    assert given_file(FILE_OPENED).when(command).then(letter).letters_logged == 1
    given_file(FILE_OPENED).when(LogLetter("postcard", "x", "cs-1", hours(8))).then_refused(InvalidCode)


def test_wishes_and_notes_for_the_next_visit() -> None:
    wish = ev.WishRecorded(file_id=FILE, wish="希望周末保养", recorded_by="cs-1", recorded_at=hours(3))
    assert given_file(FILE_OPENED).when(RecordWish("希望周末保养", "cs-1", hours(3))).then(wish).wishes == (
        "希望周末保养",
    )
    text = "first callback: unreachable after 3 attempts"
    command = AddNextVisitNote(text, "callback_unreachable", "cs-1", hours(80), CALLBACK)
    note = ev.NextVisitNoteAdded(
        file_id=FILE,
        note_id=note_id_for(FILE, "callback_unreachable", CALLBACK, hours(80)),
        note=text,
        source="callback_unreachable",
        callback_id=CALLBACK,
        added_by="cs-1",
        added_at=hours(80),
    )
    state = given_file(FILE_OPENED).when(command).then(note)
    assert list(state.notes.values()) == [text]
    told_again = AddNextVisitNote(text, "callback_unreachable", "cs-1", hours(81), CALLBACK)
    given_file(FILE_OPENED, note).when(told_again).then()
