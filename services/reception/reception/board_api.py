"""The advisor board over HTTP: the board as JSON, and a live stream of it (server-sent
events) that sends the whole board again within moments of any change at the site."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from events.http import CurrentIdentity, SiteId, site_tenant
from events.identity import ADVISOR, CASHIER, DISPATCHER, SERVICE_MANAGER, SYSTEM
from reception.board import BoardFeed, snapshot

router = APIRouter(tags=["advisor board"])

BOARD_READERS = (ADVISOR, SERVICE_MANAGER, DISPATCHER, CASHIER, SYSTEM)
KEEP_ALIVE_SECONDS = 15.0


def _today() -> date:
    return datetime.now(UTC).date()


@router.get("/sites/{site_id}/advisor-board")
async def advisor_board(
    site_id: SiteId, identity: CurrentIdentity, request: Request, advisor: str | None = None, day: date | None = None
) -> dict[str, object]:
    """Today's appointments (or `day`'s) and every car still in for service, late ones first."""
    tenant = site_tenant(identity, site_id, BOARD_READERS)
    return await snapshot(request.app.state.runtime.pool, tenant.group_id, tenant.site_id, advisor, day or _today())


@router.get("/sites/{site_id}/advisor-board/stream")
async def advisor_board_stream(
    site_id: SiteId, identity: CurrentIdentity, request: Request, advisor: str | None = None, day: date | None = None
) -> StreamingResponse:
    """`text/event-stream`: an `event: board` with the whole board now, and again after every
    change at the site (a comment line keeps idle connections open)."""
    tenant = site_tenant(identity, site_id, BOARD_READERS)
    runtime = request.app.state.runtime
    feed: BoardFeed = request.app.state.board_feed
    queue = await feed.subscribe(runtime.database_url or os.environ["DATABASE_URL"], tenant.site_id)

    async def stream() -> AsyncIterator[str]:
        try:
            while True:
                board = await snapshot(runtime.pool, tenant.group_id, tenant.site_id, advisor, day or _today())
                yield f"event: board\ndata: {json.dumps(board, default=str, ensure_ascii=False)}\n\n"
                while True:
                    try:
                        await asyncio.wait_for(queue.get(), KEEP_ALIVE_SECONDS)
                        break
                    except TimeoutError:
                        if await request.is_disconnected():
                            return
                        yield ": still here\n\n"
        finally:
            feed.unsubscribe(tenant.site_id, queue)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
