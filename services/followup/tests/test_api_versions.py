"""`If-Match` on every aggregate the API changes: a command sent with the version the caller last
saw is refused with 409 `concurrency_conflict` once someone else has changed the record, and
writes nothing. The routes pass the version to the command themselves (no context variable)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from api_helpers import AGENT, MANAGER, SITE, START, Environment, Followup, customer

from events.clock import ManualClock
from events.testing import eventually, kafka_for_tests
from events.testing.publishing import Publisher


@pytest.fixture
async def followup(
    database: str, postgres_url: str, bootstrap_servers: str, topic_prefix: str
) -> AsyncIterator[Followup]:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    async with Environment(database, kafka, Publisher(postgres_url, kafka)).running(ManualClock(START)) as service:
        yield service


def _stale(response: httpx.Response, current: int) -> None:
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "concurrency_conflict"
    assert response.json()["error"]["current_version"] == current


async def _file(followup: Followup, file_id: uuid.UUID) -> dict[str, Any]:
    async def probe() -> dict[str, Any]:
        response = await followup.http.get(f"/sites/{SITE}/customer-files/{file_id}", headers=AGENT)
        body: dict[str, Any] = response.json() if response.status_code == 200 else {}
        return body

    return await eventually(probe, until=bool, what=f"customer file {file_id}")


async def test_a_callback_changed_since_it_was_read_is_a_conflict(followup: Followup) -> None:
    callback_id = await followup.deliver(uuid.uuid4(), customer())
    base = f"/sites/{SITE}/callbacks/{callback_id}"
    seen = (await followup.http.get(base, headers=AGENT)).json()["version"]
    taken = await followup.http.post(f"{base}/assign", json={}, headers={**AGENT, "If-Match": f'"{seen}"'})
    assert taken.status_code == 200, taken.text
    assert taken.json()["version"] == seen + 1

    followup.clock.advance(timedelta(hours=49))
    _stale(await followup.attempt(callback_id, "unreachable", headers={**AGENT, "If-Match": f'"{seen}"'}), seen + 1)
    _stale(await followup.http.post(f"{base}/give-up", headers={**AGENT, "If-Match": f'"{seen}"'}), seen + 1)
    assert (await followup.http.get(base, headers=AGENT)).json()["attempts"] == 0, "the refused call wrote nothing"


async def test_a_customer_file_changed_since_it_was_read_is_a_conflict(followup: Followup) -> None:
    user = customer()
    await followup.deliver(uuid.uuid4(), user)
    assert user.customer_id is not None
    seen = (await _file(followup, user.customer_id))["version"]
    base = f"/sites/{SITE}/customer-files/{user.customer_id}"
    wish = await followup.http.post(f"{base}/wishes", json={"wish": "a wash"}, headers={**AGENT, "If-Match": str(seen)})
    assert wish.status_code == 201, wish.text

    _stale(
        await followup.http.post(f"{base}/notes", json={"note": "x"}, headers={**AGENT, "If-Match": str(seen)}),
        seen + 1,
    )
    call = {"direction": "inbound", "purpose": "inquiry", "summary": "asked about the price"}
    _stale(await followup.http.post(f"{base}/calls", json=call, headers={**AGENT, "If-Match": str(seen)}), seen + 1)
    assert (await followup.http.get(base, headers=AGENT)).json()["calls_logged"] == 0


async def test_a_campaign_changed_since_it_was_read_is_a_conflict(followup: Followup) -> None:
    users = [customer(), customer()]
    for user in users:
        await followup.deliver(uuid.uuid4(), user)
        assert user.customer_id is not None
        await _file(followup, user.customer_id)
    planned = await followup.http.post(
        f"/sites/{SITE}/campaigns",
        json={
            "kind": "free_service",
            "title": "winter check",
            "starts_at": (START + timedelta(days=30)).isoformat(),
            "file_ids": [str(user.customer_id) for user in users],
        },
        headers=MANAGER,
    )
    assert planned.status_code == 201, planned.text
    base, seen = f"/sites/{SITE}/campaigns/{planned.json()['campaign_id']}", planned.json()["version"]
    first = {"file_id": str(users[0].customer_id), "outcome": "reached"}
    called = await followup.http.post(f"{base}/calls", json=first, headers={**AGENT, "If-Match": f'"{seen}"'})
    assert called.status_code == 201, called.text

    second = {"file_id": str(users[1].customer_id), "outcome": "reached"}
    _stale(await followup.http.post(f"{base}/calls", json=second, headers={**AGENT, "If-Match": f'"{seen}"'}), seen + 1)
    letter = {"file_id": str(users[1].customer_id), "letter_kind": "invitation"}
    _stale(
        await followup.http.post(f"{base}/letters", json=letter, headers={**AGENT, "If-Match": f'"{seen}"'}), seen + 1
    )
    assert (await followup.http.get(base, headers=AGENT)).json()["version"] == seen + 1
