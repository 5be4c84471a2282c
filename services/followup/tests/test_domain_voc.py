"""CSI/VOC figures per site and period (docs/domain.md §8): reach rate within 72 h (and within the
allowed window), satisfaction distribution, dissatisfaction categories, complaints by kind and
SLA — do-not-call skips and second callbacks out of the callback figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followup.domain.voc import MONTH, WEEK, YEAR, CallbackFact, ComplaintFact, figures, period_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)  # week 19, 10:00 in Shanghai


def due(hours_after_monday: float = 0, site: str = "site-1", **changes: object) -> CallbackFact:
    due_at = MONDAY + timedelta(hours=hours_after_monday)
    fact = CallbackFact(site_id=site, kind="first", due_at=due_at, hard_limit_at=due_at + timedelta(days=1))
    return CallbackFact(**{**fact.__dict__, **changes})


def test_periods_are_iso_weeks_and_months_in_the_sites_time_zone() -> None:
    sunday_night_utc = datetime(2024, 5, 5, 17, 0, tzinfo=UTC)  # Monday 01:00 in Shanghai
    assert period_of(sunday_night_utc, WEEK, UTC) == "2024-W18"
    assert period_of(sunday_night_utc, WEEK, SHANGHAI) == "2024-W19"
    assert period_of(datetime(2024, 4, 30, 20, 0, tzinfo=UTC), MONTH, SHANGHAI) == "2024-05"
    with pytest.raises(ValueError, match="period"):
        period_of(MONDAY, "quarter", UTC)


def test_the_year_is_the_calendar_year_in_the_sites_time_zone() -> None:
    new_years_eve_utc = datetime(2023, 12, 31, 17, 0, tzinfo=UTC)  # 1 January 01:00 in Shanghai
    assert period_of(new_years_eve_utc, YEAR, UTC) == "2023"
    assert period_of(new_years_eve_utc, YEAR, SHANGHAI) == "2024"
    # ISO week 1 of 2025 starts on 30 December 2024: the year is the calendar's, not the ISO week's.
    assert period_of(datetime(2024, 12, 30, 4, 0, tzinfo=UTC), YEAR, SHANGHAI) == "2024"
    callbacks = [due(0, reached_at=MONDAY, score=5), due(24 * 200, reached_at=MONDAY, score=3)]
    (year,) = figures(callbacks, [], YEAR, SHANGHAI)
    assert (year.period, year.callbacks_due, year.reached_by_due_time) == ("2024", 2, 2)
    assert year.average_score == 4


def test_weekly_figures_per_site() -> None:
    callbacks = [
        due(0, reached_at=MONDAY - timedelta(hours=5), score=5),
        due(1, reached_at=MONDAY + timedelta(hours=20), score=2, categories=("price", "parts_waiting")),
        due(2, score=None),  # never reached
        due(3, reached_at=MONDAY + timedelta(hours=30), score=4, categories=("price",)),  # beyond the hard limit
        due(4, counted=False),  # skipped: do-not-call
        due(5, kind="second", reached_at=MONDAY, score=1),  # second follow-ups are not the CSI survey
        due(6, site="site-2", reached_at=MONDAY, score=3),
        due(24 * 7, reached_at=MONDAY + timedelta(days=7), score=5),  # next week
    ]
    complaints = [
        ComplaintFact(site_id="site-1", raised_at=MONDAY, kind="complaint", within_sla=True),
        ComplaintFact(site_id="site-1", raised_at=MONDAY, kind="grievance", within_sla=False),
        ComplaintFact(site_id="site-1", raised_at=MONDAY, kind="grievance"),
    ]
    result = figures(callbacks, complaints, WEEK, SHANGHAI)
    assert [(f.site_id, f.period) for f in result] == [
        ("site-1", "2024-W19"),
        ("site-1", "2024-W20"),
        ("site-2", "2024-W19"),
    ]
    week = result[0]
    assert (week.callbacks_due, week.reached_by_due_time, week.reached_in_window) == (4, 1, 2)
    assert week.reach_rate_72h == 0.25
    assert week.reach_rate_in_window == 0.5
    assert week.satisfaction == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert week.average_score == pytest.approx(11 / 3)
    assert week.dissatisfaction["price"] == 2
    assert week.dissatisfaction["parts_waiting"] == 1
    assert week.dissatisfaction["lounge"] == 0
    assert week.complaints == {"complaint": 1, "grievance": 2}
    assert (week.complaints_within_sla, week.complaints_sla_breached) == (1, 1)
    assert result[2].reach_rate_72h == 1.0


def test_no_callbacks_no_rates() -> None:
    (only,) = figures([], [ComplaintFact(site_id="s", raised_at=MONDAY, kind="complaint")], MONTH, UTC)
    assert only.reach_rate_72h is None
    assert only.average_score is None
    assert only.period == "2024-05"
