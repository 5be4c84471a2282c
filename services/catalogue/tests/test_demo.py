"""The demo catalogue in examples/catalogue/ is valid and loads (twice: the second changes nothing)."""

from __future__ import annotations

import json
from typing import Any

import httpx
from api_helpers import ADMIN, OTHER_SITE, SA, SITE, Service

from catalogue import demo
from catalogue.domain.labour_file import read_labour_file
from catalogue.schemas import MenuBody


def test_the_demo_files_are_valid() -> None:
    file = read_labour_file((demo.EXAMPLES / "labour_operations.csv").read_bytes())
    assert file.codes >= 24
    assert {op.model_family for op in file.operations} == {"*", "Camry", "Corolla", "Magotan"}
    menus = json.loads((demo.EXAMPLES / "service_menus.json").read_text())
    codes = {op.code for op in file.operations}
    for menu in menus:
        body = MenuBody.model_validate({k: v for k, v in menu.items() if k != "menu_id"})
        assert {item.labour_operation for item in body.items} <= codes
    assert sorted({m["interval_km"] for m in menus}) == [5000, 10000, 20000, 40000]


def through_the_gateway(app: Any) -> httpx.AsyncClient:
    """A client that calls the service as the gateway would serve it (`/api/v1` + the service's path)."""

    async def gateway(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            path = scope["path"].removeprefix("/api/v1")
            scope = {**scope, "path": path, "raw_path": path.encode()}
        await app(scope, receive, send)

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://gateway", headers=ADMIN)


async def test_the_demo_loads_for_every_site_and_loading_again_changes_nothing(service: Service) -> None:
    async with through_the_gateway(service.app) as http:
        loaded = await demo.load(http, [SITE, OTHER_SITE])
        count = await service.app.state.runtime.pool.fetchval("SELECT count(*) FROM events")
        await demo.load(http, [SITE, OTHER_SITE])
        assert await service.app.state.runtime.pool.fetchval("SELECT count(*) FROM events") == count
    assert loaded["labour_operations"]["rows"] == 57
    due = await service.call("GET", "/service-menus/next", SA, params={"model_family": "Camry", "mileage_km": 9500})
    assert (due["menu_id"], due["due_km"]) == ("camry-10000", 10000)
    oil = await service.call("POST", "/quotes", SA, json={"model_family": "Camry", "pay_type": "CUSTOMER_PAY",
                                                          "labour_operations": ["OIL01"]})  # fmt: skip
    assert oil["total"] == 8000  # seed 003: 80 CNY of labour for the 10,000 km service
