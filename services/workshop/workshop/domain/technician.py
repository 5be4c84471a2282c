"""A technician on the floor, stream `technician-<site_id>:<technician_id>`: the jobs they are
clocked on right now, across all work orders of the site. A technician works one job at a time
unless the site allows more (`settings.WorkshopSettings.jobs_per_technician`); the limit comes
with the command, read from the site's settings by the handler."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from uuid import UUID

from events.catalog import workshop as ev
from events.contract import Event
from events.decider import Decider
from workshop.domain import errors


def stream_id(site_id: UUID | str, technician_id: str) -> str:
    return f"technician-{site_id}:{technician_id}"


@dataclass(frozen=True)
class Technician:
    # job id → its repair order, in the order the technician clocked on
    clocked_on: Mapping[UUID, UUID] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ClockOn:
    technician_id: str
    repair_order_id: UUID
    job_id: UUID
    allowed: int  # jobs at once, from the site's settings
    at: datetime


@dataclass(frozen=True)
class ClockOff:
    technician_id: str
    repair_order_id: UUID
    job_id: UUID
    at: datetime


TechnicianCommand = ClockOn | ClockOff


def clock_on(state: Technician, command: ClockOn) -> Sequence[Event]:
    if command.job_id in state.clocked_on:
        return []  # the same clock-on told twice
    if len(state.clocked_on) >= command.allowed:
        jobs = ", ".join(f"job {job} of repair order {ro}" for job, ro in state.clocked_on.items())
        raise errors.TechnicianBusy(
            f"{command.technician_id} is clocked on {jobs}: pause or complete it before clocking on another"
        )
    return [
        ev.TechnicianClockedOn(
            technician_id=command.technician_id,
            repair_order_id=command.repair_order_id,
            job_id=command.job_id,
            clocked_on_at=command.at,
        )
    ]


def clock_off(state: Technician, command: ClockOff) -> Sequence[Event]:
    if command.job_id not in state.clocked_on:
        return []
    return [
        ev.TechnicianClockedOff(
            technician_id=command.technician_id,
            repair_order_id=command.repair_order_id,
            job_id=command.job_id,
            clocked_off_at=command.at,
        )
    ]


def evolve(state: Technician, event: Event) -> Technician:
    match event:
        case ev.TechnicianClockedOn():
            return Technician(MappingProxyType({**state.clocked_on, event.job_id: event.repair_order_id}))
        case ev.TechnicianClockedOff():
            return Technician(MappingProxyType({j: r for j, r in state.clocked_on.items() if j != event.job_id}))
    return state


def decide(state: Technician, command: TechnicianCommand) -> Sequence[Event]:
    match command:
        case ClockOn():
            return clock_on(state, command)
        case ClockOff():
            return clock_off(state, command)


technician: Decider[TechnicianCommand, Technician] = Decider(Technician(), decide, evolve)
