"""The repair e-record without a database: built from a settlement with every field JT/T 1132
asks, sent in the platform's terms, and its statuses (a rejection is final until resubmitted;
an answer of an earlier attempt changes nothing)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from outbound_helpers import ENTERPRISE, VIN, settled

from billing import erecord as er
from billing.erecord_content import prepared
from billing.outbound.backoff import Backoff
from billing.outbound.erecord import wire, working_hours
from events.catalog.billing_outbound import (
    ERecordAccepted,
    ERecordContent,
    ERecordRejected,
    ERecordResubmitted,
    ERecordSent,
    ERecordUploadFailed,
)
from events.contract import Event
from events.decider import fold

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NAME, LICENCE = ENTERPRISE["enterprise_name"], ENTERPRISE["enterprise_licence_number"]


def given(*events: Event) -> er.ERecord:
    return fold(er.erecord, list(events))


def record_of(state: er.ERecord) -> ERecordContent:
    assert state.record is not None
    return state.record


def test_the_record_carries_every_field_of_the_standard() -> None:
    settlement = settled("SVC-2026-000042", settlement_date=date(2026, 3, 2))
    event = prepared(settlement, NAME, LICENCE, AT)
    record = event.record
    assert (record.enterprise_name, record.enterprise_licence_number) == (NAME, LICENCE)
    assert (record.plate, record.vin) == ("沪A12345", VIN)
    assert (record.repair_date, record.mileage_km) == (date(2026, 3, 1), 10_012)
    assert record.fault_description.startswith("仪表保养提示")
    assert (record.settlement_date, record.settlement_number) == (date(2026, 3, 2), "SVC-2026-000042")
    assert [(i.labour_operation, i.description, i.labour_minutes) for i in record.items] == [
        ("OIL-10K", "更换机油机滤", 60),
        ("BRK-INS", "制动系统检查", 30),
    ]
    assert [(p.part_number, p.name, p.quantity) for p in record.parts] == [
        ("90915-YZZD2", "机油滤清器", 1),
        ("08880-83720", "机油 0W-20", 4),
    ]
    assert event.repair_order_id == settlement.repair_order_id
    assert event.invoice_number == "SVC-2026-000042"


def test_the_platform_gets_every_field_in_its_own_names() -> None:
    sent = wire(prepared(settled("SVC-2026-000042"), NAME, LICENCE, AT).record)
    assert sent == {
        "companycode": LICENCE,
        "companyname": NAME,
        "vehicleplatenumber": "沪A12345",
        "vin": VIN,
        "repairdate": "2026-03-01",
        "repairmileage": "10012",
        "faultdescription": "仪表保养提示 (service reminder on the dashboard)",
        "settledate": "2026-03-02",
        "costlistcode": "SVC-2026-000042",
        "repairprojectlist": [
            {"repairproject": "更换机油机滤", "repairprojectcode": "OIL-10K", "workinghours": "1.00"},
            {"repairproject": "制动系统检查", "repairprojectcode": "BRK-INS", "workinghours": "0.50"},
        ],
        "partslist": [
            {"partscode": "90915-YZZD2", "partsname": "机油滤清器", "partsquantity": "1"},
            {"partscode": "08880-83720", "partsname": "机油 0W-20", "partsquantity": "4"},
        ],
    }


@pytest.mark.parametrize(("minutes", "hours"), [(0, "0.00"), (1, "0.02"), (20, "0.33"), (45, "0.75"), (95, "1.58")])
def test_working_hours_are_hours_to_two_places_half_up(minutes: int, hours: str) -> None:
    assert working_hours(minutes) == hours


def test_one_record_per_settlement_however_often_it_arrives() -> None:
    settlement = settled()
    first = prepared(settlement, NAME, LICENCE, AT)
    again = prepared(settlement, NAME, LICENCE, AT + timedelta(minutes=5))
    assert first.record_id == again.record_id
    assert er.decide(given(first), er.Prepare(again)) == []
    other = prepared(settled("SVC-2026-000043", repair_order_id=settlement.repair_order_id), NAME, LICENCE, AT)
    assert other.record_id != first.record_id


def _sent(attempt: int = 1) -> tuple[Event, ...]:
    event = prepared(settled(), NAME, LICENCE, AT)
    return (event, ERecordSent(record_id=event.record_id, attempt=attempt, sent_at=AT))


def test_pending_then_sent_then_accepted() -> None:
    prepared_event, sent = _sent()
    assert given(prepared_event).status == er.PENDING
    assert given(prepared_event, sent).status == er.SENT
    decided = er.decide(given(prepared_event, sent), er.RecordAccepted(1, "JTT0000000001", AT))
    assert [type(e) for e in decided] == [ERecordAccepted]
    assert given(prepared_event, sent, *decided).status == er.ACCEPTED


def test_a_rejection_is_final_until_resubmitted() -> None:
    events = _sent()
    rejected = er.decide(given(*events), er.RecordRejected(1, "缺少必填项 (missing companycode)", AT))
    state = given(*events, *rejected)
    assert (state.status, state.reason) == (er.REJECTED, "缺少必填项 (missing companycode)")
    assert er.decide(state, er.MarkSent(state.submission, AT)) == []  # a late timer uploads nothing
    resubmitted = er.decide(state, er.Resubmit(record_of(state), "manager-1", AT))
    assert [type(e) for e in resubmitted] == [ERecordResubmitted]
    again = given(*events, *rejected, *resubmitted)
    assert (again.status, again.submission, again.attempts, again.reason) == (er.PENDING, 2, 0, None)
    assert er.decide(again, er.MarkSent(1, AT)) == []  # the first submission's timer
    assert [type(e) for e in er.decide(again, er.MarkSent(2, AT))] == [ERecordSent]


def test_the_platform_down_leaves_it_pending_for_the_retry() -> None:
    events = _sent()
    failed = er.decide(given(*events), er.RecordUploadFailed(1, "503", AT + timedelta(seconds=10)))
    assert [type(e) for e in failed] == [ERecordUploadFailed]
    state = given(*events, *failed)
    assert (state.status, state.attempts, state.last_error) == (er.PENDING, 1, "503")
    sent = er.decide(state, er.MarkSent(1, AT))
    assert [(type(e), e.attempt) for e in sent if isinstance(e, ERecordSent)] == [(ERecordSent, 2)]


def test_an_answer_to_another_attempt_changes_nothing() -> None:
    events = _sent(attempt=1)
    assert er.decide(given(*events), er.RecordAccepted(2, "JTT9", AT)) == []
    assert er.decide(given(events[0]), er.RecordRejected(1, "late", AT)) == []  # not sent yet


def test_no_resubmission_while_an_upload_is_under_way() -> None:
    events = _sent()
    state = given(*events)
    with pytest.raises(er.UploadInProgress):
        er.decide(state, er.Resubmit(record_of(state), "manager-1", AT))
    assert state.record_id is not None
    accepted = ERecordAccepted(record_id=state.record_id, attempt=1, platform_record_id="J1", accepted_at=AT)
    done = given(*events, accepted)
    assert [type(e) for e in er.decide(done, er.Resubmit(record_of(done), "manager-1", AT))] == [ERecordResubmitted]


def test_back_off_doubles_up_to_its_cap() -> None:
    backoff = Backoff(first_delay=10, max_delay=3600, jitter=0)
    assert [backoff.delay(n, 0.5) for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert backoff.delay(20, 0.99) == 3600
    jittered = Backoff(first_delay=10, max_delay=3600, jitter=0.5)
    assert 7.5 <= jittered.delay(1, 0.0) < jittered.delay(1, 0.99) < 12.5


def test_rejected_events_carry_the_platforms_reason() -> None:
    events = _sent()
    (rejected,) = er.decide(given(*events), er.RecordRejected(1, "车辆识别代号格式错误", AT))
    assert isinstance(rejected, ERecordRejected)
    assert rejected.reason == "车辆识别代号格式错误"
