"""The workshop's screens over plain HTTP, their calls answered by a stand-in of the workshop's
routes: each screen refused to a role whose API would refuse it; the workshop's refusal of a
dispatch shown beside the job in the person's language, what was typed kept; the technician's
finding sent as the API's body, its yuan as fen, and a field the API refuses marked beside its
input; QC's failure sent with its reasons and rework jobs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from desk_helpers import StandIn, live_regions_read_again, signed_in_as
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from desk.screens.workshop_floor import fen_of

RO, JOB = "0b7f7c9e-4d1a-4f0e-9a53-5d4f1c2e8a10", "5d0c1f3e-8a51-4b9e-9a6e-2f1c0b7d4e21"
ROW = {
    "repair_order_id": RO,
    "vin": "LFV2A21K8G3045678",
    "plate": "沪B88888",
    "priority": "normal",
    "customer_waiting": True,
    "stage": "waiting_parts",
    "promised_at": "2026-12-07T08:00:00+00:00",
    "forecast_ready_at": "2026-12-07T09:00:00+00:00",
    "running_late": True,
    "pending_findings": 0,
    "failed_checks": 0,
}
JOB_VIEW = {
    "job_id": JOB,
    "labour_operation": "BRAKE-PAD-F",
    "description": "front brake pads",
    "planned_minutes": 45,
    "safety_critical": False,
    "origin": "estimate",
    "status": "dispatched",
    "technician_id": "tech-zhang",
    "bay": "B1",
    "worked_minutes": 0,
    "missing_parts": {"04465-02220": 1},
    "rework": False,
}


class Workshop:
    """The workshop's routes the screens call: what they answer, and what they were sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.answer: tuple[int, dict[str, Any]] | None = None
        self.row = dict(ROW)
        self.job = dict(JOB_VIEW)

    def routes(self) -> APIRouter:
        router = APIRouter(prefix="/api/v1/sites/{site}")

        @router.get("/work-orders")
        async def board() -> list[dict[str, Any]]:
            return [self.row]

        @router.get("/work-orders/{ro}")
        async def order(ro: str) -> dict[str, Any]:
            return {"repair_order_id": ro, "status": "open", "jobs": [self.job]}

        @router.get("/technicians")
        async def technicians() -> list[dict[str, Any]]:
            return []

        @router.get("/repair-orders/{ro}")
        async def repair_order(ro: str) -> dict[str, Any]:
            return {"vehicle": {"plate": "沪B88888"}, "concerns": [{"customer_words": "刹车时有异响"}]}

        @router.post("/work-orders/{ro}/{rest:path}")
        async def command(ro: str, rest: str, request: Request) -> JSONResponse:
            self.sent.append((rest, await request.json()))
            status, body = self.answer or (200, {"repair_order_id": ro})
            return JSONResponse(body, status_code=status)

        return router


@pytest.fixture
def workshop(stand_in: StandIn) -> Workshop:
    """The workshop's routes ahead of the stand-in's catch-all of a site's resources."""
    floor = Workshop()
    stand_in.serve_first(floor.routes())
    return floor


async def as_(desk: httpx.AsyncClient, stand_in: StandIn, user: str, role: str) -> str:
    return await signed_in_as(desk, stand_in, role, user)


@pytest.mark.parametrize(
    ("role", "screen", "command"),
    [
        ("technician", "/dispatch", f"/dispatch/{RO}/jobs/{JOB}"),
        ("advisor", "/dispatch", f"/dispatch/{RO}/jobs/{JOB}"),
        ("qc_inspector", "/technician", f"/technician/{RO}/jobs/{JOB}/start"),
        ("technician", "/qc", f"/qc/{RO}"),
    ],
)
async def test_a_workshop_screen_is_refused_to_a_role_its_api_refuses(
    desk: httpx.AsyncClient, stand_in: StandIn, workshop: Workshop, role: str, screen: str, command: str
) -> None:
    token = await as_(desk, stand_in, "someone", role)
    assert f'href="{screen}"' not in (await desk.get("/")).text
    page = await desk.get(screen, headers={"accept-language": "en"})
    assert page.status_code == 403
    assert "You may not do this" in page.text
    posted = await desk.post(command, data={"csrf_token": token, "technician_id": "x", "bay": "B1"})
    assert posted.status_code == 403
    assert workshop.sent == []


async def test_the_dispatch_floor_marks_the_late_car_and_its_parts_wait(
    desk: httpx.AsyncClient, stand_in: StandIn, workshop: Workshop
) -> None:
    await as_(desk, stand_in, "dispatcher-wang", "dispatcher")
    page = await desk.get("/dispatch", headers={"accept-language": "en"})
    assert page.status_code == 200, page.text
    assert "is-late" in page.text
    assert "running late" in page.text
    assert "waiting for parts: 04465-02220 \u00d7 1" in page.text
    assert 'sse-connect="/live/workshop"' in page.text  # the floor is live, on the workshop's own stream
    assert await live_regions_read_again(desk, page) == ["floor"]


async def test_the_workshops_refusal_of_a_dispatch_is_shown_beside_the_job_with_what_was_typed(
    desk: httpx.AsyncClient, stand_in: StandIn, workshop: Workshop
) -> None:
    token = await as_(desk, stand_in, "dispatcher-wang", "dispatcher")
    workshop.answer = (409, {"error": {"code": "bay_occupied", "message": "bay B2 holds job x"}})
    form = {"csrf_token": token, "technician_id": "tech-li", "bay": "B2"}
    page = await desk.post(f"/dispatch/{RO}/jobs/{JOB}", data=form, headers={"accept-language": "zh"})
    assert page.status_code == 409
    assert workshop.sent == [("jobs/" + JOB + "/dispatch", {"technician_id": "tech-li", "bay": "B2"})]
    assert "该工位已有未完成的作业" in page.text
    assert 'value="tech-li"' in page.text
    assert 'value="B2"' in page.text
    assert 'sse-connect="/live/workshop?opening=skip"' in page.text  # no read at opening wipes the refusal


async def test_the_technicians_jobs_read_again_are_what_the_page_shows_until_one_changes(
    desk: httpx.AsyncClient, stand_in: StandIn, workshop: Workshop
) -> None:
    await as_(desk, stand_in, "tech-zhang", "technician")
    page = await desk.get("/technician", headers={"accept-language": "en"})
    assert "front brake pads" in page.text
    assert await live_regions_read_again(desk, page) == ["my-jobs"]
    workshop.job["status"] = "in_progress"
    assert await live_regions_read_again(desk, page) == [], "a job started is a change to show"


async def test_the_technicians_finding_goes_as_the_apis_body_with_yuan_as_fen(
    desk: httpx.AsyncClient, stand_in: StandIn, workshop: Workshop
) -> None:
    token = await as_(desk, stand_in, "tech-zhang", "technician")
    form_page = await desk.get(f"/technician/{RO}/findings", headers={"accept-language": "zh"})
    assert "刹车时有异响" in form_page.text  # the concern in the customer's words
    line = "findings.0.proposed_lines.0."
    line_id = form_page.text.split(f'name="{line}line_id" value="', 1)[1].split('"', 1)[0]
    form = {
        "csrf_token": token,
        f"{line}line_id": line_id,
        "findings.0.description": "front discs worn",
        "findings.0.safety_critical": "on",
        "findings.0.extra_minutes": "60",
        f"{line}labour_operation": "BRAKE-DISC-F",
        f"{line}labour_minutes": "60",
        f"{line}labour_price": "240",
        f"{line}pay_type": "CUSTOMER_PAY",
        f"{line}parts.0.part_number": "43512-02220",
        f"{line}parts.0.quantity": "2",
        f"{line}parts.0.unit_price": "1,450.5",
    }
    sent = await desk.post(f"/technician/{RO}/findings", data=form)
    assert sent.status_code == 303, sent.text
    ((path, body),) = workshop.sent
    assert path == "findings"
    (finding,) = body["findings"]
    assert finding["safety_critical"] is True
    assert finding["extra_minutes"] == 60
    (proposed,) = finding["proposed_lines"]
    assert proposed["line_id"] == line_id
    assert proposed["labour_price"] == 24000
    assert proposed["parts"] == [
        {"part_number": "43512-02220", "description": "43512-02220", "quantity": 2, "unit_price": 145050}
    ]

    workshop.answer = (
        422,
        {
            "error": {
                "code": "invalid_request",
                "message": "bad",
                "fields": [{"field": f"body.{line}labour_price", "message": "Input should be a valid integer"}],
            }
        },
    )
    again = await desk.post(f"/technician/{RO}/findings", data={**form, f"{line}labour_price": "two hundred"})
    assert again.status_code == 422
    assert workshop.sent[-1][1]["findings"][0]["proposed_lines"][0]["labour_price"] == "two hundred"
    assert f'aria-describedby="e-{line}labour_price"' in again.text
    assert 'value="two hundred"' in again.text


async def test_a_failed_qc_sends_its_reasons_and_the_jobs_to_rework(
    desk: httpx.AsyncClient, stand_in: StandIn, workshop: Workshop
) -> None:
    workshop.row["stage"] = "quality_check"
    workshop.job["status"] = "completed"
    token = await as_(desk, stand_in, "qc-chen", "qc_inspector")
    listed = await desk.get("/qc", headers={"accept-language": "en"})
    assert f'value="{JOB}"' in listed.text
    assert 'sse-connect="/live/workshop"' in listed.text  # the list is live, on the workshop's own stream
    assert await live_regions_read_again(desk, listed) == ["qc-cars"]
    region = await desk.get("/qc/cars", headers={"accept-language": "en"})
    assert (region.status_code, f'value="{JOB}"' in region.text, "<html" in region.text) == (200, True, False)
    form = {"csrf_token": token, "decision": "fail", "reasons": "squeal\n\n still squeals ", "rework_job_ids": JOB}
    sent = await desk.post(f"/qc/{RO}", data=form)
    assert sent.status_code == 303, sent.text
    assert workshop.sent == [
        ("quality-checks", {"passed": False, "reasons": ["squeal", "still squeals"], "rework_job_ids": [JOB]})
    ]


def test_yuan_typed_become_fen_by_integer_arithmetic() -> None:
    assert fen_of("240") == 24000
    assert fen_of("450.5") == 45050
    assert fen_of(" ¥1,240.05 ") == 124005
    assert fen_of("0.1") == 10
    for refused in ("", "1.234", "-5", "12,5.x", "two"):
        assert fen_of(refused) == refused  # for the API to refuse beside the input


async def test_the_car_just_checked_leaves_the_qc_list_before_the_board_follows(
    desk: httpx.AsyncClient, stand_in: StandIn, workshop: Workshop
) -> None:
    workshop.row["stage"] = "quality_check"  # the board not caught up yet
    workshop.job |= {"status": "dispatched", "rework": True}  # the work order: sent back
    await as_(desk, stand_in, "qc-chen", "qc_inspector")
    page = await desk.get(f"/qc?done=failed&checked={RO}", headers={"accept-language": "en"})
    assert f'<article class="car" data-car="{RO}"' not in page.text
    reworking = page.text.split("data-reworking", 1)[1]
    assert "front brake pads (tech-zhang, dispatched)" in reworking
