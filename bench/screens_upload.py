"""The screen benchmark's tablet upload: a 5 MB photo taken on the technician's tablet and sent
from the inspection screen, timed from the click on "upload" until the screen shows it stored —
through the desk, the gateway and the workshop, which decodes it, writes it again without its
metadata, makes its thumbnail and keeps both in the media store (a folder of the run's).

A car is put in the workshop through the API first (the advisor's check-in to hand-over, a line
typed by hand), its inspection opened; each run uploads to the next item of its checklist.
"""

from __future__ import annotations

import io
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import httpx
from PIL import Image
from playwright.async_api import ViewportSize, async_playwright

from bench.screens import GROUP, SITE, WAIT_MS, Measured, chromium, first_paint, sign_in, timed
from events.testing.waiting import eventually

TABLET: ViewportSize = {"width": 1280, "height": 800}  # a technician's 10-inch tablet, landscape
PHOTO_BYTES = 5 * 1024 * 1024
NEEDS = ("reception", "workshop")


def possible(services: Sequence[str]) -> bool:
    return all(service in services for service in NEEDS)


def five_mb_photo() -> bytes:
    """A camera-sized JPEG of at least 5 MB: noise does not compress, as a sharp photo barely does."""
    rng = random.Random(42)
    side = 1600
    while True:
        pixels = rng.randbytes(side * side * 3 // 4 * 3)
        image = Image.frombytes("RGB", (side, side * 3 // 4), pixels)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=92)
        if out.tell() >= PHOTO_BYTES:
            return out.getvalue()
        side += 400


async def car_in_workshop(gateway_url: str) -> str:
    """A walk-in car checked in, estimated (one typed line), signed and handed to the workshop."""
    person = {"user_id": "advisor-li", "name": "Bench", "group_id": GROUP, "roles": ["advisor"], "site_ids": [SITE]}
    async with httpx.AsyncClient(base_url=f"{gateway_url}/api/v1/sites/{SITE}/", timeout=60) as http:
        token = (await http.post(f"{gateway_url}/auth/dev-token", json=person)).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"

        async def ok(path: str, body: dict[str, Any]) -> Any:
            answer = await http.post(path, json=body)
            if answer.is_error:
                raise RuntimeError(f"{path}: {answer.status_code} {answer.text}")
            return answer.json()

        now = datetime.now(UTC)
        visit = {
            "arrival_kind": "walk_in",
            "customer": {"name": "Bench Wang", "phone": "13900000042"},
            "vehicle": {"vin": "LFV2A21K8G3099999", "plate": "沪B00042", "model": "Magotan"},
            "customer_waiting": False,
            "contact_phone": "13900000042",
            "arrived_at": now.isoformat(),
        }
        ro = str((await ok("repair-orders", visit))["repair_order_id"])
        await ok(f"repair-orders/{ro}/walk-around", {"mileage_km": 30125, "fuel_eighths": 4,
                 "valuables_reminded": True, "protective_covers_fitted": True})  # fmt: skip
        concern = {"customer_words": "service", "what": "service", "when": "always", "where": "-", "who": "driver",
                   "how_often": "always", "read_back_confirmed": True}  # fmt: skip
        await ok(f"repair-orders/{ro}/concerns", concern)
        line = {"line_id": str(uuid.uuid4()), "labour_operation": "OIL-SVC", "description": "oil service",
                "labour_minutes": 45, "labour_price": 12000, "pay_type": "CUSTOMER_PAY", "parts": [],
                "reason": "sublet: the catalogue has no such work"}  # fmt: skip
        estimate = {"lines": [line], "promised_at": (now + timedelta(hours=3)).isoformat(),
                    "payment_method": "card", "old_parts": "discard", "wash": False}  # fmt: skip
        await ok(f"repair-orders/{ro}/estimate", estimate)
        await ok(f"repair-orders/{ro}/sign", {"signature_ref": "bench"})
        await ok(f"repair-orders/{ro}/hand-over", {"key_tag": "K-1"})

        async def received() -> bool:
            answer = await http.get(f"work-orders/{ro}")
            return answer.status_code == 200 and answer.json()["key_tag"] is not None

        # The workshop opens the work order from reception's events: the inspection waits for it.
        await eventually(received, timeout=60, what=f"the work order of {ro}")
        return ro


async def measure_upload(desk_url: str, gateway_url: str, runs: int) -> Measured:
    ro = await car_in_workshop(gateway_url)
    photo = five_mb_photo()
    action = f"upload a {len(photo) / 2**20:.1f} MB photo from the tablet"
    found = Measured("inspection upload", "/inspection/{repair_order_id}", action, [], [])
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            context = await browser.new_context(viewport=TABLET, locale="zh-CN", timezone_id="Asia/Shanghai")
            page = await context.new_page()
            await sign_in(page, desk_url)
            url = f"{desk_url}/inspection/{ro}"
            await page.goto(url, wait_until="load")
            await page.locator("[data-open]").click()
            await page.locator("[data-summary]").wait_for(timeout=WAIT_MS)
            for run in range(runs + 1):  # the first is the warm-up
                paint = await first_paint(page, url)
                form = page.locator("form[data-upload]").nth(run)
                item = await form.evaluate("f => f.closest('[data-item]').id")
                await form.locator("input[type=file]").set_input_files(
                    {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": photo}
                )

                button = form.locator("button[type=submit]")
                shown = page.locator(f"#{item} [data-media] img").first
                took = await timed(button.click, partial(shown.wait_for, timeout=WAIT_MS))
                if run:
                    found.paints.append(paint)
                    found.clicks.append(took)
            await context.close()
        finally:
            await browser.close()
    print(f"inspection upload: {len(photo)} bytes, median {sorted(found.clicks)[len(found.clicks) // 2]:.0f} ms")
    return found
