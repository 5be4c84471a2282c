"""Service menus: the decider of a site's menu (`service_menu-<site_id>-<menu_id>`) and the next
service a car is due — pure, no I/O.

The next service after a visit at `mileage_km` on `on`, from the menus of the car's model family:
- each menu is due at every multiple of its `interval_km`; the next due mileage is the nearest
  such multiple above `mileage_km` among all the family's menus;
- of the menus due at that mileage, the one with the longest interval is the service (at
  40,000 km the 40,000 km menu, which includes what the shorter ones do);
- the date it is due is `on` plus the shortest `interval_months` of the family's menus: time
  ages oil and rubber whatever the mileage, so whichever of the two comes first.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from catalogue.domain.effective import effective_from
from events.catalog.catalogue import MenuItem, ServiceMenuSet
from events.contract import Event
from events.decider import Decider


@dataclass(frozen=True)
class SetServiceMenu:
    menu_id: str
    model_family: str
    name_zh: str
    name_en: str
    interval_km: int
    interval_months: int
    items: tuple[MenuItem, ...]
    effective_from: date | None
    today: date  # at the site
    set_by: str


def stream_id(site_id: str, menu_id: str) -> str:
    return f"service_menu-{site_id}-{menu_id}"


def decide(latest: ServiceMenuSet | None, command: SetServiceMenu) -> Sequence[Event]:
    start = effective_from(command.effective_from, command.today, field="body.effective_from")
    event = ServiceMenuSet(
        menu_id=command.menu_id,
        model_family=command.model_family,
        name_zh=command.name_zh,
        name_en=command.name_en,
        interval_km=command.interval_km,
        interval_months=command.interval_months,
        items=command.items,
        effective_from=start,
        set_by=command.set_by,
    )
    if latest is not None and latest.model_copy(update={"set_by": command.set_by}) == event:
        return []  # the same version again: a retried PUT does its work once
    return [event]


def evolve(latest: ServiceMenuSet | None, event: Event) -> ServiceMenuSet | None:
    return event if isinstance(event, ServiceMenuSet) else latest


service_menu: Decider[SetServiceMenu, ServiceMenuSet | None] = Decider(None, decide, evolve)


@dataclass(frozen=True)
class Interval:
    """What the next-service rule needs of a menu."""

    menu_id: str
    name_zh: str
    name_en: str
    interval_km: int
    interval_months: int


@dataclass(frozen=True)
class NextService:
    menu_id: str
    name_zh: str
    name_en: str
    due_km: int
    due_date: date


def next_service(menus: Iterable[Interval], mileage_km: int, on: date) -> NextService | None:
    """The next service after a visit at `mileage_km` on `on`; None without menus."""
    menus = list(menus)
    if not menus:
        return None
    due_km = min((mileage_km // m.interval_km + 1) * m.interval_km for m in menus)
    due = [m for m in menus if due_km % m.interval_km == 0]
    menu = max(due, key=lambda m: (m.interval_km, m.menu_id))
    months = min(m.interval_months for m in menus)
    return NextService(menu.menu_id, menu.name_zh, menu.name_en, due_km, add_months(on, months))


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
