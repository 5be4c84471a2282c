"""The CS agent's contact queue over plain HTTP, its calls answered by a stand-in of followup's
and booking's routes: refused to a role whose API refuses the answer; the proposals and the
failed messages as the API gives them; an answer posted as typed and a refusal shown in the
agent's language with the form kept; "book now" books the slot picked with the proposal's id."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from desk_helpers import StandIn, signed_in_as
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

PROPOSAL = "0b7f7c9e-4d1a-4f0e-9a53-5d4f1c2e8a10"
MESSAGE = "7a1e2d3c-4b5a-4c6d-8e9f-0a1b2c3d4e5f"
ITEM = {
    "proposal_id": PROPOSAL, "file_id": "1b7f7c9e-4d1a-4f0e-9a53-5d4f1c2e8a11", "reason": "maintenance_due",
    "contact_name": "王先生", "phone": "13800000001", "plate": "沪A12345", "vin": "LFV2A21K8G3000001",
    "model": "Sagitar", "due_on": "2026-12-20", "campaign_id": None, "repair_order_id": None,
    "phone_allowed": True, "status": "open", "last_answer": None, "answered_by": None, "call_again_at": None,
    "appointment_id": None, "queued_at": "2026-12-06T08:00:00+00:00",
}  # fmt: skip
FAILED = {
    "message_id": MESSAGE, "customer_id": "2b7f7c9e-4d1a-4f0e-9a53-5d4f1c2e8a12", "kind": "maintenance_reminder",
    "channel": "email", "reference": "沪A12345", "status": "bounced", "reason": "550 mailbox unavailable",
    "failed_at": "2026-12-07T01:00:00+00:00", "handled_by": None, "handled_note": None, "handled_at": None,
}  # fmt: skip
SLOTS = [{"start": "2026-12-08T01:00:00+00:00", "workshop_minutes_left": 300, "advisors": ["advisor-li"]}]


class Api:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []
        self.answer: tuple[int, dict[str, Any]] = (201, {"status": "later"})

    def routes(self) -> APIRouter:
        router = APIRouter(prefix="/api/v1/sites/{site}")

        @router.get("/contact-queue")
        async def queue() -> list[dict[str, Any]]:
            return [ITEM]

        @router.get("/failed-messages")
        async def failed() -> list[dict[str, Any]]:
            return [FAILED]

        @router.get("/free-slots")
        async def slots() -> list[dict[str, Any]]:
            return SLOTS

        @router.post("/{rest:path}")
        async def command(rest: str, request: Request) -> JSONResponse:
            self.sent.append((rest, await request.json()))
            status, body = self.answer
            return JSONResponse(body, status_code=status)

        return router


@pytest.fixture
def api(stand_in: StandIn) -> Api:
    found = Api()
    stand_in.serve_first(found.routes())
    return found


async def as_(desk: httpx.AsyncClient, stand_in: StandIn, role: str) -> str:
    return await signed_in_as(desk, stand_in, role, "cs-1")


@pytest.mark.parametrize("role", ["advisor", "dispatcher"])
async def test_the_queue_is_refused_to_a_role_the_answers_refuse(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api, role: str
) -> None:
    token = await as_(desk, stand_in, role)
    assert (await desk.get("/contact-queue")).status_code == 403
    posted = await desk.post(f"/contact-queue/{PROPOSAL}/answer", data={"csrf_token": token, "answer": "later"})
    assert posted.status_code == 403
    assert api.sent == []


async def test_the_queue_and_failed_messages_as_the_api_gives_them(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api
) -> None:
    await as_(desk, stand_in, "cs_agent")
    page = await desk.get("/contact-queue", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200, page.text
    assert ("沪A12345" in page.text, "王先生" in page.text, "定期保养到期" in page.text) == (True, True, True)
    assert "550 mailbox unavailable" in page.text
    assert "09:00" in page.text, "the failure at the site's time"


async def test_an_answer_is_posted_and_a_refusal_keeps_the_form(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api
) -> None:
    token = await as_(desk, stand_in, "cs_agent")
    form = {"csrf_token": token, "answer": "later", "call_again_on": "2026-12-10", "note": "busy"}
    done = await desk.post(f"/contact-queue/{PROPOSAL}/answer", data=form)
    assert done.status_code == 303
    assert api.sent[-1] == (
        f"contact-queue/{PROPOSAL}/answers",
        {"answer": "later", "note": "busy", "call_again_on": "2026-12-10"},
    )
    api.answer = (409, {"error": {"code": "call_again_not_ahead", "message": "no"}})
    refused = await desk.post(f"/contact-queue/{PROPOSAL}/answer", data=form, headers={"Accept-Language": "en"})
    assert refused.status_code == 409
    assert "must be after today" in refused.text
    assert 'value="2026-12-10"' in refused.text


async def test_book_now_books_the_picked_slot_with_the_proposal(
    desk: httpx.AsyncClient, stand_in: StandIn, api: Api
) -> None:
    token = await as_(desk, stand_in, "cs_agent")
    page = await desk.get(f"/contact-queue/{PROPOSAL}/book", params={"day": "2026-12-08"})
    assert page.status_code == 200, page.text
    assert "09:00 · advisor-li" in page.text
    api.answer = (201, {"appointment_id": "x"})
    slot = f"{SLOTS[0]['start']}|advisor-li"
    done = await desk.post(
        f"/contact-queue/{PROPOSAL}/book", data={"csrf_token": token, "slot": slot, "day": "2026-12-08"}
    )
    assert done.status_code == 303, done.text
    path, body = api.sent[-1]
    assert path == "appointments"
    assert (body["proposal_id"], body["reason"], body["kind"], body["advisor_id"]) == (
        PROPOSAL,
        "maintenance_due",
        "active",
        "advisor-li",
    )
    assert body["vehicle"]["vin"] == "LFV2A21K8G3000001"
