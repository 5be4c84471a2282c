"""A discount on a service menu's line, over HTTP against the catalogue's stand-in: the line stays
next to the catalogue's price of it, so the site's discount authority decides — within the
advisor's it is signed at once, beyond it the estimate waits for the service manager — and a
price for a line the menu does not have, or without its reason, is refused."""

from __future__ import annotations

from typing import Any

import httpx
from api_helpers import CHECK_IN, CONCERN, SITE_1, WALK_AROUND, as_, estimate_of, estimated_visit, ok, post

from events.identity import ADVISOR, SERVICE_MANAGER

MANAGER = as_(SERVICE_MANAGER)
LIMITS = {"discount_authority_bp": {ADVISOR: 500, SERVICE_MANAGER: 2000}}
MENU = "A4L-10000"  # the stand-in's 10,000 km service: one line SVC-10000, labour 80.00, total 283.00


def priced(labour_price: int, reason: str | None = "loyalty card", operation: str = "SVC-10000") -> dict[str, Any]:
    return {
        "menu_id": MENU,
        "menu_prices": [{"labour_operation": operation, "labour_price": labour_price, "reason": reason}],
    }


async def test_a_menu_lines_discount_within_the_advisors_authority_is_signed_at_once(api: httpx.AsyncClient) -> None:
    await ok(await api.put(f"/sites/{SITE_1}/reception-settings", json=LIMITS, headers=MANAGER))
    ro, estimated = await estimated_visit(api, **priced(7000))  # 10.00 off 283.00: 3.5 %
    (line,) = estimated["lines"]
    assert line["labour_price"] == 7000
    assert estimated["menu_id"] == MENU, "still the menu's estimate"
    assert estimated["discount_total"] == 1000
    (adjusted,) = estimated["price_adjustments"]
    assert (adjusted["catalogue_price"], adjusted["price"], adjusted["reason"]) == (28300, 27300, "loyalty card")
    assert not estimated["discount_approval"]["required"]
    assert (await ok(await post(api, f"/{ro}/sign", {"signature_ref": "scan-1"})))["status"] == "signed"


async def test_a_menu_lines_discount_beyond_it_waits_for_the_service_manager(api: httpx.AsyncClient) -> None:
    await ok(await api.put(f"/sites/{SITE_1}/reception-settings", json=LIMITS, headers=MANAGER))
    ro, estimated = await estimated_visit(api, **priced(0, "comeback from last visit"))
    assert estimated["discount_total"] == 8000
    assert estimated["discount_approval"]["required"]
    unsigned = await post(api, f"/{ro}/sign", {"signature_ref": "scan-1"})
    assert (unsigned.status_code, unsigned.json()["error"]["code"]) == (409, "discount_approval_required")


async def test_a_menu_price_needs_its_reason_a_line_of_the_menu_and_the_menu(api: httpx.AsyncClient) -> None:
    ro = (await ok(await post(api, "", CHECK_IN), 201))["repair_order_id"]
    await ok(await post(api, f"/{ro}/walk-around", WALK_AROUND), 201)
    await ok(await post(api, f"/{ro}/concerns", CONCERN), 201)
    no_reason = await post(api, f"/{ro}/estimate", estimate_of(**priced(7000, None)))
    assert (no_reason.status_code, no_reason.json()["error"]["code"]) == (409, "price_reason_required")
    not_on_menu = await post(api, f"/{ro}/estimate", estimate_of(**priced(7000, operation="BRAKE-PADS")))
    assert (not_on_menu.status_code, not_on_menu.json()["error"]["code"]) == (409, "line_not_found")
    assert "BRAKE-PADS" in not_on_menu.json()["error"]["message"]
    without_menu = estimate_of(**priced(7000))
    del without_menu["menu_id"]
    without_menu["items"] = [{"labour_operation": "SVC-10000"}]
    refused = await post(api, f"/{ro}/estimate", without_menu)
    assert refused.status_code == 422, refused.text
