"""The reception service over HTTP, on a real PostgreSQL and broker: one visit from check-in to
delivery, the refusals the desk meets, and the board of a site's open repair orders."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from events.catalog.reception_values import RepairLine
from events.catalog.workshop import AdditionalWorkFound, Finding, VehicleReadyForDelivery
from events.envelope import Metadata, Tenant
from events.identity import ADVISOR, CASHIER, Identity
from events.kafka import KafkaSettings
from events.testing import consumers_assigned, eventually
from events.testing.identity import identity_headers
from events.testing.publishing import Publisher
from reception.app import create_app

GROUP_A, GROUP_B = str(uuid.uuid4()), str(uuid.uuid4())
SITE_1, SITE_2, SITE_B = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())


def as_(role: str, group: str = GROUP_A, *sites: str) -> dict[str, str]:
    identity = Identity(f"{role}-1", "Li Na", group, frozenset({role}), frozenset(sites or (SITE_1,)))
    return identity_headers(identity)


ADVISOR_A = as_(ADVISOR)


@pytest.fixture
def kafka(bootstrap_servers: str, topic_prefix: str) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")


@pytest.fixture
def workshop(postgres_url: str, kafka: KafkaSettings) -> Publisher:
    """Publishes the workshop's events, as the workshop service would."""
    return Publisher(postgres_url, kafka)


@pytest.fixture
async def api(database: str, kafka: KafkaSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(database_url=database, kafka=kafka)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://r") as client:
        await consumers_assigned(app)
        yield client


def repair_line(description: str, labour_price: int, part_price: int) -> dict[str, Any]:
    return {
        "line_id": str(uuid.uuid4()),
        "labour_operation": description.upper().replace(" ", "-")[:12],
        "description": description,
        "labour_minutes": 40,
        "labour_price": labour_price,
        "pay_type": "CUSTOMER_PAY",
        "parts": [{"part_number": "P-1", "description": "part", "quantity": 1, "unit_price": part_price}],
    }


def consent() -> dict[str, Any]:
    return {"kind": "phone", "recorded_by": "advisor-1", "at": datetime.now(UTC).isoformat(), "reference": "call-1"}


CHECK_IN = {
    "arrival_kind": "walk_in",
    "customer": {"name": "Wang Wei", "phone": "13800000001"},
    "vehicle": {"vin": "LFV3A23C0J3000001", "plate": "京A12345", "model": "Audi A4L"},
    "customer_waiting": False,
    "contact_phone": "13800000001",
    "arrived_at": datetime.now(UTC).isoformat(),  # the greeter's record of the car's arrival
}
WALK_AROUND = {"mileage_km": 10012, "fuel_eighths": 5, "valuables_reminded": True, "protective_covers_fitted": True}
CONCERN = {
    "customer_words": "10,000 km service, and it squeaks when braking",
    "what": "squeak",
    "when": "cold mornings",
    "where": "front wheels",
    "who": "the customer",
    "how_often": "every morning",
    "read_back_confirmed": True,
}


async def post(
    api: httpx.AsyncClient, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] = ADVISOR_A
) -> httpx.Response:
    return await api.post(f"/sites/{SITE_1}/repair-orders{path}", json=body or {}, headers=headers)


async def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def signed_visit(api: httpx.AsyncClient, service: dict[str, Any]) -> str:
    """A visit checked in, walked around, with a concern and an estimate, signed: its id."""
    ro = (await ok(await post(api, "", CHECK_IN), 201))["repair_order_id"]
    await ok(await post(api, f"/{ro}/walk-around", WALK_AROUND), 201)
    await ok(await post(api, f"/{ro}/concerns", CONCERN), 201)
    promised = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    estimate = {"lines": [service], "promised_at": promised, "payment_method": "card", "old_parts": "discard"}
    estimated = await ok(await post(api, f"/{ro}/estimate", {**estimate, "wash": True}), 201)
    assert estimated["status"] == "estimated"
    await ok(await post(api, f"/{ro}/sign", {"signature_ref": "scan-0001"}))
    return str(ro)


async def test_a_visit_from_check_in_to_delivery_invoices_only_approved_work(
    api: httpx.AsyncClient, workshop: Publisher
) -> None:
    service = repair_line("10000 km service", 8000, 20300)
    ro = await signed_visit(api, service)
    handed = await ok(await post(api, f"/{ro}/hand-over", {"key_tag": "K-17"}))
    assert handed["status"] == "in_workshop"
    assert handed["service_advisor"] == "advisor-1"

    brakes, wipers = repair_line("front brake pads", 12000, 45000), repair_line("wipers", 1000, 9000)
    finding, declined = uuid.uuid4(), uuid.uuid4()
    findings = tuple(
        Finding(
            finding_id=finding_id,
            description="found in the workshop",
            safety_critical=False,
            proposed_lines=(RepairLine.model_validate({**line, "origin": "additional_work"}),),
            extra_minutes=30,
        )
        for finding_id, line in ((finding, brakes), (declined, wipers))
    )
    found = AdditionalWorkFound(
        repair_order_id=uuid.UUID(ro), round=1, findings=findings, reported_by="tech-1", found_at=datetime.now(UTC)
    )
    from_workshop = Metadata(Tenant(GROUP_A, SITE_1), "tech-1", str(uuid.uuid4()))
    await workshop.publish(from_workshop, (f"work_order-{ro}", found))

    async def board() -> list[dict[str, Any]]:
        response = await api.get(f"/sites/{SITE_1}/repair-orders?open_only=false", headers=ADVISOR_A)
        rows: list[dict[str, Any]] = response.json()
        return [row for row in rows if row["repair_order_id"] == ro]

    await eventually(
        board, until=lambda rows: bool(rows) and rows[0]["status"] == "awaiting_approval", what="findings on the board"
    )
    await ok(await post(api, f"/{ro}/additional-work/{finding}/approve", {"consent": consent()}))
    await ok(
        await post(
            api, f"/{ro}/additional-work/{declined}/decline", {"consent": consent(), "customer_reason": "next time"}
        )
    )
    not_yet = await post(api, f"/{ro}/settlement", {"invoice_number": "INV-1", "payment_method": "card"}, as_(CASHIER))
    assert (not_yet.status_code, not_yet.json()["error"]["code"]) == (409, "not_ready_for_delivery")
    now = datetime.now(UTC)
    ready = VehicleReadyForDelivery(
        repair_order_id=uuid.UUID(ro),
        promised_at=now,
        on_time=True,
        worked_minutes=90,
        planned_minutes=80,
        rework_count=0,
        ready_at=now,
    )
    await workshop.publish(from_workshop, (f"work_order-{ro}", ready))

    async def state() -> dict[str, Any]:
        body: dict[str, Any] = (await api.get(f"/sites/{SITE_1}/repair-orders/{ro}", headers=ADVISOR_A)).json()
        return body

    await eventually(state, until=lambda body: body["status"] == "ready", what="ready after QC")
    settled = await ok(
        await post(api, f"/{ro}/settlement", {"invoice_number": "INV-1", "payment_method": "card"}, as_(CASHIER))
    )
    # The service and the approved brakes; the declined wipers are not invoiced.
    assert settled["invoice"]["total"] == 8000 + 20300 + 12000 + 45000
    delivered = await ok(
        await post(
            api, f"/{ro}/delivery", {"work_explained": True, "old_parts_shown": True, "old_parts_returned": False}
        )
    )
    assert delivered["status"] == "delivered"

    rows = await eventually(board, until=lambda rows: bool(rows) and rows[0]["delivered"], what="the board row")
    assert rows[0]["invoice_total"] == 8000 + 20300 + 12000 + 45000
    assert (rows[0]["plate"], rows[0]["advisor"], rows[0]["status"]) == ("京A12345", "advisor-1", "delivered")


async def test_the_desk_refusals(api: httpx.AsyncClient) -> None:
    ro = await signed_visit(api, repair_line("10000 km service", 8000, 20300))

    again = await post(api, f"/{ro}/sign", {"signature_ref": "scan-0002"})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_signed")

    extra = await post(api, f"/{ro}/lines", {"line": repair_line("wipers", 1000, 9000)})
    assert (extra.status_code, extra.json()["error"]["code"]) == (409, "consent_required")

    early = await post(
        api, f"/{ro}/delivery", {"work_explained": True, "old_parts_shown": True, "old_parts_returned": False}
    )
    assert early.status_code == 409, early.text

    bad = await post(api, "", {**CHECK_IN, "customer_waiting": "perhaps", "surprise": 1})
    assert bad.status_code == 422
    assert {"body.customer_waiting", "body.surprise"} <= {e["field"] for e in bad.json()["error"]["fields"]}

    missing = await api.get(f"/sites/{SITE_1}/repair-orders/{uuid.uuid4()}", headers=ADVISOR_A)
    assert missing.status_code == 404

    other_site = await api.get(f"/sites/{SITE_2}/repair-orders/{ro}", headers=ADVISOR_A)
    assert other_site.status_code == 403

    other_group = await api.get(f"/sites/{SITE_1}/repair-orders/{ro}", headers=as_(ADVISOR, GROUP_B, SITE_1))
    assert other_group.status_code == 404

    cashier_signs = await post(api, f"/{ro}/hand-over", {"key_tag": "K-1"}, as_(CASHIER))
    assert cashier_signs.status_code == 403


async def test_the_board_lists_the_sites_open_visits(api: httpx.AsyncClient) -> None:
    ro = (await ok(await post(api, "", CHECK_IN), 201))["repair_order_id"]

    async def board() -> list[str]:
        response = await api.get(f"/sites/{SITE_1}/repair-orders", headers=ADVISOR_A)
        return [row["repair_order_id"] for row in response.json()]

    await eventually(board, until=lambda ids: ro in ids, what="the checked-in visit on the board")


async def test_a_change_made_since_the_desk_last_looked_is_a_conflict(api: httpx.AsyncClient) -> None:
    """`If-Match` names the version of the visit the desk last saw: a change made since (by
    another desk) is refused with the version now, and the refused command writes nothing."""
    ro = (await ok(await post(api, "", CHECK_IN), 201))["repair_order_id"]
    seen = await ok(await api.get(f"/sites/{SITE_1}/repair-orders/{ro}", headers=ADVISOR_A))
    as_seen = {**ADVISOR_A, "If-Match": f'"{seen["version"]}"'}
    walked = await ok(await post(api, f"/{ro}/walk-around", WALK_AROUND, as_seen), 201)
    assert walked["version"] == seen["version"] + 1

    stale = await post(api, f"/{ro}/concerns", CONCERN, as_seen)
    assert (stale.status_code, stale.json()["error"]["code"]) == (409, "concurrency_conflict"), stale.text
    assert stale.json()["error"]["current_version"] == walked["version"]
    now = await ok(await api.get(f"/sites/{SITE_1}/repair-orders/{ro}", headers=ADVISOR_A))
    assert (now["version"], now["concerns"]) == (walked["version"], [])
