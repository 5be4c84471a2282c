"""The estimate priced by the catalogue, the discount authority, the settlement billing reports
and the next service at delivery, over HTTP on a real PostgreSQL and broker. The catalogue is a
stand-in behind reception's own peers client (`catalogue_stand_in.py`); billing's and the
workshop's events are published as those services publish them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from api_helpers import (
    ADVISOR_A,
    CHECK_IN,
    CONCERN,
    SERVICE_ITEM,
    SERVICE_PRICE,
    SITE_1,
    WALK_AROUND,
    as_,
    consent,
    estimate_of,
    estimated_visit,
    ok,
    pay,
    post,
    ready,
    signed_visit,
    view,
)
from catalogue_stand_in import BRAKES_CODE, FAMILY, CatalogueStandIn

from events.identity import ADVISOR, SERVICE_MANAGER
from events.kafka import KafkaSettings
from events.testing import eventually
from events.testing.publishing import Publisher
from reception.app import create_app

MANAGER = as_(SERVICE_MANAGER)
SETTINGS = f"/sites/{SITE_1}/reception-settings"
LIMITS = {"discount_authority_bp": {ADVISOR: 500, SERVICE_MANAGER: 2000}}
FREE_LABOUR = {**SERVICE_ITEM, "labour_price": 0, "reason": "comeback from last visit"}
BRAKES_ITEM = {"labour_operation": BRAKES_CODE, "parts": [{"part_number": "04465-33471", "quantity": 1}]}
SUBLET = {
    "line_id": str(uuid.uuid4()),
    "labour_operation": "SUBLET-GLASS",
    "description": "windscreen by the glass shop",
    "labour_minutes": 0,
    "labour_price": 60000,
    "pay_type": "SUBLET",
}


async def test_the_app_closes_its_client_of_the_catalogue_when_it_stops(database: str, kafka: KafkaSettings) -> None:
    catalogue = CatalogueStandIn()
    app = create_app(database_url=database, kafka=kafka, peers=catalogue.peers())
    async with app.router.lifespan_context(app):
        assert not catalogue.client.is_closed
    assert catalogue.client.is_closed


# --- the estimate from the catalogue --------------------------------------------------------


async def test_a_service_menu_is_priced_by_the_catalogue_and_names_its_price_lists(
    api: httpx.AsyncClient, catalogue: CatalogueStandIn
) -> None:
    _, estimated = await estimated_visit(api, menu_id="A4L-10000")
    assert estimated["estimate_total"] == SERVICE_PRICE
    (line,) = estimated["lines"]
    assert (line["labour_operation"], line["labour_minutes"], line["labour_price"]) == ("SVC-10000", 40, 8000)
    assert [p["unit_price"] for p in line["parts"]] == [16800, 3200, 300]
    assert estimated["price_lists"] == {
        "labour_rates": "2024-01-01",
        "parts": "7",
        "labour_operations.SVC-10000": "2023-07-01",
    }
    assert estimated["menu_id"] == "A4L-10000"
    assert estimated["price_adjustments"] == []
    # The catalogue was asked for the car's model family, by the advisor's identity.
    (quote,) = [body for method, path, body in catalogue.calls if path.endswith("/quotes")]
    assert (quote["model_family"], quote["menu_id"], quote["pay_type"]) == (FAMILY, "A4L-10000", "CUSTOMER_PAY")


async def test_a_signed_order_keeps_its_prices_when_the_catalogues_change(
    api: httpx.AsyncClient, catalogue: CatalogueStandIn, workshop: Publisher, billing: Publisher
) -> None:
    ro = await signed_visit(api, items=[SERVICE_ITEM])
    catalogue.rates["CUSTOMER_PAY"] = 15000
    catalogue.parts["OIL-5W30-4L"] = ("engine oil 5W-30", 19800)
    catalogue.labour_version, catalogue.parts_version = "2024-06-01", "8"

    await ok(await post(api, f"/{ro}/hand-over", {"key_tag": "K-3"}))
    # A line added now is priced at today's prices, like the estimate's were at its time.
    added = await ok(await post(api, f"/{ro}/lines", {"item": BRAKES_ITEM, "consent": consent()}), 201)
    service, brakes = added["lines"]
    assert service["labour_price"] + sum(p["unit_price"] for p in service["parts"]) == SERVICE_PRICE
    assert brakes["labour_price"] == 15000  # 60 minutes at the new 150 CNY an hour
    assert added["estimate_total"] == SERVICE_PRICE
    assert added["price_lists"]["labour_rates"] == "2024-01-01"  # the estimate's, as signed

    await ready(workshop, ro)
    await eventually(lambda: view(api, ro), until=lambda body: body["ready"], what="ready after QC")
    await pay(billing, ro, "SVC-000001", ("card", SERVICE_PRICE + 15000 + 45000))
    settled = await eventually(lambda: view(api, ro), until=lambda body: body["invoice"] is not None, what="settled")
    assert settled["invoice"]["total"] == SERVICE_PRICE + 15000 + 45000


async def test_an_estimate_the_catalogue_cannot_price_is_not_recorded(
    api: httpx.AsyncClient, catalogue: CatalogueStandIn
) -> None:
    ro = (await ok(await post(api, "", CHECK_IN), 201))["repair_order_id"]
    await ok(await post(api, f"/{ro}/walk-around", WALK_AROUND), 201)
    before = await ok(await post(api, f"/{ro}/concerns", CONCERN), 201)

    catalogue.down = True
    down = await post(api, f"/{ro}/estimate", estimate_of(items=[SERVICE_ITEM]))
    assert (down.status_code, down.json()["error"]["code"]) == (503, "peer_unavailable"), down.text
    assert down.headers["Retry-After"]
    catalogue.down = False

    unknown = {**SERVICE_ITEM, "parts": [{"part_number": "NO-SUCH-PART", "quantity": 1}]}
    refused = await post(api, f"/{ro}/estimate", estimate_of(items=[unknown]))
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "unknown_reference"), refused.text
    assert "NO-SUCH-PART" in refused.json()["error"]["message"]

    after = await view(api, ro)
    assert (after["version"], after["status"], after["lines"]) == (before["version"], "checked_in", [])


async def test_the_estimate_names_some_work(api: httpx.AsyncClient) -> None:
    ro = (await ok(await post(api, "", CHECK_IN), 201))["repair_order_id"]
    empty = await post(api, f"/{ro}/estimate", estimate_of())
    assert empty.status_code == 422, empty.text


# --- lines typed by hand and discounts ------------------------------------------------------


async def test_a_line_typed_by_hand_needs_a_reason(api: httpx.AsyncClient) -> None:
    ro = (await ok(await post(api, "", CHECK_IN), 201))["repair_order_id"]
    no_reason = await post(api, f"/{ro}/estimate", estimate_of(lines=[SUBLET]))
    assert (no_reason.status_code, no_reason.json()["error"]["code"]) == (409, "price_reason_required")

    _, estimated = await estimated_visit(api, lines=[{**SUBLET, "reason": "glass shop does windscreens"}])
    (adjustment,) = estimated["price_adjustments"]
    assert (adjustment["catalogue_price"], adjustment["discount"]) == (None, 0)
    assert adjustment["reason"] == "glass shop does windscreens"


async def test_a_typed_line_the_catalogue_knows_is_held_to_its_price(api: httpx.AsyncClient) -> None:
    typed = {
        "line_id": str(uuid.uuid4()),
        "labour_operation": "SVC-10000",
        "description": "10,000 km service",
        "labour_minutes": 40,
        "labour_price": 2000,
        "pay_type": "CUSTOMER_PAY",
        "reason": "friend of the owner",
    }
    _, estimated = await estimated_visit(api, lines=[typed])
    (adjustment,) = estimated["price_adjustments"]
    assert (adjustment["catalogue_price"], adjustment["discount"]) == (8000, 6000)
    # The site never set an authority: every discount waits for a service manager.
    assert estimated["discount_approval"]["required"]


async def test_a_discount_beyond_the_advisors_authority_waits_for_the_service_managers_approval(
    api: httpx.AsyncClient,
) -> None:
    await ok(await api.put(SETTINGS, json=LIMITS, headers=MANAGER))
    ro, estimated = await estimated_visit(api, items=[FREE_LABOUR])
    assert estimated["discount_total"] == 8000
    assert estimated["discount_approval"] == {"required": True, "approved_by": None, "approved_at": None}

    unsigned = await post(api, f"/{ro}/sign", {"signature_ref": "scan-1"})
    assert (unsigned.status_code, unsigned.json()["error"]["code"]) == (409, "discount_approval_required")
    by_advisor = await post(api, f"/{ro}/discount-approval", {})
    assert by_advisor.status_code == 403

    approved = await ok(await post(api, f"/{ro}/discount-approval", {}, MANAGER))
    assert approved["discount_approval"]["approved_by"] == "service_manager-1"
    assert approved["discount_approval"]["approved_at"] is not None
    signed = await ok(await post(api, f"/{ro}/sign", {"signature_ref": "scan-1"}))
    assert signed["status"] == "signed"


async def test_a_discount_within_the_advisors_authority_is_signed_at_once(api: httpx.AsyncClient) -> None:
    await ok(await api.put(SETTINGS, json=LIMITS, headers=MANAGER))
    small = {**SERVICE_ITEM, "labour_price": 7000, "reason": "loyalty card"}  # 10 CNY off 283: 3.5 %
    ro, estimated = await estimated_visit(api, items=[small])
    assert not estimated["discount_approval"]["required"]
    assert (await ok(await post(api, f"/{ro}/sign", {"signature_ref": "scan-1"})))["status"] == "signed"
    needless = await post(api, f"/{ro}/discount-approval", {}, MANAGER)
    assert needless.status_code == 409


async def test_a_line_added_with_a_discount_beyond_authority_is_refused(api: httpx.AsyncClient) -> None:
    await ok(await api.put(SETTINGS, json=LIMITS, headers=MANAGER))
    ro = await signed_visit(api)
    free_brakes = {**BRAKES_ITEM, "labour_price": 0, "reason": "goodwill"}
    refused = await post(api, f"/{ro}/lines", {"item": free_brakes, "consent": consent()})
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "discount_beyond_authority")
    # 60 CNY off the brakes' 570 (10.5 %): beyond the advisor's 5 %, within the service manager's 20 %.
    small = {**BRAKES_ITEM, "labour_price": 6000, "reason": "goodwill"}
    beyond = await post(api, f"/{ro}/lines", {"item": small, "consent": consent()})
    assert beyond.status_code == 409
    added = await ok(await post(api, f"/{ro}/lines", {"item": small, "consent": consent()}, MANAGER), 201)
    assert len(added["lines"]) == 2


async def test_the_sites_reception_settings(api: httpx.AsyncClient) -> None:
    defaults = await ok(await api.get(SETTINGS, headers=ADVISOR_A))
    assert (defaults["discount_authority_bp"], defaults["default_service_interval"]) == ({}, {"km": 5000, "months": 6})
    by_advisor = await api.put(SETTINGS, json=LIMITS, headers=ADVISOR_A)
    assert by_advisor.status_code == 403
    unknown = await api.put(SETTINGS, json={"discount_authority_bp": {"intern": 100}}, headers=MANAGER)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (409, "invalid_code")
    body = {**LIMITS, "default_service_interval": {"km": 7500, "months": 3}}
    first = await ok(await api.put(SETTINGS, json=body, headers=MANAGER))
    again = await ok(await api.put(SETTINGS, json=body, headers=MANAGER))
    assert first["version"] == again["version"] == 1
    assert (await ok(await api.get(SETTINGS, headers=ADVISOR_A)))["discount_authority_bp"] == LIMITS[
        "discount_authority_bp"
    ]


# --- settlement from billing, and the next service at delivery -------------------------------


async def delivered_after_split_payment(
    api: httpx.AsyncClient, workshop: Publisher, billing: Publisher, ro: str, **delivery: Any
) -> dict[str, Any]:
    await ok(await post(api, f"/{ro}/hand-over", {"key_tag": "K-9"}))
    await ready(workshop, ro)
    await eventually(lambda: view(api, ro), until=lambda body: body["ready"], what="ready after QC")
    await pay(billing, ro, "SVC-000042", ("wechat_pay", 20000), ("cash", SERVICE_PRICE - 20000))
    settled = await eventually(lambda: view(api, ro), until=lambda body: body["invoice"] is not None, what="settled")
    assert settled["status"] == "settled"
    assert settled["invoice"]["invoice_number"] == "SVC-000042"
    assert settled["invoice"]["payment_method"] == "split"
    assert [p["method"] for p in settled["invoice"]["payments"]] == ["wechat_pay", "cash"]
    body = {"work_explained": True, "old_parts_shown": True, "old_parts_returned": False, **delivery}
    return await ok(await post(api, f"/{ro}/delivery", body))


async def test_the_next_service_comes_from_the_catalogues_next_menu(
    api: httpx.AsyncClient, workshop: Publisher, billing: Publisher, catalogue: CatalogueStandIn
) -> None:
    ro = await signed_visit(api)
    delivered = await delivered_after_split_payment(api, workshop, billing, ro)
    today = datetime.now(UTC).date()
    assert delivered["next_service_due_km"] == WALK_AROUND["mileage_km"] + 10000
    assert delivered["next_service_due_date"] == today.replace(year=today.year + 1).isoformat()
    assert delivered["next_service_menu_id"] == "A4L-20000"
    (asked,) = [query for _, path, query in catalogue.calls if path.endswith("/service-menus/next")]
    assert asked == {"model_family": FAMILY, "mileage_km": str(WALK_AROUND["mileage_km"]), "on": today.isoformat()}


async def test_without_a_menu_for_the_family_the_next_service_is_the_sites_interval(
    api: httpx.AsyncClient, workshop: Publisher, billing: Publisher, catalogue: CatalogueStandIn
) -> None:
    await ok(
        await api.put(SETTINGS, json={**LIMITS, "default_service_interval": {"km": 7500, "months": 3}}, headers=MANAGER)
    )
    catalogue.next_menus.clear()
    ro = await signed_visit(api)
    delivered = await delivered_after_split_payment(api, workshop, billing, ro)
    today = datetime.now(UTC).date()
    assert delivered["next_service_due_km"] == WALK_AROUND["mileage_km"] + 7500
    assert date.fromisoformat(delivered["next_service_due_date"]) - today > timedelta(days=88)
    assert date.fromisoformat(delivered["next_service_due_date"]) - today < timedelta(days=93)
    assert delivered["next_service_menu_id"] is None


async def test_the_next_service_the_desk_gives_is_kept(
    api: httpx.AsyncClient, workshop: Publisher, billing: Publisher, catalogue: CatalogueStandIn
) -> None:
    ro = await signed_visit(api)
    given = {"next_service_due_date": "2031-01-02", "next_service_due_km": 30000}
    delivered = await delivered_after_split_payment(api, workshop, billing, ro, **given)
    assert (delivered["next_service_due_date"], delivered["next_service_due_km"]) == ("2031-01-02", 30000)
    assert not [path for _, path, _ in catalogue.calls if path.endswith("/service-menus/next")]
