"""Customers' names and phones in followup's answers, by role (decision 0004): a CS agent who calls
the customer sees them and each read is recorded against the customer's file; a machine client
(`system`) gets the callbacks, files and campaigns with them withheld, and nothing is recorded."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from api_helpers import AGENT, MANAGER, SITE, START, Environment, Followup, as_, customer

from events.catalog.reception_values import Contact
from events.clock import ManualClock
from events.identity import CS_AGENT, SYSTEM
from events.privacy import WITHHELD
from events.testing import eventually, kafka_for_tests
from events.testing.publishing import Publisher

READER = as_(CS_AGENT, "cs-reader")  # reads nothing while the records are set up
MACHINE = as_(SYSTEM, "system-1")
ENDPOINTS = [
    "GET /sites/{site_id}/callbacks",
    "GET /sites/{site_id}/callbacks/{callback_id}",
    "GET /sites/{site_id}/customer-files",
    "GET /sites/{site_id}/customer-files/{file_id}",
    "GET /sites/{site_id}/customer-files/{file_id}/log",
    "GET /sites/{site_id}/campaigns/{campaign_id}",
]


@pytest.fixture
async def followup(
    database: str, postgres_url: str, bootstrap_servers: str, topic_prefix: str
) -> AsyncIterator[Followup]:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    async with Environment(database, kafka, Publisher(postgres_url, kafka)).running(ManualClock(START)) as service:
        yield service


async def _records(followup: Followup, user: Contact) -> dict[str, str]:
    """A delivered car's callback (queued), the customer's file with a call in its log, and a
    campaign naming the file: the paths a caller reads them at."""
    callback_id = await followup.deliver(uuid.uuid4(), user)
    await followup.queue(callback_id)
    file = f"/sites/{SITE}/customer-files/{user.customer_id}"
    call = {"direction": "inbound", "purpose": "inquiry", "summary": "asked about the price"}
    logged = await eventually(
        lambda: followup.http.post(f"{file}/calls", json=call, headers=AGENT),
        until=lambda r: r.status_code == 201,
        what="the call logged on the file",
    )
    assert logged.status_code == 201, logged.text
    await eventually(
        lambda: followup.http.get(f"{file}/log", headers=AGENT),
        until=lambda r: r.status_code == 200 and bool(r.json()),
        what="the call in the file's log",
    )
    campaign = {
        "kind": "free_service",
        "title": "winter check",
        "starts_at": (START + timedelta(days=30)).isoformat(),
        "file_ids": [str(user.customer_id)],
    }
    planned = await followup.http.post(f"/sites/{SITE}/campaigns", json=campaign, headers=MANAGER)
    assert planned.status_code == 201, planned.text
    return {
        "queue": f"/sites/{SITE}/callbacks",
        "callback": f"/sites/{SITE}/callbacks/{callback_id}",
        "files": f"/sites/{SITE}/customer-files",
        "file": file,
        "log": f"{file}/log",
        "campaign": f"/sites/{SITE}/campaigns/{planned.json()['campaign_id']}",
    }


async def _read(followup: Followup, paths: dict[str, str], headers: dict[str, str]) -> dict[str, Any]:
    answers = {}
    for what, path in paths.items():
        response = await followup.http.get(path, headers=headers)
        assert response.status_code == 200, response.text
        answers[what] = response.json()
    return answers


def _people(seen: dict[str, Any]) -> list[str]:
    """Every name and phone of the customer the answers carry."""
    (row,) = seen["queue"]
    (listed,) = seen["files"]
    (target,) = seen["campaign"]["targets"]
    file = seen["file"]
    return [
        row["contact_name"],
        row["phone"],
        seen["callback"]["contact"]["name"],
        seen["callback"]["contact"]["phone"],
        listed["name"],
        listed["phone"],
        file["contact"]["name"],
        file["contact"]["phone"],
        *(v for visit in file["visits"] for v in (visit["owner"]["name"], visit["owner"]["phone"])),
        *(entry["phone"] for entry in file["log"]),
        *(entry["phone"] for entry in seen["log"]),
        target["name"],
    ]


async def _reads(followup: Followup, user: str) -> list[tuple[str, str]]:
    rows = await followup.pool.fetch(
        "SELECT subject_id, endpoint FROM personal_data_reads WHERE user_id = $1 ORDER BY read_id", user
    )
    return [(r["subject_id"], r["endpoint"]) for r in rows]


async def test_a_machine_client_gets_the_records_with_the_customer_withheld_and_nothing_is_recorded(
    followup: Followup,
) -> None:
    user = customer()
    paths = await _records(followup, user)
    seen = await _read(followup, paths, MACHINE)
    people = _people(seen)
    assert len(people) == 13  # one visit, one call logged
    assert people == [WITHHELD] * len(people)
    assert seen["callback"]["contact"]["customer_id"] == str(user.customer_id)
    assert (seen["queue"][0]["plate"], seen["campaign"]["targets"][0]["plate"]) == ("京A12345", "京A12345")
    assert seen["log"][0]["summary"] == "asked about the price"
    assert await _reads(followup, "system-1") == []


async def test_a_cs_agent_sees_the_customer_and_each_read_is_recorded_against_the_file(followup: Followup) -> None:
    user = customer()
    paths = await _records(followup, user)
    seen = await _read(followup, paths, READER)
    people = _people(seen)
    assert len(people) == 13
    assert set(people) == {user.name, user.phone}
    assert await _reads(followup, "cs-reader") == [(str(user.customer_id), endpoint) for endpoint in ENDPOINTS]
