"""A workshop bay, stream `bay-<site_id>:<bay>`: the one open job it holds, across all work
orders of the site. A job takes its bay when dispatched to it (or when its rework is clocked on
there) and frees it when completed, withdrawn or re-dispatched elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from events.catalog import workshop as ev
from events.contract import Event
from events.decider import Decider
from workshop.domain import errors


def stream_id(site_id: UUID | str, bay: str) -> str:
    return f"bay-{site_id}:{bay}"


@dataclass(frozen=True)
class Bay:
    repair_order_id: UUID | None = None
    job_id: UUID | None = None


@dataclass(frozen=True)
class TakeBay:
    bay: str
    repair_order_id: UUID
    job_id: UUID
    at: datetime


@dataclass(frozen=True)
class FreeBay:
    bay: str
    repair_order_id: UUID
    job_id: UUID
    at: datetime


BayCommand = TakeBay | FreeBay


def take(state: Bay, command: TakeBay) -> Sequence[Event]:
    if state.job_id == command.job_id:
        return []  # the job is there already (dispatched again to the same bay)
    if state.job_id is not None:
        raise errors.BayOccupied(
            f"{command.bay} holds job {state.job_id} of repair order {state.repair_order_id} until it is completed "
            "or moved: choose a free bay"
        )
    return [
        ev.BayTaken(
            bay=command.bay, repair_order_id=command.repair_order_id, job_id=command.job_id, taken_at=command.at
        )
    ]


def free(state: Bay, command: FreeBay) -> Sequence[Event]:
    if state.job_id != command.job_id:
        return []  # another job took the bay since (a rework that lost it): not this job's to free
    return [
        ev.BayFreed(
            bay=command.bay, repair_order_id=command.repair_order_id, job_id=command.job_id, freed_at=command.at
        )
    ]


def evolve(state: Bay, event: Event) -> Bay:
    match event:
        case ev.BayTaken():
            return Bay(event.repair_order_id, event.job_id)
        case ev.BayFreed():
            return Bay()
    return state


def decide(state: Bay, command: BayCommand) -> Sequence[Event]:
    match command:
        case TakeBay():
            return take(state, command)
        case FreeBay():
            return free(state, command)


bay: Decider[BayCommand, Bay] = Decider(Bay(), decide, evolve)
