"""The booking desk's routes over HTTP, against the stand-in gateway given booking's few routes:
a booking the API refuses comes back as typed with the reason; a command carries the version
the page showed (If-Match); the printed list is streamed with the session's token, the browser's
link naming only the desk's route; a role the screen is not for is refused it and its print; a
declined item's grade and photo are shown in the preparation, the photo fetched through the desk."""

from __future__ import annotations

from typing import Any

import httpx
from desk_helpers import SITE, StandIn, Who, csrf_of, live_regions_read_again, sign_in
from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response

APPOINTMENT = "6f1c2a52-3c1e-4c55-9a43-1f8e0f0b9d11"
FINDING = "0b6f2f0e-8d1e-4f7e-9a51-6a1d3c7e2b10"
MEDIA = "5d0e3b1a-7c2f-4e8a-9b61-2f4c8a1e7d30"
OTHER_SITE = "c3a1f5e2-6b4d-4c8e-a9f7-1e2d3c4b5a60"  # the visit the photo was taken at
SLOT = {"start": "2026-12-08T01:00:00+00:00", "workshop_minutes_left": 240, "advisors": ["advisor-li"]}
SEEN: dict[str, Any] = {}


def refused(status: int, code: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": code}}, status_code=status)


def with_booking(stand_in: StandIn) -> StandIn:
    """Booking's routes the desk calls, ahead of the stand-in's catch-all site resource."""
    SEEN.clear()
    routes = APIRouter(prefix="/api/v1/sites/{site}")

    @routes.get("/capacity")
    async def capacity() -> dict[str, Any]:
        return {
            "timezone": "Asia/Shanghai",
            "opens_at": "08:00",
            "closes_at": "18:00",
            "slot_minutes": 60,
            "advisors": ["advisor-li"],
            "receptions_per_advisor": 1,
            "technicians": 4,
            "bays": 4,
            "workshop_minutes_per_slot": 240,
        }

    @routes.get("/appointment-lists")
    async def day_list() -> dict[str, Any]:
        return {"appointments": []}

    @routes.get("/free-slots")
    async def free_slots(request: Request) -> list[dict[str, Any]]:
        SEEN["free-slots"] = dict(request.query_params)
        return [SLOT]

    @routes.get("/service-menus")
    async def menus() -> list[dict[str, Any]]:
        return [{"menu_id": "magotan-10000", "name_zh": "Magotan 10000公里保养", "name_en": "Magotan 10,000 km"}]

    @routes.post("/appointments")
    async def book(request: Request) -> JSONResponse:
        SEEN["booked"] = await request.json()
        return refused(409, "capacity_exceeded")

    @routes.get("/appointments/{appointment_id}")
    async def appointment(appointment_id: str) -> dict[str, Any]:
        return {
            "appointment_id": appointment_id,
            "status": "booked",
            "reason": "maintenance",
            "reference": None,
            "customer": {"name": "Wang Lei", "phone": "13900000001"},
            "vehicle": {"vin": "LFV2A21K8G3000001", "plate": "京A12345", "model": "Magotan"},
            "requested_jobs": [{"description": "10,000 km service", "estimated_minutes": 45}],
            "customer_words": "",
            "advisor_id": "advisor-li",
            "slot_start": SLOT["start"],
            "estimated_minutes": 45,
            "confirmations": [],
            "confirmation_overdue": False,
            "version": 3,
        }

    @routes.post("/appointments/{appointment_id}/confirm")
    async def confirm(request: Request, if_match: str | None = Header(None)) -> JSONResponse:
        SEEN["confirm"] = (if_match, await request.json())
        return refused(409, "concurrency_conflict")

    @routes.get("/appointments/{appointment_id}/preparation")
    async def preparation(appointment_id: str) -> dict[str, Any]:
        return {
            "appointment_id": appointment_id,
            "history_summary": "",
            "history": [],
            "service_history_more": False,
            "recommendations": [
                {
                    "finding_id": FINDING,
                    "description": "front brake pads at 3 mm",
                    "safety_critical": True,
                    "price": 68000,
                    "severity": "red",
                    "evidence": [
                        {
                            "media_id": MEDIA,
                            "kind": "photo",
                            "content_type": "image/jpeg",
                            "url": f"/api/v1/sites/{OTHER_SITE}/media/{MEDIA}",
                            "thumbnail_url": f"/api/v1/sites/{OTHER_SITE}/media/{MEDIA}/thumbnail",
                        },
                        {
                            "media_id": MEDIA,
                            "kind": "video",
                            "content_type": "video/mp4",
                            "url": f"/api/v1/sites/{OTHER_SITE}/media/{MEDIA}",
                            "thumbnail_url": None,
                        },
                    ],
                }
            ],
            "parts_check": [],
            "parts_ready": True,
            "recorded": None,
        }

    @routes.post("/appointments/{appointment_id}/preparation")
    async def prepare(request: Request, if_match: str | None = Header(None)) -> JSONResponse:
        SEEN["prepared"] = (if_match, await request.json())
        return JSONResponse({}, status_code=201)

    @routes.get("/documents/appointment-list/{day}.pdf")
    async def printed(day: str, request: Request, authorization: str | None = Header(None)) -> Response:
        SEEN["printed"] = (day, authorization, dict(request.query_params))
        return Response(b"%PDF-1.7 the list", media_type="application/pdf")

    @routes.get("/media/{media_id}/thumbnail")
    async def thumbnail(site: str, media_id: str, authorization: str | None = Header(None)) -> Response:
        SEEN["thumbnail"] = (site, media_id, authorization)
        return Response(b"\xff\xd8\xffthumb", media_type="image/jpeg")

    stand_in.serve_first(routes)
    return stand_in


async def signed_in(desk: httpx.AsyncClient, stand_in: StandIn) -> str:
    with_booking(stand_in)
    await sign_in(desk, stand_in)
    return csrf_of((await desk.get("/")).text)


async def test_a_booking_the_api_refuses_comes_back_as_typed_with_the_reason(
    desk: httpx.AsyncClient, stand_in: StandIn
) -> None:
    token = await signed_in(desk, stand_in)
    form = {
        "csrf_token": token,
        "appointment_id": APPOINTMENT,
        "date": "2026-12-08",
        "vehicle.model": "Magotan",
        "menu_id": "magotan-10000",
        "slot": f"{SLOT['start']}|advisor-li",
        "reason": "maintenance",
        "customer.name": "Wang Lei",
        "customer.phone": "13900000001",
        "vehicle.plate": "京A12345",
        "vehicle.vin": "LFV2A21K8G3000001",
        "customer_words": "the brakes squeak",
    }
    answer = await desk.post("/booking/appointments", data=form, headers={"accept-language": "en"})
    assert answer.status_code == 409
    assert "That slot is full" in answer.text
    assert 'value="Wang Lei"' in answer.text
    assert "the brakes squeak</textarea>" in answer.text
    booked = SEEN["booked"]
    assert (booked["slot_start"], booked["advisor_id"]) == (SLOT["start"], "advisor-li")
    assert (booked["menu_id"], booked["vehicle"]["model"], booked["appointment_id"]) == (
        "magotan-10000",
        "Magotan",
        APPOINTMENT,
    )
    assert "requested_jobs" not in booked  # the menu's work, none typed
    assert SEEN["free-slots"] == {"date": "2026-12-08", "menu_id": "magotan-10000", "model_family": "Magotan"}


async def test_a_command_sends_the_version_the_page_showed_and_shows_a_change_made_meanwhile(
    desk: httpx.AsyncClient, stand_in: StandIn
) -> None:
    token = await signed_in(desk, stand_in)
    page = await desk.get(f"/booking/appointments/{APPOINTMENT}", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert 'name="version" value="3"' in page.text
    form = {"csrf_token": token, "version": "3", "confirmation": "day_before", "channel": "phone"}
    answer = await desk.post(
        f"/booking/appointments/{APPOINTMENT}/confirm", data=form, headers={"accept-language": "en"}
    )
    assert SEEN["confirm"] == ("3", {"confirmation": "day_before", "channel": "phone"})
    assert answer.status_code == 409
    assert "Someone else has just changed this record" in answer.text


async def test_the_printed_list_is_streamed_with_the_sessions_token_never_in_a_link(
    desk: httpx.AsyncClient, stand_in: StandIn
) -> None:
    await signed_in(desk, stand_in)
    day = await desk.get("/booking?date=2026-12-08", headers={"accept-language": "zh-CN"})
    assert 'href="/booking/list/2026-12-08.pdf"' in day.text
    assert await live_regions_read_again(desk, day) == ["day-list"]
    assert "token" not in day.text.split('href="/booking/list/', 1)[1].split('"', 1)[0]
    printed = await desk.get("/booking/list/2026-12-08.pdf", headers={"accept-language": "zh-CN"})
    assert printed.status_code == 200
    assert printed.headers["content-type"] == "application/pdf"
    assert printed.content == b"%PDF-1.7 the list"
    listed, authorization, query = SEEN["printed"]
    assert listed == "2026-12-08"
    assert authorization is not None
    assert authorization.startswith("Bearer at-")  # the session's own token
    assert query == {"lang": "zh"}


async def test_a_role_the_booking_desk_is_not_for_is_refused_it_and_its_print(
    desk: httpx.AsyncClient, stand_in: StandIn
) -> None:
    stand_in.who = Who(user_id="tech-zhang", roles=("technician",), site_ids=(SITE,))
    await signed_in(desk, stand_in)
    for path in ("/booking", "/booking/new", "/booking/list/2026-12-08.pdf", f"/booking/appointments/{APPOINTMENT}"):
        assert (await desk.get(path)).status_code == 403, path
    assert "printed" not in SEEN


async def test_a_preparation_records_the_customers_answer_to_each_recommendation_declined_before(
    desk: httpx.AsyncClient, stand_in: StandIn
) -> None:
    token = await signed_in(desk, stand_in)
    page = await desk.get(f"/booking/appointments/{APPOINTMENT}/preparation", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert "front brake pads at 3 mm" in page.text
    assert "¥680.00" in page.text
    assert f'<select id="answer-{FINDING}" name="answer.{FINDING}">' in page.text
    form = {"csrf_token": token, "version": "3", f"answer.{FINDING}": "accepted", "history_summary": " first visit "}
    sent = await desk.post(f"/booking/appointments/{APPOINTMENT}/preparation", data=form)
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/booking/appointments/{APPOINTMENT}/preparation?done=prepared"
    assert SEEN["prepared"] == (
        "3",
        {"answers": [{"finding_id": FINDING, "response": "accepted"}], "history_summary": "first visit"},
    )


async def test_a_declined_items_grade_and_photo_are_shown_the_photo_fetched_through_the_desk(
    desk: httpx.AsyncClient, stand_in: StandIn
) -> None:
    await signed_in(desk, stand_in)
    page = await desk.get(f"/booking/appointments/{APPOINTMENT}/preparation", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert '<span class="severity grade-red" data-severity="red">graded at the last inspection: Now</span>' in page.text
    evidence = f"/booking/evidence/sites/{OTHER_SITE}/media/{MEDIA}"
    assert f'<a href="{evidence}"><img src="{evidence}/thumbnail"' in page.text
    assert page.text.count("<img ") == 1, "a video has no thumbnail to show"
    assert "/api/v1/" not in page.text
    shown = await desk.get(f"{evidence}/thumbnail")
    assert (shown.status_code, shown.content) == (200, b"\xff\xd8\xffthumb")
    assert shown.headers["cache-control"] == "private, no-store"
    site, media, authorization = SEEN["thumbnail"]
    assert (site, media) == (OTHER_SITE, MEDIA)  # asked at the site the photo was taken at
    assert authorization is not None
    assert authorization.startswith("Bearer at-")
    assert (await desk.get("/booking/evidence/sites/not-a-site/media/x/thumbnail")).status_code == 422
