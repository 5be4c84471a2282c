"""The live relay over plain HTTP, the API's board stream answered by a stand-in: the stream's
first event is the state now, which the page already shows, so it is no change; every event
after it is one, and a keep-alive stays a keep-alive."""

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

    before = list(stand_in.app.router.routes)
    stand_in.app.include_router(router)
    added = stand_in.app.router.routes[len(before) :]
    stand_in.app.router.routes[:] = [*added, *before]


async def test_the_streams_first_snapshot_is_no_change_and_every_later_event_is_one(
    desk: httpx.AsyncClient, stand_in: StandIn, board_stream: None
) -> None:
    stand_in.who = Who(user_id="advisor-1", roles=("advisor",), site_ids=(SITE,))
    await sign_in(desk, stand_in)
    relayed = await desk.get("/live/board")
    assert relayed.status_code == 200, relayed.text
    assert relayed.text == KEEP_ALIVE + CHANGED + CHANGED
