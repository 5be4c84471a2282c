"""A site's quiet hours and its own templates, stream `notification-site-<site_id>` (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from events.catalog import notifications as ev
from events.contract import Event
from events.decider import Decider
from events.errors import DomainError
from notifications.domain.consent import QuietHours
from notifications.domain.templates import Template


class UnknownTimezone(DomainError):
    code = "unknown_timezone"


@dataclass(frozen=True)
class SiteSettings:
    quiet_hours: QuietHours = field(default_factory=QuietHours)
    templates: dict[tuple[str, str, str], Template] = field(default_factory=dict)


@dataclass(frozen=True)
class SetQuietHours:
    site_id: UUID
    timezone: str
    start: time
    end: time
    set_by: str
    at: datetime


@dataclass(frozen=True)
class SetTemplate:
    site_id: UUID
    kind: str
    channel: str
    language: str
    template: Template
    set_by: str
    at: datetime


SiteCommand = SetQuietHours | SetTemplate


def decide(state: SiteSettings, command: SiteCommand) -> list[Event]:
    if isinstance(command, SetQuietHours):
        try:
            ZoneInfo(command.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UnknownTimezone(f"{command.timezone!r} is not an IANA time zone") from None
        if state.quiet_hours == QuietHours(command.timezone, command.start, command.end):
            return []
        return [
            ev.QuietHoursSet(
                site_id=command.site_id,
                timezone=command.timezone,
                start=command.start,
                end=command.end,
                set_by=command.set_by,
                set_at=command.at,
            )
        ]
    key = (command.kind, command.channel, command.language)
    if state.templates.get(key) == command.template:
        return []
    return [
        ev.TemplateSet(
            site_id=command.site_id,
            kind=command.kind,
            channel=command.channel,
            language=command.language,
            subject=command.template.subject,
            body=command.template.body,
            set_by=command.set_by,
            set_at=command.at,
        )
    ]


def evolve(state: SiteSettings, event: Event) -> SiteSettings:
    if isinstance(event, ev.QuietHoursSet):
        return replace(state, quiet_hours=QuietHours(event.timezone, event.start, event.end))
    if isinstance(event, ev.TemplateSet):
        own = {**state.templates, (event.kind, event.channel, event.language): Template(event.subject, event.body)}
        return replace(state, templates=own)
    return state


site_settings: Decider[SiteCommand, SiteSettings] = Decider(SiteSettings(), decide, evolve)
