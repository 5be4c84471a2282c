"""The second-callback clock (once per deadline, nothing once followed up) and a site's settings
(calendar and authority limits, defaults until set)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest
from domain_helpers import COMPLAINT_ID, SECOND_CALLBACK_DUE, T0, acted, follow_up, followed_up, given, walked_to

from complaints.domain.commands import RecordFollowUpOverdue
from complaints.domain.settings import DEFAULTS, SetComplaintSettings, site_settings
from complaints.domain.sla import InvalidCalendar
from events.catalog import complaints as ev
from events.decider import fold
from events.rules import InvalidAmount, InvalidCode

OVERDUE = ev.ComplaintFollowUpOverdue(
    complaint_id=COMPLAINT_ID, second_callback_due=SECOND_CALLBACK_DUE, overdue_at=SECOND_CALLBACK_DUE
)


def test_a_second_callback_not_recorded_by_its_due_time_is_overdue_once() -> None:
    state = given(*walked_to("acted")).when(RecordFollowUpOverdue(SECOND_CALLBACK_DUE)).then(OVERDUE)
    assert state.follow_up_overdue_for == SECOND_CALLBACK_DUE
    given(*walked_to("acted"), OVERDUE).when(RecordFollowUpOverdue(SECOND_CALLBACK_DUE)).then()


def test_an_early_or_answered_second_callback_timer_changes_nothing() -> None:
    given(*walked_to("acted")).when(RecordFollowUpOverdue(SECOND_CALLBACK_DUE - timedelta(seconds=1))).then()
    closing = given(*walked_to("acted")).when(follow_up()).decided()
    given(*walked_to("acted"), *closing).when(RecordFollowUpOverdue(SECOND_CALLBACK_DUE)).then()
    reopened = followed_up(satisfied=False, back_to="act")
    given(*walked_to("acted"), reopened).when(RecordFollowUpOverdue(SECOND_CALLBACK_DUE)).then()


def test_a_second_action_has_a_second_callback_clock_of_its_own() -> None:
    later = SECOND_CALLBACK_DUE + timedelta(days=1)
    history = [*walked_to("acted"), OVERDUE, followed_up(satisfied=False, back_to="act"), acted(1600, due=later)]
    given(*history).when(RecordFollowUpOverdue(later)).then(
        ev.ComplaintFollowUpOverdue(complaint_id=COMPLAINT_ID, second_callback_due=later, overdue_at=later)
    )


def settings(**changes: Any) -> SetComplaintSettings:
    fields: dict[str, Any] = {
        "site_id": uuid4(),
        "working_weekdays": frozenset({1, 2, 3, 4, 5, 6}),
        "holidays": frozenset({date(2024, 10, 1)}),
        "extra_working_days": frozenset({date(2024, 10, 12)}),
        "timezone": "Asia/Shanghai",
        "authority_limits": {"cs_agent": 10_000, "advisor": 30_000, "service_manager": 300_000},
        "dealer_limit": 1_000_000,
        "set_by": "sm-1",
        "set_at": T0,
    }
    return SetComplaintSettings(**(fields | changes))


def test_a_site_sets_its_calendar_and_limits_and_a_person_gets_their_highest() -> None:
    events = site_settings.decide(DEFAULTS, settings())
    state = fold(site_settings, events)
    assert state.calendar.is_working_day(date(2024, 10, 12))  # a make-up Saturday
    assert not state.calendar.is_working_day(date(2024, 10, 1))
    assert state.limit_for(frozenset({"advisor"})) == 30_000
    assert state.limit_for(frozenset({"advisor", "service_manager"})) == 300_000
    assert state.limit_for(frozenset({"technician"})) == 0
    assert (state.dealer_limit, state.set_by) == (1_000_000, "sm-1")


def test_a_site_without_settings_works_monday_to_friday_in_shanghai() -> None:
    assert DEFAULTS.calendar.working_weekdays == frozenset({1, 2, 3, 4, 5})
    assert DEFAULTS.calendar.timezone == "Asia/Shanghai"
    assert DEFAULTS.limit_for(frozenset({"advisor"})) < DEFAULTS.limit_for(frozenset({"service_manager"}))


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"working_weekdays": frozenset()}, InvalidCalendar),
        ({"timezone": "Mars/Olympus"}, InvalidCalendar),
        ({"authority_limits": {"advisor": -1}}, InvalidAmount),
        ({"authority_limits": {"technician": 1}}, InvalidCode),
        ({"dealer_limit": 20_000}, InvalidAmount),
    ],
)
def test_unusable_settings_are_refused(changes: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        site_settings.decide(DEFAULTS, settings(**changes))
