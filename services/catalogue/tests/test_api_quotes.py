"""Service menus, the next service and quotes over HTTP: a menu priced into lines with the parts
list's prices, the versions a quote names, a change from tomorrow leaving today's quote alone,
unknown references named (422), and the refusals around them."""

from __future__ import annotations

from typing import Any

from api_helpers import ADMIN, GROUP_B, OTHER_SITE, OTHER_SM, SA, SITE, SM, TODAY, TOMORROW, Service, as_

from events.identity import GROUP_ADMIN

LABOUR = (
    "OIL01,Camry,更换机油及滤清器,Oil and filter change,40,1\n"
    "OIL01,*,更换机油及滤清器,Oil and filter change,30,1\n"
    "ROT01,*,轮胎换位,Tyre rotation,20,1\n"
    "BRK10,Camry,更换前刹车片,Front brake pads,65,2\n"
)
PRICES = (
    "part_number,description,list_price,cost,oem,superseded_by\n"
    "OIL-0W20-4L,Engine oil 0W-20 4L,16800,11000,Y,\n"
    "90915-YZZD1,Oil filter,3200,1800,Y,\n"
    "90430-12031,Drain plug washer,300,100,Y,\n"
    "BP-AFT-01,Brake pads (aftermarket),28000,15000,N,\n"
)
MENU_10K = {
    "model_family": "Camry",
    "name_zh": "10000公里保养",
    "name_en": "10,000 km service",
    "interval_km": 10000,
    "interval_months": 12,
    "items": [
        {"labour_operation": "OIL01", "parts": [
            {"part_number": "OIL-0W20-4L", "quantity": 1},
            {"part_number": "90915-YZZD1", "quantity": 1},
            {"part_number": "90430-12031", "quantity": 1}]},
        {"labour_operation": "ROT01", "parts": []},
    ],
}  # fmt: skip


async def catalogue(service: Service) -> None:
    await service.import_csv(LABOUR)
    await service.call("PUT", "/labour-rates", SM, json={"rates": {"CUSTOMER_PAY": 12000, "WARRANTY": 9000}})
    await service.call(
        "POST", "/price-lists", {**ADMIN, "Content-Type": "text/csv"}, content=PRICES.encode(), expect=201,
        params={"effective_from": TODAY.isoformat()},
    )  # fmt: skip


async def quote(service: Service, body: dict[str, Any], expect: int = 200) -> Any:
    return await service.call("POST", "/quotes", SA, json={"model_family": "Camry", "pay_type": "CUSTOMER_PAY"} | body,
                              expect=expect)  # fmt: skip


async def test_a_menu_is_priced_into_lines_naming_the_versions_it_used(service: Service) -> None:
    await catalogue(service)
    menu = await service.call("PUT", "/service-menus/camry-10000", SM, json=MENU_10K)
    assert (menu["menu_id"], menu["effective_from"], menu["version"]) == ("camry-10000", TODAY.isoformat(), 1)

    quoted = await quote(service, {"menu_id": "camry-10000", "labour_operations": ["BRK10"]})
    oil, rotation, brakes = quoted["lines"]
    assert (oil["labour_operation"], oil["description"], oil["labour_minutes"], oil["labour_price"]) == (
        "OIL01", "更换机油及滤清器", 40, 8000)  # fmt: skip
    assert [(p["part_number"], p["quantity"], p["unit_price"]) for p in oil["parts"]] == [
        ("OIL-0W20-4L", 1, 16800), ("90915-YZZD1", 1, 3200), ("90430-12031", 1, 300)]  # fmt: skip
    assert (rotation["labour_minutes"], rotation["labour_price"], rotation["parts"]) == (20, 4000, [])
    assert brakes["labour_price"] == 13000  # 65 minutes at 120.00 an hour
    assert quoted["total"] == 8000 + 16800 + 3200 + 300 + 4000 + 13000
    assert quoted["labour_minutes"] == 125
    assert quoted["currency"] == "CNY"
    assert quoted["price_lists"] == {
        "labour_rates": TODAY.isoformat(),
        "parts": 1,
        "labour_operations": {"OIL01": TODAY.isoformat(), "ROT01": TODAY.isoformat(), "BRK10": TODAY.isoformat()},
    }
    assert len({line["line_id"] for line in quoted["lines"]}) == 3


async def test_a_non_oem_part_is_flagged_and_parts_without_labour_go_on_a_parts_line(service: Service) -> None:
    await catalogue(service)
    quoted = await quote(service, {"parts": [{"part_number": "bp-aft-01", "quantity": 2}], "lang": "en"})
    (line,) = quoted["lines"]
    assert (line["labour_operation"], line["description"], line["labour_price"]) == ("PARTS", "Parts", 0)
    assert line["parts"] == [{"part_number": "BP-AFT-01", "description": "Brake pads (aftermarket)", "quantity": 2,
                              "unit_price": 28000, "non_oem": True}]  # fmt: skip
    assert quoted["total"] == 56000


async def test_a_change_from_tomorrow_does_not_alter_todays_quote(service: Service) -> None:
    await catalogue(service)
    await service.call(
        "PUT", "/labour-rates", SM, json={"rates": {"CUSTOMER_PAY": 15000}, "effective_from": TOMORROW.isoformat()}
    )
    await service.import_csv("OIL01,Camry,更换机油,Oil change,45,1\n", effective_from=TOMORROW)
    body = {"labour_operations": ["OIL01"]}
    today = await quote(service, body)
    assert (today["lines"][0]["labour_minutes"], today["total"]) == (40, 8000)
    assert today["price_lists"]["labour_rates"] == TODAY.isoformat()
    tomorrow = await quote(service, body | {"at": TOMORROW.isoformat()})
    assert (tomorrow["lines"][0]["labour_minutes"], tomorrow["total"]) == (45, 11250)
    assert tomorrow["price_lists"]["labour_rates"] == TOMORROW.isoformat()
    assert tomorrow["price_lists"]["labour_operations"] == {"OIL01": TOMORROW.isoformat()}


async def test_unknown_operations_parts_and_menus_are_named(service: Service) -> None:
    await catalogue(service)
    refusal = await quote(service, {"labour_operations": ["XYZ99"], "parts": [{"part_number": "NOPE", "quantity": 1}]},
                          expect=422)  # fmt: skip
    assert refusal["error"]["code"] == "unknown_reference"
    assert [f["field"] for f in refusal["error"]["fields"]] == ["body.labour_operations", "body.parts"]
    assert "XYZ99" in refusal["error"]["message"]
    assert "NOPE" in refusal["error"]["message"]
    menu = await quote(service, {"menu_id": "camry-99999"}, expect=422)
    assert menu["error"]["fields"][0]["field"] == "body.menu_id"
    bad = await quote(service, {"pay_type": "CASH"}, expect=422)
    assert bad["error"]["code"] == "invalid_request"
    malformed = await quote(service, {"labour_operations": ["oil 01!"]}, expect=422)
    assert malformed["error"]["fields"][0]["field"] == "body.labour_operations"
    await service.call("PUT", "/labour-operations/oil%2001", ADMIN, json={}, expect=422)


async def test_labour_at_a_pay_type_without_a_rate_is_refused(service: Service) -> None:
    await catalogue(service)
    refusal = await quote(service, {"pay_type": "INTERNAL", "labour_operations": ["OIL01"]}, expect=409)
    assert refusal["error"]["code"] == "no_labour_rate"


async def test_the_next_service_comes_from_the_familys_menus(service: Service) -> None:
    await service.call("GET", "/service-menus/next", SA, params={"model_family": "Camry", "mileage_km": 9000},
                       expect=404)  # fmt: skip
    for km, months in ((5000, 6), (10000, 12), (20000, 24)):
        body = MENU_10K | {"interval_km": km, "interval_months": months, "name_en": f"{km} km", "name_zh": f"{km}公里"}
        await service.call("PUT", f"/service-menus/camry-{km}", SM, json=body)
    due = await service.call("GET", "/service-menus/next", SA,
                             params={"model_family": "Camry", "mileage_km": 15200, "on": "2026-12-07"})  # fmt: skip
    assert due == {"menu_id": "camry-20000", "name_zh": "20000公里", "name_en": "20000 km", "due_km": 20000,
                   "due_date": "2027-06-07"}  # fmt: skip
    listed = await service.http.get(f"/sites/{SITE}/service-menus", params={"limit": 2}, headers=SA)
    assert [m["menu_id"] for m in listed.json()] == ["camry-5000", "camry-10000"]
    assert "Link" in listed.headers
    assert (await service.call("GET", "/service-menus/camry-10000", SA))["interval_km"] == 10000


async def test_menus_are_the_sites_own_and_a_service_managers(service: Service) -> None:
    await service.call("PUT", "/service-menus/camry-10000", SM, json=MENU_10K)
    await service.call("GET", "/service-menus/camry-10000", OTHER_SM, site=OTHER_SITE, expect=404)
    await service.call("GET", "/service-menus/camry-10000", as_(GROUP_ADMIN, group=GROUP_B), expect=404)
    await service.call("PUT", "/service-menus/camry-10000", SA, json=MENU_10K, expect=403)
    await service.call("PUT", "/service-menus/camry-10000", ADMIN, json=MENU_10K | {"interval_months": 6})
    stale = await service.call("PUT", "/service-menus/camry-10000", {**SM, "If-Match": "1"}, json=MENU_10K, expect=409)
    assert stale["error"]["code"] == "concurrency_conflict"
    past = MENU_10K | {"effective_from": "2026-01-01"}
    refusal = await service.call("PUT", "/service-menus/camry-10000", SM, json=past, expect=422)
    assert refusal["error"]["fields"][0]["field"] == "body.effective_from"
