"""A declined finding comes back at the car's next preparation with its grade and photos: booking
hears the grade and media from workshop's report of the finding, and the decline from reception —
on two topics, in either order."""

from __future__ import annotations

import uuid
from typing import Any

from test_api import SA, SITE, START, Booking, booking, declined  # noqa: F401 (booking: the fixture)

from events.catalog.reception_values import RepairLine
from events.catalog.workshop import AdditionalWorkFound, Finding, MediaRef
from events.testing import eventually


def found(ro: uuid.UUID, finding: uuid.UUID, media: tuple[MediaRef, ...]) -> AdditionalWorkFound:
    line = RepairLine(
        line_id=uuid.uuid4(),
        labour_operation="BRK-PAD",
        description="front brake pads",
        labour_minutes=60,
        labour_price=20000,
        pay_type="CUSTOMER_PAY",
        origin="additional_work",
    )
    return AdditionalWorkFound(
        repair_order_id=ro,
        round=1,
        findings=(
            Finding(
                finding_id=finding,
                description="front brake pads at 3 mm",
                safety_critical=True,
                proposed_lines=(line,),
                extra_minutes=60,
                severity="red",
                media=media,
            ),
        ),
        reported_by="tech-1",
        found_at=START,
    )


async def test_a_declined_red_item_comes_back_with_its_photo(booking: Booking) -> None:  # noqa: F811
    earlier, finding, appointment = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    photo = MediaRef(media_id=uuid.uuid4(), kind="photo", content_type="image/jpeg")
    video = MediaRef(media_id=uuid.uuid4(), kind="video", content_type="video/mp4")
    # The decline first, the workshop's report after: the evidence still joins the offer.
    await booking.publish((f"repair_order-{earlier}", declined(earlier, finding)))
    assert (await booking.book(appointment_id=str(appointment))).status_code == 201
    await booking.publish((f"work_order-{earlier}", found(earlier, finding, (photo, video))))

    async def offers() -> list[dict[str, Any]]:
        view = await booking.http.get(f"/sites/{SITE}/appointments/{appointment}/preparation", headers=SA)
        rows: list[dict[str, Any]] = view.json()["recommendations"]
        return rows

    (offer,) = await eventually(
        offers, until=lambda rows: bool(rows) and bool(rows[0]["evidence"]), what="the offer with its evidence"
    )
    assert (offer["finding_id"], offer["severity"]) == (str(finding), "red")
    media = f"/api/v1/sites/{SITE}/media"
    assert offer["evidence"] == [
        {
            "media_id": str(photo.media_id),
            "kind": "photo",
            "content_type": "image/jpeg",
            "url": f"{media}/{photo.media_id}",
            "thumbnail_url": f"{media}/{photo.media_id}/thumbnail",
        },
        {
            "media_id": str(video.media_id),
            "kind": "video",
            "content_type": "video/mp4",
            "url": f"{media}/{video.media_id}",
            "thumbnail_url": None,
        },
    ]


async def test_a_finding_reported_before_the_inspection_has_no_evidence_and_its_grade_by_safety(
    booking: Booking,  # noqa: F811
) -> None:
    earlier, finding, appointment = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await booking.publish((f"repair_order-{earlier}", declined(earlier, finding)))
    assert (await booking.book(appointment_id=str(appointment))).status_code == 201

    async def offers() -> list[dict[str, Any]]:
        view = await booking.http.get(f"/sites/{SITE}/appointments/{appointment}/preparation", headers=SA)
        rows: list[dict[str, Any]] = view.json()["recommendations"]
        return rows

    (offer,) = await eventually(offers, what="the offer")
    assert (offer["severity"], offer["evidence"]) == (None, [])
