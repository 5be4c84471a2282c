"""CSI / VOC figures per site and period from callback and complaint facts (docs/domain.md §8; seed
004 VOC statistics). Pure: the service layer's projection collects the facts from the events and
calls `figures`.

- Reach rate: first callbacks that fell due in the period (by `due_at`), reached by the due time
  (72 h) and within the allowed window (one day late at most). Callbacks skipped for
  do-not-call or cancelled are not in the denominator.
- Satisfaction distribution and dissatisfaction categories from the recorded first calls.
- Complaints counted by kind and by whether they met their SLA — never per agent (seed 004:
  complaints are improvement material, not an agent's KPI).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from events.catalog.followup_values import DISSATISFACTION_CATEGORIES, SCORE_MAX, SCORE_MIN

WEEK, MONTH, YEAR = "week", "month", "year"
PERIODS = (WEEK, MONTH, YEAR)


@dataclass(frozen=True)
class CallbackFact:
    site_id: str
    kind: str
    due_at: datetime
    hard_limit_at: datetime
    counted: bool = True  # False: skipped (do-not-call) or cancelled
    reached_at: datetime | None = None
    score: int | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComplaintFact:
    site_id: str
    raised_at: datetime
    kind: str  # "complaint" or "grievance", as the complaints service classified it
    within_sla: bool | None = None  # None while still open


@dataclass(frozen=True)
class VocFigures:
    site_id: str
    period: str
    callbacks_due: int = 0
    reached_by_due_time: int = 0
    reached_in_window: int = 0
    satisfaction: dict[int, int] = field(default_factory=dict)
    dissatisfaction: dict[str, int] = field(default_factory=dict)
    complaints: dict[str, int] = field(default_factory=dict)
    complaints_within_sla: int = 0
    complaints_sla_breached: int = 0

    @property
    def reach_rate_72h(self) -> float | None:
        return self.reached_by_due_time / self.callbacks_due if self.callbacks_due else None

    @property
    def reach_rate_in_window(self) -> float | None:
        return self.reached_in_window / self.callbacks_due if self.callbacks_due else None

    @property
    def average_score(self) -> float | None:
        answered = sum(self.satisfaction.values())
        return sum(s * n for s, n in self.satisfaction.items()) / answered if answered else None


def period_of(at: datetime, period: str, tz: tzinfo) -> str:
    """ISO week ("2024-W19"), month ("2024-05") or calendar year ("2024") of `at` in the site's
    time zone. The year is the calendar's, not the ISO week-numbering year: a year-end summary
    (seed 002) closes on 31 December."""
    local = at.astimezone(tz)
    if period == WEEK:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    if period == MONTH:
        return f"{local.year}-{local.month:02d}"
    if period == YEAR:
        return f"{local.year}"
    raise ValueError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")


@dataclass
class _Tally:
    due: int = 0
    by_due: int = 0
    in_window: int = 0
    scores: Counter[int] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    complaints: Counter[str] = field(default_factory=Counter)
    within_sla: int = 0
    breached: int = 0


def figures(
    callbacks: Iterable[CallbackFact], complaints: Iterable[ComplaintFact], period: str, tz: tzinfo
) -> list[VocFigures]:
    """The figures per (site, period), sorted by site then period."""
    tallies: dict[tuple[str, str], _Tally] = {}

    def tally(site_id: str, at: datetime) -> _Tally:
        return tallies.setdefault((site_id, period_of(at, period, tz)), _Tally())

    for cb in callbacks:
        if cb.kind != "first" or not cb.counted:
            continue
        t = tally(cb.site_id, cb.due_at)
        t.due += 1
        if cb.reached_at is not None:
            t.by_due += cb.reached_at <= cb.due_at
            t.in_window += cb.reached_at <= cb.hard_limit_at
        if cb.score is not None and SCORE_MIN <= cb.score <= SCORE_MAX:
            t.scores[cb.score] += 1
        t.categories.update(c for c in cb.categories if c in DISSATISFACTION_CATEGORIES)
    for complaint in complaints:
        t = tally(complaint.site_id, complaint.raised_at)
        t.complaints[complaint.kind] += 1
        t.within_sla += complaint.within_sla is True
        t.breached += complaint.within_sla is False
    return [
        VocFigures(
            site_id=site,
            period=key,
            callbacks_due=t.due,
            reached_by_due_time=t.by_due,
            reached_in_window=t.in_window,
            satisfaction={s: t.scores[s] for s in range(SCORE_MIN, SCORE_MAX + 1)},
            dissatisfaction={c: t.categories[c] for c in DISSATISFACTION_CATEGORIES},
            complaints=dict(sorted(t.complaints.items())),
            complaints_within_sla=t.within_sla,
            complaints_sla_breached=t.breached,
        )
        for (site, key), t in sorted(tallies.items())
    ]
