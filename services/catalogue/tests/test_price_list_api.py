"""The parts price list over HTTP: import (roles, 422 with every bad row), the versions, a
part's price on a date with or without following its supersessions, tenancy."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from catalogue.app import create_app
from events.clock import ManualClock
from events.identity import ADVISOR, GROUP_ADMIN, PARTS_CLERK, SERVICE_MANAGER, TECHNICIAN, Identity
from events.testing import kafka_for_tests
from events.testing.identity import identity_headers

GROUP_A, GROUP_B = str(uuid.uuid4()), str(uuid.uuid4())
SITE_1, SITE_2, SITE_B = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
HEADER = "part_number,description,list_price,cost,oem,superseded_by\n"
# 08:00 in Shanghai on 2 March (the default zone of a site booking has not planned).
NOW = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
CSV = {"Content-Type": "text/csv"}


def staff(role: str, group: str = GROUP_A, *sites: str) -> dict[str, str]:
    identity = Identity(f"{role}-1", "Wang Fang", group, frozenset({role}), frozenset(sites or (SITE_1,)))
    return identity_headers(identity) | CSV


ADMIN = staff(GROUP_ADMIN)  # the price list is the group's


def price_file(*rows: str) -> str:
    return HEADER + "".join(f"{row}\n" for row in rows)


@pytest.fixture
async def api(database: str, bootstrap_servers: str, topic_prefix: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        clock=ManualClock(NOW),
        database_url=database,
        kafka=kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}."),
    )
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://c") as client:
        yield client


async def test_import_then_read_a_part_and_the_versions(api: httpx.AsyncClient) -> None:
    body = price_file("90915-YZZE1,机油滤清器 Oil filter,6800,4420,Y,", "A-1,Old filter,6000,4000,Y,90915-YZZE1")
    created = await api.post(f"/sites/{SITE_1}/price-lists?effective_from=2026-03-02", content=body, headers=ADMIN)
    assert created.status_code == 201, created.text
    assert created.json() | {"price_list_id": None} == {
        "price_list_id": None,
        "version": 1,
        "rows": 2,
        "effective_from": "2026-03-02",
    }

    part = await api.get(f"/sites/{SITE_1}/parts-prices/90915-yzze1", headers=staff(TECHNICIAN))
    assert part.status_code == 200, part.text
    assert part.json() == {
        "part_number": "90915-YZZE1",
        "description": "机油滤清器 Oil filter",
        "list_price": 6800,
        "cost": 4420,
        "oem": True,
        "superseded_by": None,
        "price_list_version": 1,
    }
    old = await api.get(f"/sites/{SITE_1}/parts-prices/A-1", headers=staff(ADVISOR))
    assert (old.json()["part_number"], old.json()["superseded_by"]) == ("A-1", "90915-YZZE1")
    followed = await api.get(f"/sites/{SITE_1}/parts-prices/A-1?follow=true", headers=staff(ADVISOR))
    assert (followed.json()["part_number"], followed.json()["list_price"]) == ("90915-YZZE1", 6800)

    listed = await api.get(f"/sites/{SITE_1}/price-lists", headers=staff(ADVISOR))
    assert listed.status_code == 200
    [version] = listed.json()
    assert (version["version"], version["rows"], version["superseded"], version["effective_from"]) == (
        1,
        2,
        1,
        "2026-03-02",
    )
    assert version["price_list_id"] == created.json()["price_list_id"]


async def test_a_part_is_priced_by_the_version_in_force_on_the_date_asked(api: httpx.AsyncClient) -> None:
    for day, price in (("2026-03-02", 1000), ("2026-04-01", 1200)):
        body = price_file(f"P-1,Pads,{price},600,Y,")
        created = await api.post(f"/sites/{SITE_1}/price-lists?effective_from={day}", content=body, headers=ADMIN)
        assert created.status_code == 201, created.text
    on = {
        at: (await api.get(f"/sites/{SITE_1}/parts-prices/P-1?at={at}", headers=staff(ADVISOR))).json()
        for at in ("2026-03-31", "2026-04-01")
    }
    assert (on["2026-03-31"]["list_price"], on["2026-03-31"]["price_list_version"]) == (1000, 1)
    assert (on["2026-04-01"]["list_price"], on["2026-04-01"]["price_list_version"]) == (1200, 2)
    today = await api.get(f"/sites/{SITE_1}/parts-prices/P-1", headers=staff(ADVISOR))
    assert today.json()["list_price"] == 1000, "without `at`: today at the site"
    before = await api.get(f"/sites/{SITE_1}/parts-prices/P-1?at=2026-03-01", headers=staff(ADVISOR))
    assert before.status_code == 404
    unknown = await api.get(f"/sites/{SITE_1}/parts-prices/NOPE", headers=staff(ADVISOR))
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")


async def test_a_bad_file_is_a_422_listing_every_bad_row_and_imports_nothing(api: httpx.AsyncClient) -> None:
    body = price_file(
        "90915-YZZE1,Oil filter,68.00,4420,Y,",  # line 2
        "04465-02220,Pads,48000,31200,N,",  # line 3: good
        "04465-02240,,48000,3.12e4,N,",  # line 4: two errors
        "A-1,One,1,1,Y,A-2",  # line 5
        "A-2,Two,1,1,Y,A-1",  # line 6
    )
    refused = await api.post(f"/sites/{SITE_1}/price-lists?effective_from=2026-03-02", content=body, headers=ADMIN)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "invalid_rows"
    assert error["count"] == 5
    assert [(r["line"], r["field"]) for r in error["rows"]] == [
        (2, "list_price"),
        (4, "description"),
        (4, "cost"),
        (5, "superseded_by"),
        (6, "superseded_by"),
    ]
    assert "decimal point" in error["rows"][0]["reason"]
    listed = await api.get(f"/sites/{SITE_1}/price-lists", headers=staff(ADVISOR))
    assert listed.json() == []
    good = await api.get(f"/sites/{SITE_1}/parts-prices/04465-02220", headers=staff(ADVISOR))
    assert good.status_code == 404, "not even the good rows were imported"


async def test_an_effective_date_before_today_at_the_site_is_a_422(api: httpx.AsyncClient) -> None:
    refused = await api.post(
        f"/sites/{SITE_1}/price-lists?effective_from=2026-03-01", content=price_file("P-1,Pads,1,1,Y,"), headers=ADMIN
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "effective_in_the_past"


async def test_a_retried_import_answers_the_version_it_made(api: httpx.AsyncClient) -> None:
    body = price_file("P-1,Pads,1000,600,Y,")
    url = f"/sites/{SITE_1}/price-lists?effective_from=2026-03-02"
    first = await api.post(url, content=body, headers=ADMIN)
    again = await api.post(url, content=body, headers=ADMIN)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert len((await api.get(f"/sites/{SITE_1}/price-lists", headers=ADMIN)).json()) == 1


@pytest.mark.parametrize("role", [SERVICE_MANAGER, ADVISOR, PARTS_CLERK, TECHNICIAN])
async def test_only_the_group_admin_imports(api: httpx.AsyncClient, role: str) -> None:
    url = f"/sites/{SITE_1}/price-lists?effective_from=2026-03-02"
    refused = await api.post(url, content=price_file("P-1,Pads,1,1,Y,"), headers=staff(role))
    assert refused.status_code == 403
    admin = staff(GROUP_ADMIN)  # a group admin sees every site of the group
    assert (await api.post(url, content=price_file("P-1,Pads,1,1,Y,"), headers=admin)).status_code == 201


async def test_another_group_sees_nothing_of_the_price_list(api: httpx.AsyncClient) -> None:
    await api.post(
        f"/sites/{SITE_1}/price-lists?effective_from=2026-03-02", content=price_file("P-1,Pads,1,1,Y,"), headers=ADMIN
    )
    theirs = staff(ADVISOR, GROUP_B, SITE_B)
    assert (await api.get(f"/sites/{SITE_B}/parts-prices/P-1", headers=theirs)).status_code == 404
    assert (await api.get(f"/sites/{SITE_B}/price-lists", headers=theirs)).json() == []
    # Nor can they name a site of our group.
    assert (await api.get(f"/sites/{SITE_1}/parts-prices/P-1", headers=theirs)).status_code == 403
    # The list is the group's: another site of the group sees it; staff without that site do not.
    assert (
        await api.get(f"/sites/{SITE_2}/parts-prices/P-1", headers=staff(ADVISOR, GROUP_A, SITE_2))
    ).status_code == 200
    assert (await api.get(f"/sites/{SITE_2}/parts-prices/P-1", headers=staff(ADVISOR))).status_code == 403
