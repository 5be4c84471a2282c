"""The due-time arithmetic (docs/domain.md §6): 72 h after delivery, one day early allowed, at most
one day late; the second follow-up within 7 days; file within 2 days; escalation within 2 days;
campaign phone 2 weeks ahead and letter within 2 days."""

from __future__ import annotations

from datetime import timedelta

import pydantic
import pytest
from domain_helpers import T0, hours

from events.catalog.followup_values import CallbackWindow
from followup.domain.schedule import (
    callback_window,
    campaign_phone_by,
    escalate_by,
    file_due_by,
    first_callback_window,
    letter_due_by,
    retry_at,
    second_callback_window,
)


def test_the_first_callback_is_due_at_72_hours_opens_a_day_early_and_closes_a_day_late() -> None:
    window = first_callback_window(T0)
    assert window.due_at - T0 == timedelta(hours=72)
    assert window.due_at - window.opens_at == timedelta(days=1)
    assert window.hard_limit_at - window.due_at == timedelta(days=1)
    assert callback_window("first", T0) == window


def test_the_second_follow_up_is_due_within_7_days_and_not_the_same_day() -> None:
    window = second_callback_window(hours(60))
    assert window.due_at == window.hard_limit_at == hours(60) + timedelta(days=7)
    assert window.opens_at == hours(60) + timedelta(days=1)
    assert callback_window("second", hours(60)) == window


def test_a_window_is_in_order() -> None:
    with pytest.raises(pydantic.ValidationError):
        CallbackWindow(opens_at=hours(72), due_at=hours(48), hard_limit_at=hours(96))


def test_the_other_deadlines() -> None:
    assert file_due_by(T0) == T0 + timedelta(days=2)
    assert escalate_by(T0) == T0 + timedelta(days=2)
    assert retry_at(T0) == T0 + timedelta(hours=2)
    assert campaign_phone_by(T0) == T0 - timedelta(days=14)
    assert letter_due_by(T0) == T0 + timedelta(days=2)
