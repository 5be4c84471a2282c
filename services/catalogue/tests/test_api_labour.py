"""Labour operations and rates over HTTP, on a real PostgreSQL: the all-or-nothing import with its
row report, versions in force by date, site overrides, tenancy, roles and 404s."""

from __future__ import annotations

import uuid

from api_helpers import ADMIN, GROUP_B, OTHER_GROUP, OTHER_SITE, OTHER_SM, SA, SITE, SM, TODAY, TOMORROW, Service, as_

from events.identity import GROUP_ADMIN

GOOD = (
    "OIL01,Camry,更换机油及滤清器,Oil and filter change,40,1\n"
    "OIL01,*,更换机油及滤清器,Oil and filter change,35,1\n"
    "BRK10,Camry,更换前刹车片,Front brake pads,60,2\n"
)


async def test_a_file_with_bad_rows_is_refused_with_every_bad_row_and_imports_nothing(service: Service) -> None:
    refusal = await service.import_csv(
        GOOD + "ALN01,Camry,四轮定位,,45,2\nOIL01,Camry,重复,Duplicate,40,1\nTYR01,Camry,轮胎换位,Rotation,x,1\n",
        expect=422,
    )
    error = refusal["error"]
    assert error["code"] == "invalid_rows"
    assert error["rows"] == [
        {"line": 5, "field": "description_en", "reason": "required"},
        {"line": 6, "field": "code", "reason": "OIL01 for Camry is already on line 2"},
        {"line": 7, "field": "flat_rate_minutes", "reason": "'x' is not a whole number from 0 to 6000"},
    ]
    assert await service.call("GET", "/labour-operations", SA) == []
    assert await service.events("labour_import") == []


async def test_an_imported_file_is_read_by_family_and_a_retry_is_the_same_import(service: Service) -> None:
    imported = await service.import_csv(GOOD)
    assert (imported["rows"], imported["operations"], imported["scope"]) == (3, 2, "group")
    assert imported["effective_from"] == TODAY.isoformat()
    again = await service.import_csv(GOOD)
    assert again["import_id"] == imported["import_id"]
    through_another_site = await service.import_csv(GOOD, site=OTHER_SITE)
    assert through_another_site["import_id"] == imported["import_id"]
    assert len(await service.events("labour_import")) == 1

    camry = await service.call("GET", "/labour-operations/oil01", SA, params={"model_family": "Camry"})
    assert (camry["flat_rate_minutes"], camry["model_family"], camry["scope"]) == (40, "Camry", "group")
    corolla = await service.call("GET", "/labour-operations/OIL01", SA, params={"model_family": "Corolla"})
    assert (corolla["flat_rate_minutes"], corolla["model_family"]) == (35, "*")
    await service.call("GET", "/labour-operations/BRK10", SA, params={"model_family": "Corolla"}, expect=404)
    listed = await service.call("GET", "/labour-operations", SA, params={"model_family": "Corolla"})
    assert [(row["code"], row["model_family"]) for row in listed] == [("OIL01", "*")]


async def test_the_operations_list_pages(service: Service) -> None:
    await service.import_csv(GOOD)
    first = await service.http.get(f"/sites/{SITE}/labour-operations", params={"limit": 2}, headers=SA)
    assert [(row["code"], row["model_family"]) for row in first.json()] == [("BRK10", "Camry"), ("OIL01", "*")]
    link = first.headers["Link"]
    cursor = link.split("cursor=")[1].split("&")[0]
    rest = await service.call("GET", "/labour-operations", SA, params={"limit": 2, "cursor": cursor})
    assert [(row["code"], row["model_family"]) for row in rest] == [("OIL01", "Camry")]


async def test_a_change_from_tomorrow_is_seen_from_tomorrow_only(service: Service) -> None:
    await service.import_csv(GOOD)
    body = {
        "model_family": "Camry",
        "description_zh": "更换机油",
        "description_en": "Oil change",
        "flat_rate_minutes": 50,
        "skill_level": 1,
        "scope": "group",
        "effective_from": TOMORROW.isoformat(),
    }
    changed = await service.call("PUT", "/labour-operations/OIL01", ADMIN, json=body)
    assert (changed["flat_rate_minutes"], changed["effective_from"]) == (50, TOMORROW.isoformat())
    params = {"model_family": "Camry"}
    today = await service.call("GET", "/labour-operations/OIL01", SA, params=params)
    assert today["flat_rate_minutes"] == 40
    later = await service.call("GET", "/labour-operations/OIL01", SA, params=params | {"at": TOMORROW.isoformat()})
    assert later["flat_rate_minutes"] == 50
    await service.call("PUT", "/labour-operations/OIL01", ADMIN, json=body)  # the same edit again
    assert len(await service.events("labour_change")) == 1


async def test_a_change_in_the_past_is_refused(service: Service) -> None:
    refusal = await service.import_csv(GOOD, effective_from=TODAY.replace(day=TODAY.day - 1), expect=422)
    assert refusal["error"]["code"] == "effective_in_the_past"
    assert refusal["error"]["fields"][0]["field"] == "query.effective_from"


async def test_a_site_override_is_seen_at_its_site_only(service: Service) -> None:
    await service.import_csv(GOOD)
    await service.import_csv("OIL01,*,更换机油(慢),Oil change (slow bay),55,1\n", scope="site", headers=SM)
    here = await service.call("GET", "/labour-operations/OIL01", SA, params={"model_family": "Camry"})
    assert (here["flat_rate_minutes"], here["scope"]) == (55, "site")
    there = await service.call(
        "GET", "/labour-operations/OIL01", OTHER_SM, site=OTHER_SITE, params={"model_family": "Camry"}
    )
    assert (there["flat_rate_minutes"], there["scope"]) == (40, "group")


async def test_another_groups_catalogue_is_invisible(service: Service) -> None:
    await service.import_csv(GOOD)
    await service.call("PUT", "/labour-rates", SM, json={"rates": {"CUSTOMER_PAY": 38000}})
    stranger = as_(GROUP_ADMIN, group=GROUP_B)
    assert await service.call("GET", "/labour-operations", stranger) == []
    await service.call("GET", "/labour-operations/OIL01", stranger, expect=404)
    await service.call("GET", "/labour-rates", stranger, expect=404)
    await service.call("GET", "/labour-operations", OTHER_GROUP, expect=200)


async def test_roles(service: Service) -> None:
    forbidden = await service.import_csv(GOOD, headers=SM, expect=403)  # group scope is the group admin's
    assert forbidden["error"]["code"] == "forbidden"
    await service.import_csv(GOOD, scope="site", headers=SA, expect=403)
    await service.call("PUT", "/labour-rates", SA, json={"rates": {"CUSTOMER_PAY": 38000}}, expect=403)
    await service.call("GET", "/labour-operations", OTHER_SM, expect=403)  # not their site
    await service.call("GET", "/labour-operations", {}, expect=401)
    assert await service.call("GET", "/labour-operations", SA) == []


async def test_labour_rates_are_versioned_by_date(service: Service) -> None:
    await service.call("GET", "/labour-rates", SA, expect=404)
    set_ = await service.call("PUT", "/labour-rates", SM, json={"rates": {"CUSTOMER_PAY": 38000, "WARRANTY": 30000}})
    assert (set_["effective_from"], set_["version"]) == (TODAY.isoformat(), 1)
    again = await service.call("PUT", "/labour-rates", SM, json={"rates": {"CUSTOMER_PAY": 38000, "WARRANTY": 30000}})
    assert again["version"] == 1  # the same rates again record nothing
    body = {"rates": {"CUSTOMER_PAY": 40000}, "effective_from": TOMORROW.isoformat()}
    await service.call("PUT", "/labour-rates", SM, json=body)
    assert (await service.call("GET", "/labour-rates", SA))["rates"] == {"CUSTOMER_PAY": 38000, "WARRANTY": 30000}
    later = await service.call("GET", "/labour-rates", SA, params={"at": TOMORROW.isoformat()})
    assert later["rates"] == {"CUSTOMER_PAY": 40000}
    bad = await service.call("PUT", "/labour-rates", SM, json={"rates": {"CASH": 1}}, expect=422)
    assert bad["error"]["code"] == "invalid_request"


async def test_a_ten_thousand_row_file_is_one_event_and_ten_thousand_versioned_rows(service: Service) -> None:
    families = ("Camry", "Corolla", "Magotan", "Accord", "*")
    rows = "".join(f"OP{n:05d},{families[n % 5]},工时{n},Operation {n},{n % 300},{n % 5 + 1}\n" for n in range(10_000))
    imported = await service.import_csv(rows)
    assert imported["rows"] == 10_000
    assert await service.events("labour_import") == [(f"labour_import-{imported['import_id']}",
                                                      "catalogue.LabourOperationsImported")]  # fmt: skip
    pool = service.app.state.runtime.pool
    stored = "SELECT count(*) FROM labour_operation_versions WHERE source_id = $1"
    assert await pool.fetchval(stored, uuid.UUID(imported["import_id"])) == 10_000
