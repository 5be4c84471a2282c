"""Quality check (pass → ready for delivery, fail → rework) and the progress check that
raises the "will be late" signal before the promised time."""

from __future__ import annotations

from datetime import timedelta

from domain_helpers import (
    BRAKES,
    OIL,
    OPENED,
    PROMISED,
    RECEIVED,
    RO,
    T0,
    at,
    both_done,
    completed,
    dispatched,
    finding,
    found,
    given,
    started,
)

from events.catalog import workshop as ev
from events.contract import Event
from events.rules import MissingInformation
from workshop.domain import errors
from workshop.domain.commands import CheckProgress, FailQualityCheck, PassQualityCheck, StartJob
from workshop.domain.forecast import HALF_TIME, QC_MINUTES, THREE_QUARTERS, progress_checks
from workshop.domain.state import DISPATCHED, READY


def passed(minutes: int, first_time: bool = True, rework: int = 0, worked: int = 130) -> list[Event]:
    return [
        ev.QualityCheckPassed(repair_order_id=RO, inspector="qc-1", first_time=first_time, checked_at=at(minutes)),
        ev.VehicleReadyForDelivery(
            repair_order_id=RO,
            promised_at=PROMISED,
            on_time=at(minutes) <= PROMISED,
            worked_minutes=worked,
            planned_minutes=130,
            rework_count=rework,
            ready_at=at(minutes),
        ),
    ]


def test_qc_passes_when_every_job_is_done_and_the_car_is_ready_for_delivery() -> None:
    state = given(*both_done()).when(PassQualityCheck("qc-1", at(110))).then(*passed(110))
    assert state.status == READY


def test_qc_before_the_work_is_finished_is_refused() -> None:
    given(OPENED, RECEIVED, dispatched(), started()).when(PassQualityCheck("qc-1", at(60))).then_refused(
        errors.WorkNotFinished
    )


def test_qc_waits_for_the_customers_decision_on_findings() -> None:
    given(*both_done(), found(finding(), minutes=100)).when(PassQualityCheck("qc-1", at(110))).then_refused(
        errors.DecisionPending
    )


def test_failed_qc_sends_the_jobs_back_as_rework_and_counts_against_first_time_fix() -> None:
    failed = ev.QualityCheckFailed(
        repair_order_id=RO, inspector="qc-1", reasons=("pads squeal",), rework_job_ids=(BRAKES,), failed_at=at(105)
    )
    state = given(*both_done()).when(FailQualityCheck("qc-1", ("pads squeal",), (BRAKES,), at(105))).then(failed)
    assert state.jobs[BRAKES].status == DISPATCHED
    assert state.jobs[BRAKES].rework
    given(*both_done(), failed).when(PassQualityCheck("qc-1", at(106))).then_refused(errors.WorkNotFinished)

    rework_started = started(BRAKES, "tech-2", minutes=110, rework=True)
    given(*both_done(), failed).when(StartJob(BRAKES, "tech-2", at(110))).then(rework_started)
    redone = ev.JobCompleted(
        repair_order_id=RO,
        job_id=BRAKES,
        technician_id="tech-2",
        worked_minutes=20,
        total_worked_minutes=110,
        planned_minutes=90,
        completed_at=at(130),
    )
    history = [*both_done(), failed, rework_started, redone]
    given(*history).when(PassQualityCheck("qc-1", at(135))).then(*passed(135, first_time=False, rework=1, worked=150))


def test_a_failed_qc_names_reasons_and_finished_jobs() -> None:
    given(*both_done()).when(FailQualityCheck("qc-1", (), (BRAKES,), at(105))).then_refused(MissingInformation)
    given(OPENED, RECEIVED, dispatched(), started()).when(
        FailQualityCheck("qc-1", ("x",), (OIL,), at(20))
    ).then_refused(errors.NotCompleted)


def test_nothing_is_worked_after_the_car_is_ready() -> None:
    given(*both_done(), *passed(110)).when(PassQualityCheck("qc-1", at(111))).then_refused(errors.AlreadyReady)


def test_progress_is_checked_at_three_quarters_and_at_half_time_for_long_jobs() -> None:
    assert progress_checks(T0, T0 + timedelta(hours=2)) == {THREE_QUARTERS: T0 + timedelta(minutes=90)}
    long = progress_checks(T0, T0 + timedelta(hours=8))
    assert long == {THREE_QUARTERS: T0 + timedelta(hours=6), HALF_TIME: T0 + timedelta(hours=4)}


def test_on_track_work_passes_the_progress_check_quietly() -> None:
    # Promise at +4 h; at +3 h only QC is left.
    history = [*both_done()]
    check = (
        given(*history)
        .when(CheckProgress(THREE_QUARTERS, at(180)))
        .then(
            ev.ProgressCheckDue(
                repair_order_id=RO,
                check=THREE_QUARTERS,
                promised_at=PROMISED,
                forecast_ready_at=at(180 + QC_MINUTES),
                remaining_minutes=QC_MINUTES,
                on_track=True,
                checked_at=at(180),
            )
        )
    )
    assert check.status != READY


def test_late_work_raises_the_will_be_late_signal_before_the_promise() -> None:
    # tech-1 has both jobs (40 + 90 min) and has not started the second one at +3 h.
    history = [OPENED, RECEIVED, dispatched(OIL), dispatched(BRAKES), started(OIL, minutes=150)]
    # Oil: 40 planned, 30 clocked → 10 left; brakes 90; QC 10 → ready at +3 h 110 min = 290.
    decided = given(*history).when(CheckProgress(THREE_QUARTERS, at(180))).decided()
    due, late = decided
    assert isinstance(due, ev.ProgressCheckDue)
    assert not due.on_track
    assert due.forecast_ready_at == at(180 + 10 + 90 + QC_MINUTES)
    assert isinstance(late, ev.JobRunningLate)
    assert late.late_by_minutes == 290 - 240
    assert set(late.job_ids) == {OIL, BRAKES}
    assert late.detected_at < late.promised_at


def test_technicians_work_in_parallel_in_the_forecast() -> None:
    history = [OPENED, RECEIVED, dispatched(OIL, "tech-1"), dispatched(BRAKES, "tech-2")]
    (due,) = given(*history).when(CheckProgress(THREE_QUARTERS, at(60))).decided()
    assert isinstance(due, ev.ProgressCheckDue)
    assert due.remaining_minutes == 90 + QC_MINUTES  # the longer lane, not the sum


def test_a_ready_car_needs_no_progress_check() -> None:
    given(*both_done(), *passed(110)).when(CheckProgress(THREE_QUARTERS, at(180))).then()


def test_a_completed_job_counts_nothing_left() -> None:
    history = [OPENED, RECEIVED, dispatched(OIL), started(OIL), completed(OIL)]
    (due,) = given(*history).when(CheckProgress(THREE_QUARTERS, at(60))).decided()
    assert isinstance(due, ev.ProgressCheckDue)
    assert due.remaining_minutes == 90 + QC_MINUTES
