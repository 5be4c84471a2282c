"""Technician productivity and bay utilisation, pure (issue 19; docs/reports.md): the read model's
fold over the workshop's clock events and booking's opening hours, the ratios in basis points,
and bay utilisation over opening hours — no database."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from events.catalog.booking import CapacitySet
from events.catalog.workshop import (
    BayFreed,
    BayTaken,
    JobCompleted,
    JobPaused,
    JobStarted,
    JobWithdrawn,
)
from events.contract import Event
from events.envelope import Envelope, Metadata, Tenant
from events.rows import Row, Rows, Table
from followup.productivity import (
    BAY_HOLDS,
    OPENING_HOURS,
    TECHNICIAN_SALES,
    TECHNICIAN_SESSIONS,
    BayHold,
    OpeningHours,
    WorkshopClocks,
    bay_utilisation,
    ratio_bp,
)

GROUP, SITE = "group-a", str(uuid.uuid4())
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2031, 5, 5, 9, 0, tzinfo=SHANGHAI)
RO = uuid.uuid4()


def envelope(event: Event, stream: str = f"work_order-{RO}") -> Envelope[Any]:
    at = datetime.now(UTC)
    return Envelope(event, uuid.uuid4(), stream, 1, Metadata(Tenant(GROUP, SITE), "tech", "c-1"), at, at)


def folded(*events: Event) -> dict[Table, list[Row]]:
    """The rows the events leave, folded one page at a time as the projector would (each event
    a page of its own: what a live consumer does)."""
    projection = WorkshopClocks()
    rows = Rows()
    for event in events:
        wrapped = envelope(event)
        for table, key in projection.reads(wrapped):
            rows._rows.setdefault(table, {}).setdefault(key, None)
        projection.fold(rows, wrapped)
    return {table: [row for row in rows._rows.get(table, {}).values() if row] for table in projection.models}


def at(minutes: int, day: datetime = MONDAY) -> datetime:
    return day + timedelta(minutes=minutes)


def started(job: uuid.UUID, tech: str, minute: int, rework: bool = False) -> JobStarted:
    return JobStarted(repair_order_id=RO, job_id=job, technician_id=tech, rework=rework, started_at=at(minute))


def paused(job: uuid.UUID, tech: str, minute: int, worked: int) -> JobPaused:
    return JobPaused(
        repair_order_id=RO, job_id=job, technician_id=tech, reason="break", worked_minutes=worked, paused_at=at(minute)
    )


def completed(job: uuid.UUID, tech: str, minute: int, worked: int, planned: int, total: int) -> JobCompleted:
    return JobCompleted(
        repair_order_id=RO,
        job_id=job,
        technician_id=tech,
        worked_minutes=worked,
        total_worked_minutes=total,
        planned_minutes=planned,
        completed_at=at(minute),
    )


def sessions(rows: dict[Table, list[Row]]) -> list[tuple[str, datetime, datetime, int]]:
    found = rows[TECHNICIAN_SESSIONS]
    return sorted((r["technician_id"], r["started_at"], r["ended_at"], r["worked_minutes"]) for r in found)


def test_clocked_time_is_each_session_from_clock_on_to_pause_or_completion() -> None:
    job = uuid.uuid4()
    rows = folded(
        started(job, "tech-wang", 0),
        paused(job, "tech-wang", 30, 30),
        started(job, "tech-wang", 45),
        completed(job, "tech-wang", 60, 15, planned=60, total=45),
    )
    assert sessions(rows) == [("tech-wang", at(0), at(30), 30), ("tech-wang", at(45), at(60), 15)]
    assert {r["group_id"] for r in rows[TECHNICIAN_SESSIONS]} == {GROUP}
    ((sale),) = rows[TECHNICIAN_SALES]
    assert (sale["technician_id"], sale["sold_minutes"], sale["completed_at"]) == ("tech-wang", 60, at(60))


def test_the_flat_rate_is_sold_once_to_who_completed_the_job_and_rework_is_only_clocked() -> None:
    job = uuid.uuid4()
    rows = folded(
        started(job, "tech-wang", 0),
        paused(job, "tech-wang", 20, 20),
        started(job, "tech-li", 30),
        completed(job, "tech-li", 50, 20, planned=30, total=40),
        started(job, "tech-li", 120, rework=True),
        completed(job, "tech-li", 135, 15, planned=30, total=55),
    )
    ((sale),) = rows[TECHNICIAN_SALES]
    assert (sale["technician_id"], sale["sold_minutes"], sale["completed_at"]) == ("tech-li", 30, at(50))
    assert sessions(rows) == [
        ("tech-li", at(30), at(50), 20),
        ("tech-li", at(120), at(135), 15),
        ("tech-wang", at(0), at(20), 20),
    ]


def test_a_job_withdrawn_while_clocked_on_ends_its_session_and_sells_nothing() -> None:
    job = uuid.uuid4()
    withdrawn = JobWithdrawn(repair_order_id=RO, job_id=job, reason="customer changed mind", withdrawn_at=at(25))
    rows = folded(started(job, "tech-wang", 0), withdrawn)
    assert sessions(rows) == [("tech-wang", at(0), at(25), 25)]
    assert rows[TECHNICIAN_SALES] == []


def test_an_end_without_a_known_start_changes_nothing() -> None:
    job = uuid.uuid4()
    rows = folded(paused(job, "tech-wang", 30, 30))
    assert rows[TECHNICIAN_SESSIONS] == []


def test_a_bay_is_held_from_taken_to_freed_even_when_the_next_bay_is_heard_of_first() -> None:
    job = uuid.uuid4()
    rows = folded(
        BayTaken(bay="B1", repair_order_id=RO, job_id=job, taken_at=at(0)),
        # A re-dispatch: the two bays are two streams, so the new bay may arrive before the old one is freed.
        BayTaken(bay="B2", repair_order_id=RO, job_id=job, taken_at=at(40)),
        BayFreed(bay="B1", repair_order_id=RO, job_id=job, freed_at=at(40)),
        BayFreed(bay="B2", repair_order_id=RO, job_id=job, freed_at=at(70)),
    )
    holds = sorted((r["bay"], r["taken_at"], r["freed_at"]) for r in rows[BAY_HOLDS])
    assert holds == [("B1", at(0), at(40)), ("B2", at(40), at(70))]


def test_the_sites_opening_hours_are_bookings_latest_capacity() -> None:
    def capacity(opens: int, bays: int) -> CapacitySet:
        return CapacitySet(
            site_id=uuid.UUID(SITE),
            timezone="Asia/Shanghai",
            opens_at=time(opens),
            closes_at=time(18),
            slot_minutes=60,
            open_weekdays=(1, 2, 3, 4, 5, 6),
            advisors=("sa-li",),
            receptions_per_advisor=1,
            technicians=4,
            bays=bays,
            workshop_minutes_per_slot=120,
            set_at=MONDAY,
        )

    ((hours),) = folded(capacity(8, 2), capacity(9, 3))[OPENING_HOURS]
    assert (hours["opens_at"], hours["closes_at"], hours["bays"], hours["open_weekdays"]) == (
        time(9),
        time(18),
        3,
        [1, 2, 3, 4, 5, 6],
    )


def test_ratios_are_basis_points_rounded_half_up() -> None:
    assert ratio_bp(45, 60) == 7500
    assert ratio_bp(2, 3) == 6667
    assert ratio_bp(1, 3) == 3333
    assert ratio_bp(1, 20000) == 1  # half a basis point rounds up
    assert ratio_bp(90, 60) == 15000  # more sold than clocked: efficiency above 100 %
    assert ratio_bp(5, 0) is None


HOURS = OpeningHours(
    timezone="Asia/Shanghai", opens_at=time(8), closes_at=time(18), open_weekdays=(1, 2, 3, 4, 5, 6), bays=2
)


def hold(bay: str, start: datetime, end: datetime) -> BayHold:
    return BayHold(bay=bay, taken_at=start, freed_at=end)


def figures(rows: Iterable[Any]) -> list[tuple[str, int, int, int | None]]:
    return [(r.period, r.open_minutes, r.held_minutes, r.utilisation_bp) for r in rows]


def test_bay_utilisation_counts_held_minutes_inside_opening_hours_only() -> None:
    monday, tuesday = date(2031, 5, 5), date(2031, 5, 6)
    holds = [
        hold("B1", at(-120), at(60)),  # 07:00-10:00: the hour before opening does not count
        hold("B2", at(8 * 60), at(24 * 60 + 30)),  # 17:00 to 09:30 the next day: 60 + 90 minutes
    ]
    days = bay_utilisation(holds, HOURS, "day", monday, tuesday)
    assert figures(days) == [("2031-05-05", 1200, 120 + 60, 1500), ("2031-05-06", 1200, 90, 750)]
    assert days[0].by_bay == {"B1": 120, "B2": 60}


def test_bay_utilisation_over_a_week_counts_only_the_open_days_in_the_range() -> None:
    sunday = date(2031, 5, 11)
    holds = [hold("B1", at(0), at(300))]
    (week,) = bay_utilisation(holds, HOURS, "week", date(2031, 5, 5), sunday)
    # Six open days (Sunday closed) of two bays of ten hours.
    assert figures([week]) == [("2031-W19", 6 * 2 * 600, 300, ratio_bp(300, 7200))]
    (half,) = bay_utilisation(holds, HOURS, "week", date(2031, 5, 5), date(2031, 5, 6))
    assert half.open_minutes == 2 * 2 * 600
    (month,) = bay_utilisation(holds, HOURS, "month", date(2031, 5, 1), date(2031, 5, 31))
    assert (month.period, month.held_minutes) == ("2031-05", 300)
