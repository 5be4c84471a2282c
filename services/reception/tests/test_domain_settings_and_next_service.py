"""The site's reception settings (discount authority per role, default service interval), the
next service from an interval, and the payment method a settlement from billing records."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from domain_helpers import READY_FOR_DELIVERY, SETTLE, given

from events.catalog.reception import InvoiceSettled
from events.catalog.reception_settings import ReceptionSettingsSet
from events.catalog.reception_values import Payment, ServiceInterval
from events.testing.deciders import scenario
from reception.domain import errors
from reception.domain.delivery import payment_method
from reception.domain.next_service import NextService, add_months, by_interval
from reception.domain.reception_settings import (
    DEFAULT_SERVICE_INTERVAL,
    ReceptionSettings,
    SetReceptionSettings,
    reception_settings,
)

given_settings = scenario(reception_settings)
NOW = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
LIMITS = {"advisor": 500, "service_manager": 2000}
SET = SetReceptionSettings(LIMITS, ServiceInterval(km=10000, months=12), "manager-1", NOW)
SET_EVENT = ReceptionSettingsSet(
    discount_authority_bp=LIMITS,
    default_service_interval=ServiceInterval(km=10000, months=12),
    set_by="manager-1",
    set_at=NOW,
)


def test_the_service_manager_sets_the_sites_discount_authority_and_interval() -> None:
    state = given_settings().when(SET).then(SET_EVENT)
    assert state == ReceptionSettings(LIMITS, ServiceInterval(km=10000, months=12), NOW)


def test_a_site_that_never_set_them_gives_no_authority_and_the_default_interval() -> None:
    assert reception_settings.initial_state.discount_authority_bp == {}
    assert reception_settings.initial_state.default_service_interval == DEFAULT_SERVICE_INTERVAL


def test_the_same_settings_again_change_nothing() -> None:
    given_settings(SET_EVENT).when(replace(SET, set_at=NOW.replace(hour=10))).then()


def test_authority_is_given_to_roles_that_exist() -> None:
    given_settings().when(replace(SET, discount_authority_bp={"intern": 100})).then_refused(errors.InvalidCode)


@pytest.mark.parametrize("bp", [-1, 10_001])
def test_authority_is_between_nothing_and_the_whole_price(bp: int) -> None:
    given_settings().when(replace(SET, discount_authority_bp={"advisor": bp})).then_refused(errors.InvalidAmount)


# --- the next service from an interval ----------------------------------------------------


def test_the_next_service_is_the_interval_after_this_visit() -> None:
    assert by_interval(10012, date(2024, 5, 6), ServiceInterval(km=5000, months=6)) == NextService(
        due_date=date(2024, 11, 6), due_km=15012
    )


def test_a_month_shorter_than_the_day_ends_on_its_last_day() -> None:
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 30), 14) == date(2026, 1, 30)


# --- the settlement billing reports -------------------------------------------------------


def test_one_method_is_the_payment_method() -> None:
    assert payment_method((Payment(method="wechat_pay", amount=20000), Payment(method="wechat_pay", amount=8300))) == (
        "wechat_pay"
    )


def test_several_methods_are_a_split_payment() -> None:
    payments = (Payment(method="card", amount=20000), Payment(method="cash", amount=8300))
    (settled,) = given(*READY_FOR_DELIVERY).when(replace(SETTLE, payments=payments)).decided()
    assert isinstance(settled, InvoiceSettled)
    assert (settled.payment_method, settled.payments) == ("split", payments)
    assert settled.health_record.settlement_number == SETTLE.invoice_number


def test_nothing_paid_by_the_customer_is_a_warranty_claim() -> None:
    assert payment_method(()) == "warranty_claim"
