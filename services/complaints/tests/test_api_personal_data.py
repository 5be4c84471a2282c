"""The customer's own words in complaints' answers, by role (decision 0004): a CS agent who handles
the complaint sees them and each read is recorded against the customer; a machine client
(`system`) gets the complaint, the desk and the customer's record with them withheld, and nothing
is recorded."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from test_api import ACTION, BASE, FACTS, LISTEN, START, Service, as_, decision, running

from events.clock import ManualClock
from events.identity import CS_AGENT, SYSTEM
from events.privacy import WITHHELD
from events.testing import eventually, kafka_for_tests

READER = as_(CS_AGENT, "cs-reader")  # reads nothing while the complaints are set up
MACHINE = as_(SYSTEM, "system-1")
WORDS = "I waited three hours for an oil change and nobody told me why"
ENDPOINTS = [
    "GET /sites/{site_id}/complaints",
    "GET /sites/{site_id}/complaints/{complaint_id}",
    "GET /sites/{site_id}/complaints/customers/{customer_id}/reports",
]


@pytest.fixture
async def service(database: str, bootstrap_servers: str, topic_prefix: str) -> AsyncIterator[Service]:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    async with running(database, kafka, ManualClock(START)) as started:
        yield started


async def _closed_complaint(service: Service, customer: str) -> dict[str, str]:
    """A complaint walked to its close (so its report is in the customer's record): the paths a
    caller reads it at."""
    received = await service.receive(customer_id=customer, customer_words=WORDS)
    path = f"/{received['complaint_id']}"
    await service.post(f"{path}/listen", LISTEN)
    await service.post(f"{path}/facts", FACTS)
    await service.post(f"{path}/decision", decision())
    await service.post(f"{path}/explanation", {"agreed": True})
    service.clock.advance(timedelta(hours=2))
    await service.post(f"{path}/action", ACTION)
    await service.post(f"{path}/follow-up", {"satisfied": True, "channel": "phone", "report_summary": "settled"})
    await service.desk(lambda rows: len(rows) == 1 and rows[0]["step"] == "closed", "?include_closed=true")
    paths = {
        "desk": f"{BASE}?include_closed=true",
        "complaint": f"{BASE}{path}",
        "reports": f"{BASE}/customers/{customer}/reports",
    }
    # The report lands by the projection: wait for it as a machine client, which records nothing.
    await eventually(
        lambda: service.http.get(paths["reports"], headers=MACHINE),
        until=lambda r: r.status_code == 200 and bool(r.json()),
        what="the customer's record",
    )
    return paths


async def _words(service: Service, paths: dict[str, str], headers: dict[str, str]) -> list[str]:
    """The customer's words in each answer: the desk's row, the complaint, the report."""
    seen: dict[str, Any] = {}
    for what, path in paths.items():
        response = await service.http.get(path, headers=headers)
        assert response.status_code == 200, response.text
        seen[what] = response.json()
    (row,) = seen["desk"]
    (report,) = seen["reports"]
    return [row["customer_words"], seen["complaint"]["customer_words"], report["customer_words"]]


async def _reads(service: Service, user: str) -> list[tuple[str, str]]:
    rows = await service.app.state.runtime.pool.fetch(
        "SELECT subject_id, endpoint FROM personal_data_reads WHERE user_id = $1 ORDER BY read_id", user
    )
    return [(r["subject_id"], r["endpoint"]) for r in rows]


async def test_a_machine_client_gets_the_complaint_without_the_customers_words_and_nothing_is_recorded(
    service: Service,
) -> None:
    customer = str(uuid.uuid4())
    paths = await _closed_complaint(service, customer)
    assert await _words(service, paths, MACHINE) == [WITHHELD] * 3
    complaint = (await service.http.get(paths["complaint"], headers=MACHINE)).json()
    assert (complaint["customer_id"], complaint["step"], complaint["category"]) == (customer, "closed", "time")
    assert await _reads(service, "system-1") == []


async def test_a_cs_agent_sees_the_customers_words_and_each_read_is_recorded_against_the_customer(
    service: Service,
) -> None:
    customer = str(uuid.uuid4())
    paths = await _closed_complaint(service, customer)
    assert await _words(service, paths, READER) == [WORDS] * 3
    assert await _reads(service, "cs-reader") == [(customer, endpoint) for endpoint in ENDPOINTS]
