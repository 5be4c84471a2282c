"""WorkOrder, stream `work_order-<repair_order_id>`: the workshop's side of one repair order
(docs/domain.md §3 and §5; seeds 002, 003).

Life: opened from the signed RO (one job per agreed line) → jobs dispatched to technicians and
bays, clocked on and off → findings reported as additional work (all at once; a later round only
after a test drive or a first fix), approved ones come back as new jobs → parts shortages hold
a job until the parts arrive → every job done and no decision pending → QC passed (ready for
delivery) or failed (named jobs back as rework). A progress-check timer compares the forecast
with the promise and raises the "will be late" signal before it.

This module holds the decider and the decisions that open the work order; the others live with
their part of its life: reception's later changes in `changes`, parts in `waiting_for_parts`,
dispatch and clocking in `clocking`, findings and test drives in `findings`, the quality check
in `quality_check`, the progress-check timer in `progress_check` (the checks they share in
`guards`).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from events.catalog import workshop as ev
from events.contract import Event
from events.decider import Decider
from workshop.domain import errors
from workshop.domain.changes import add_jobs, note_finding_declined, update_promised_time, withdraw_job
from workshop.domain.clocking import complete, dispatch, pause, start
from workshop.domain.commands import (
    AddJobs,
    CheckProgress,
    CompleteJob,
    DispatchJob,
    FailQualityCheck,
    MarkWaitingForParts,
    NoteFindingDeclined,
    OpenWorkOrder,
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
from workshop.domain.findings import record_test_drive, report_additional_work
from workshop.domain.guards import require_new_jobs, require_open
from workshop.domain.progress_check import check_progress
from workshop.domain.quality_check import fail_quality_check, pass_quality_check
from workshop.domain.state import INITIAL, WorkOrder, evolve
from workshop.domain.waiting_for_parts import mark_waiting_for_parts, record_parts_arrived


def stream_id(repair_order_id: UUID) -> str:
    return f"work_order-{repair_order_id}"


# --- the repair order reaches the workshop -------------------------------------------------


def open_work_order(state: WorkOrder, command: OpenWorkOrder) -> Sequence[Event]:
    if state.exists:
        raise errors.WorkOrderAlreadyOpen("the work order of this repair order is already open")
    require_new_jobs(state, command.jobs)
    return [
        ev.WorkOrderOpened(
            repair_order_id=command.repair_order_id,
            vehicle=command.vehicle,
            priority=command.priority,
            customer_waiting=command.customer_waiting,
            promised_at=command.promised_at,
            jobs=command.jobs,
            opened_at=command.opened_at,
        )
    ]


def receive_vehicle(state: WorkOrder, command: ReceiveVehicle) -> Sequence[Event]:
    repair_order_id = require_open(state)
    if state.received_at is not None:
        return []  # the same hand-over told twice changes nothing
    return [
        ev.VehicleReceived(repair_order_id=repair_order_id, key_tag=command.key_tag, received_at=command.received_at)
    ]


def _require_in_order(state: WorkOrder, command: WorkOrderCommand) -> None:
    """A person's command may not be dated before what already happened on the order."""
    at = getattr(command, "dispatched_at", None) or getattr(command, "started_at", None)
    at = at or getattr(command, "paused_at", None) or getattr(command, "completed_at", None)
    if at is not None and state.last_time is not None and at < state.last_time:
        raise errors.TimeOutOfOrder("the time given is before the last thing recorded on this work order")


def decide(state: WorkOrder, command: WorkOrderCommand) -> Sequence[Event]:
    _require_in_order(state, command)
    match command:
        case OpenWorkOrder():
            return open_work_order(state, command)
        case ReceiveVehicle():
            return receive_vehicle(state, command)
        case AddJobs():
            return add_jobs(state, command)
        case WithdrawJob():
            return withdraw_job(state, command)
        case NoteFindingDeclined():
            return note_finding_declined(state, command)
        case UpdatePromisedTime():
            return update_promised_time(state, command)
        case MarkWaitingForParts():
            return mark_waiting_for_parts(state, command)
        case RecordPartsArrived():
            return record_parts_arrived(state, command)
        case DispatchJob():
            return dispatch(state, command)
        case StartJob():
            return start(state, command)
        case PauseJob():
            return pause(state, command)
        case CompleteJob():
            return complete(state, command)
        case RecordTestDrive():
            return record_test_drive(state, command)
        case ReportAdditionalWork():
            return report_additional_work(state, command)
        case PassQualityCheck():
            return pass_quality_check(state, command)
        case FailQualityCheck():
            return fail_quality_check(state, command)
        case CheckProgress():
            return check_progress(state, command)


work_order: Decider[WorkOrderCommand, WorkOrder] = Decider(INITIAL, decide, evolve)
