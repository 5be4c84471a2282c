"""The group's site directory over HTTP, on a real PostgreSQL: the group's administrator names
its sites in Chinese and English; `GET /sites` lists a caller's sites with their names — every
site of the group for the administrator (one named after their token was issued too), only the
account's sites for anyone else, never another group's."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from booking.app import create_app
from events.identity import ADVISOR, GROUP_ADMIN, SERVICE_MANAGER, Identity
from events.testing import kafka_for_tests
from events.testing.identity import identity_headers

GROUP, OTHER_GROUP = str(uuid.uuid4()), str(uuid.uuid4())
NORTH, SOUTH, LATER = (str(uuid.uuid4()) for _ in range(3))


def as_(role: str, *sites: str, group: str = GROUP) -> dict[str, str]:
    return identity_headers(Identity(f"{role}-1", "Gao Lan", group, frozenset({role}), frozenset(sites)))


ADMIN = as_(GROUP_ADMIN)


@pytest.fixture
async def api(database: str, bootstrap_servers: str, topic_prefix: str) -> AsyncIterator[httpx.AsyncClient]:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    app = create_app(database_url=database, kafka=kafka)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://b") as http:
        yield http


async def name(api: httpx.AsyncClient, site: str, zh: str, en: str, headers: dict[str, str] = ADMIN) -> httpx.Response:
    return await api.put(f"/sites/{site}/site-profile", json={"name_zh": zh, "name_en": en}, headers=headers)


async def test_the_group_admin_names_sites_and_each_caller_lists_theirs(api: httpx.AsyncClient) -> None:
    named = await name(api, NORTH, "北京北店", "Beijing North")
    assert named.status_code == 200, named.text
    assert (named.json()["name_zh"], named.json()["name_en"], named.json()["named_by"]) == (
        "北京北店", "Beijing North", "group_admin-1",
    )  # fmt: skip
    assert (await name(api, SOUTH, "北京南店", "Beijing South")).status_code == 200
    assert (await name(api, str(uuid.uuid4()), "别家店", "Elsewhere", as_(GROUP_ADMIN, group=OTHER_GROUP))).is_success

    manager = as_(SERVICE_MANAGER, NORTH, LATER)
    mine = await api.get("/sites", headers=manager)
    assert mine.status_code == 200, mine.text
    assert mine.json() == [
        {"site_id": NORTH, "name_zh": "北京北店", "name_en": "Beijing North"},
        {"site_id": LATER, "name_zh": None, "name_en": None},  # on the account, not named yet: by id
    ], "a manager of some sites lists theirs only"

    everything = await api.get("/sites", headers=ADMIN)
    assert [s["name_en"] for s in everything.json()] == ["Beijing North", "Beijing South"]

    # A site the group adds later is in the group's "all sites" at once, with no new token.
    assert (await name(api, LATER, "北京新店", "Beijing New")).status_code == 200
    assert [s["name_en"] for s in (await api.get("/sites", headers=ADMIN)).json()] == [
        "Beijing New", "Beijing North", "Beijing South",
    ]  # fmt: skip
    names = {s["site_id"]: s["name_zh"] for s in (await api.get("/sites", headers=manager)).json()}
    assert names == {NORTH: "北京北店", LATER: "北京新店"}


async def test_only_the_group_admin_names_a_site_and_a_name_is_not_blank(api: httpx.AsyncClient) -> None:
    for role in (SERVICE_MANAGER, ADVISOR):
        refused = await name(api, NORTH, "北京北店", "Beijing North", as_(role, NORTH))
        assert refused.status_code == 403, (role, refused.text)
    blank = await api.put(f"/sites/{NORTH}/site-profile", json={"name_zh": " ", "name_en": "x"}, headers=ADMIN)
    assert blank.status_code == 422
    assert [f["field"] for f in blank.json()["error"]["fields"]] == ["body.name_zh"]
    unknown = await api.get(f"/sites/{NORTH}/site-profile", headers=as_(ADVISOR, NORTH))
    assert unknown.status_code == 404, "not named yet"
    assert (await name(api, NORTH, "北京北店", "Beijing North")).status_code == 200
    read = await api.get(f"/sites/{NORTH}/site-profile", headers=as_(ADVISOR, NORTH))
    assert read.json()["name_en"] == "Beijing North"
    assert (await api.get(f"/sites/{NORTH}/site-profile", headers=as_(ADVISOR, SOUTH))).status_code == 403
