"""The inspection screen over plain HTTP, its calls answered by a stand-in of the workshop's
inspection routes: the cars listed live, each with its inspection's state; refused to a role the
API refuses; a grade sent as the API's body (the button
pressed, the value as typed, a decimal comma read as a point); the workshop's refusal shown beside
the item with what was typed; a photo passed on as the multipart upload the workshop takes; and
the photos shown back through the desk, never cached."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from desk_helpers import StandIn, live_regions_read_again, signed_in_as
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

RO = "0b7f7c9e-4d1a-4f0e-9a53-5d4f1c2e8a10"
MEDIA = "7a1c0c9e-1d1a-4f0e-9a53-5d4f1c2e8a77"


def item(item_id: str, label: str, measure: str = "none", grade: str | None = None) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "area": "tyres",
        "label": label,
        "measure": measure,
        "safety_critical": True,
        "grade": grade,
        "note": "",
        "measured": None,
        "media": [],
        "previous": None,
    }


class Inspection:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, Any]] = []
        self.answer: tuple[int, dict[str, Any]] | None = None
        self.view: dict[str, Any] = {
            "repair_order_id": RO,
            "version": 3,
            "status": "open",
            "vin": "LFV2A21K8G3045678",
            "template_id": "default-30-point",
            "template_name": "30-point check",
            "previous_repair_order_id": None,
            "green": 0,
            "yellow": 0,
            "red": 0,
            "ungraded": 2,
            "findings": [],
            "items": [item("tyre_front_left", "Tyre, front left", "tread_depth_mm"), item("horn", "Horn")],
        }

    def routes(self) -> APIRouter:
        router = APIRouter(prefix="/api/v1/sites/{site}")

        @router.get("/work-orders")
        async def floor() -> list[dict[str, Any]]:
            return [{"repair_order_id": RO, "plate": "沪B88888", "vin": self.view["vin"], "stage": "in_progress"}]

        @router.get("/work-orders/{ro}/inspection")
        async def inspection(ro: str) -> dict[str, Any]:
            return self.view

        @router.get("/repair-orders/{ro}")
        async def repair_order(ro: str) -> dict[str, Any]:
            return {"vehicle": {"plate": "沪B88888"}, "concerns": []}

        @router.put("/work-orders/{ro}/inspection/items/{item_id}")
        async def grade(ro: str, item_id: str, request: Request) -> JSONResponse:
            self.sent.append(("PUT", item_id, await request.json()))
            status, body = self.answer or (200, self.view)
            return JSONResponse(body, status_code=status)

        @router.post("/work-orders/{ro}/inspection/items/{item_id}/media")
        async def upload(ro: str, item_id: str, request: Request) -> JSONResponse:
            form = await request.form()
            sent = form["file"]
            assert not isinstance(sent, str)
            self.sent.append(("media", item_id, (sent.filename, sent.content_type, await sent.read())))
            return JSONResponse({"media": {"media_id": MEDIA}}, status_code=201)

        @router.get("/media/{media_id}/thumbnail")
        async def thumbnail(media_id: str) -> Response:
            return Response(b"\xff\xd8\xffthumb", media_type="image/jpeg")

        return router


@pytest.fixture
def workshop(stand_in: StandIn) -> Inspection:
    """The inspection's routes ahead of the stand-in's catch-all of a site's resources."""
    floor = Inspection()
    stand_in.serve_first(floor.routes())
    return floor


async def as_(desk: httpx.AsyncClient, stand_in: StandIn, user: str, role: str) -> str:
    return await signed_in_as(desk, stand_in, role, user)


@pytest.mark.parametrize("role", ["advisor", "qc_inspector", "parts_clerk"])
async def test_the_inspection_is_refused_to_a_role_the_api_refuses(
    desk: httpx.AsyncClient, stand_in: StandIn, workshop: Inspection, role: str
) -> None:
    token = await as_(desk, stand_in, "someone", role)
    assert 'href="/inspection"' not in (await desk.get("/")).text
    assert (await desk.get(f"/inspection/{RO}")).status_code == 403
    graded = await desk.post(f"/inspection/{RO}/items/horn", data={"csrf_token": token, "grade": "green"})
    assert graded.status_code == 403
    files = {"file": ("p.jpg", b"\xff\xd8\xff", "image/jpeg")}
    assert (
        await desk.post(f"/inspection/{RO}/items/horn/media", data={"csrf_token": token}, files=files)
    ).status_code == 403
    assert workshop.sent == []


async def test_the_cars_are_listed_live_each_with_its_inspections_state(
    desk: httpx.AsyncClient, stand_in: StandIn, workshop: Inspection
) -> None:
    await as_(desk, stand_in, "tech-zhang", "technician")
    page = await desk.get("/inspection", headers={"accept-language": "en"})
    assert page.status_code == 200, page.text
    assert 'sse-connect="/live/workshop"' in page.text  # read again when the workshop's stream says so
    assert "inspecting: 2 items left to check" in page.text
    assert await live_regions_read_again(desk, page) == ["inspection-cars"]  # nothing changed: nothing to swap
    workshop.view |= {"status": "completed", "green": 1, "yellow": 0, "red": 1, "ungraded": 0}
    region = await desk.get("/inspection/cars", headers={"accept-language": "zh"})
    assert region.status_code == 200, region.text
    assert "<html" not in region.text  # the region alone
    assert 'data-inspection="completed"' in region.text
    assert await live_regions_read_again(desk, page) == [], "the change is one to show"
    assert "需处理 1" in region.text


async def test_a_grade_goes_as_the_apis_body_and_a_refusal_stays_beside_the_item(
    desk: httpx.AsyncClient, stand_in: StandIn, workshop: Inspection
) -> None:
    token = await as_(desk, stand_in, "tech-zhang", "technician")
    page = await desk.get(f"/inspection/{RO}", headers={"accept-language": "zh"})
    assert page.status_code == 200, page.text
    assert "左前轮胎" in page.text  # the built-in item in the reader's language
    assert 'capture="environment"' in page.text
    assert 'accept="image/*,video/*"' in page.text
    form = {"csrf_token": token, "grade": "red", "measured": "1,4", "note": "低于限值"}
    sent = await desk.post(f"/inspection/{RO}/items/tyre_front_left", data=form)
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/inspection/{RO}?done=graded#item-tyre_front_left"
    assert workshop.sent == [("PUT", "tyre_front_left", {"grade": "red", "note": "低于限值", "measured": "1.4"})]

    workshop.answer = (409, {"error": {"code": "invalid_amount", "message": "out of range"}})
    refused = await desk.post(
        f"/inspection/{RO}/items/tyre_front_left", data={**form, "measured": "45"}, headers={"accept-language": "en"}
    )
    assert refused.status_code == 409
    assert "The value is out of range or does not apply here" in refused.text
    assert 'value="45"' in refused.text


async def test_a_photo_is_passed_on_as_the_upload_and_shown_back_uncached(
    desk: httpx.AsyncClient, stand_in: StandIn, workshop: Inspection
) -> None:
    token = await as_(desk, stand_in, "tech-zhang", "technician")
    files = {"file": ("tyre.jpg", b"\xff\xd8\xffphoto", "image/jpeg")}
    sent = await desk.post(f"/inspection/{RO}/items/tyre_front_left/media", data={"csrf_token": token}, files=files)
    assert sent.status_code == 303, sent.text
    assert workshop.sent == [("media", "tyre_front_left", ("tyre.jpg", "image/jpeg", b"\xff\xd8\xffphoto"))]
    empty = {"file": ("empty.jpg", b"", "image/jpeg")}
    refused = await desk.post(f"/inspection/{RO}/items/horn/media", data={"csrf_token": token}, files=empty)
    assert refused.status_code == 422
    assert len(workshop.sent) == 1

    shown = await desk.get(f"/inspection/media/{MEDIA}/thumbnail")
    assert (shown.status_code, shown.content) == (200, b"\xff\xd8\xffthumb")
    assert shown.headers["content-type"] == "image/jpeg"
    assert shown.headers["cache-control"] == "private, no-store"
