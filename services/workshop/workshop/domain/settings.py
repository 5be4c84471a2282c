"""A site's workshop settings, stream `workshop_settings-<site_id>`: how many jobs one
technician may be clocked on at once. A site that never set them works one job at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from events.catalog import workshop as ev
from events.contract import Event
from events.decider import Decider
from events.rules import InvalidAmount, require_text


@dataclass(frozen=True)
class WorkshopSettings:
    jobs_per_technician: int = 1
    set_by: str | None = None
    set_at: datetime | None = None


DEFAULTS = WorkshopSettings()


@dataclass(frozen=True)
class SetWorkshopSettings:
    site_id: UUID
    jobs_per_technician: int
    set_by: str
    set_at: datetime


def stream_id(site_id: UUID | str) -> str:
    return f"workshop_settings-{site_id}"


def set_settings(command: SetWorkshopSettings) -> Sequence[Event]:
    if command.jobs_per_technician < 1:
        raise InvalidAmount("a technician may be clocked on at least one job")
    return [
        ev.WorkshopSettingsSet(
            site_id=command.site_id,
            jobs_per_technician=command.jobs_per_technician,
            set_by=require_text(command.set_by, "who set the settings"),
            set_at=command.set_at,
        )
    ]


def evolve(state: WorkshopSettings, event: Event) -> WorkshopSettings:
    if not isinstance(event, ev.WorkshopSettingsSet):
        return state
    return WorkshopSettings(event.jobs_per_technician, event.set_by, event.set_at)


def _replace(state: WorkshopSettings, command: SetWorkshopSettings) -> Sequence[Event]:
    """Every command replaces the settings."""
    return set_settings(command)


site_settings: Decider[SetWorkshopSettings, WorkshopSettings] = Decider(DEFAULTS, _replace, evolve)
