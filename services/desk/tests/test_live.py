"""The live relay over plain HTTP, the API's board stream answered by a stand-in: every event of
the stream is a reason to read again — its first too (the state now, which may hold a change
that landed after the page was rendered) — and a keep-alive stays a keep-alive."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from desk_helpers import SITE, StandIn, Who, sign_in
from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from desk.live import CHANGED, KEEP_ALIVE

BOARD = 'event: board\ndata: {"rows": []}\n\n'


@pytest.fixture
def board_stream(stand_in: StandIn) -> None:
    """The board's stream ahead of the stand-in's catch-all: the state now, a keep-alive, two changes."""
    router = APIRouter()

    @router.get("/api/v1/sites/{site}/advisor-board/stream")
    async def stream(site: str) -> StreamingResponse:
        async def events() -> AsyncIterator[str]:
            for part in (BOARD, ": keep-alive\n\n", BOARD, BOARD):
                yield part

        return StreamingResponse(events(), media_type="text/event-stream")

    stand_in.serve_first(router)


async def test_every_event_of_the_stream_its_first_snapshot_included_is_a_reason_to_read_again(
    desk: httpx.AsyncClient, stand_in: StandIn, board_stream: None
) -> None:
    stand_in.who = Who(user_id="advisor-1", roles=("advisor",), site_ids=(SITE,))
    await sign_in(desk, stand_in)
    relayed = await desk.get("/live/board")
    assert relayed.status_code == 200, relayed.text
    assert relayed.text == CHANGED + KEEP_ALIVE + CHANGED + CHANGED
    under_a_refusal = await desk.get("/live/board", params={"opening": "skip"})
    assert under_a_refusal.text == KEEP_ALIVE + CHANGED + CHANGED, "the page's refusal stays until a change"
    assert (await desk.get("/live/board", params={"opening": "later"})).status_code == 422


@pytest.fixture
def floor_and_counter_streams(stand_in: StandIn) -> list[str]:
    """The workshop's and the parts counter's streams ahead of the stand-in's catch-all; the paths asked."""
    router, asked = APIRouter(), []

    @router.get("/api/v1/sites/{site}/{resource}/stream")
    async def stream(site: str, resource: str) -> StreamingResponse:
        asked.append(f"{resource}/stream")

        async def events() -> AsyncIterator[str]:
            for part in ("event: ready\ndata: \n\n", "event: changed\ndata: \n\n"):
                yield part

        return StreamingResponse(events(), media_type="text/event-stream")

    stand_in.serve_first(router)
    return asked


async def test_the_tablet_and_the_counter_follow_their_own_streams_and_no_one_elses(
    desk: httpx.AsyncClient, stand_in: StandIn, floor_and_counter_streams: list[str]
) -> None:
    stand_in.who = Who(user_id="tech-1", roles=("technician",), site_ids=(SITE,))
    await sign_in(desk, stand_in)
    relayed = await desk.get("/live/workshop")
    assert (relayed.status_code, relayed.text) == (200, CHANGED + CHANGED), "the ready event and the next"
    assert (await desk.get("/live/parts")).status_code == 403, "a technician does not follow the stores"
    assert (await desk.get("/live/board")).status_code == 403
    assert floor_and_counter_streams == ["work-orders/stream"], "nothing asked of the API for a refused topic"


async def test_the_parts_clerk_follows_the_counters_stream_only(
    desk: httpx.AsyncClient, stand_in: StandIn, floor_and_counter_streams: list[str]
) -> None:
    stand_in.who = Who(user_id="clerk-1", roles=("parts_clerk",), site_ids=(SITE,))
    await sign_in(desk, stand_in)
    relayed = await desk.get("/live/parts")
    assert (relayed.status_code, relayed.text) == (200, CHANGED + CHANGED)
    assert (await desk.get("/live/workshop")).status_code == 403
    assert floor_and_counter_streams == ["stock/stream"]
