"""Customers who book themselves on the dealer's website (the portal's `/book/{site}` posts to
booking's public API), for a time within the next day: nobody confirmed it on the phone, so
booking sends the day-before confirmation with its link at once (docs/portal.md). Some of them
open the link from their SMS and confirm."""

from __future__ import annotations

import asyncio
import random
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from simulator.actors import Stats
from simulator.group import Customer, Site, customer

LINK_PATIENCE = 60.0  # seconds for the confirmation to reach the SMS receiver
_LINK = re.compile(r"https?://[\x21-\x7e]+")  # a link ends at a space or the (Chinese) text after it


async def self_book(client: httpx.AsyncClient, site: Site, who: Customer, stats: Stats) -> str | None:
    """The earliest free general maintenance time from now on: the appointment's id (None: no time free)."""
    path = f"/api/v1/public/self-booking/{site.site_id}"
    today = datetime.now(UTC).date()
    for day in (today, today + timedelta(days=1)):
        slots = await _json(client, "GET", f"{path}/free-slots", stats, params={"date": day.isoformat()})
        if slots["slots"]:
            break
    else:
        return None
    appointment = str(uuid.uuid4())
    body = {
        "appointment_id": appointment,
        "service": "maintenance",
        "slot_start": slots["slots"][0],
        "name": who.name,
        "phone": who.phone,
        "plate": who.plate,
        "vin": who.vin,
        "model": who.model,
        "customer_words": "the usual service, please",
    }
    await _json(client, "POST", f"{path}/appointments", stats, json=body, expect=201)
    stats.happened["self_bookings"] += 1
    return appointment


async def confirm_from_the_message(client: httpx.AsyncClient, standins: str, who: Customer, stats: Stats) -> None:
    """The customer opens the confirmation's link from their SMS and confirms."""
    link = await _link_in_messages(standins, who.phone, "/appointment/")
    token = link.rstrip("/").rsplit("/", 1)[-1]
    await _json(client, "POST", f"/api/v1/public/appointment-links/{token}/confirm", stats, json={})
    stats.happened["confirmed_from_the_link"] += 1


async def self_bookings(
    client: httpx.AsyncClient, sites: tuple[Site, ...], per_site: int, standins: str, stats: Stats, seed: int
) -> None:
    """`per_site` customers book themselves at each site; the first at each confirms from the link."""
    rng = random.Random(f"{seed}-self-booking-{time.time_ns()}")
    for site in sites:
        for number in range(per_site):
            who = customer(rng)
            if await self_book(client, site, who, stats) and number == 0:
                await confirm_from_the_message(client, standins, who, stats)


async def _link_in_messages(standins: str, to: str, marker: str) -> str:
    deadline, found = time.monotonic() + LINK_PATIENCE, ""
    async with httpx.AsyncClient(timeout=30) as receivers:
        while not found:
            rows = (await receivers.get(f"{standins}/messages/admin/received", params={"to": to})).json()
            words = [link for row in rows for link in _LINK.findall(str(row.get("body", ""))) if marker in link]
            found = words[0] if words else ""
            if not found and time.monotonic() > deadline:
                raise RuntimeError(f"no message with a {marker} link reached {to} in {LINK_PATIENCE:.0f} s")
            if not found:
                await asyncio.sleep(0.5)  # polling the receiver, as a customer glances at the phone
    return found


async def _json(
    client: httpx.AsyncClient, method: str, url: str, stats: Stats, expect: int = 200, **kwargs: Any
) -> Any:
    started = time.perf_counter()
    response = await client.request(method, url, **kwargs)
    if method != "GET":
        stats.command(time.perf_counter() - started)
    if response.status_code != expect:
        stats.errors.append(f"{method} {url.split('/api/v1/')[-1][:60]}: {response.status_code} {response.text[:300]}")
        raise RuntimeError(f"{method} {url}: {response.status_code}")
    return response.json()
