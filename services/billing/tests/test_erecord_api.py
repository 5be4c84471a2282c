"""The repair e-record end to end inside billing, against the real local platform (the stand-in
process): reception's settlement → the record built and uploaded after commit → accepted; a
rejection recorded with the platform's reason and not retried; an outage retried with back-off
(the durable timers on the test's clock) until accepted; a resubmission after the site's
settings are fixed; the period's list and export."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from billing_service import CASH, GROUP, SITE, SM, START, Service, running
from outbound_helpers import ENTERPRISE, VIN, Outside, outside_parties, point_billing_at, settings_body, settled

from events.catalog.reception import InvoiceSettled
from events.clock import ManualClock
from events.envelope import Metadata, Tenant
from events.kafka import KafkaSettings
from events.testing import consumers_assigned, eventually
from events.testing.publishing import Publisher


@pytest.fixture(scope="module")
def outside() -> Iterator[Outside]:
    with outside_parties() as parties:
        yield parties


@pytest.fixture
async def billing(
    database: str, kafka: KafkaSettings, outside: Outside, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Service]:
    point_billing_at(outside, monkeypatch)
    async with running(database, kafka, ManualClock(START)) as service:
        await consumers_assigned(service.app)
        yield service


@pytest.fixture
def reception(postgres_url: str, kafka: KafkaSettings) -> Publisher:
    return Publisher(postgres_url, kafka)


async def settle(reception: Publisher, event: InvoiceSettled) -> None:
    meta = Metadata(Tenant(GROUP, SITE), "reception", str(uuid.uuid4()))
    await reception.publish(meta, (f"repair_order-{event.repair_order_id}", event))


async def records(billing: Service, until: Any, query: str = "") -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await billing.call("GET", f"/e-records{query}", headers=CASH)
        return rows

    return await eventually(probe, until=until, what=f"e-records{query}")


async def one(billing: Service, until: Any) -> dict[str, Any]:
    (row,) = await records(billing, lambda rows: len(rows) == 1 and until(rows[0]))
    return row


async def platform_has(outside: Outside, number: str) -> list[dict[str, Any]]:
    return [r for r in await outside.received("erecord") if r["record"]["costlistcode"] == number]


async def test_a_settlement_is_uploaded_and_accepted(billing: Service, reception: Publisher, outside: Outside) -> None:
    await billing.call("PUT", "/billing-settings", settings_body(**ENTERPRISE), headers=SM)
    await settle(reception, settled("SVC-2026-000101"))

    row = await one(billing, lambda r: r["status"] == "accepted")
    assert row["platform_record_id"].startswith("JTT")
    assert (row["attempts"], row["invoice_number"]) == (1, "SVC-2026-000101")
    (received,) = await platform_has(outside, "SVC-2026-000101")
    sent = received["record"]
    assert (sent["vin"], sent["companyname"], sent["companycode"]) == (
        VIN,
        ENTERPRISE["enterprise_name"],
        ENTERPRISE["enterprise_licence_number"],
    )
    assert received["answer"]["recordid"] == row["platform_record_id"]
    shown = await billing.call("GET", f"/e-records/{row['record_id']}", headers=CASH)
    assert shown["record"]["settlement_number"] == "SVC-2026-000101"


async def test_a_rejection_is_recorded_with_the_reason_and_not_retried(
    billing: Service, reception: Publisher, outside: Outside
) -> None:
    # The site never gave its licence number: the platform refuses the record.
    await billing.call("PUT", "/billing-settings", settings_body(enterprise_name="上海丰田"), headers=SM)
    await settle(reception, settled("SVC-2026-000201"))

    row = await one(billing, lambda r: r["status"] == "rejected")
    assert "companycode" in row["reason"]
    billing.clock.advance(timedelta(days=1))  # any retry timer would be due by now
    billing.clock.advance(timedelta(days=1))
    again = await billing.call("GET", f"/e-records/{row['record_id']}", headers=CASH)
    assert (again["status"], again["attempts"]) == ("rejected", 1)
    (received,) = await platform_has(outside, "SVC-2026-000201")
    assert received["receipts"] == 1


async def test_a_rejected_record_is_resubmitted_after_the_fix(
    billing: Service, reception: Publisher, outside: Outside
) -> None:
    await billing.call("PUT", "/billing-settings", settings_body(enterprise_name="上海丰田"), headers=SM)
    await settle(reception, settled("SVC-2026-000301"))
    row = await one(billing, lambda r: r["status"] == "rejected")
    early = await billing.http.post(f"/sites/{SITE}/e-records/{uuid.uuid4()}/resubmission", headers=CASH)
    assert early.status_code == 404

    await billing.call("PUT", "/billing-settings", settings_body(**ENTERPRISE), headers=SM)
    resubmitted = await billing.call("POST", f"/e-records/{row['record_id']}/resubmission", status=202)
    assert resubmitted["status"] in ("pending", "sent", "accepted")
    assert resubmitted["record"]["enterprise_licence_number"] == ENTERPRISE["enterprise_licence_number"]

    row = await one(billing, lambda r: r["status"] == "accepted")
    assert (row["submission"], row["attempts"], row["reason"]) == (2, 1, None)
    # Newest first: the corrected upload, accepted; the first one, without a licence, rejected.
    accepted, rejected = await platform_has(outside, "SVC-2026-000301")
    assert (accepted["record"]["companycode"], accepted["answer"]["status"]) == (
        ENTERPRISE["enterprise_licence_number"],
        "accepted",
    )
    assert (rejected["record"]["companycode"], rejected["answer"]["status"]) == ("", "rejected")


async def test_a_platform_outage_is_retried_with_back_off_until_accepted(
    billing: Service, reception: Publisher, outside: Outside
) -> None:
    await billing.call("PUT", "/billing-settings", settings_body(**ENTERPRISE), headers=SM)
    await outside.fail_next("erecord", 2)
    await settle(reception, settled("SVC-2026-000401"))

    row = await one(billing, lambda r: r["attempts"] == 1 and r["status"] == "pending" and r["last_error"])
    assert "503" in row["last_error"]
    assert row["retry_at"] is not None
    billing.clock.advance(timedelta(hours=1))  # past the first back-off
    row = await one(billing, lambda r: r["attempts"] == 2 and r["status"] == "pending")
    billing.clock.advance(timedelta(hours=1))
    row = await one(billing, lambda r: r["status"] == "accepted")
    assert row["attempts"] == 3
    (received,) = await platform_has(outside, "SVC-2026-000401")
    assert received["answer"]["status"] == "accepted"


async def test_a_settlement_delivered_twice_makes_one_record(billing: Service, reception: Publisher) -> None:
    await billing.call("PUT", "/billing-settings", settings_body(**ENTERPRISE), headers=SM)
    event = settled("SVC-2026-000501")
    await settle(reception, event)
    await settle(reception, event)  # republished: a second event id, the same settlement
    pool = billing.app.state.runtime.pool
    handled = "SELECT count(*) FROM inbox WHERE consumer = 'billing.erecords'"
    await eventually(lambda: pool.fetchval(handled), until=lambda n: n == 2, what="both deliveries handled")
    rows = await records(billing, lambda rows: len(rows) == 1 and rows[0]["status"] == "accepted")
    assert rows[0]["invoice_number"] == "SVC-2026-000501"


async def test_the_list_and_export_hold_the_period_only(billing: Service, reception: Publisher) -> None:
    await billing.call("PUT", "/billing-settings", settings_body(**ENTERPRISE), headers=SM)
    await settle(reception, settled("SVC-2026-000601", settlement_date=date(2026, 2, 28)))
    await settle(reception, settled("SVC-2026-000602", settlement_date=date(2026, 3, 1)))
    await settle(reception, settled("SVC-2026-000603", settlement_date=date(2026, 3, 2)))
    await records(billing, lambda rows: len(rows) == 3 and all(r["status"] == "accepted" for r in rows))

    march = await billing.call("GET", "/e-records?from=2026-03-01&to=2026-03-02", headers=CASH)
    assert [r["invoice_number"] for r in march] == ["SVC-2026-000602", "SVC-2026-000603"]
    assert await billing.call("GET", "/e-records?status=rejected", headers=CASH) == []
    bad = await billing.http.get(f"/sites/{SITE}/e-records?from=2026-03-02&to=2026-03-01", headers=CASH)
    assert bad.status_code == 422

    response = await billing.http.get(f"/sites/{SITE}/e-records/export?from=2026-03-01&to=2026-03-01", headers=CASH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "结算清单编号 settlement_number" in header
    assert len(rows) == 1
    exported = dict(zip(header, rows[0], strict=True))
    assert exported["结算清单编号 settlement_number"] == "SVC-2026-000602"
    assert exported["车辆识别代号 vin"] == VIN
    assert exported["状态 status"] == "accepted"
    assert "OIL-10K 更换机油机滤 1.00h" in exported["维修项目 items"]
    missing = await billing.http.get(f"/sites/{SITE}/e-records/export?from=2026-03-01", headers=CASH)
    assert missing.status_code == 422
