"""The complaints service over HTTP, on a real PostgreSQL and broker: a complaint walks the 7 steps
into the customer's record, serious ones go up at once, the SLA clocks fire once (also across a
restart, and on working days across a weekend), followup's dissatisfied callback opens exactly
one complaint — and the refusals people meet on the way."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from complaints.app import create_app
from events.catalog import complaints as ev
from events.catalog.followup import ComplaintRaised
from events.catalog.reception_values import Contact, VehicleIdentity
from events.clock import ManualClock
from events.envelope import Metadata, Tenant
from events.identity import ADVISOR, CS_AGENT, SERVICE_MANAGER, TECHNICIAN, Identity
from events.kafka import KafkaSettings
from events.testing import consumers_assigned, eventually, kafka_for_tests
from events.testing.identity import identity_headers
from events.testing.publishing import Publisher

GROUP_A, GROUP_B = str(uuid.uuid4()), str(uuid.uuid4())
SITE, OTHER_SITE = str(uuid.uuid4()), str(uuid.uuid4())
START = datetime.now(UTC).replace(microsecond=0)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def as_(role: str, user: str | None = None, group: str = GROUP_A, site: str = SITE) -> dict[str, str]:
    identity = Identity(user or f"{role}-1", "Wang Fang", group, frozenset({role}), frozenset({site}))
    return identity_headers(identity)


CS, SA, SM = as_(CS_AGENT), as_(ADVISOR), as_(SERVICE_MANAGER)
BASE = f"/sites/{SITE}/complaints"


@dataclass
class Service:
    http: httpx.AsyncClient
    clock: ManualClock
    app: Any

    async def post(self, path: str, body: dict[str, Any], headers: dict[str, str] = SA) -> dict[str, Any]:
        response = await self.http.post(f"{BASE}{path}", json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def recorded(self, complaint_id: str) -> list[str]:
        history = await self.app.state.runtime.store.read_stream(f"complaint-{complaint_id}")
        return [e.event.event_type for e in history]

    async def desk(self, until: Callable[[list[dict[str, Any]]], bool], query: str = "") -> list[dict[str, Any]]:
        async def probe() -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = (await self.http.get(f"{BASE}{query}", headers=CS)).json()
            return rows

        return await eventually(probe, until=until, what=f"desk{query}")

    async def receive(self, **changes: Any) -> dict[str, Any]:
        body = {
            "channel": "phone",
            "kind": "complaint",
            "category": "time",
            "customer_words": "I waited three hours for an oil change and nobody told me why",
            "customer_id": str(uuid.uuid4()),
            "vin": "LFV2A21K8G3000001",
            "repair_order_id": str(uuid.uuid4()),
        }
        return await self.post("", body | changes, CS)


@asynccontextmanager
async def running(database: str, kafka: KafkaSettings, clock: ManualClock) -> AsyncIterator[Service]:
    app = create_app(clock=clock, database_url=database, kafka=kafka)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://c") as http:
        await consumers_assigned(app)
        yield Service(http, clock, app)


@pytest.fixture
def kafka(bootstrap_servers: str, topic_prefix: str) -> KafkaSettings:
    return kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")


@pytest.fixture
async def service(database: str, kafka: KafkaSettings) -> AsyncIterator[Service]:
    async with running(database, kafka, ManualClock(START)) as started:
        yield started


LISTEN = {
    "account": {"what": "three-hour wait for an oil change", "where": "lounge", "when": "this morning"},
    "restated_words": "You waited three hours and nobody told you why.",
}
FACTS = {
    "responsibility": "dealer",
    "cause": "time",
    "findings": "the car waited for a bay behind a tow-in; nobody updated the customer",
    "reproduced": False,
}
ACTION = {
    "description": "apology by the service manager; voucher handed over",
    "cost": 20_000,
    "in_customer_presence": True,
    "customer_satisfied": True,
}


def decision(cost: int = 20_000) -> dict[str, Any]:
    due = (START + timedelta(hours=4)).isoformat()
    return {"remedy": "goodwill", "description": "a free wash and a 200 CNY voucher", "cost": cost,
            "remedy_due": due, "spokesperson": "advisor-1"}  # fmt: skip


async def test_a_complaint_walks_the_seven_steps_and_its_report_lands_in_the_customers_record(
    service: Service,
) -> None:
    customer = str(uuid.uuid4())
    received = await service.receive(customer_id=customer)
    assert (received["step"], received["kind"]) == ("received", "complaint")
    assert datetime.fromisoformat(received["resolve_by"]) == START + timedelta(hours=24)
    path = f"/{received['complaint_id']}"

    await service.post(f"{path}/listen", LISTEN)
    await service.post(f"{path}/facts", FACTS)
    await service.post(f"{path}/decision", decision())
    refused = await service.post(
        f"{path}/explanation", {"agreed": False, "customer_response": "a wash is not worth three hours"}
    )
    assert (refused["step"], refused["customer_disagreed"], refused["times_back_to_facts"]) == ("listened", True, 1)
    await service.post(f"{path}/facts", FACTS | {"findings": "the bay plan left no slack; no update was given"})
    await service.post(f"{path}/decision", decision(30_000))
    assert (await service.post(f"{path}/explanation", {"agreed": True}))["step"] == "explained"
    service.clock.advance(timedelta(hours=2))
    acted = await service.post(f"{path}/action", ACTION)
    assert acted["step"] == "acted"
    assert acted["second_callback_due"] is not None
    closed = await service.post(
        f"{path}/follow-up", {"satisfied": True, "channel": "phone", "report_summary": "waiting-time complaint settled"}
    )
    assert closed["step"] == "closed"

    async def record() -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = (await service.http.get(f"{BASE}/customers/{customer}/reports", headers=SM)).json()
        return rows

    (report,) = await eventually(record, what="the customer's record")
    assert (report["complaint_id"], report["cause"], report["responsibility"]) == (
        received["complaint_id"],
        "time",
        "dealer",
    )
    assert (report["within_sla"], report["times_back_to_facts"], report["cost"]) == (True, 1, 20_000)
    assert "handled_by" not in report, "the report names no handling person"
    assert await service.recorded(received["complaint_id"]) == [
        ev.ComplaintOpened.event_type,
        ev.ComplaintListened.event_type,
        ev.ComplaintFactsConfirmed.event_type,
        ev.ComplaintDecisionMade.event_type,
        ev.ComplaintDecisionExplained.event_type,
        ev.ComplaintFactsConfirmed.event_type,
        ev.ComplaintDecisionMade.event_type,
        ev.ComplaintDecisionExplained.event_type,
        ev.ComplaintActionTaken.event_type,
        ev.ComplaintFollowedUp.event_type,
        ev.ComplaintClosed.event_type,
    ]
    closed_rows = await service.desk(
        lambda rows: len(rows) == 1 and rows[0]["step"] == "closed", "?include_closed=true"
    )
    assert closed_rows[0]["handled_by"] == "advisor-1"
    assert (await service.http.get(BASE, headers=CS)).json() == [], "a closed complaint leaves the open desk"

    # The read models are disposable: rebuilt from zero, they are the same, row for row.
    runtime = service.app.state.runtime
    tables = "SELECT * FROM complaint_desk ORDER BY complaint_id", "SELECT * FROM complaint_reports"

    async def snapshot() -> list[list[dict[str, Any]]]:
        return [[dict(r) for r in await runtime.pool.fetch(sql)] for sql in tables]

    before = await snapshot()
    # A stray row no event explains: a rebuild from zero drops it.
    await runtime.pool.execute(
        "INSERT INTO complaint_reports VALUES ($1, $2, $3, $1, now(), '{}'::jsonb)", uuid.uuid4(), GROUP_A, SITE
    )
    (projector,) = runtime.projectors
    await projector.rebuild()  # the running projector may take a page of the replay: wait for the end of it
    assert await eventually(snapshot, until=lambda rows: rows == before, what="the rebuilt desk") == before


async def test_a_serious_complaint_goes_to_the_service_manager_at_once(service: Service) -> None:
    received = await service.receive(serious_reasons=["injury"], category="quality")
    assert received["escalated"] is True
    (row,) = await service.desk(lambda rows: bool(rows) and bool(rows[0]["escalations"]))
    assert row["escalations"][0]["reason"] == "serious"
    assert row["escalations"][0]["to_role"] == "service_manager"
    grievance = await service.http.post(
        BASE,
        json={**(await _receipt_body()), "kind": "general_grievance", "serious_reasons": ["safety"]},
        headers=CS,
    )
    assert grievance.status_code == 409
    assert grievance.json()["error"]["code"] == "serious_is_a_complaint"


async def _receipt_body() -> dict[str, Any]:
    return {
        "channel": "walk_in",
        "kind": "complaint",
        "category": "quality",
        "customer_words": "the brakes squeal",
        "customer_id": str(uuid.uuid4()),
    }


async def test_the_24_hour_sla_is_breached_once_also_across_a_restart(database: str, kafka: KafkaSettings) -> None:
    clock = ManualClock(START)
    async with running(database, kafka, clock) as first:
        early = (await first.receive())["complaint_id"]
        clock.advance(timedelta(hours=2))
        late = (await first.receive())["complaint_id"]
        clock.advance(timedelta(hours=23))  # past the first deadline (24 h), not the second (26 h)

        async def breaches(service: Service, cid: str) -> list[str]:
            return [t for t in await service.recorded(cid) if t == ev.ComplaintSlaBreached.event_type]

        await eventually(lambda: breaches(first, early), what="the first breach")
        (row,) = await first.desk(lambda rows: len(rows) == 1, "?breached=true")
        assert row["complaint_id"] == early
        assert [e["reason"] for e in row["escalations"]] == ["sla_breach"]
        assert await breaches(first, late) == []

    async with running(database, kafka, clock) as second:  # the same database: a restarted service
        clock.advance(timedelta(hours=1, minutes=1))
        await eventually(lambda: breaches(second, late), what="the breach after the restart")
        clock.advance(timedelta(days=2))
        fired = "SELECT count(*) FROM timers WHERE kind = 'complaints.sla' AND fired_at IS NOT NULL"
        await eventually(lambda: second.app.state.runtime.pool.fetchval(fired), until=lambda n: n == 2, what="timers")
        assert await breaches(second, early) == [ev.ComplaintSlaBreached.event_type]
        assert await breaches(second, late) == [ev.ComplaintSlaBreached.event_type]
        assert (await second.http.get(f"{BASE}/{late}", headers=SM)).json()["sla_breached"] is True


def _next_friday_10am() -> datetime:
    local = START.astimezone(SHANGHAI) + timedelta(days=1)
    while local.isoweekday() != 5:
        local += timedelta(days=1)
    return local.replace(hour=10, minute=0, second=0)


async def test_a_general_grievance_has_three_working_days_across_the_weekend(service: Service) -> None:
    friday = _next_friday_10am()
    service.clock.set(friday)
    received = await service.receive(kind="general_grievance", category="lounge", customer_words="cold coffee")
    wednesday_ends = (friday + timedelta(days=6)).replace(hour=0)  # Mon, Tue, Wed → Thursday 00:00
    assert datetime.fromisoformat(received["resolve_by"]) == wednesday_ends
    cid = received["complaint_id"]

    service.clock.set(wednesday_ends - timedelta(minutes=1))
    pending = "SELECT count(*) FROM timers WHERE kind = 'complaints.sla' AND fired_at IS NULL"
    assert await service.app.state.runtime.pool.fetchval(pending) == 1
    assert ev.ComplaintSlaBreached.event_type not in await service.recorded(cid)
    service.clock.set(wednesday_ends)

    async def breaches() -> list[str]:
        return [t for t in await service.recorded(cid) if t == ev.ComplaintSlaBreached.event_type]

    assert await eventually(breaches, what="grievance breach") == [ev.ComplaintSlaBreached.event_type]
    service.clock.advance(timedelta(days=1))
    await eventually(lambda: service.app.state.runtime.pool.fetchval(pending), until=lambda n: n == 0)
    assert await breaches() == [ev.ComplaintSlaBreached.event_type]


async def test_the_second_callback_is_overdue_on_the_desk_when_not_recorded(service: Service) -> None:
    cid = (await service.receive())["complaint_id"]
    for step, body in (
        ("listen", LISTEN),
        ("facts", FACTS),
        ("decision", decision()),
        ("explanation", {"agreed": True}),
    ):
        await service.post(f"/{cid}/{step}", body)
    due = datetime.fromisoformat((await service.post(f"/{cid}/action", ACTION))["second_callback_due"])
    service.clock.set(due)
    (row,) = await service.desk(lambda rows: bool(rows) and rows[0]["follow_up_overdue"])
    assert row["step"] == "acted"
    assert (await service.recorded(cid)).count(ev.ComplaintFollowUpOverdue.event_type) == 1


async def test_a_dissatisfied_callback_opens_exactly_one_complaint(
    service: Service, postgres_url: str, kafka: KafkaSettings
) -> None:
    callback, file_id = uuid.uuid4(), uuid.uuid4()
    raised = ComplaintRaised(
        callback_id=callback,
        repair_order_id=uuid.uuid4(),
        complaint_id=uuid.uuid4(),
        file_id=file_id,
        customer=Contact(name="Li Lei", phone="+8613800000000"),
        vehicle=VehicleIdentity(vin="LFV2A21K8G3000001", plate="京A12345"),
        categories=("parts_waiting", "time"),
        problem_fixed=True,
        satisfaction_score=2,
        serious=False,
        raised_by="cs-7",
        raised_at=START,
    )
    publisher = Publisher(postgres_url, kafka)
    meta = Metadata(Tenant(GROUP_A, SITE), "cs-7", str(uuid.uuid4()))
    await publisher.publish(meta, (f"callback-{callback}", raised))
    await publisher.publish(meta, (f"callback-{callback}", raised))  # republished: a second event id

    handled = "SELECT count(*) FROM inbox WHERE consumer = 'complaints.callbacks'"
    pool = service.app.state.runtime.pool
    await eventually(lambda: pool.fetchval(handled), until=lambda n: n == 2, what="both deliveries handled")
    (row,) = await service.desk(lambda rows: len(rows) == 1)
    assert (row["complaint_id"], row["channel"], row["callback_id"]) == (
        str(raised.complaint_id),
        "callback",
        str(callback),
    )
    assert (row["kind"], row["category"], row["customer_id"]) == ("complaint", "parts_waiting", str(file_id))
    assert row["customer_words"] == "dissatisfied in the callback: parts_waiting, time"
    assert await service.recorded(str(raised.complaint_id)) == [ev.ComplaintOpened.event_type]


async def test_beyond_the_advisors_authority_only_a_service_manager_decides(service: Service) -> None:
    cid = (await service.receive())["complaint_id"]
    await service.post(f"/{cid}/listen", LISTEN)
    await service.post(f"/{cid}/facts", FACTS)
    beyond = decision(80_000)  # the default advisor limit is 500 CNY
    by_advisor = await service.http.post(f"{BASE}/{cid}/decision", json=beyond, headers=SA)
    assert by_advisor.status_code == 409
    assert by_advisor.json()["error"]["code"] == "approval_required"
    assert (await service.post(f"/{cid}/decision", beyond, SM))["step"] == "decided"
    history = await service.app.state.runtime.store.read_stream(f"complaint-{cid}")
    made = history[-1].event
    assert isinstance(made, ev.ComplaintDecisionMade)
    assert (made.handled_by, made.authority_limit, made.approval_required) == ("service_manager-1", 500_000, False)

    # Beyond the manager's own limit (and within the dealer's), the manager's decision records the approval.
    cid = (await service.receive())["complaint_id"]
    await service.post(f"/{cid}/listen", LISTEN)
    await service.post(f"/{cid}/facts", FACTS)
    await service.post(f"/{cid}/decision", decision(600_000), SM)
    made = (await service.app.state.runtime.store.read_stream(f"complaint-{cid}"))[-1].event
    assert isinstance(made, ev.ComplaintDecisionMade)
    assert made.approval_required
    assert made.authorised_by is not None
    assert (made.authorised_by.person, made.authorised_by.role) == ("service_manager-1", "service_manager")
    beyond_dealer = await service.http.post(f"{BASE}/{cid}/decision", json=decision(3_000_000), headers=SM)
    assert beyond_dealer.status_code == 409


async def test_site_settings_set_the_calendar_and_limits(service: Service) -> None:
    defaults = (await service.http.get(f"{BASE}/settings", headers=SM)).json()
    assert (defaults["defaults"], defaults["timezone"], defaults["working_weekdays"]) == (
        True,
        "Asia/Shanghai",
        [1, 2, 3, 4, 5],
    )
    body = {
        "working_weekdays": [1, 2, 3, 4, 5, 6],
        "holidays": ["2030-10-01"],
        "timezone": "Asia/Shanghai",
        "authority_limits": {"cs_agent": 10_000, "advisor": 100_000, "service_manager": 400_000},
        "dealer_limit": 1_000_000,
    }
    assert (await service.http.put(f"{BASE}/settings", json=body, headers=SA)).status_code == 403
    missing = await service.http.put(f"{BASE}/settings", json=body | {"authority_limits": {"advisor": 1}}, headers=SM)
    assert missing.status_code == 422
    put = await service.http.put(f"{BASE}/settings", json=body, headers=SM)
    assert put.status_code == 200, put.text
    assert (await service.http.get(f"{BASE}/settings", headers=SM)).json()["working_weekdays"] == [1, 2, 3, 4, 5, 6]

    cid = (await service.receive())["complaint_id"]
    await service.post(f"/{cid}/listen", LISTEN)
    await service.post(f"/{cid}/facts", FACTS)
    assert (await service.post(f"/{cid}/decision", decision(80_000), SA))["step"] == "decided", "the new limit"
    other = await service.http.get(
        f"/sites/{OTHER_SITE}/complaints/settings", headers=as_(SERVICE_MANAGER, site=OTHER_SITE)
    )
    assert other.json()["defaults"] is True, "settings are per site"


async def test_bad_input_unknown_ids_steps_roles_and_other_tenants_are_refused(service: Service) -> None:
    bad = await service.http.post(BASE, json={"channel": "pigeon", "kind": "complaint", "category": "time"}, headers=CS)
    assert bad.status_code == 422
    fields = {f["field"] for f in bad.json()["error"]["fields"]}
    assert {"body.channel", "body.customer_words", "body.customer_id"} <= fields
    callback_without_id = await service.http.post(
        BASE, json={**(await _receipt_body()), "channel": "callback"}, headers=CS
    )
    assert callback_without_id.status_code == 422

    unknown = uuid.uuid4()
    assert (await service.http.get(f"{BASE}/{unknown}", headers=CS)).status_code == 404
    assert (await service.http.post(f"{BASE}/{unknown}/listen", json=LISTEN, headers=CS)).status_code == 404

    received = await service.receive()
    cid = received["complaint_id"]
    skipped = await service.http.post(f"{BASE}/{cid}/decision", json=decision(), headers=SA)
    assert skipped.status_code == 409
    assert skipped.json()["error"]["code"] == "step_out_of_order"
    again = await service.http.post(BASE, json={**(await _receipt_body()), "complaint_id": cid}, headers=CS)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "complaint_already_received"
    disagree_silently = await service.http.post(f"{BASE}/{cid}/explanation", json={"agreed": False}, headers=SA)
    assert disagree_silently.status_code == 422

    assert (await service.http.post(f"{BASE}/{cid}/listen", json=LISTEN, headers=as_(TECHNICIAN))).status_code == 403
    other_site = await service.http.get(f"{BASE}/{cid}", headers=as_(CS_AGENT, site=OTHER_SITE))
    assert other_site.status_code == 403
    other_group = as_(CS_AGENT, group=GROUP_B)
    assert (await service.http.get(f"{BASE}/{cid}", headers=other_group)).status_code == 404
    assert (await service.http.post(f"{BASE}/{cid}/listen", json=LISTEN, headers=other_group)).status_code == 404
    await service.desk(lambda rows: len(rows) == 1)
    assert (await service.http.get(BASE, headers=other_group)).json() == []
    customer = received["customer_id"]
    assert (await service.http.get(f"{BASE}/customers/{customer}/reports", headers=other_group)).json() == []
    assert await service.recorded(cid) == [ev.ComplaintOpened.event_type], "nothing half-written"


async def test_a_stale_if_match_on_a_complaint_is_a_conflict_and_writes_nothing(service: Service) -> None:
    """The version the caller last saw goes to the command itself: a change made since is a 409
    with the version now, on a plain step and on one that reads the site's settings first."""
    received = await service.receive()
    cid, seen = received["complaint_id"], received["version"]
    listened = await service.http.post(f"{BASE}/{cid}/listen", json=LISTEN, headers={**SA, "If-Match": f'"{seen}"'})
    assert listened.status_code == 200, listened.text
    assert listened.json()["version"] == seen + 1

    for path, body in (("facts", FACTS), ("reclassify", {"kind": "general_grievance", "reason": "a minor matter"})):
        stale = await service.http.post(f"{BASE}/{cid}/{path}", json=body, headers={**SA, "If-Match": f'"{seen}"'})
        assert stale.status_code == 409, stale.text
        assert (stale.json()["error"]["code"], stale.json()["error"]["current_version"]) == (
            "concurrency_conflict",
            seen + 1,
        )
    assert await service.recorded(cid) == [ev.ComplaintOpened.event_type, ev.ComplaintListened.event_type]
    current = await service.http.post(f"{BASE}/{cid}/facts", json=FACTS, headers={**SA, "If-Match": f'"{seen + 1}"'})
    assert current.json()["step"] == "facts_confirmed"


async def test_a_stale_if_match_on_the_sites_settings_is_a_conflict(service: Service) -> None:
    body = {
        "working_weekdays": [1, 2, 3, 4, 5, 6],
        "authority_limits": {"cs_agent": 10_000, "advisor": 100_000, "service_manager": 400_000},
    }
    assert (await service.http.get(f"{BASE}/settings", headers=SM)).json()["version"] == 0
    first = await service.http.put(f"{BASE}/settings", json=body, headers={**SM, "If-Match": '"0"'})
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 1
    stale = await service.http.put(
        f"{BASE}/settings", json=body | {"working_weekdays": [1, 2, 3]}, headers={**SM, "If-Match": '"0"'}
    )
    assert stale.status_code == 409, stale.text
    assert (stale.json()["error"]["code"], stale.json()["error"]["current_version"]) == ("concurrency_conflict", 1)
    assert (await service.http.get(f"{BASE}/settings", headers=SM)).json()["working_weekdays"] == [1, 2, 3, 4, 5, 6]
