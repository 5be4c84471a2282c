"""The SLA clocks of seed 004 on the site's working-day calendar, the breach timer (once per
deadline, only while unresolved, escalated to the service manager) and the second callback."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import reduce

import pytest
from domain_helpers import (
    CALENDAR,
    COMPLAINT_ID,
    SHANGHAI,
    T0,
    act,
    acted,
    at,
    follow_up,
    followed_up,
    given,
    opened,
    walked_to,
)

from complaints.domain import errors
from complaints.domain.commands import ReclassifyComplaint, RecordSlaBreach
from complaints.domain.sla import InvalidCalendar, WorkingCalendar, resolve_by, second_callback_due
from complaints.domain.state import INITIAL, evolve
from complaints.views import complaint_view
from events.catalog import complaints as ev


def local(day: int, hour: int = 0, month: int = 5) -> datetime:
    return datetime(2024, month, day, hour, 0, tzinfo=SHANGHAI)


# --- the calendar ----------------------------------------------------------------------------


def test_a_complaint_is_due_24_hours_after_receipt_weekend_or_not() -> None:
    friday_evening = local(10, 19)
    assert resolve_by("complaint", friday_evening, CALENDAR) == local(11, 19)


@pytest.mark.parametrize(
    ("received", "due", "why"),
    [
        (local(6, 10), local(10), "Monday: Tue, Wed, Thu → end of Thursday"),
        (local(9, 15), local(15), "Thursday: Fri, then the weekend, Mon, Tue → end of Tuesday"),
        (local(11, 11), local(16), "Saturday: Mon, Tue, Wed → end of Wednesday"),
        (local(29, 9, month=4), local(4), "Monday 29 April: Tue 30, Labour Day off, Thu 2, Fri 3 → end of Friday"),
        (local(6, 22), local(10), "Monday after hours: still Monday's date"),
        (datetime(2024, 5, 6, 23, 30, tzinfo=UTC), local(11), "23:30 UTC Monday is Tuesday 07:30 in Shanghai"),
    ],
)
def test_a_general_grievance_is_due_at_the_end_of_the_3rd_working_day_after_receipt(
    received: datetime, due: datetime, why: str
) -> None:
    assert resolve_by("general_grievance", received, CALENDAR) == due, why


def test_a_site_working_saturdays_counts_them() -> None:
    six_days = replace(CALENDAR, working_weekdays=frozenset({1, 2, 3, 4, 5, 6}))
    assert resolve_by("general_grievance", local(9, 15), six_days) == local(14)  # Fri, Sat, Mon


def test_a_make_up_working_day_on_a_weekend_counts() -> None:
    # China 2024: Saturday 11 May was worked to make up for the Labour Day holiday (调休).
    make_up = replace(CALENDAR, extra_working_days=frozenset({date(2024, 5, 11)}))
    assert resolve_by("general_grievance", local(9, 15), make_up) == local(14)  # Fri, Sat 11, Mon


def test_a_holiday_on_a_working_day_does_not_count() -> None:
    bank_holiday = replace(CALENDAR, holidays=frozenset({date(2024, 5, 13)}))
    assert resolve_by("general_grievance", local(9, 15), bank_holiday) == local(16)  # Fri, Tue, Wed


def test_the_second_callback_is_due_at_the_end_of_the_next_working_day() -> None:
    assert second_callback_due(local(6, 13), CALENDAR) == local(8)  # Monday → end of Tuesday
    assert second_callback_due(local(10, 16), CALENDAR) == local(14)  # Friday → end of Monday


@pytest.mark.parametrize(
    "calendar",
    [
        {"working_weekdays": frozenset()},
        {"working_weekdays": frozenset({0, 1})},
        {"working_weekdays": frozenset({1}), "timezone": "Mars/Olympus"},
    ],
)
def test_a_calendar_without_working_days_or_with_an_unknown_zone_is_refused(calendar: dict[str, object]) -> None:
    with pytest.raises(InvalidCalendar):
        WorkingCalendar(**calendar)  # type: ignore[arg-type]


def test_a_calendar_whose_holidays_cover_the_year_is_refused_not_looped_on() -> None:
    every_monday = frozenset(date(2024, 5, 6) + timedelta(weeks=w) for w in range(60))
    mondays_only = WorkingCalendar(working_weekdays=frozenset({1}), holidays=every_monday)
    with pytest.raises(InvalidCalendar):
        resolve_by("general_grievance", T0, mondays_only)


# --- the breach timer ------------------------------------------------------------------------

DUE = T0 + timedelta(hours=24)
BREACHED = ev.ComplaintSlaBreached(
    complaint_id=COMPLAINT_ID, kind="complaint", resolve_by=DUE, step="listened", breached_at=DUE
)
ESCALATED = ev.ComplaintEscalated(
    complaint_id=COMPLAINT_ID,
    reason="sla_breach",
    to_role="service_manager",
    detail=f"complaint not resolved by {DUE.isoformat()}; at step 'listened'",
    escalated_at=DUE,
)


def test_an_unresolved_complaint_at_its_deadline_is_breached_and_escalated() -> None:
    state = given(*walked_to("listened")).when(RecordSlaBreach(DUE)).then(BREACHED, ESCALATED)
    assert state.breached_for == DUE
    assert state.escalated


def test_a_breach_is_recorded_once_per_deadline() -> None:
    given(*walked_to("listened"), BREACHED, ESCALATED).when(RecordSlaBreach(DUE + timedelta(minutes=1))).then()


def test_a_complaint_resolved_in_time_is_not_breached() -> None:
    given(*walked_to("acted")).when(RecordSlaBreach(DUE)).then()


def test_a_closed_complaint_is_not_breached() -> None:
    closing = given(*walked_to("acted")).when(follow_up()).decided()
    given(*walked_to("acted"), *closing).when(RecordSlaBreach(DUE)).then()


def test_an_early_timer_changes_nothing() -> None:
    given(*walked_to("listened")).when(RecordSlaBreach(DUE - timedelta(seconds=1))).then()


def test_a_reclassification_moves_the_deadline_and_its_breach() -> None:
    reclassified = (
        given(opened()).when(ReclassifyComplaint("general_grievance", "lounge only", "cs-1", at(5), CALENDAR)).decided()
    )
    history = [opened(), *reclassified]
    given(*history).when(RecordSlaBreach(DUE)).then()  # the old 24-hour timer fires: not due any more
    grievance_due = local(10)
    decided = given(*history).when(RecordSlaBreach(grievance_due)).decided()
    assert isinstance(decided[0], ev.ComplaintSlaBreached)
    assert (decided[0].kind, decided[0].resolve_by, decided[0].step) == ("general_grievance", grievance_due, "received")


def test_a_deadline_brought_back_by_reclassifications_is_not_breached_again() -> None:
    grievance_due = local(10)
    history = [
        *walked_to("listened"),
        BREACHED,
        ESCALATED,
        *given(*walked_to("listened"), BREACHED, ESCALATED)
        .when(ReclassifyComplaint("general_grievance", "lounge only", "cs-1", at(1500), CALENDAR))
        .decided(),
    ]
    history += given(*history).when(RecordSlaBreach(grievance_due)).decided()
    history += (
        given(*history)
        .when(ReclassifyComplaint("complaint", "a safety issue after all", "cs-1", grievance_due, CALENDAR))
        .decided()
    )
    given(*history).when(RecordSlaBreach(DUE)).then()  # the 24-hour deadline is back: breached already


def test_a_complaint_reopened_after_its_remedy_is_not_breached() -> None:
    reopened = [*walked_to("acted"), followed_up(satisfied=False, back_to="act", minutes=1300)]
    given(*reopened).when(RecordSlaBreach(DUE)).then()  # the remedy came in time; the SLA was met


def test_the_desk_shows_a_complaint_overdue_exactly_when_its_sla_would_be_breached() -> None:
    reopened = [*walked_to("acted"), followed_up(satisfied=False, back_to="act", minutes=1300)]
    after_the_deadline = DUE + timedelta(hours=1)
    for history, breached in ((reopened, False), (walked_to("listened"), True)):
        state = reduce(evolve, history, INITIAL)
        assert complaint_view(state, len(history), after_the_deadline).overdue is breached
        assert bool(given(*history).when(RecordSlaBreach(DUE)).decided()) is breached


def test_a_timer_for_a_complaint_never_received_is_refused() -> None:
    given().when(RecordSlaBreach(DUE)).then_refused(errors.NoComplaint)


def test_the_report_says_whether_the_sla_was_met() -> None:
    late = given(*walked_to("explained"), BREACHED, ESCALATED).when(act(1500)).decided()
    assert late == [acted(1500, due=local(9))]  # acted Tuesday 11:00: callback due end of Wednesday
    closing = given(*walked_to("explained"), BREACHED, ESCALATED, *late).when(follow_up(minutes=1600)).decided()
    report = closing[-1].report  # type: ignore[attr-defined]
    assert (report.within_sla, report.sla_breached, report.escalated) == (False, True, True)
