"""The SLA clocks of seed 004 on a site's working-day calendar (docs/domain.md §7).

- A **complaint** is handled within 24 hours of receipt: `resolve_by = received_at + 24 h`.
- A **general grievance** within 3 working days: `resolve_by` is the end (local midnight) of the
  3rd working day *after* the local date of receipt. The day of receipt never counts, whatever
  the hour — so a grievance taken late in the day, after hours or on a holiday still gets three
  full working days — and dates are the site's local dates (a call at 23:30 UTC on Monday is a
  Tuesday in Shanghai).
- The **second callback** ("二次回访") follows the remedy: due by the end of the next working day
  after the action, so the customer has lived with the remedy and a CS agent is at work.

Pure: the calendar (weekly working days, holidays, make-up working days, IANA time zone) comes
with the command; the time-zone rules are static reference data of the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from events.catalog.complaints_values import COMPLAINT
from events.errors import DomainError

COMPLAINT_SLA = timedelta(hours=24)
GRIEVANCE_WORKING_DAYS = 3
# A calendar whose holidays leave no working day within a year is a mistake, not a long wait.
_SEARCH_DAYS = 366


class InvalidCalendar(DomainError):
    code = "invalid_calendar"


@dataclass(frozen=True)
class WorkingCalendar:
    """A site's working days: ISO weekdays (1 = Monday … 7 = Sunday, as booking's
    `CapacitySet.open_weekdays`), public holidays, make-up working days on usual days off
    (China's 调休: the weekend worked around a public holiday), and the site's IANA time zone."""

    working_weekdays: frozenset[int]
    holidays: frozenset[date] = frozenset()
    timezone: str = "Asia/Shanghai"
    extra_working_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if not self.working_weekdays or any(day < 1 or day > 7 for day in self.working_weekdays):
            raise InvalidCalendar("working weekdays are ISO numbers, 1 (Monday) to 7 (Sunday); give at least one")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidCalendar(
                f"unknown time zone {self.timezone!r}; use an IANA name such as Asia/Shanghai"
            ) from None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        return day.isoweekday() in self.working_weekdays and day not in self.holidays

    def local_date(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def working_day_after(self, day: date, count: int) -> date:
        """The `count`-th working day strictly after `day`."""
        found, current, idle = 0, day, 0
        while idle < _SEARCH_DAYS:
            current += timedelta(days=1)
            idle += 1
            if self.is_working_day(current):
                found, idle = found + 1, 0
                if found == count:
                    return current
        raise InvalidCalendar(
            f"no working day within a year after {current - timedelta(days=idle)}: check the holidays"
        )

    def end_of(self, day: date) -> datetime:
        """The end of a local day: midnight at which the next one starts."""
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)


def resolve_by(kind: str, received_at: datetime, calendar: WorkingCalendar) -> datetime:
    """The SLA deadline of a complaint of `kind` received at `received_at` (seed 004)."""
    if kind == COMPLAINT:
        return received_at + COMPLAINT_SLA
    received_on = calendar.local_date(received_at)
    return calendar.end_of(calendar.working_day_after(received_on, GRIEVANCE_WORKING_DAYS))


def second_callback_due(acted_at: datetime, calendar: WorkingCalendar) -> datetime:
    """The end of the next working day after the remedy was carried out."""
    return calendar.end_of(calendar.working_day_after(calendar.local_date(acted_at), 1))
