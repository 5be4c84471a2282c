"""The advisor board over HTTP: the board as JSON, and a live stream of it (server-sent
events) that sends the whole board again within moments of any change at the site, and when a
car turns late because its promise passed."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from events.http import CurrentIdentity, SiteId, site_tenant
from events.identity import ADVISOR, CASHIER, DISPATCHER, SERVICE_MANAGER, SYSTEM
from reception.board import BoardFeed, snapshot, turns_late_at
from reception.personal import board_as_seen, board_for
from reception.views import AdvisorBoardView

router = APIRouter(tags=["advisor board"])

BOARD_READERS = (ADVISOR, SERVICE_MANAGER, DISPATCHER, CASHIER, SYSTEM)
KEEP_ALIVE_SECONDS = 15.0


@router.get("/sites/{site_id}/advisor-board")
async def advisor_board(
    site_id: SiteId, identity: CurrentIdentity, request: Request, advisor: str | None = None, day: date | None = None
) -> AdvisorBoardView:
    """Today's appointments at the site (or `day`'s: a date in the site's time zone) and every car
    still in for service, late ones first."""
    tenant = site_tenant(identity, site_id, BOARD_READERS)
    runtime = request.app.state.runtime
    board = await snapshot(runtime.pool, tenant.group_id, tenant.site_id, advisor, day, runtime.clock.now())
    return await board_as_seen(runtime.pool, identity, request, board)  # names by role (decision 0006)


# Not JSON: the document names the stream's media type, not a view.
_A_STREAM: dict[int | str, dict[str, Any]] = {
    200: {"description": "the board as server-sent events", "content": {"text/event-stream": {}}}
}


@router.get("/sites/{site_id}/advisor-board/stream", response_class=StreamingResponse, responses=_A_STREAM)
async def advisor_board_stream(
    site_id: SiteId, identity: CurrentIdentity, request: Request, advisor: str | None = None, day: date | None = None
) -> StreamingResponse:
    """`text/event-stream`: an `event: board` with the whole board now, and again after every
    change at the site and when a promise passes (a comment line keeps idle connections open)."""
    tenant = site_tenant(identity, site_id, BOARD_READERS)
    runtime = request.app.state.runtime
    feed: BoardFeed = request.app.state.board_feed
    queue = await feed.subscribe(runtime.database_url or os.environ["DATABASE_URL"], tenant.site_id)

    async def stream() -> AsyncIterator[str]:
        try:
            while True:
                now = runtime.clock.now()
                board = await snapshot(runtime.pool, tenant.group_id, tenant.site_id, advisor, day, now)
                shown = board_for(identity, board)
                yield f"event: board\ndata: {json.dumps(shown, default=str, ensure_ascii=False)}\n\n"
                late_at = turns_late_at(board, now)
                while True:
                    wait = KEEP_ALIVE_SECONDS
                    if late_at is not None:  # no event marks a promise passing: look again then
                        wait = min(wait, (late_at - runtime.clock.now()).total_seconds())
                        if wait <= 0:
                            break
                    try:
                        await asyncio.wait_for(queue.get(), wait)
                        break
                    except TimeoutError:
                        if await request.is_disconnected():
                            return
                        if wait == KEEP_ALIVE_SECONDS:
                            yield ": still here\n\n"
        finally:
            feed.unsubscribe(tenant.site_id, queue)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
