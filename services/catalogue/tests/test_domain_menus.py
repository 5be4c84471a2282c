"""The next service after a visit, from the family's menus; a menu sent again records nothing;
changes take effect from today or later, never in the past."""

from __future__ import annotations

from datetime import date

import pytest

from catalogue.domain.errors import Unprocessable
from catalogue.domain.menus import Interval, SetServiceMenu, add_months, next_service, service_menu
from catalogue.domain.rates import SetLabourRates, labour_rates
from events.catalog.catalogue import MenuItem, MenuPart

DAY = date(2026, 12, 7)
MENUS = [
    Interval("camry-5000", "5000公里保养", "5,000 km service", 5000, 6),
    Interval("camry-10000", "10000公里保养", "10,000 km service", 10000, 12),
    Interval("camry-20000", "20000公里保养", "20,000 km service", 20000, 24),
    Interval("camry-40000", "40000公里保养", "40,000 km service", 40000, 48),
]


@pytest.mark.parametrize(
    ("mileage", "menu", "due_km"),
    [
        (0, "camry-5000", 5000),
        (4999, "camry-5000", 5000),
        (5000, "camry-10000", 10000),  # a visit at exactly 5,000 is that service: the next is 10,000
        (9800, "camry-10000", 10000),
        (15200, "camry-20000", 20000),
        (38000, "camry-40000", 40000),
        (42000, "camry-5000", 45000),
        (79999, "camry-40000", 80000),
    ],
)
def test_the_next_service_is_the_longest_menu_due_at_the_nearest_mileage(mileage: int, menu: str, due_km: int) -> None:
    due = next_service(MENUS, mileage, DAY)
    assert due is not None
    assert (due.menu_id, due.due_km) == (menu, due_km)


def test_it_is_due_after_the_shortest_time_interval_whichever_menu() -> None:
    due = next_service(MENUS, 9800, DAY)
    assert due is not None
    assert due.due_date == date(2027, 6, 7)


def test_no_menus_no_next_service() -> None:
    assert next_service([], 1000, DAY) is None


def test_months_end_on_the_months_last_day() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 12, 7), 12) == date(2027, 12, 7)


def menu(effective_from: date | None = None, quantity: int = 4) -> SetServiceMenu:
    items = (MenuItem(labour_operation="OIL01", parts=(MenuPart(part_number="90915-YZZD1", quantity=quantity),)),)
    return SetServiceMenu(
        "camry-10000", "Camry", "10000公里保养", "10,000 km", 10000, 12, items, effective_from, DAY, "sm-1"
    )


def test_a_menu_takes_effect_today_by_default_and_the_same_menu_again_records_nothing() -> None:
    (event,) = service_menu.decide(None, menu())
    assert event.effective_from == DAY  # type: ignore[attr-defined]
    assert service_menu.decide(service_menu.evolve(None, event), menu()) == []
    assert len(service_menu.decide(service_menu.evolve(None, event), menu(quantity=5))) == 1


def test_a_change_in_the_past_is_refused_naming_the_field() -> None:
    with pytest.raises(Unprocessable) as refusal:
        service_menu.decide(None, menu(date(2026, 12, 6)))
    assert refusal.value.code == "effective_in_the_past"
    assert refusal.value.fields[0].field == "body.effective_from"
    with pytest.raises(Unprocessable):
        labour_rates.decide(None, SetLabourRates("s", {"CUSTOMER_PAY": 38000}, date(2026, 1, 1), DAY, "sm-1"))


def test_rates_from_tomorrow_are_a_new_version_and_the_same_rates_again_are_not() -> None:
    command = SetLabourRates("s", {"CUSTOMER_PAY": 38000}, date(2026, 12, 8), DAY, "sm-1")
    (event,) = labour_rates.decide(None, command)
    assert labour_rates.decide(labour_rates.evolve(None, event), command) == []
