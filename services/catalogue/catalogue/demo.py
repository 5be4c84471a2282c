"""The demo catalogue (`examples/catalogue/`), loaded over HTTP through the gateway like any
client would: the labour-time file for the whole group, the parts price list (when its file is
there), and at each site the labour rates and the service menus.

    async with httpx.AsyncClient(base_url=GATEWAY, headers={"Authorization": f"Bearer {admin}"}) as http:
        await catalogue.demo.load(http, site_ids)

`http` carries a group admin's token (the group-wide files are the group admin's). Loading again
changes nothing: the same file from the same date is the same import, and the same rates or
menu again record nothing. Or from a shell: `python -m catalogue.demo GATEWAY_URL TOKEN SITE...`.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "catalogue"
# Fen per hour. 120.00 CNY an hour prices seed 003's 40-minute 10,000 km service at 80 CNY of labour.
RATES = {"CUSTOMER_PAY": 12000, "WARRANTY": 9000, "INTERNAL": 8000, "DEALER": 12000, "MANUFACTURER": 9000}


async def load(http: httpx.AsyncClient, site_ids: Sequence[str], *, folder: Path = EXAMPLES) -> dict[str, Any]:
    """Load the demo catalogue for the group of `site_ids` (the group-wide files through the first
    site), in force from today at the first site; what each step answered. Load it after the sites'
    capacity is set: the catalogue learns each site's time zone (its "today") from booking."""
    first = site_ids[0]
    csv = {"Content-Type": "text/csv"}
    done: dict[str, Any] = {}
    labour = (folder / "labour_operations.csv").read_bytes()
    imported = await _send(
        http, "POST", first, "labour-operations/imports", params={"scope": "group"}, content=labour, headers=csv
    )
    done["labour_operations"] = imported
    prices = folder / "parts_price_list.csv"
    if prices.exists():
        # The same day as the labour file: today at the first site, as the catalogue counts it.
        done["price_list"] = await _send(
            http, "POST", first, "price-lists", params={"effective_from": imported["effective_from"]},
            content=prices.read_bytes(), headers=csv,
        )  # fmt: skip
    menus: list[dict[str, Any]] = json.loads((folder / "service_menus.json").read_text())
    for site in site_ids:
        await _send(http, "PUT", site, "labour-rates", json={"rates": RATES})
        for menu in menus:
            body = {key: value for key, value in menu.items() if key != "menu_id"}
            await _send(http, "PUT", site, f"service-menus/{menu['menu_id']}", json=body)
    done["sites"] = len(site_ids)
    done["menus"] = len(menus)
    return done


async def _send(http: httpx.AsyncClient, method: str, site: str, path: str, **kwargs: Any) -> Any:
    response = await http.request(method, f"/api/v1/sites/{site}/{path}", **kwargs)
    if response.status_code >= 400:
        raise RuntimeError(f"{method} {path} at site {site}: {response.status_code} {response.text[:500]}")
    return response.json()


async def _main(gateway: str, token: str, site_ids: list[str]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=gateway, headers=headers, timeout=60) as http:
        print(json.dumps(await load(http, site_ids), indent=2, default=str))


if __name__ == "__main__":
    if len(sys.argv) < 4:
        raise SystemExit("usage: python -m catalogue.demo GATEWAY_URL GROUP_ADMIN_TOKEN SITE_ID...")
    asyncio.run(_main(sys.argv[1], sys.argv[2], sys.argv[3:]))
