"""The reception service over HTTP, on a real PostgreSQL and broker: one visit from check-in to
delivery (priced by the catalogue, settled by billing), the refusals the desk meets, and the
board of a site's open repair orders."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from api_helpers import (
    ADVISOR_A,
    CHECK_IN,
    CONCERN,
    GROUP_A,
    GROUP_B,
    SERVICE_PRICE,
    SITE_1,
    SITE_2,
    WALK_AROUND,
    as_,
    consent,
    issue,
    ok,
    pay,
    post,
    ready,
    repair_line,
    signed_visit,
    view,
    void,
)

from events.catalog.reception_values import RepairLine
from events.catalog.workshop import AdditionalWorkFound, Finding
from events.envelope import Metadata, Tenant
from events.identity import ADVISOR, CASHIER
from events.testing import eventually
from events.testing.publishing import Publisher


async def test_a_visit_from_check_in_to_delivery_invoices_only_approved_work(
    api: httpx.AsyncClient, workshop: Publisher, billing: Publisher
) -> None:
    ro = await signed_visit(api)
    assert (await view(api, ro))["key_tag"] is None  # no key taken before the hand-over
    handed = await ok(await post(api, f"/{ro}/hand-over", {"key_tag": "K-17"}))
    assert (handed["status"], handed["key_tag"]) == ("in_workshop", "K-17")
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
    await ready(workshop, ro)
    await eventually(lambda: view(api, ro), until=lambda body: body["status"] == "ready", what="ready after QC")
    invoiced = SERVICE_PRICE + 12000 + 45000
    paid = await pay(billing, ro, "SVC-000017", ("card", invoiced))
    settled = await eventually(
        lambda: view(api, ro), until=lambda body: body["status"] == "settled", what="settled by billing"
    )
    # The service and the approved brakes; the declined wipers are not invoiced.
    assert settled["invoice"]["total"] == invoiced
    assert settled["invoice"]["invoice_number"] == "SVC-000017"
    assert settled["invoice"]["invoice_id"] == str(paid.invoice_id)
    assert (settled["invoice"]["payment_method"], settled["invoice"]["payments"]) == (
        "card",
        [{"method": "card", "amount": invoiced}],
    )
    delivered = await ok(
        await post(
            api, f"/{ro}/delivery", {"work_explained": True, "old_parts_shown": True, "old_parts_returned": False}
        )
    )
    assert delivered["status"] == "delivered"

    rows = await eventually(board, until=lambda rows: bool(rows) and rows[0]["delivered"], what="the board row")
    assert rows[0]["invoice_total"] == invoiced
    assert (rows[0]["plate"], rows[0]["advisor"], rows[0]["status"]) == ("京A12345", "advisor-1", "delivered")


async def test_an_invoice_issued_locks_the_ros_work_until_billing_voids_it(
    api: httpx.AsyncClient, workshop: Publisher, billing: Publisher
) -> None:
    ro = await signed_visit(api)
    await ok(await post(api, f"/{ro}/hand-over", {"key_tag": "K-18"}))
    await ready(workshop, ro)
    await eventually(lambda: view(api, ro), until=lambda body: body["status"] == "ready", what="ready after QC")
    invoice = await issue(billing, ro, "SVC-000018")
    locked = await eventually(
        lambda: view(api, ro), until=lambda body: body["invoice_in_force"] is not None, what="the invoice noted"
    )
    assert locked["invoice_in_force"] == "SVC-000018"

    typed = {**repair_line("wipers", 1000, 9000), "reason": "not in the catalogue"}
    wipers = {"line": typed, "consent": consent()}
    refused = await post(api, f"/{ro}/lines", wipers)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "repair_order_invoiced"), refused.text
    assert "SVC-000018" in refused.json()["error"]["message"]
    assert (await view(api, ro))["version"] == locked["version"], "the refusal recorded nothing"

    await void(billing, ro, invoice, "SVC-000018")
    await eventually(lambda: view(api, ro), until=lambda body: body["invoice_in_force"] is None, what="the void")
    added = await ok(await post(api, f"/{ro}/lines", wipers), 201)
    assert any(line["description"] == "wipers" for line in added["lines"])


async def test_the_desk_refusals(api: httpx.AsyncClient) -> None:
    ro = await signed_visit(api)

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

    # The invoice is billing's: reception takes no typed settlement any more.
    typed = await post(api, f"/{ro}/settlement", {"invoice_number": "INV-1", "payment_method": "card"}, as_(CASHIER))
    assert typed.status_code == 404


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
