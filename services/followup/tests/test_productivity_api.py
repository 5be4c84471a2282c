"""Technician productivity and bay utilisation over HTTP (issue 19), fed from the workshop's and
booking's topics on a real PostgreSQL and broker: per technician and day/week, paged and
filtered; bays against opening hours; tenancy and roles; the read model rebuilt to the same report."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from api_helpers import AGENT, GROUP_B, MANAGER, OTHER_SITE, SITE, START, Environment, Followup, as_

from events.catalog.booking import CapacitySet
from events.catalog.workshop import BayFreed, BayTaken, JobCompleted, JobPaused, JobStarted
from events.clock import ManualClock
from events.contract import Event
from events.database import open_pool
from events.identity import ADVISOR, DISPATCHER, SERVICE_MANAGER
from events.projection import KafkaProjector
from events.testing import eventually, kafka_for_tests
from events.testing.publishing import Publisher
from followup.productivity import WorkshopClocks

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = START.astimezone(SHANGHAI).date() - timedelta(days=3)
FOREMAN = as_(DISPATCHER, "foreman-1")


def local(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), SHANGHAI)


@pytest.fixture
async def environment(database: str, postgres_url: str, bootstrap_servers: str, topic_prefix: str) -> Environment:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    return Environment(database, kafka, Publisher(postgres_url, kafka))


def job_worked(
    ro: uuid.UUID, tech: str, sessions: list[tuple[datetime, datetime]], planned: int
) -> tuple[str, list[Event]]:
    """One job clocked in `sessions` (paused between them), completed at the last one's end."""
    job, total = uuid.uuid4(), 0
    events: list[Event] = []
    for i, (start, end) in enumerate(sessions):
        minutes = int((end - start).total_seconds() // 60)
        total += minutes
        events.append(JobStarted(repair_order_id=ro, job_id=job, technician_id=tech, started_at=start))
        if i < len(sessions) - 1:
            events.append(
                JobPaused(
                    repair_order_id=ro, job_id=job, technician_id=tech, reason="break", worked_minutes=minutes,
                    paused_at=end,
                )
            )  # fmt: skip
        else:
            events.append(
                JobCompleted(
                    repair_order_id=ro, job_id=job, technician_id=tech, worked_minutes=minutes,
                    total_worked_minutes=total, planned_minutes=planned, completed_at=end,
                )
            )  # fmt: skip
    return f"work_order-{ro}", events


async def a_day_in_the_workshop(followup: Followup) -> None:
    """Wang: 09:00-10:00 and 10:30-11:00 on a 120-minute job, 13:00-14:00 on a 45-minute one.
    Li: 09:30-10:30 on a 60-minute job. Bay B1 held 09:00-14:00; the site opens 08:00-18:00, two bays."""
    await followup.publish(
        f"capacity-{SITE}",
        CapacitySet(
            site_id=uuid.UUID(SITE), timezone="Asia/Shanghai", opens_at=time(8), closes_at=time(18), slot_minutes=60,
            open_weekdays=(1, 2, 3, 4, 5, 6, 7), advisors=("sa-1",), receptions_per_advisor=2, technicians=2, bays=2,
            workshop_minutes_per_slot=120, set_at=START - timedelta(days=30),
        ),
    )  # fmt: skip
    ro = uuid.uuid4()
    for tech, sessions, planned in (
        ("tech-wang", [(local(9), local(10)), (local(10, 30), local(11))], 120),
        ("tech-wang", [(local(13), local(14))], 45),
        ("tech-li", [(local(9, 30), local(10, 30))], 60),
    ):
        stream, events = job_worked(ro, tech, sessions, planned)
        await followup.publish(stream, *events)
    job = uuid.uuid4()
    await followup.publish(f"bay-{SITE}:B1", BayTaken(bay="B1", repair_order_id=ro, job_id=job, taken_at=local(9)))
    await followup.publish(f"bay-{SITE}:B1", BayFreed(bay="B1", repair_order_id=ro, job_id=job, freed_at=local(14)))


async def technicians(followup: Followup, headers: dict[str, str] = MANAGER, **params: str) -> Any:
    query = {"period": "day", "from": DAY.isoformat(), "to": DAY.isoformat(), **params}
    return await followup.http.get(f"/sites/{SITE}/reports/technician-productivity", params=query, headers=headers)


async def settled(followup: Followup) -> list[dict[str, Any]]:
    async def rows() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (await technicians(followup)).json()
        return found

    def complete(rows: list[dict[str, Any]]) -> bool:
        return [(r["technician_id"], r["sold_minutes"], r["on_job_minutes"]) for r in rows] == [
            ("tech-li", 60, 60),
            ("tech-wang", 165, 150),
        ]

    return await eventually(rows, until=complete, what="both technicians' day")


async def bays(followup: Followup, **params: str) -> Any:
    query = {"period": "day", "from": DAY.isoformat(), "to": DAY.isoformat(), **params}
    return await followup.http.get(f"/sites/{SITE}/reports/bay-utilisation", params=query, headers=MANAGER)


async def bays_settled(followup: Followup) -> dict[str, Any]:
    async def report() -> dict[str, Any]:
        answer: dict[str, Any] = (await bays(followup)).json()
        return answer

    return await eventually(
        report, until=lambda r: any(row["held_minutes"] for row in r["rows"]), what="the bay's hold"
    )


async def test_productivity_per_technician_and_bay_utilisation(environment: Environment) -> None:
    async with environment.running(ManualClock(START)) as followup:
        await a_day_in_the_workshop(followup)
        li, wang = await settled(followup)
        label = DAY.isoformat()
        assert wang == {
            "technician_id": "tech-wang",
            "period": label,
            "period_start": label,
            "sold_minutes": 165,
            "on_job_minutes": 150,
            "attended_minutes": 300,  # 09:00 to 14:00 on the floor
            "productivity_bp": 5000,  # 150 of 300 minutes on jobs
            "efficiency_bp": 11000,  # 165 sold for 150 clocked
            "proficiency_bp": 5500,  # 165 sold of 300 attended
        }
        assert (li["productivity_bp"], li["efficiency_bp"], li["proficiency_bp"]) == (10000, 10000, 10000)

        # Paged: one row a page, the next page through the Link header.
        first = await technicians(followup, limit="1")
        assert [r["technician_id"] for r in first.json()] == ["tech-li"]
        link = first.headers["link"]
        cursor = link[link.index("cursor=") + 7 : link.index("&")]
        second = await technicians(followup, limit="1", cursor=cursor)
        assert [r["technician_id"] for r in second.json()] == ["tech-wang"]
        assert "link" not in second.headers

        only_wang = (await technicians(followup, technician="tech-wang")).json()
        assert [r["technician_id"] for r in only_wang] == ["tech-wang"]
        week = (await technicians(followup, period="week")).json()
        monday = DAY - timedelta(days=DAY.weekday())
        assert {(r["period_start"], r["sold_minutes"]) for r in week} == {
            (monday.isoformat(), 60),
            (monday.isoformat(), 165),
        }
        assert all("-W" in r["period"] for r in week)
        assert (
            await technicians(followup, MANAGER, **{"from": (DAY + timedelta(days=1)).isoformat()})
        ).status_code == 422
        assert (await technicians(followup, period="quarter")).status_code == 422
        assert (await technicians(followup, FOREMAN)).status_code == 200
        assert (await technicians(followup, AGENT)).status_code == 403  # customer service: not the workshop's figures
        assert (await technicians(followup, as_(ADVISOR, "sa-1"))).status_code == 403
        assert (await technicians(followup, as_(SERVICE_MANAGER, group=GROUP_B))).json() == []

        (bay_day,) = (await bays_settled(followup))["rows"]
        assert bay_day == {
            "period": label,
            "period_start": label,
            "bays": 2,
            "open_minutes": 1200,
            "held_minutes": 300,
            "utilisation_bp": 2500,
            "by_bay": {"B1": 300},
        }
        assert (await bays(followup, to=(DAY + timedelta(days=400)).isoformat())).status_code == 422
        elsewhere = await followup.http.get(
            f"/sites/{OTHER_SITE}/reports/bay-utilisation", headers=as_(SERVICE_MANAGER, site=OTHER_SITE)
        )
        assert elsewhere.status_code == 409, "a site booking has no capacity plan for"
        assert elsewhere.json()["error"]["code"] == "opening_hours_unknown"


async def test_the_productivity_read_model_rebuilds_to_the_same_report(environment: Environment) -> None:
    async with environment.running(ManualClock(START)) as followup:
        await a_day_in_the_workshop(followup)
        before = await settled(followup)
        bays_before = await bays_settled(followup)
    pool = await open_pool(environment.database)
    try:
        kafka = environment.kafka
        await KafkaProjector(pool, WorkshopClocks(), kafka, [kafka.topic("booking"), kafka.topic("workshop")]).rebuild()
        assert await pool.fetchval("SELECT count(*) FROM technician_sessions") == 0
    finally:
        await pool.close()
    async with environment.running(ManualClock(START)) as restarted:
        assert await settled(restarted) == before
        assert await bays_settled(restarted) == bays_before
