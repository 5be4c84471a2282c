"""Properties of the WorkOrder (issue 6): whatever the dispatcher, the technicians, the QC
inspector, reception's and parts' reactions and the progress timer ask, in whatever order and
at whatever (even backward) times, after every step

- no job is dispatched, clocked on, off or completed unless its line was signed or approved,
  and never after the customer withdrew it; no work before the car was handed over;
- approved additional work comes only from a finding this workshop reported;
- a job is clocked only by the technician it was dispatched to; clocked time is never negative
  and a completed job's total is the sum of its sessions;
- a finished job is not worked again unless a failed QC sent it back as rework;
- the car is ready only through a passed QC, with every job done and no decision pending, and
  nothing is worked on a ready car (docs/domain.md §3 and §5).

The expectations are kept here from the events alone, not read from the state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from domain_helpers import BRAKES, OIL, OPENED, T0, finding, job
from hypothesis import event as label
from hypothesis import given
from hypothesis import strategies as st

from events.catalog import workshop as ev
from events.contract import Event
from events.testing.properties import PROPERTY, run_commands
from workshop.domain.commands import (
    AddJobs,
    CheckProgress,
    CompleteJob,
    DispatchJob,
    FailQualityCheck,
    MarkWaitingForParts,
    NoteFindingDeclined,
    PassQualityCheck,
    PauseJob,
    ReceiveVehicle,
    RecordPartsArrived,
    RecordTestDrive,
    ReportAdditionalWork,
    StartJob,
    UpdatePromisedTime,
    WithdrawJob,
    WorkOrderCommand,
)
from workshop.domain.state import COMPLETED, DISPATCHED, IN_PROGRESS, PAUSED, PLANNED, WorkOrder
from workshop.domain.work_order import work_order

FINDINGS = (finding(), finding("tyres worn", safety=False))
FOUND_LINES = {f.finding_id: f.proposed_lines[0].line_id for f in FINDINGS}
STRANGER = uuid4()  # a line nobody signed or approved
EXTRA = uuid4()  # a line reception adds with consent (no finding)
JOB_IDS = [OIL, BRAKES, STRANGER, EXTRA, *FOUND_LINES.values()]
TECHS = ["tech-1", "tech-1", "tech-2", ""]

Build = Callable[[datetime], WorkOrderCommand]


def _new_job(job_id: UUID) -> ev.Job:
    return job(job_id, 30, "EXTRA", origin="additional_work")


def _add(job_id: UUID, finding_id: UUID | None) -> Build:
    return lambda at: AddJobs((_new_job(job_id),), finding_id, at)


def _clock(kind: str, job_id: UUID, tech: str) -> Build:
    def build(at: datetime) -> WorkOrderCommand:
        if kind == "dispatch":
            return DispatchJob(job_id, tech, "bay-1", "dispatcher", at)
        if kind == "start":
            return StartJob(job_id, tech, at)
        if kind == "pause":
            return PauseJob(job_id, tech, "break", at)
        return CompleteJob(job_id, tech, at)

    return build


def _declined(finding_id: UUID) -> Build:
    return lambda at: NoteFindingDeclined(finding_id, at)


def _fail_qc(job_ids: tuple[UUID, ...], reasons: tuple[str, ...]) -> Build:
    return lambda at: FailQualityCheck("qc", reasons, job_ids, at)


job_ids = st.sampled_from(JOB_IDS)
finding_ids = st.sampled_from([*FOUND_LINES, uuid4()])
commands: st.SearchStrategy[Build | str] = st.one_of(
    st.builds(_clock, st.sampled_from(["dispatch", "start", "pause", "complete"]), job_ids, st.sampled_from(TECHS)),
    st.sampled_from([FINDINGS[:1], FINDINGS[1:], FINDINGS, ()]).map(
        lambda found: lambda at: ReportAdditionalWork(found, "tech-1", at)
    ),
    # reception adds only lines the customer agreed to: never the stranger
    st.builds(_add, st.sampled_from([OIL, EXTRA, *FOUND_LINES.values()]), st.one_of(st.none(), finding_ids)),
    st.builds(_declined, finding_ids),
    st.builds(lambda job_id: lambda at: WithdrawJob(job_id, "customer", at), job_ids),
    st.just(lambda at: ReceiveVehicle("K-17", at)),
    st.just(lambda at: RecordTestDrive("tech-1", False, "", at)),
    st.builds(lambda job_id, qty: lambda at: MarkWaitingForParts(job_id, "P-1", qty, at), job_ids, st.integers(-1, 3)),
    st.builds(lambda job_id, qty: lambda at: RecordPartsArrived(job_id, "P-1", qty, at), job_ids, st.integers(-1, 3)),
    st.builds(_fail_qc, st.lists(job_ids, max_size=2).map(tuple), st.sampled_from([("noise",), (), (" ",)])),
    st.just(lambda at: PassQualityCheck("qc", at)),
    st.just(lambda at: CheckProgress("three_quarters", at)),
    st.integers(-120, 240).map(lambda m: lambda at: UpdatePromisedTime(at + timedelta(minutes=m), at)),
)
NEXT = "next"
# Two steps in three the proper next one; times mostly forward, now and then before the last.
next_or_any = st.integers(0, 2).flatmap(lambda n: commands if n == 0 else st.just(NEXT))
steps = st.lists(st.tuples(next_or_any, st.integers(-12, 40)), min_size=20, max_size=70)


def _proper_next(state: WorkOrder) -> Build:
    """The step the order waits for, done properly, so that random runs reach QC and beyond."""
    if state.received_at is None:
        return lambda at: ReceiveVehicle("K-17", at)
    for finding_id in sorted(state.pending_findings):
        if FOUND_LINES[finding_id] not in state.jobs:
            return _add(FOUND_LINES[finding_id], finding_id)
        return _declined(finding_id)
    for kind, statuses in (("complete", (IN_PROGRESS,)), ("start", (DISPATCHED, PAUSED)), ("dispatch", (PLANNED,))):
        for job_state in state.open_jobs():
            if job_state.status in statuses and not job_state.missing_parts:
                return _clock(kind, job_state.job_id, job_state.technician_id or "tech-1")
    return lambda at: PassQualityCheck("qc", at)


@dataclass
class Expected:
    """The work order as the business rules describe it, replayed from its events."""

    agreed: set[UUID] = field(default_factory=lambda: {OIL, BRAKES})
    withdrawn: set[UUID] = field(default_factory=set)
    done: set[UUID] = field(default_factory=set)
    reported: set[UUID] = field(default_factory=set)
    decided: set[UUID] = field(default_factory=set)
    dispatched_to: dict[UUID, str] = field(default_factory=dict)
    clocked: dict[UUID, int] = field(default_factory=dict)
    received: bool = False
    ready: bool = False
    qc_passed_just_now: bool = False

    def advance(self, event: Event) -> None:
        passed, self.qc_passed_just_now = self.qc_passed_just_now, False
        match event:
            case ev.VehicleReceived():
                self.received = True
            case ev.JobsAdded():
                assert event.finding_id is None or event.finding_id in self.reported, "work from no reported finding"
                self.agreed |= {j.job_id for j in event.jobs}
                self.decided |= {event.finding_id} if event.finding_id else set()
                self.ready = False  # new work goes through QC again
            case ev.FindingDeclined():
                self.decided.add(event.finding_id)
            case ev.AdditionalWorkFound():
                self.reported |= {f.finding_id for f in event.findings}
            case ev.JobWithdrawn():
                assert event.job_id not in self.done, "a finished job withdrawn"
                self.withdrawn.add(event.job_id)
            case ev.JobDispatched() | ev.JobStarted() | ev.JobPaused() | ev.JobCompleted():
                self._work(event)
            case ev.QualityCheckFailed():
                assert set(event.rework_job_ids) <= self.done, "rework of a job that was not finished"
                self.done -= set(event.rework_job_ids)
            case ev.QualityCheckPassed():
                self.qc_passed_just_now = True
            case ev.VehicleReadyForDelivery():
                assert passed, "ready without a passed quality check"
                assert self.agreed - self.withdrawn == self.done, "ready with unfinished work"
                assert self.reported == self.decided, "ready while a finding waits for the customer"
                self.ready = True

    def _work(self, event: ev.JobDispatched | ev.JobStarted | ev.JobPaused | ev.JobCompleted) -> None:
        name, job_id = type(event).__name__, event.job_id
        assert self.received, f"{name} before the car was handed over"
        assert not self.ready, f"{name} on a car that is ready for delivery"
        assert job_id in self.agreed, f"{name} on a line the customer did not agree to"
        assert job_id not in self.withdrawn, f"{name} on a withdrawn job"
        assert job_id not in self.done, f"{name} on a finished job that no QC sent back"
        if isinstance(event, ev.JobDispatched):
            self.dispatched_to[job_id] = event.technician_id
            return
        assert self.dispatched_to.get(job_id) == event.technician_id, f"{name} by someone it was not given to"
        if isinstance(event, ev.JobPaused | ev.JobCompleted):
            assert event.worked_minutes >= 0, "negative clocked time"
            self.clocked[job_id] = self.clocked.get(job_id, 0) + event.worked_minutes
        if isinstance(event, ev.JobCompleted):
            assert event.total_worked_minutes == self.clocked[job_id], "the total is not the sum of the sessions"
            self.done.add(job_id)


def _check(expected: Expected) -> Callable[[Sequence[Event], Sequence[Event], WorkOrder], None]:
    def invariant(history: Sequence[Event], decided: Sequence[Event], state: WorkOrder) -> None:
        for event in decided:
            expected.advance(event)
        assert STRANGER not in state.jobs
        assert all(j.worked_minutes >= 0 for j in state.jobs.values())
        assert {j for j, s in state.jobs.items() if s.status == COMPLETED} == expected.done

    return invariant


@PROPERTY
@given(steps)
def test_only_agreed_work_is_done_by_its_technician_and_the_car_is_ready_only_through_qc(
    plan: list[tuple[Build | str, int]],
) -> None:
    expected = Expected()
    timed = [(command, T0 + timedelta(minutes=10 * step + jitter)) for step, (command, jitter) in enumerate(plan, 1)]

    def build(step: tuple[Build | str, datetime], state: WorkOrder) -> WorkOrderCommand:
        command, at = step
        return (_proper_next(state) if isinstance(command, str) else command)(at)

    outcome = run_commands(work_order, timed, _check(expected), history=[OPENED], build=build)
    label(f"ready: {expected.ready}, reworked: {bool(outcome.recorded(ev.QualityCheckFailed))}")
