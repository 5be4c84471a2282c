"""A job held for parts (docs/domain.md §3): marked waiting when parts are short, released as
they arrive. Parts nobody waits for, or a job no longer worked, change nothing (the parts
service tells every shortage and arrival; only the work order knows whether it matters)."""

from __future__ import annotations

from collections.abc import Sequence

from events.catalog import workshop as ev
from events.contract import Event
from workshop.domain import errors
from workshop.domain.commands import MarkWaitingForParts, RecordPartsArrived
from workshop.domain.state import READY, WorkOrder


def mark_waiting_for_parts(state: WorkOrder, command: MarkWaitingForParts) -> Sequence[Event]:
    if state.repair_order_id is None:
        raise errors.NoWorkOrder("there is no work order for this repair order")
    job = state.jobs.get(command.job_id)
    if state.status == READY or job is None or not job.open or command.missing_quantity <= 0:
        return []  # the work is done or off the order (or nothing is missing): nothing waits
    return [
        ev.JobWaitingForParts(
            repair_order_id=state.repair_order_id,
            job_id=command.job_id,
            part_number=command.part_number,
            missing_quantity=command.missing_quantity,
            since=command.since,
        )
    ]


def record_parts_arrived(state: WorkOrder, command: RecordPartsArrived) -> Sequence[Event]:
    if state.repair_order_id is None:
        raise errors.NoWorkOrder("there is no work order for this repair order")
    job = state.jobs.get(command.job_id)
    missing = job.missing_parts.get(command.part_number, 0) if job else 0
    if job is None or missing == 0 or command.quantity <= 0:
        return []  # parts nobody waits for (reserved from stock, or already counted)
    arrived = min(command.quantity, missing)
    still = sorted(p for p, q in job.missing_parts.items() if p != command.part_number or q > arrived)
    return [
        ev.JobPartsArrived(
            repair_order_id=state.repair_order_id,
            job_id=command.job_id,
            part_number=command.part_number,
            quantity=arrived,
            still_missing=tuple(still),
            arrived_at=command.arrived_at,
        )
    ]
