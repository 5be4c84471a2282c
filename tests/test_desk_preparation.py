"""The next visit's preparation at the booking desk, in a real headless Chromium beside booking,
the catalogue, reception, the workshop and the gateway as processes. Set up through the API by
the people whose work it is (as `test_e2e_inspection` does): the technician inspects a car, the
front pads red, measured and photographed; the customer declines them; the car is booked again.
Then the advisor, by clicking only, opens the new appointment's preparation and sees the pads
come back graded red (in colour and words) with the photo's thumbnail loaded through the desk
(the browser never holds the token), and the photo itself behind it — in English and in Chinese.
Every page is checked by axe-core; screenshots go to var/screenshots/desk/. Over HTTP: the
desk's address of a photo refuses a role the booking desk is not for."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from browser import Desk, accessible, desk_beside, new_page, sign_in
from dealership import CAPACITY, book, consent, line, login, signed_and_handed_over, typed
from playwright.async_api import Browser, expect
from test_desk_sign_in import signed_in_over_http
from test_e2e_inspection import photo

from events.testing import eventually
from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
VIN = "LSVAU2180N2000091"
ADVISOR = "advisor-ma"
PADS = "Brake pads, front: worn to the indicator"


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningSystem, Desk]]:
    media = tmp_path_factory.mktemp("media")  # the workshop's media store: a folder of this run's
    with desk_beside(["booking", "catalogue", "reception", "workshop"], {"MEDIA_PATH": str(media)}) as both:
        yield both


async def declined_red_pads_booked_again(gateway: httpx.AsyncClient) -> dict[str, Any]:
    """The pads inspected red with a photo, declined, and the car booked again with `ADVISOR`:
    the new appointment, once its preparation offers the pads with their photo."""
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    dispatcher = await login(gateway, GROUP, SITE, "dispatcher")
    tech = await login(gateway, GROUP, SITE, "technician", "tech-zhang")
    await dispatcher.ok("PUT", "capacity", CAPACITY)
    work = typed(line("oil service", 12000, "OIL-FILTER", 1, 5000), "diagnosed: not on the menu")
    ro = await signed_and_handed_over(advisor, work, promised_in=timedelta(hours=3), vin=VIN)
    await dispatcher.until(f"work-orders/{ro}", lambda w: w["key_tag"] == "K-42", "the work order")
    inspection = f"work-orders/{ro}/inspection"
    opened = await tech.ok("POST", inspection, {}, status=201)
    for item in opened["items"]:
        body: dict[str, Any] = {"grade": "green"}
        if item["item_id"] == "brake_pads_front":
            body = {"grade": "red", "measured": 2.0, "note": "worn to the indicator"}
        elif item["measure"] != "none":
            body["measured"] = 8 if item["measure"] != "battery_health_pct" else 85
        await tech.ok("PUT", f"{inspection}/items/{item['item_id']}", body)
    uploaded = await gateway.post(
        f"/api/v1/sites/{SITE}/{inspection}/items/brake_pads_front/media",
        files={"file": ("pads.jpg", photo(), "image/jpeg")},
        headers=tech.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    (pads,) = (await tech.ok("POST", f"{inspection}/complete", {}))["findings"]
    await advisor.until(f"repair-orders/{ro}", lambda r: bool(r["findings"]), "the finding at the desk")
    decline = {"consent": consent("advisor-li"), "customer_reason": "next month", "safety_explained": True}
    await advisor.ok("POST", f"repair-orders/{ro}/additional-work/{pads['finding_id']}/decline", decline)
    appointment: dict[str, Any] = await book(advisor, vin=VIN, advisor_id=ADVISOR)
    await advisor.until(
        f"appointments/{appointment['appointment_id']}/preparation",
        lambda p: any(r["evidence"] for r in p["recommendations"]),
        "the declined pads with their photo in the preparation",
    )
    return appointment


async def test_the_advisor_sees_the_declined_red_pads_with_their_photo_in_the_next_visits_preparation(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient
) -> None:
    appointment = await declined_red_pads_booked_again(gateway)
    page = await new_page(browser, language="en-US")
    await sign_in(page, desk, name=ADVISOR, role="advisor", group=GROUP, sites=[SITE])
    await page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Booking").click()
    row = page.locator("#day-list").locator(f'[data-appointment="{appointment["appointment_id"]}"]')
    await row.get_by_role("link", name="Prepare").click()
    await expect(page.get_by_role("heading", name="Preparation 沪B88888", level=1)).to_be_visible()

    # the pads, red in colour and in words, with last visit's photo loaded through the desk
    offer = page.locator("[data-recommendation]")
    await expect(offer).to_have_count(1)
    await expect(offer.locator("label")).to_contain_text(PADS)
    await expect(offer.locator('[data-severity="red"]')).to_have_text("graded at the last inspection: Now")
    assert "grade-red" in (await offer.get_attribute("class") or "")
    thumbnail = offer.get_by_role("img", name=f"{PADS} at the last visit, photo 1")
    await expect(thumbnail).to_be_visible()
    loaded = "img => img.complete ? img.naturalWidth : 0"
    await eventually(lambda: thumbnail.evaluate(loaded), until=lambda width: width > 0, what="the thumbnail loaded")
    source = await thumbnail.get_attribute("src") or ""
    assert source.startswith(f"/booking/evidence/sites/{SITE}/media/")
    assert source.endswith("/thumbnail")
    await accessible(page, "booking-preparation-evidence")

    # a click opens the photo itself, full size, from the desk's own address (no token in it)
    await offer.get_by_role("link").click()
    await page.wait_for_url(f"{desk.url}/booking/evidence/sites/{SITE}/media/*")
    assert "/api/v1/" not in page.url
    full = "() => document.images[0]?.naturalWidth ?? 0"
    await eventually(lambda: page.evaluate(full), until=lambda width: width == 1024, what="the photo, full size")
    await page.go_back()

    # in Chinese: the same item, 需处理
    await page.get_by_role("link", name="中文").click()
    await expect(page.get_by_role("heading", name="预约准备 沪B88888", level=1)).to_be_visible()
    await expect(page.locator('[data-severity="red"]')).to_have_text("上次检查:需处理")
    await expect(page.get_by_role("img", name=f"{PADS}上次的照片 1")).to_be_visible()
    await accessible(page, "booking-preparation-evidence-zh")
    await page.context.close()


async def test_the_desks_address_of_a_photo_is_refused_to_a_role_the_booking_desk_is_not_for(desk: Desk) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        await signed_in_over_http(client, desk, name="tech-zhang", role="technician", group=GROUP, sites=[SITE])
        refused = await client.get(
            f"{desk.url}/booking/evidence/sites/{SITE}/media/{uuid.uuid4()}/thumbnail",
            headers={"accept-language": "en"},
        )
        assert refused.status_code == 403
