"""The workshop service over HTTP, on a real PostgreSQL and broker: reception's signature opens
the work order, the floor works it, parts shortages hold a job, the progress check raises the
late signal, QC sends work back — and the refusals people meet on the way."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from events.catalog import parts as parts_events
from events.catalog import workshop as ev
from events.catalog.reception import AdditionalWorkApproved, RepairOrderSigned, VehicleHandedOver
from events.catalog.reception_values import Consent, RepairLine, RepairPart, VehicleIdentity
from events.clock import ManualClock
from events.contract import Event
from events.envelope import Metadata, Tenant
from events.identity import (
    ADVISOR,
    DISPATCHER,
    QC_INSPECTOR,
    TECHNICIAN,
    Identity,
)
from events.testing import consumers_assigned, eventually, kafka_for_tests
from events.testing.identity import identity_headers
from events.testing.publishing import Publisher
from workshop.app import create_app

GROUP_A, GROUP_B = str(uuid.uuid4()), str(uuid.uuid4())
SITE, OTHER_SITE = str(uuid.uuid4()), str(uuid.uuid4())
START = datetime.now(UTC).replace(microsecond=0)


def as_(role: str, user: str | None = None, group: str = GROUP_A, site: str = SITE) -> dict[str, str]:
    identity = Identity(user or f"{role}-1", "Chen Jie", group, frozenset({role}), frozenset({site}))
    return identity_headers(identity)


DISPATCH = as_(DISPATCHER)
TECH = as_(TECHNICIAN, "tech-1")
QC = as_(QC_INSPECTOR)


@dataclass
class Workshop:
    http: httpx.AsyncClient
    clock: ManualClock
    publisher: Publisher
    app: Any

    async def reception(self, *events: Event) -> None:
        """Publish reception's (or parts') events through the broker, as those services would."""
        meta = Metadata(Tenant(GROUP_A, SITE), "advisor-1", str(uuid.uuid4()))
        await self.publisher.publish(meta, *((f"src-{e.repair_order_id}", e) for e in events))  # type: ignore[attr-defined]

    async def work_order(self, ro: uuid.UUID, until: Any = lambda body: True) -> dict[str, Any]:
        async def probe() -> dict[str, Any]:
            response = await self.http.get(f"/sites/{SITE}/work-orders/{ro}", headers=DISPATCH)
            return response.json() if response.status_code == 200 else {}

        # Opened and handed over (both come from reception), and whatever the test waits for.
        return await eventually(
            probe, until=lambda body: bool(body) and bool(body["key_tag"]) and until(body), what=f"work order {ro}"
        )

    async def recorded(self, ro: uuid.UUID) -> list[str]:
        history = await self.app.state.runtime.store.read_stream(f"work_order-{ro}")
        return [e.event.event_type for e in history]


@pytest.fixture
async def workshop(
    database: str, postgres_url: str, bootstrap_servers: str, topic_prefix: str
) -> AsyncIterator[Workshop]:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    clock = ManualClock(START)
    app = create_app(clock=clock, database_url=database, kafka=kafka)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://w") as http:
        await consumers_assigned(app)
        yield Workshop(http, clock, Publisher(postgres_url, kafka), app)


def line(description: str, minutes: int, part: str | None = None) -> RepairLine:
    parts = (RepairPart(part_number=part, description=part, quantity=2, unit_price=5000),) if part else ()
    return RepairLine(
        line_id=uuid.uuid4(),
        labour_operation=description.upper()[:10],
        description=description,
        labour_minutes=minutes,
        labour_price=minutes * 200,
        pay_type="CUSTOMER_PAY",
        parts=parts,
    )


def signed(ro: uuid.UUID, *lines: RepairLine, promise: timedelta = timedelta(hours=2)) -> RepairOrderSigned:
    return RepairOrderSigned(
        repair_order_id=ro,
        vehicle=VehicleIdentity(vin="LFV2A21K8G3000001", plate="京A12345"),
        priority="appointment",
        customer_waiting=True,
        lines=lines,
        promised_at=START + promise,
        signature_ref="sig-1",
        signed_at=START,
    )


def handed_over(ro: uuid.UUID) -> VehicleHandedOver:
    return VehicleHandedOver(repair_order_id=ro, key_tag="K-17", handed_over_at=START + timedelta(minutes=1))


async def test_the_signed_repair_order_is_worked_checked_and_ready(workshop: Workshop) -> None:
    ro, oil, brakes = uuid.uuid4(), line("oil service", 40), line("brake pads", 60)
    await workshop.reception(signed(ro, oil, brakes), handed_over(ro))
    opened = await workshop.work_order(ro)
    assert {j["job_id"] for j in opened["jobs"]} == {str(oil.line_id), str(brakes.line_id)}

    base = f"/sites/{SITE}/work-orders/{ro}"
    for job in (oil, brakes):
        answer = await workshop.http.post(
            f"{base}/jobs/{job.line_id}/dispatch", json={"technician_id": "tech-1", "bay": "bay-2"}, headers=DISPATCH
        )
        assert answer.status_code == 200, answer.text
        assert (await workshop.http.post(f"{base}/jobs/{job.line_id}/start", json={}, headers=TECH)).status_code == 200
        workshop.clock.advance(timedelta(minutes=30))
        assert (
            await workshop.http.post(f"{base}/jobs/{job.line_id}/complete", json={}, headers=TECH)
        ).status_code == 200

    failed = await workshop.http.post(
        f"{base}/quality-checks",
        json={"passed": False, "reasons": ["pads squeal"], "rework_job_ids": [str(brakes.line_id)]},
        headers=QC,
    )
    assert failed.status_code == 201, failed.text
    rework = {j["job_id"]: j for j in failed.json()["jobs"]}[str(brakes.line_id)]
    assert (rework["status"], rework["rework"]) == ("dispatched", True)
    not_yet = await workshop.http.post(f"{base}/quality-checks", json={"passed": True}, headers=QC)
    assert not_yet.status_code == 409
    assert not_yet.json()["error"]["code"] == "work_not_finished"

    await workshop.http.post(f"{base}/jobs/{brakes.line_id}/start", json={}, headers=TECH)
    workshop.clock.advance(timedelta(minutes=10))
    await workshop.http.post(f"{base}/jobs/{brakes.line_id}/complete", json={}, headers=TECH)
    passed = await workshop.http.post(f"{base}/quality-checks", json={"passed": True}, headers=QC)
    assert passed.status_code == 201, passed.text
    assert passed.json()["status"] == "ready"

    recorded = await workshop.recorded(ro)
    assert recorded[-2:] == [ev.QualityCheckPassed.event_type, ev.VehicleReadyForDelivery.event_type]
    assert recorded.count(ev.QualityCheckFailed.event_type) == 1

    async def board() -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = (await workshop.http.get(f"/sites/{SITE}/work-orders", headers=DISPATCH)).json()
        return [r for r in rows if r["repair_order_id"] == str(ro)]

    (row,) = await eventually(board, until=lambda rows: bool(rows) and rows[0]["stage"] == "ready", what="board")
    assert row["failed_checks"] == 1


async def test_findings_come_back_as_jobs_only_when_approved(workshop: Workshop) -> None:
    ro, oil = uuid.uuid4(), line("oil service", 40)
    await workshop.reception(signed(ro, oil), handed_over(ro))
    await workshop.work_order(ro)
    base = f"/sites/{SITE}/work-orders/{ro}"
    discs = line("brake discs", 60, "DISC-1").model_dump(mode="json")
    finding = {"description": "discs worn", "safety_critical": True, "proposed_lines": [discs], "extra_minutes": 60}
    reported = await workshop.http.post(f"{base}/findings", json={"findings": [finding]}, headers=TECH)
    assert reported.status_code == 201, reported.text
    (found,) = reported.json()["reported"]
    assert found["proposed_lines"][0]["origin"] == "additional_work"

    again = await workshop.http.post(f"{base}/findings", json={"findings": [finding]}, headers=TECH)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "finding_round_not_allowed"

    new_line = RepairLine.model_validate(found["proposed_lines"][0])
    not_approved = await workshop.http.post(
        f"{base}/jobs/{new_line.line_id}/dispatch", json={"technician_id": "tech-1", "bay": "b"}, headers=DISPATCH
    )
    assert not_approved.status_code == 409
    assert not_approved.json()["error"]["code"] == "job_not_approved"

    consent = Consent(kind="phone", recorded_by="advisor-1", at=START, reference="call-7")
    approved = AdditionalWorkApproved(
        repair_order_id=ro,
        finding_id=uuid.UUID(found["finding_id"]),
        lines=(new_line,),
        extra_minutes=60,
        consent=consent,
        approved_at=START + timedelta(minutes=5),
    )
    await workshop.reception(approved)
    state = await workshop.work_order(ro, until=lambda body: len(body["jobs"]) == 2)
    assert state["pending_findings"] == []


async def test_a_shortage_holds_the_job_until_the_back_order_arrives(workshop: Workshop) -> None:
    ro, pads = uuid.uuid4(), line("brake pads", 60, "PAD-1")
    reservation = uuid.uuid4()
    shortage = parts_events.PartsShortageDetected(
        part_number="PAD-1",
        reservation_id=reservation,
        repair_order_id=ro,
        line_id=pads.line_id,
        missing_quantity=2,
        cause="insufficient_stock",
        detected_at=START,
    )
    # Parts may speak before the work order exists: the signal is parked, then applied.
    await workshop.reception(shortage)
    await workshop.reception(signed(ro, pads), handed_over(ro))
    waiting = await workshop.work_order(ro, until=lambda body: body["jobs"][0]["missing_parts"] == {"PAD-1": 2})
    assert waiting["jobs"][0]["status"] == "planned"

    base = f"/sites/{SITE}/work-orders/{ro}"
    await workshop.http.post(
        f"{base}/jobs/{pads.line_id}/dispatch", json={"technician_id": "tech-1", "bay": "b"}, headers=DISPATCH
    )
    refused = await workshop.http.post(f"{base}/jobs/{pads.line_id}/start", json={}, headers=TECH)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "waiting_for_parts"

    filled = parts_events.PartsReserved(
        part_number="PAD-1",
        reservation_id=reservation,
        repair_order_id=ro,
        line_id=pads.line_id,
        quantity=2,
        from_backorder=True,
        reserved_at=START + timedelta(hours=1),
    )
    await workshop.reception(filled)
    await workshop.work_order(ro, until=lambda body: body["jobs"][0]["missing_parts"] == {})
    started = await workshop.http.post(f"{base}/jobs/{pads.line_id}/start", json={}, headers=TECH)
    assert started.status_code == 200, started.text


async def test_the_progress_check_signals_a_late_car_before_the_promise_once(workshop: Workshop) -> None:
    ro, big = uuid.uuid4(), line("gearbox overhaul", 180)
    await workshop.reception(signed(ro, big, promise=timedelta(hours=2)), handed_over(ro))
    await workshop.work_order(ro)
    workshop.clock.advance(timedelta(minutes=91))  # 75 % of the 2-hour promise has passed

    async def late_signals() -> list[str]:
        return [t for t in await workshop.recorded(ro) if t == ev.JobRunningLate.event_type]

    assert await eventually(late_signals, what="late signal") == [ev.JobRunningLate.event_type]
    history = await workshop.app.state.runtime.store.read_stream(f"work_order-{ro}")
    late = history[-1].event
    assert isinstance(late, ev.JobRunningLate)
    assert late.detected_at < late.promised_at
    assert late.late_by_minutes > 0

    workshop.clock.advance(timedelta(minutes=1))
    rows = await workshop.app.state.runtime.pool.fetch("SELECT fired_at FROM timers WHERE timer_id LIKE $1", f"%{ro}%")
    assert len(rows) == 1
    assert rows[0]["fired_at"] is not None
    assert await late_signals() == [ev.JobRunningLate.event_type], "the check fires once"


async def test_bad_input_unknown_ids_roles_and_other_tenants_are_refused(workshop: Workshop) -> None:
    ro, oil = uuid.uuid4(), line("oil service", 40)
    await workshop.reception(signed(ro, oil), handed_over(ro))
    await workshop.work_order(ro)
    base = f"/sites/{SITE}/work-orders/{ro}"

    bad = await workshop.http.post(f"{base}/jobs/{oil.line_id}/dispatch", json={"bay": ""}, headers=DISPATCH)
    assert bad.status_code == 422
    assert {f["field"] for f in bad.json()["error"]["fields"]} == {"body.technician_id", "body.bay"}
    qc = await workshop.http.post(f"{base}/quality-checks", json={"passed": False}, headers=QC)
    assert qc.status_code == 422

    unknown = await workshop.http.get(f"/sites/{SITE}/work-orders/{uuid.uuid4()}", headers=DISPATCH)
    assert unknown.status_code == 404

    as_tech = await workshop.http.post(
        f"{base}/jobs/{oil.line_id}/dispatch", json={"technician_id": "tech-1", "bay": "b"}, headers=TECH
    )
    assert as_tech.status_code == 403, "technicians do not dispatch"
    await workshop.http.post(
        f"{base}/jobs/{oil.line_id}/dispatch", json={"technician_id": "tech-1", "bay": "b"}, headers=DISPATCH
    )
    for_someone_else = await workshop.http.post(
        f"{base}/jobs/{oil.line_id}/start", json={"technician_id": "tech-9"}, headers=TECH
    )
    assert for_someone_else.status_code == 403
    by_the_wrong_tech = await workshop.http.post(
        f"{base}/jobs/{oil.line_id}/start", json={}, headers=as_(TECHNICIAN, "tech-2")
    )
    assert by_the_wrong_tech.status_code == 409
    assert by_the_wrong_tech.json()["error"]["code"] == "not_assigned_technician"

    other_site = await workshop.http.get(f"/sites/{SITE}/work-orders/{ro}", headers=as_(DISPATCHER, site=OTHER_SITE))
    assert other_site.status_code == 403
    other_group = as_(DISPATCHER, group=GROUP_B, site=SITE)
    assert (await workshop.http.get(f"/sites/{SITE}/work-orders/{ro}", headers=other_group)).status_code == 404
    rows = (await workshop.http.get(f"/sites/{SITE}/work-orders", headers=other_group)).json()
    assert rows == []
    assert (await workshop.http.get(f"{base}", headers=as_(ADVISOR))).status_code == 200
    assert await workshop.recorded(ro) == [
        ev.WorkOrderOpened.event_type,
        ev.VehicleReceived.event_type,
        ev.JobDispatched.event_type,
    ]


async def test_a_change_made_since_the_dispatcher_looked_is_a_conflict(workshop: Workshop) -> None:
    ro, oil = uuid.uuid4(), line("oil service", 40)
    await workshop.reception(signed(ro, oil), handed_over(ro))
    seen = (await workshop.work_order(ro))["version"]
    base = f"/sites/{SITE}/work-orders/{ro}/jobs/{oil.line_id}/dispatch"

    first = await workshop.http.post(
        base, json={"technician_id": "tech-1", "bay": "b1"}, headers={**DISPATCH, "If-Match": f'"{seen}"'}
    )
    assert first.status_code == 200, first.text
    second = await workshop.http.post(
        base, json={"technician_id": "tech-2", "bay": "b2"}, headers={**DISPATCH, "If-Match": f'"{seen}"'}
    )
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "concurrency_conflict"
    garbled = await workshop.http.post(
        base, json={"technician_id": "t", "bay": "b"}, headers={**DISPATCH, "If-Match": "x"}
    )
    assert garbled.status_code == 422
    state = await workshop.work_order(ro)
    assert state["jobs"][0]["technician_id"] == "tech-1", "the stale change wrote nothing"
    assert state["version"] == seen + 1


async def test_prometheus_metrics_show_command_latency_by_route_and_the_backbone_state(workshop: Workshop) -> None:
    ro, oil = uuid.uuid4(), line("oil service", 40)
    await workshop.reception(signed(ro, oil), handed_over(ro))
    await workshop.work_order(ro)
    dispatch = f"/sites/{SITE}/work-orders/{ro}/jobs/{oil.line_id}/dispatch"
    await workshop.http.post(dispatch, json={"technician_id": "tech-1", "bay": "b1"}, headers=DISPATCH)

    text = (await workshop.http.get("/metrics")).text
    route = "/sites/{site_id}/work-orders/{repair_order_id}/jobs/{job_id}/dispatch"
    count = (
        f'dealerflow_http_request_seconds_count{{method="POST",route="{route}",service="workshop",status="200"}} 1.0'
    )
    assert count in text
    assert str(ro) not in text, "ids are not labels"
    for family in (
        'dealerflow_outbox_backlog{service="workshop"}',
        'dealerflow_consumer_partitions{consumer="workshop.repair-orders",service="workshop"}',
        'dealerflow_consumer_lag{consumer="workshop.repair-orders",service="workshop"}',
        'dealerflow_dead_letters{service="workshop"} 0.0',
        'dealerflow_projection_lag_seconds{projection="workshop.work_orders",service="workshop"}',
        'dealerflow_timers_overdue{service="workshop"}',
    ):
        assert family in text, family
