"""The next service told to the customer at delivery (docs/domain.md §5) and kept for followup's
maintenance reminders: the catalogue's next service menu for the car's model family when it has
one, otherwise the site's default interval from the mileage and day of this visit."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from events.catalog.reception_values import ServiceInterval


@dataclass(frozen=True)
class NextService:
    due_date: date
    due_km: int
    menu_id: str | None = None


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 Aug + 6 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def by_interval(mileage_km: int, on: date, interval: ServiceInterval) -> NextService:
    return NextService(due_date=add_months(on, interval.months), due_km=mileage_km + interval.km)
