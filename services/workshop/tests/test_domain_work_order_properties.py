"""Property: whatever the floor asks in whatever order, the work order never works a line the
customer did not agree to, never readies a car with unfinished work, and never clocks a job
for someone it was not given to (issue 6: invariants under any command sequence)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

from domain_helpers import BRAKES, OIL, OPENED, RECEIVED, T0, finding
from hypothesis import given, settings
from hypothesis import strategies as st

from events.catalog import workshop as ev
from events.contract import Event
from events.decider import fold
from events.errors import DomainError
from workshop.domain.commands import (
    AddJobs,
    CheckProgress,
    CompleteJob,
    DispatchJob,
    FailQualityCheck,
    MarkWaitingForParts,
    PassQualityCheck,
    PauseJob,
    RecordPartsArrived,
    RecordTestDrive,
    ReportAdditionalWork,
    StartJob,
    WithdrawJob,
    WorkOrderCommand,
)
from workshop.domain.state import COMPLETED, WITHDRAWN
from workshop.domain.work_order import work_order

STRANGER = uuid4()  # a line nobody signed
JOBS = [OIL, BRAKES, STRANGER]
TECHS = ["tech-1", "tech-2"]
FINDING = finding()
NEW_LINE = FINDING.proposed_lines[0].line_id


def command(kind: int, job: UUID, tech: str, minute: int) -> WorkOrderCommand:
    at = T0 + timedelta(minutes=minute)
    commands: list[WorkOrderCommand] = [
        DispatchJob(job, tech, "bay-1", "dispatcher", at),
        StartJob(job, tech, at),
        PauseJob(job, tech, "break", at),
        CompleteJob(job, tech, at),
        ReportAdditionalWork((FINDING,), tech, at),
        AddJobs(
            (ev.Job(job_id=NEW_LINE, labour_operation="X", description="x", planned_minutes=30),),
            FINDING.finding_id,
            at,
        ),
        RecordTestDrive(tech, False, "", at),
        MarkWaitingForParts(job, "P-1", 1, at),
        RecordPartsArrived(job, "P-1", 1, at),
        WithdrawJob(job, "customer", at),
        FailQualityCheck("qc", ("noise",), (job,), at),
        PassQualityCheck("qc", at),
        CheckProgress("three_quarters", at),
    ]
    return commands[kind]


# Long runs, mostly one technician, so that dispatch → start → complete → QC is often reached.
steps = st.lists(
    st.tuples(st.integers(0, 12), st.sampled_from([*JOBS, NEW_LINE]), st.sampled_from([*TECHS[:1] * 3, *TECHS])),
    min_size=30,
    max_size=120,
)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_no_unagreed_work_no_unfinished_car_no_borrowed_job(sequence: list[tuple[int, UUID, str]]) -> None:
    history: list[Event] = [OPENED, RECEIVED]
    for minute, (kind, job, tech) in enumerate(sequence, start=10):
        state = fold(work_order, history)
        try:
            history.extend(work_order.decide(state, command(kind, job, tech, minute)))
        except DomainError:
            continue  # refused: nothing recorded, which is what a refusal means
    agreed = {OIL, BRAKES}
    dispatched_to: dict[UUID, str] = {}
    for event in history:
        if isinstance(event, ev.JobsAdded):
            agreed |= {j.job_id for j in event.jobs}
        if isinstance(event, ev.JobDispatched):
            dispatched_to[event.job_id] = event.technician_id
        if isinstance(event, ev.JobStarted | ev.JobCompleted | ev.JobPaused):
            assert event.job_id in agreed, "work on a line the customer did not agree to"
            assert dispatched_to[event.job_id] == event.technician_id, "a job clocked by someone else"
    assert STRANGER not in fold(work_order, history).jobs
    final = fold(work_order, history)
    if any(isinstance(e, ev.VehicleReadyForDelivery) for e in history):
        assert all(j.status in (COMPLETED, WITHDRAWN) for j in final.jobs.values()), "ready with unfinished work"
        assert not final.pending_findings
