"""What a work order's events change on the floor: which technician clocks on or off which job,
which bay a job takes or frees. The rules themselves live in the `technician` and `bay`
aggregates; this only translates, so the handler can run those commands in the same
transaction as the work-order events that cause them."""

from __future__ import annotations

from collections.abc import Sequence

from events.catalog import workshop as ev
from events.contract import Event
from workshop.domain.bay import BayCommand, FreeBay, TakeBay
from workshop.domain.state import IN_PROGRESS, WorkOrder, evolve
from workshop.domain.technician import ClockOff, ClockOn, TechnicianCommand

FloorCommand = TechnicianCommand | BayCommand

# The work-order events that concern the floor; any other leaves it as it is.
FLOOR_EVENTS = (ev.JobDispatched, ev.JobStarted, ev.JobPaused, ev.JobCompleted, ev.JobWithdrawn)


def floor_changes(before: WorkOrder, events: Sequence[Event], jobs_per_technician: int) -> list[FloorCommand]:
    """The floor commands `events` cause, given the work order `before` them."""
    commands: list[FloorCommand] = []
    state = before
    for event in events:
        if isinstance(event, FLOOR_EVENTS):
            job, ro = state.jobs[event.job_id], event.repair_order_id
            match event:
                case ev.JobDispatched():
                    if job.bay is not None and job.bay != event.bay:
                        commands.append(FreeBay(job.bay, ro, job.job_id, event.dispatched_at))
                    commands.append(TakeBay(event.bay, ro, job.job_id, event.dispatched_at))
                case ev.JobStarted():
                    at = event.started_at
                    commands.append(ClockOn(event.technician_id, ro, job.job_id, jobs_per_technician, at))
                    # A rework's bay was freed when the job was first completed: it takes it again.
                    if job.bay is not None:
                        commands.append(TakeBay(job.bay, ro, job.job_id, at))
                case ev.JobPaused():
                    commands.append(ClockOff(event.technician_id, ro, job.job_id, event.paused_at))
                case ev.JobCompleted():
                    commands.append(ClockOff(event.technician_id, ro, job.job_id, event.completed_at))
                    if job.bay is not None:
                        commands.append(FreeBay(job.bay, ro, job.job_id, event.completed_at))
                case ev.JobWithdrawn():
                    if job.status == IN_PROGRESS and job.technician_id is not None:
                        commands.append(ClockOff(job.technician_id, ro, job.job_id, event.withdrawn_at))
                    if job.bay is not None:
                        commands.append(FreeBay(job.bay, ro, job.job_id, event.withdrawn_at))
        state = evolve(state, event)
    return commands


def starts_a_clock(events: Sequence[Event]) -> bool:
    """Whether the limit of jobs per technician matters (only clocking on needs the settings)."""
    return any(isinstance(event, ev.JobStarted) for event in events)
