"""A site's complaint settings, stream `complaint_settings-<site_id>`: the working calendar the
grievance SLA and the second callback are counted on, and the authority limits (per handling
role, and the dealer's). A site that never set them works Monday to Friday in Shanghai with the
default limits, so a complaint can always be received."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from uuid import UUID

from complaints.domain.sla import WorkingCalendar
from events.catalog import complaints as ev
from events.catalog.complaints_values import HANDLING_ROLES, AuthorityLimit
from events.contract import Event
from events.decider import Decider
from events.rules import InvalidAmount, require_code, require_text

# Minor units (CNY fen): 200, 500 and 5,000 CNY alone; the dealer grants up to 20,000 CNY.
DEFAULT_LIMITS: Mapping[str, int] = MappingProxyType(
    {"cs_agent": 20_000, "advisor": 50_000, "service_manager": 500_000}
)
DEFAULT_DEALER_LIMIT = 2_000_000
DEFAULT_CALENDAR = WorkingCalendar(working_weekdays=frozenset({1, 2, 3, 4, 5}), timezone="Asia/Shanghai")


@dataclass(frozen=True)
class SiteSettings:
    calendar: WorkingCalendar = DEFAULT_CALENDAR
    authority_limits: Mapping[str, int] = field(default_factory=lambda: DEFAULT_LIMITS)
    dealer_limit: int | None = DEFAULT_DEALER_LIMIT
    set_by: str | None = None
    set_at: datetime | None = None

    def limit_for(self, roles: frozenset[str]) -> int:
        """The most a person may grant alone: the highest limit among their handling roles."""
        return max((self.authority_limits.get(role, 0) for role in roles), default=0)


DEFAULTS = SiteSettings()


@dataclass(frozen=True)
class SetComplaintSettings:
    site_id: UUID
    working_weekdays: frozenset[int]
    holidays: frozenset[date]
    extra_working_days: frozenset[date]
    timezone: str
    authority_limits: Mapping[str, int]
    dealer_limit: int | None
    set_by: str
    set_at: datetime


def stream_id(site_id: UUID | str) -> str:
    return f"complaint_settings-{site_id}"


def set_settings(command: SetComplaintSettings) -> Sequence[Event]:
    """The calendar must be usable (`InvalidCalendar`); limits are never negative, and the dealer's
    is not below a handling person's (else nobody could grant what the dealer allows them)."""
    calendar = WorkingCalendar(
        working_weekdays=command.working_weekdays,
        holidays=command.holidays,
        timezone=command.timezone,
        extra_working_days=command.extra_working_days,
    )
    limits = {
        require_code(role, HANDLING_ROLES, "handling role"): limit for role, limit in command.authority_limits.items()
    }
    if any(limit < 0 for limit in limits.values()) or (command.dealer_limit or 0) < 0:
        raise InvalidAmount("authority limits are never negative")
    if command.dealer_limit is not None and any(limit > command.dealer_limit for limit in limits.values()):
        raise InvalidAmount("no handling person's limit may exceed the dealer's limit")
    return [
        ev.ComplaintSettingsSet(
            site_id=command.site_id,
            working_weekdays=tuple(sorted(calendar.working_weekdays)),
            holidays=tuple(sorted(calendar.holidays)),
            extra_working_days=tuple(sorted(calendar.extra_working_days)),
            timezone=calendar.timezone,
            authority_limits=tuple(AuthorityLimit(role=role, limit=limits[role]) for role in sorted(limits)),
            dealer_limit=command.dealer_limit,
            set_by=require_text(command.set_by, "who set the settings"),
            set_at=command.set_at,
        )
    ]


def evolve(state: SiteSettings, event: Event) -> SiteSettings:
    if not isinstance(event, ev.ComplaintSettingsSet):
        return state
    calendar = WorkingCalendar(
        working_weekdays=frozenset(event.working_weekdays),
        holidays=frozenset(event.holidays),
        timezone=event.timezone,
        extra_working_days=frozenset(event.extra_working_days),
    )
    limits = MappingProxyType({limit.role: limit.limit for limit in event.authority_limits})
    return SiteSettings(calendar, limits, event.dealer_limit, event.set_by, event.set_at)


def _replace(state: SiteSettings, command: SetComplaintSettings) -> Sequence[Event]:
    """Every command replaces the settings."""
    return set_settings(command)


site_settings: Decider[SetComplaintSettings, SiteSettings] = Decider(DEFAULTS, _replace, evolve)
