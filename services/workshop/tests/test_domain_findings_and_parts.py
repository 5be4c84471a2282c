"""Additional work is reported all at once (a later round only after a test drive or a first
fix) and comes back as jobs only when the customer approves; a job short of parts waits."""

from __future__ import annotations

from uuid import uuid4

from domain_helpers import OIL, OPENED, RECEIVED, RO, at, completed, dispatched, finding, found, given, job, started

from events.catalog import workshop as ev
from events.rules import MissingInformation
from workshop.domain import errors
from workshop.domain.commands import (
    AddJobs,
    MarkWaitingForParts,
    NoteFindingDeclined,
    RecordPartsArrived,
    RecordTestDrive,
    ReportAdditionalWork,
    StartJob,
)

DISCS = finding()
WIPERS = finding("wiper blades torn", safety=False)


def test_findings_are_reported_together_as_round_one() -> None:
    command = ReportAdditionalWork((DISCS, WIPERS), "tech-1", at(20))
    state = given(OPENED, RECEIVED, dispatched(), started()).when(command).then(found(DISCS, WIPERS))
    assert state.pending_findings == {DISCS.finding_id, WIPERS.finding_id}


def test_a_second_round_needs_a_test_drive_or_a_first_fix() -> None:
    later = finding("exhaust leak", safety=False)
    command = ReportAdditionalWork((later,), "tech-1", at(70))
    given(OPENED, RECEIVED, dispatched(), started(), found(DISCS)).when(command).then_refused(
        errors.FindingRoundNotAllowed
    )

    drive = ev.TestDriveRecorded(repair_order_id=RO, driven_by="tech-1", with_customer=False, driven_at=at(60))
    given(OPENED, RECEIVED, dispatched(), started(), found(DISCS), drive).when(command).then(
        found(later, round=2, minutes=70)
    )

    fixed = completed(OIL, start=10, end=50)
    given(OPENED, RECEIVED, dispatched(), started(), found(DISCS), fixed).when(command).then(
        found(later, round=2, minutes=70)
    )


def test_a_test_drive_is_recorded() -> None:
    command = RecordTestDrive("tech-1", True, "noise at 80 km/h", at(15))
    expected = ev.TestDriveRecorded(
        repair_order_id=RO, driven_by="tech-1", with_customer=True, notes="noise at 80 km/h", driven_at=at(15)
    )
    state = given(OPENED, RECEIVED).when(command).then(expected)
    assert state.drove_or_fixed_since_round


def test_an_empty_or_repeated_report_is_refused() -> None:
    given(OPENED, RECEIVED).when(ReportAdditionalWork((), "tech-1", at(20))).then_refused(MissingInformation)
    given(OPENED, RECEIVED).when(ReportAdditionalWork((DISCS, DISCS), "tech-1", at(20))).then_refused(
        errors.DuplicateFinding
    )


def test_an_approved_finding_comes_back_as_jobs_and_is_no_longer_pending() -> None:
    new_job = job(DISCS.proposed_lines[0].line_id, 60, "BRK-DISC", origin="additional_work")
    added = ev.JobsAdded(repair_order_id=RO, jobs=(new_job,), finding_id=DISCS.finding_id, added_at=at(40))
    state = (
        given(OPENED, RECEIVED, found(DISCS, WIPERS)).when(AddJobs((new_job,), DISCS.finding_id, at(40))).then(added)
    )
    assert new_job.job_id in state.jobs
    assert state.pending_findings == {WIPERS.finding_id}


def test_a_declined_finding_is_closed_without_work() -> None:
    declined = ev.FindingDeclined(repair_order_id=RO, finding_id=WIPERS.finding_id, declined_at=at(41))
    state = (
        given(OPENED, RECEIVED, found(DISCS, WIPERS))
        .when(NoteFindingDeclined(WIPERS.finding_id, at(41)))
        .then(declined)
    )
    assert state.pending_findings == {DISCS.finding_id}
    assert WIPERS.proposed_lines[0].line_id not in state.jobs
    given(OPENED, RECEIVED).when(NoteFindingDeclined(uuid4(), at(41))).then_refused(errors.UnknownFinding)


def test_jobs_for_a_finding_this_workshop_never_reported_are_refused() -> None:
    given(OPENED, RECEIVED).when(AddJobs((job(uuid4()),), uuid4(), at(40))).then_refused(errors.UnknownFinding)


def waiting(quantity: int = 2) -> ev.JobWaitingForParts:
    return ev.JobWaitingForParts(
        repair_order_id=RO, job_id=OIL, part_number="P-1", missing_quantity=quantity, since=at(6)
    )


def test_a_job_short_of_parts_waits_and_cannot_be_clocked_on() -> None:
    state = given(OPENED, RECEIVED).when(MarkWaitingForParts(OIL, "P-1", 2, at(6))).then(waiting())
    assert dict(state.jobs[OIL].missing_parts) == {"P-1": 2}
    given(OPENED, RECEIVED, waiting(), dispatched(minutes=7)).when(StartJob(OIL, "tech-1", at(10))).then_refused(
        errors.WaitingForParts
    )


def test_the_job_is_released_when_all_missing_parts_arrived() -> None:
    partly = ev.JobPartsArrived(
        repair_order_id=RO, job_id=OIL, part_number="P-1", quantity=1, still_missing=("P-1",), arrived_at=at(30)
    )
    given(OPENED, RECEIVED, waiting()).when(RecordPartsArrived(OIL, "P-1", 1, at(30))).then(partly)
    rest = ev.JobPartsArrived(repair_order_id=RO, job_id=OIL, part_number="P-1", quantity=1, arrived_at=at(40))
    state = given(OPENED, RECEIVED, waiting(), partly).when(RecordPartsArrived(OIL, "P-1", 5, at(40))).then(rest)
    assert not state.jobs[OIL].missing_parts
    given(OPENED, RECEIVED, waiting(), partly, rest, dispatched(minutes=41)).when(StartJob(OIL, "tech-1", at(42))).then(
        started(minutes=42)
    )


def test_parts_nobody_waits_for_change_nothing() -> None:
    given(OPENED, RECEIVED).when(RecordPartsArrived(OIL, "P-1", 1, at(30))).then()
