"""Opening the work order, dispatch and clock on/off: only agreed lines are worked, by the
technician they were given to."""

from __future__ import annotations

from uuid import uuid4

from domain_helpers import (
    BRAKES,
    CAR,
    OIL,
    OPENED,
    PROMISED,
    RECEIVED,
    RO,
    T0,
    at,
    completed,
    dispatched,
    given,
    job,
    started,
)

from events.catalog import workshop as ev
from events.rules import InvalidCode
from workshop.domain import errors
from workshop.domain.commands import (
    AddJobs,
    CompleteJob,
    DispatchJob,
    OpenWorkOrder,
    PauseJob,
    ReceiveVehicle,
    StartJob,
    WithdrawJob,
)
from workshop.domain.state import COMPLETED, DISPATCHED, IN_PROGRESS, PAUSED, WITHDRAWN


def test_the_signed_repair_order_opens_a_work_order_with_a_job_per_line() -> None:
    command = OpenWorkOrder(RO, CAR, "appointment", True, PROMISED, OPENED.jobs, T0)
    state = given().when(command).then(OPENED)
    assert set(state.jobs) == {OIL, BRAKES}
    assert state.promised_at == PROMISED


def test_a_work_order_is_opened_once() -> None:
    command = OpenWorkOrder(RO, CAR, "appointment", True, PROMISED, OPENED.jobs, T0)
    given(OPENED).when(command).then_refused(errors.WorkOrderAlreadyOpen)


def test_a_job_line_appears_once() -> None:
    given(OPENED, RECEIVED).when(AddJobs((job(OIL),), None, at(5))).then_refused(errors.DuplicateJob)


def test_jobs_are_dispatched_only_once_the_car_and_key_are_handed_over() -> None:
    given(OPENED).when(DispatchJob(OIL, "tech-1", "bay-3", "d", at(5))).then_refused(errors.VehicleNotHandedOver)
    state = given(OPENED).when(ReceiveVehicle("K-17", at(2))).then(RECEIVED)
    assert state.key_tag == "K-17"
    given(OPENED, RECEIVED).when(ReceiveVehicle("K-17", at(3))).then()


def test_dispatch_gives_a_job_to_a_technician_and_a_bay() -> None:
    state = given(OPENED, RECEIVED).when(DispatchJob(OIL, "tech-1", "bay-3", "dispatcher-1", at(5))).then(dispatched())
    assert state.jobs[OIL].status == DISPATCHED
    assert (state.jobs[OIL].technician_id, state.jobs[OIL].bay) == ("tech-1", "bay-3")


def test_work_on_a_line_the_customer_did_not_agree_to_is_refused() -> None:
    unknown = uuid4()
    given(OPENED, RECEIVED).when(DispatchJob(unknown, "tech-1", "bay-3", "d", at(5))).then_refused(
        errors.JobNotApproved
    )
    given(OPENED, RECEIVED, dispatched()).when(StartJob(unknown, "tech-1", at(6))).then_refused(errors.JobNotApproved)


def test_nothing_is_worked_before_the_repair_order_is_signed() -> None:
    given().when(DispatchJob(OIL, "tech-1", "bay-3", "d", at(5))).then_refused(errors.NoWorkOrder)


def test_a_technician_clocks_on_only_a_dispatched_job_of_their_own() -> None:
    given(OPENED, RECEIVED).when(StartJob(OIL, "tech-1", at(6))).then_refused(errors.JobNotDispatched)
    given(OPENED, RECEIVED, dispatched()).when(StartJob(OIL, "tech-2", at(6))).then_refused(
        errors.NotAssignedTechnician
    )
    state = given(OPENED, RECEIVED, dispatched()).when(StartJob(OIL, "tech-1", at(10))).then(started())
    assert state.jobs[OIL].status == IN_PROGRESS


def test_clock_off_with_a_pause_counts_the_minutes_and_clock_on_again_continues() -> None:
    paused = ev.JobPaused(
        repair_order_id=RO, job_id=OIL, technician_id="tech-1", reason="break", worked_minutes=25, paused_at=at(35)
    )
    state = given(OPENED, RECEIVED, dispatched(), started()).when(PauseJob(OIL, "tech-1", "break", at(35))).then(paused)
    assert state.jobs[OIL].status == PAUSED
    resumed = (
        given(OPENED, RECEIVED, dispatched(), started(), paused)
        .when(StartJob(OIL, "tech-1", at(45)))
        .then(started(minutes=45))
    )
    finished = ev.JobCompleted(
        repair_order_id=RO,
        job_id=OIL,
        technician_id="tech-1",
        worked_minutes=15,
        total_worked_minutes=40,
        planned_minutes=40,
        completed_at=at(60),
    )
    given(OPENED, RECEIVED, dispatched(), started(), paused, started(minutes=45)).when(
        CompleteJob(OIL, "tech-1", at(60))
    ).then(finished)
    assert resumed.jobs[OIL].worked_minutes == 25


def test_an_unknown_pause_reason_is_refused() -> None:
    given(OPENED, RECEIVED, dispatched(), started()).when(PauseJob(OIL, "tech-1", "nap", at(20))).then_refused(
        InvalidCode
    )


def test_a_job_is_completed_only_while_clocked_on() -> None:
    given(OPENED, RECEIVED, dispatched()).when(CompleteJob(OIL, "tech-1", at(20))).then_refused(errors.JobNotInProgress)
    state = given(OPENED, RECEIVED, dispatched(), started()).when(CompleteJob(OIL, "tech-1", at(50))).then(completed())
    assert state.jobs[OIL].status == COMPLETED
    given(OPENED, RECEIVED, dispatched(), started(), completed()).when(
        DispatchJob(OIL, "tech-2", "bay-1", "d", at(55))
    ).then_refused(errors.JobAlreadyDone)


def test_a_job_being_worked_is_not_re_dispatched() -> None:
    given(OPENED, RECEIVED, dispatched(), started()).when(
        DispatchJob(OIL, "tech-2", "bay-1", "d", at(20))
    ).then_refused(errors.JobInProgress)


def test_times_do_not_run_backwards() -> None:
    given(OPENED, RECEIVED, dispatched(), started(minutes=30)).when(CompleteJob(OIL, "tech-1", at(20))).then_refused(
        errors.TimeOutOfOrder
    )


def test_a_withdrawn_line_is_not_worked() -> None:
    withdrawn = ev.JobWithdrawn(repair_order_id=RO, job_id=BRAKES, reason="customer", withdrawn_at=at(7))
    state = given(OPENED, RECEIVED).when(WithdrawJob(BRAKES, "customer", at(7))).then(withdrawn)
    assert state.jobs[BRAKES].status == WITHDRAWN
    given(OPENED, RECEIVED, withdrawn).when(DispatchJob(BRAKES, "tech-1", "bay-3", "d", at(8))).then_refused(
        errors.JobWithdrawnError
    )
    given(OPENED, RECEIVED, dispatched(), started(), completed()).when(
        WithdrawJob(OIL, "customer", at(60))
    ).then_refused(errors.JobAlreadyDone)
