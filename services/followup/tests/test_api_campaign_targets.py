"""Campaign and recall targets over HTTP (docs/reminders.md): selected by model, VIN range,
mileage or last visit among the cars the site's files know, or imported as a VIN list with bad
rows reported by line; and the two-week notice: a campaign starting sooner is refused (409)
unless a service manager gives a reason, recorded on the plan."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from api_helpers import AGENT, MANAGER, SITE, START, Environment, Followup, customer, delivered

from events.catalog import followup_campaigns as ev
from events.catalog.reception_values import VehicleIdentity
from events.clock import ManualClock
from events.testing import eventually, kafka_for_tests
from events.testing.publishing import Publisher

SAGITAR = VehicleIdentity(vin="LFV2A21K8G3000001", plate="京A12345", model="Sagitar")
MAGOTAN = VehicleIdentity(vin="LFV3A23C9J3000777", plate="京B67890", model="Magotan")


@pytest.fixture
async def environment(database: str, postgres_url: str, bootstrap_servers: str, topic_prefix: str) -> Environment:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    return Environment(database, kafka, Publisher(postgres_url, kafka))


@pytest.fixture
async def followup(environment: Environment) -> AsyncIterator[Followup]:
    async with environment.running(ManualClock(START)) as service:
        yield service


async def two_cars(followup: Followup) -> list[uuid.UUID]:
    files = []
    for car, mileage in ((SAGITAR, 12000), (MAGOTAN, 64000)):
        ro, user = uuid.uuid4(), customer()
        delivery = delivered(ro, user).model_copy(update={"vehicle": car, "mileage_km": mileage})
        await followup.publish(f"repair_order-{ro}", delivery)
        assert user.customer_id is not None
        files.append(user.customer_id)

    async def known() -> list[Any]:
        answer = await followup.http.post(f"/sites/{SITE}/campaigns/targets", json={"model": "%"}, headers=AGENT)
        cars: list[Any] = answer.json()["targets"]
        return cars

    await eventually(known, until=lambda cars: len(cars) == 2, what="both cars known")
    return files


async def targets(followup: Followup, **criteria: Any) -> dict[str, Any]:
    response = await followup.http.post(f"/sites/{SITE}/campaigns/targets", json=criteria, headers=AGENT)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_targets_are_selected_by_model_vin_range_mileage_or_last_visit(followup: Followup) -> None:
    sagitar, magotan = await two_cars(followup)
    assert (await targets(followup, model="sagitar"))["file_ids"] == [str(sagitar)]
    in_range = await targets(followup, vin_from="LFV3A00000000000", vin_to="LFV3AZZZZZZZZZZZZ")
    assert [car["vin"] for car in in_range["targets"]] == [MAGOTAN.vin]
    assert (await targets(followup, min_mileage_km=50000))["file_ids"] == [str(magotan)]
    recent = await targets(followup, last_visit_after=START.date().isoformat())
    assert len(recent["targets"]) == 2
    assert (await targets(followup, last_visit_before=START.date().isoformat()))["targets"] == []
    nothing = await followup.http.post(f"/sites/{SITE}/campaigns/targets", json={}, headers=AGENT)
    assert (nothing.status_code, nothing.json()["error"]["code"]) == (409, "missing_information")


async def test_an_imported_vin_list_reports_bad_rows_with_line_and_reason(followup: Followup) -> None:
    sagitar, _ = await two_cars(followup)
    text = f"vin\n{SAGITAR.vin}\nSHORT\nLSVAM4187C2184847\n{SAGITAR.vin}\n"
    response = await followup.http.post(
        f"/sites/{SITE}/campaigns/targets/import",
        content=text.encode(),
        headers={**AGENT, "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["file_ids"] == [str(sagitar)]
    assert body["errors"] == [
        {"line": 3, "reason": "not_17_characters"},
        {"line": 4, "reason": "unknown_vin"},
        {"line": 5, "reason": "duplicate"},
    ]


async def test_a_campaign_within_two_weeks_needs_a_managers_reason(followup: Followup) -> None:
    sagitar, _ = await two_cars(followup)
    plan = {
        "kind": "recall",
        "title": "brake hose recall",
        "starts_at": (START + timedelta(days=5)).isoformat(),
        "file_ids": [str(sagitar)],
    }
    refused = await followup.http.post(f"/sites/{SITE}/campaigns", json=plan, headers=MANAGER)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "campaign_notice_too_short")
    agent = await followup.http.post(
        f"/sites/{SITE}/campaigns", json={**plan, "override_reason": "urgent"}, headers=AGENT
    )
    assert agent.status_code == 403
    reason = "the maker's safety recall starts nationally on that day"
    planned = await followup.http.post(
        f"/sites/{SITE}/campaigns", json={**plan, "override_reason": reason}, headers=MANAGER
    )
    assert planned.status_code == 201, planned.text
    history = await followup.app.state.runtime.store.read_stream(f"campaign-{planned.json()['campaign_id']}")
    event = history[0].event
    assert isinstance(event, ev.CampaignPlanned)
    assert (event.notice_override, event.planned_by) == (reason, "sm-1")
