"""CSI/VOC and the operational KPIs over HTTP (JSON and CSV, per site and for the group), the
read models rebuilt from zero to the same rows, and a campaign's notices with the letter clock."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from api_helpers import (
    AGENT,
    GROUP_B,
    MANAGER,
    REACHED_UNHAPPY,
    SITE,
    START,
    Environment,
    Followup,
    as_,
    checked_in,
    customer,
)

from events.catalog.booking import AppointmentNoShow
from events.catalog.complaints import ComplaintFactsConfirmed, ComplaintOpened, ComplaintSlaBreached
from events.catalog.parts import PartsReserved, PartsShortageDetected
from events.catalog.workshop import QualityCheckPassed
from events.clock import ManualClock
from events.database import open_pool
from events.identity import CS_AGENT, SERVICE_MANAGER
from events.projection import KafkaProjector, LogProjector
from events.testing import eventually, kafka_for_tests
from events.testing.publishing import Publisher
from followup.analytics import FEEDS
from followup.domain.ids import callback_id_for
from followup.reports import DEFAULT_TZ

OWN_TABLES = (
    "callback_queue",
    "contact_log",
    "contact_log_callbacks",
    "customer_files",
    "customer_file_visits",
    "customer_file_notes",
    "appointment_proposals",
    "voc_callbacks",
)
FED_TABLES = ("kpi_facts", "parts_waits", "parts_fills", "voc_complaints", "greetings")


@pytest.fixture
async def environment(database: str, postgres_url: str, bootstrap_servers: str, topic_prefix: str) -> Environment:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    return Environment(database, kafka, Publisher(postgres_url, kafka))


def total(rows: Iterable[dict[str, Any]], key: str) -> float:
    return sum(float(row[key] or 0) for row in rows)


async def lifecycle(followup: Followup) -> str:
    """One visit: delivered on time, fixed first time, a part waited 90 minutes (its 2 parts were
    not on the shelf), 3 parts were, a no-show — and a reached, dissatisfied first callback.
    Two walk-ins arrived together: one greeted in 2 minutes, within the seeds' 3, one in 5."""
    ro, user = uuid.uuid4(), customer()
    arrived = START - timedelta(hours=4)
    for greeted_after in (timedelta(minutes=2), timedelta(minutes=5)):
        walk_in = uuid.uuid4()
        await followup.publish(f"repair_order-{walk_in}", checked_in(walk_in, user, arrived, greeted_after))
    reservation = uuid.uuid4()
    await followup.publish(
        f"work_order-{ro}", QualityCheckPassed(repair_order_id=ro, inspector="qc-1", first_time=True, checked_at=START)
    )
    await followup.publish(
        f"reservation-{reservation}",
        PartsShortageDetected(
            part_number="PAD-1",
            reservation_id=reservation,
            repair_order_id=ro,
            line_id=uuid.uuid4(),
            missing_quantity=2,
            cause="insufficient_stock",
            detected_at=START - timedelta(hours=3),
        ),
    )
    await followup.publish(
        f"reservation-{reservation}",
        PartsReserved(
            part_number="PAD-1",
            reservation_id=reservation,
            repair_order_id=ro,
            line_id=uuid.uuid4(),
            quantity=2,
            from_backorder=True,
            reserved_at=START - timedelta(hours=1, minutes=30),
        ),
    )
    # Another request found its 3 parts on the shelf; a later stocktake loss is not its first answer.
    on_shelf = uuid.uuid4()
    line = uuid.uuid4()
    await followup.publish(
        f"reservation-{on_shelf}",
        PartsReserved(
            part_number="OIL-1",
            reservation_id=on_shelf,
            repair_order_id=ro,
            line_id=line,
            quantity=3,
            reserved_at=START - timedelta(hours=2),
        ),
        PartsShortageDetected(
            part_number="OIL-1",
            reservation_id=on_shelf,
            repair_order_id=ro,
            line_id=line,
            missing_quantity=1,
            withdrawn_quantity=1,
            cause="stocktake_loss",
            detected_at=START - timedelta(hours=1),
        ),
    )
    appointment = uuid.uuid4()
    await followup.publish(
        f"appointment-{appointment}",
        AppointmentNoShow(
            appointment_id=appointment, slot_start=START, advisor_id="sa-1", confirmed=False, recorded_at=START
        ),
    )
    complaint = uuid.uuid4()
    await followup.publish(
        f"complaint-{complaint}",
        ComplaintOpened(
            complaint_id=complaint,
            customer_id=uuid.uuid4(),
            channel="phone",
            kind="complaint",
            category="quality",
            customer_words="还是有异响",
            resolve_by=START + timedelta(hours=24),
            handled_by="sa-1",
            received_at=START,
        ),
        ComplaintFactsConfirmed(
            complaint_id=complaint,
            responsibility="dealer",
            cause="quality",
            findings="pads fitted badly",
            reproduced=True,
            handled_by="sa-1",
            confirmed_at=START + timedelta(hours=2),
        ),
        ComplaintSlaBreached(
            complaint_id=complaint,
            kind="complaint",
            resolve_by=START + timedelta(hours=24),
            step="facts_confirmed",
            breached_at=START + timedelta(hours=24),
        ),
    )
    callback_id = await followup.deliver(ro, user)
    followup.clock.advance(timedelta(hours=50))
    reached = await followup.attempt(callback_id, "reached", answers=REACHED_UNHAPPY)
    assert reached.status_code == 201, reached.text
    return callback_id


async def report(followup: Followup, headers: dict[str, str] = MANAGER, **params: str) -> Any:
    since = (START - timedelta(days=2)).date().isoformat()
    return await followup.http.get(f"/sites/{SITE}/reports/csi", params={"from": since, **params}, headers=headers)


async def test_the_csi_report_shows_the_call_and_the_lifecycle_kpis(environment: Environment) -> None:
    async with environment.running(ManualClock(START)) as followup:
        await lifecycle(followup)

        async def rows() -> list[dict[str, Any]]:
            return list((await report(followup, period="month")).json()["rows"])

        def complete(rows: list[dict[str, Any]]) -> bool:
            return (
                total(rows, "callbacks_due") == 1
                and total(rows, "reached_by_due_time") == 1
                and total(rows, "parts_waits_filled") == 1
                and total(rows, "parts_requests") == 2
                and total(rows, "first_time_fix_rate") == 1
                and total(rows, "no_show_rate") == 1
                and total(rows, "on_time_delivery_rate") == 1
                and total(rows, "complaints_sla_breached") == 1
                and total(rows, "check_ins") == 2
            )

        month = await eventually(rows, until=complete, what="the month's figures")
        assert {row["site_id"] for row in month} == {SITE}
        assert total(month, "reach_rate_72h") == 1.0
        assert sum(row["satisfaction"]["2"] for row in month) == 1
        assert sum(row["dissatisfaction"]["price"] for row in month) == 1
        assert total(month, "complaints_raised_by_callbacks") == 1
        assert total(month, "parts_wait_average_minutes") == 90.0
        # Parts' first-time fill rate: one of the two requests was on the shelf in full, 3 of 5 parts.
        assert total(month, "parts_requests") == 2
        assert total(month, "parts_first_time_fill_rate") == 0.5
        assert total(month, "parts_quantity_fill_rate") == 0.6
        assert sum(row["complaints"].get("complaint", 0) for row in month) == 1
        assert sum(row["complaint_causes"].get("quality", 0) for row in month) == 1
        assert sum(row["complaint_responsibility"].get("dealer", 0) for row in month) == 1
        # Greeting (seeds 000, 003: within 3 minutes): one of the two walk-ins; the median of 120 s and 300 s.
        assert total(month, "greeted_within_3_min") == 1
        assert total(month, "greeting_rate_3min") == 0.5
        assert total(month, "greeting_median_seconds") == 210

        weekly = (await report(followup, period="week")).json()
        assert all("-W" in row["period"] for row in weekly["rows"])
        assert total(weekly["rows"], "callbacks_due") == 1

        since = (START - timedelta(days=2)).date().isoformat()
        as_csv = await followup.http.get(
            f"/sites/{SITE}/reports/csi.csv", params={"from": since, "period": "month"}, headers=MANAGER
        )
        assert as_csv.status_code == 200
        assert as_csv.headers["content-type"].startswith("text/csv")
        lines = list(csv.DictReader(io.StringIO(as_csv.text)))
        assert {
            "reach_rate_72h",
            "satisfaction_2",
            "dissatisfaction_price",
            "parts_first_time_fill_rate",
            "greeting_rate_3min",
            "greeting_median_seconds",
        } <= set(lines[0])
        assert total(lines, "parts_quantity_fill_rate") == 0.6
        assert total(lines, "greeting_rate_3min") == 0.5
        assert total(lines, "callbacks_due") == 1
        assert total(lines, "dissatisfaction_price") == 1

        group = (await report(followup, scope="group", period="month")).json()["rows"]
        assert {row["site_id"] for row in group} == {"group"}
        assert total(group, "callbacks_due") == 1
        assert total(group, "check_ins") == 2
        assert total(group, "greeting_rate_3min") == 0.5
        assert (await report(followup, AGENT, scope="group")).status_code == 403
        other_group = (await report(followup, as_(SERVICE_MANAGER, group=GROUP_B))).json()
        assert other_group["rows"] == []
        assert (await report(followup, tz="Mars/Olympus")).status_code == 409
        assert (await report(followup, period="quarter")).status_code == 422

        # The year-end summary (seed 002): calendar years, per site, for the group and as CSV.
        yearly = (await report(followup, period="year")).json()
        assert yearly["period"] == "year"
        assert all(len(row["period"]) == 4 and row["period"].isdigit() for row in yearly["rows"])
        assert total(yearly["rows"], "callbacks_due") == 1
        assert total(yearly["rows"], "complaints_sla_breached") == 1
        group_year = (await report(followup, scope="group", period="year")).json()["rows"]
        assert {row["site_id"] for row in group_year} == {"group"}
        assert total(group_year, "callbacks_due") == 1
        year_csv = await followup.http.get(
            f"/sites/{SITE}/reports/csi.csv", params={"from": since, "period": "year"}, headers=MANAGER
        )
        assert year_csv.status_code == 200
        assert 'filename="csi-site-year.csv"' in year_csv.headers["content-disposition"]
        assert total(csv.DictReader(io.StringIO(year_csv.text)), "callbacks_due") == 1

        # Without `from`, a yearly report starts with last year: a fact 300 days old is in it.
        ro = uuid.uuid4()
        long_ago = START - timedelta(days=300)
        fixed = QualityCheckPassed(repair_order_id=ro, inspector="qc-1", first_time=False, checked_at=long_ago)
        await followup.publish(f"work_order-{ro}", fixed)

        async def by_default() -> list[dict[str, Any]]:
            answer = await followup.http.get(f"/sites/{SITE}/reports/csi", params={"period": "year"}, headers=MANAGER)
            return list(answer.json()["rows"])

        default_year = await eventually(
            by_default,
            until=lambda rows: str(long_ago.astimezone(ZoneInfo(DEFAULT_TZ)).year) in {r["period"] for r in rows},
            what="last year",
        )
        assert [row["period"] for row in default_year] == sorted({row["period"] for row in default_year})


async def _snapshot(pool: Any, tables: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    return {table: [dict(r) for r in await pool.fetch(f"SELECT * FROM {table} ORDER BY 1, 2")] for table in tables}


async def test_the_read_models_rebuild_from_zero_to_the_same_rows(environment: Environment) -> None:
    clock = ManualClock(START)
    async with environment.running(clock) as followup:
        callback_id = await lifecycle(followup)
        await followup.queue(callback_id, until=lambda row: row["status"] == "completed")
        # Settled: the second follow-up the call scheduled is open too (a reaction, then the projections).
        second = (await followup.pool.fetchval("SELECT repair_order_id FROM callback_queue")).hex
        await followup.queue(str(callback_id_for(uuid.UUID(second), "second")))

        async def fed() -> dict[str, list[dict[str, Any]]]:
            return await _snapshot(followup.pool, FED_TABLES)

        before_fed = await eventually(
            fed,
            until=lambda s: (
                len(s["kpi_facts"]) == 5  # the two walk-ins' appointment facts too
                and len(s["greetings"]) == 2
                and bool(s["parts_waits"])
                and len(s["parts_fills"]) == 2
                and bool(s["voc_complaints"])
                and bool(s["voc_complaints"][0]["breached"])
            ),
        )
        before = await eventually(
            lambda: _snapshot(followup.pool, OWN_TABLES),
            # Both callbacks in every own model (each projection follows the log at its own pace).
            until=lambda s: (
                len(s["contact_log"]) == 1 and len(s["voc_callbacks"]) == 2 and len(s["contact_log_callbacks"]) == 2
            ),
            what="own models",
        )
        for projector in followup.app.state.runtime.projectors:
            if isinstance(projector, LogProjector):
                await projector.rebuild()
        assert await _snapshot(followup.pool, OWN_TABLES) == before

    pool = await open_pool(environment.database)
    try:
        kafka = environment.kafka
        for projection, services in FEEDS:
            await KafkaProjector(pool, projection, kafka, [kafka.topic(s) for s in services]).rebuild()
        assert await _snapshot(pool, FED_TABLES) == {table: [] for table in FED_TABLES}
    finally:
        await pool.close()
    async with environment.running(clock) as restarted:

        async def replayed() -> dict[str, list[dict[str, Any]]]:
            return await _snapshot(restarted.pool, FED_TABLES)

        assert await eventually(replayed, until=lambda s: s == before_fed, what="replayed KPI facts") == before_fed


async def test_a_campaign_calls_then_writes_and_flags_a_late_letter(environment: Environment) -> None:
    clock = ManualClock(START)
    async with environment.running(clock) as followup:
        willing, unreachable_by_phone = customer(), customer()
        await followup.deliver(uuid.uuid4(), willing)
        await followup.deliver(uuid.uuid4(), unreachable_by_phone)
        files = f"/sites/{SITE}/customer-files"
        await followup.http.post(
            f"{files}/{unreachable_by_phone.customer_id}/do-not-call", json={"reason": "no calls"}, headers=AGENT
        )
        body = {
            "kind": "free_service",
            "title": "冬季免费检测",
            "starts_at": (START + timedelta(days=30)).isoformat(),
            "file_ids": [str(willing.customer_id), str(unreachable_by_phone.customer_id)],
        }
        assert (await followup.http.post(f"/sites/{SITE}/campaigns", json=body, headers=AGENT)).status_code == 403
        planned = await followup.http.post(f"/sites/{SITE}/campaigns", json=body, headers=MANAGER)
        assert planned.status_code == 201, planned.text
        campaign = f"/sites/{SITE}/campaigns/{planned.json()['campaign_id']}"
        targets = {t["file_id"]: t for t in planned.json()["targets"]}
        assert targets[str(unreachable_by_phone.customer_id)]["do_not_call"] is True

        refused = await followup.http.post(
            f"{campaign}/calls",
            json={"file_id": str(unreachable_by_phone.customer_id), "outcome": "reached"},
            headers=AGENT,
        )
        assert refused.json()["error"]["code"] == "do_not_call"
        call = {"file_id": str(willing.customer_id), "outcome": "reached", "wants_appointment": True}
        assert (await followup.http.post(f"{campaign}/calls", json=call, headers=AGENT)).status_code == 201
        letter = {"file_id": str(willing.customer_id), "letter_kind": "invitation"}
        sent = await followup.http.post(f"{campaign}/letters", json=letter, headers=AGENT)
        assert sent.status_code == 201
        assert {t["file_id"]: t["letter_sent"] for t in sent.json()["targets"]}[str(willing.customer_id)] is True

        clock.advance(timedelta(days=19))  # past phone_by + 2 days: the do-not-call customer's letter is late

        async def alerts() -> list[dict[str, Any]]:
            return list((await followup.http.get(f"/sites/{SITE}/callbacks/alerts", headers=AGENT)).json())

        (alert,) = await eventually(alerts, until=lambda rows: len(rows) == 1, what="late-letter alert")
        assert alert["file_id"] == str(unreachable_by_phone.customer_id)
        assert alert["kind"] == "followup.campaign_letter_due"

        async def log() -> list[dict[str, Any]]:
            return list((await followup.http.get(f"{files}/{willing.customer_id}/log", headers=AGENT)).json())

        entries = await eventually(log, until=lambda rows: len(rows) == 2, what="campaign log")
        assert [(e["channel"], e["purpose"]) for e in entries] == [("call", "campaign"), ("letter", "campaign")]
        assert (
            await followup.http.get(f"{files}/{willing.customer_id}/log", headers=as_(CS_AGENT, group=GROUP_B))
        ).status_code == 404
