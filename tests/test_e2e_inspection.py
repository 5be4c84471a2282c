"""End to end through the gateway, every service a real process: the digital inspection's evidence
carried forward. A car is inspected (a red item measured and photographed from the tablet — the
photo carries a GPS position), the inspection completes into findings, the customer declines the
red one, and when the car is booked again the appointment's preparation offers the declined item
with its grade and its photo — which the advisor opens through the gateway, without the position.
The holder of the RO's approval link sees the photo at the public route; another RO's link does not."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from dealership import CAPACITY, book, consent, line, login, running, signed_and_handed_over, typed
from PIL import Image

from events.links import LinkClaims, sign_link
from events.settings import Settings
from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
VIN = "LSVAU2180N2000077"
GPS_IFD = 0x8825


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    media = tmp_path_factory.mktemp("media")  # the workshop's media store: a folder of this run's
    with running(["booking", "catalogue", "reception", "workshop"], {"MEDIA_PATH": str(media)}) as started:
        yield started


def photo() -> bytes:
    image = Image.new("RGB", (1024, 768), (150, 40, 40))
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def approval_link(ro: str) -> str:
    """A link as reception mints it for the customer's approval of this RO's findings (same secret:
    the local development one every service of the run uses)."""
    expires = datetime.now(UTC) + timedelta(days=1)
    claims = LinkClaims(purpose="approval", site_id=SITE, subject=ro, scope="round-1", expires_at=expires)
    return sign_link(claims, Settings().link_key)


async def test_a_declined_red_item_comes_back_with_its_photo_in_the_next_appointments_preparation(
    gateway: httpx.AsyncClient,
) -> None:
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    dispatcher = await login(gateway, GROUP, SITE, "dispatcher")
    tech = await login(gateway, GROUP, SITE, "technician", "tech-zhang")
    await dispatcher.ok("PUT", "capacity", CAPACITY)
    work = typed(line("oil service", 12000, "OIL-FILTER", 1, 5000), "diagnosed: not on the menu")
    ro = await signed_and_handed_over(advisor, work, promised_in=timedelta(hours=3), vin=VIN)
    other_ro = await signed_and_handed_over(advisor, work, promised_in=timedelta(hours=3), vin="LSVAU2180N2000078")
    await dispatcher.until(f"work-orders/{ro}", lambda w: w["key_tag"] == "K-42", "the work order")

    # The technician's inspection: everything fine but the front pads, measured and photographed.
    inspection = f"work-orders/{ro}/inspection"
    opened = await tech.ok("POST", inspection, {}, status=201)
    assert len(opened["items"]) == 30
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
    media_id = uploaded.json()["media"]["media_id"]
    done = await tech.ok("POST", f"{inspection}/complete", {})
    (pads,) = done["findings"]
    assert pads["item_id"] == "brake_pads_front"

    # The advisor has the finding, graded red with its photo; the customer declines it.
    found = await advisor.until(f"repair-orders/{ro}", lambda r: bool(r["findings"]), "the finding at the desk")
    (finding,) = found["findings"]
    assert finding["finding_id"] == pads["finding_id"]
    assert finding["safety_critical"] is True
    decline = {"consent": consent("advisor-li"), "customer_reason": "next month", "safety_explained": True}
    await advisor.ok("POST", f"repair-orders/{ro}/additional-work/{pads['finding_id']}/decline", decline)

    # The customer's approval link shows this RO's photo, and another RO's link does not.
    public = f"/api/v1/public/media/{approval_link(ro)}/{media_id}"
    seen = await gateway.get(public)
    assert (seen.status_code, seen.headers["content-type"]) == (200, "image/jpeg")
    assert "authorization" not in {k.lower() for k in seen.request.headers}
    stranger = await gateway.get(f"/api/v1/public/media/{approval_link(other_ro)}/{media_id}")
    assert (stranger.status_code, stranger.json()["error"]["code"]) == (404, "link_invalid")

    # The car is booked again: its preparation offers the pads, red, with the photo's thumbnail.
    appointment = await book(advisor, vin=VIN, advisor_id="advisor-ma")
    prepared = await advisor.until(
        f"appointments/{appointment['appointment_id']}/preparation",
        lambda p: any(r["evidence"] for r in p["recommendations"]),
        "the declined pads with their photo in the preparation",
    )
    (offer,) = prepared["recommendations"]
    assert (offer["finding_id"], offer["severity"], offer["safety_critical"]) == (pads["finding_id"], "red", True)
    assert offer["description"] == "Brake pads, front: worn to the indicator"
    (evidence,) = offer["evidence"]
    assert (evidence["media_id"], evidence["kind"]) == (media_id, "photo")
    thumbnail = await gateway.get(evidence["thumbnail_url"], headers=advisor.headers)
    assert (thumbnail.status_code, thumbnail.headers["content-type"]) == (200, "image/jpeg")
    with Image.open(io.BytesIO(thumbnail.content)) as small:
        assert max(small.size) == 320
    full = await gateway.get(evidence["url"], headers=advisor.headers)
    with Image.open(io.BytesIO(full.content)) as stored:
        assert stored.size == (1024, 768)
        assert not stored.getexif().get_ifd(GPS_IFD)

    # The next inspection of the car shows the pads as last time: red, 2.0 mm, declined, with the photo.
    await dispatcher.until(f"work-orders/{ro}", lambda w: not w["pending_findings"], "the decline at the workshop")
    next_ro = await signed_and_handed_over(advisor, work, promised_in=timedelta(hours=3), vin=VIN)
    await dispatcher.until(f"work-orders/{next_ro}", lambda w: w["key_tag"] == "K-42", "the next work order")
    again = await tech.ok("POST", f"work-orders/{next_ro}/inspection", {}, status=201)
    assert again["previous_repair_order_id"] == ro
    last = next(i for i in again["items"] if i["item_id"] == "brake_pads_front")["previous"]
    assert (last["grade"], last["measured"], last["declined"]) == ("red", 2.0, True)
    assert [m["media_id"] for m in last["media"]] == [media_id]
