"""Live regions: a screen's region refreshes itself when the events it shows land. The browser
opens one server-sent event stream here per screen (`/live/<topic>`); the desk reads the API's
own stream of that topic with the person's token and sends a bare `changed` event whenever the
API's stream sends an event after its first (the state now, which the page already shows). The
region, marked `hx-trigger="sse:changed"`, then fetches its new HTML from its own route: the
stream carries no data, so the page shows only what the region's route renders, in the person's
language and time zone.

Why a relay and not polling: the API pushes within moments of a commit (the board's stream, the
workshop's and the parts counter's), a poll would ask every few seconds for nothing; and the
token stays on the server (EventSource cannot send one, and a token in its URL would be in
every log)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from desk.gateway_api import error_of
from desk.navigation import may_open
from desk.web import CurrentVisit, Refused

router = APIRouter()

# topic → (the API's stream below the site, the screens whose people may follow it). The board's
# stream is for the board's readers; the workshop's and the parts counter's are their own, each
# refused by its service to anyone else (docs/desk.md "Live regions").
TOPICS = {
    "board": ("advisor-board/stream", ("board",)),
    "workshop": ("work-orders/stream", ("technician", "dispatch", "qc", "inspection")),
    "parts": ("stock/stream", ("parts",)),
}
CHANGED = "event: changed\ndata: \n\n"
KEEP_ALIVE = ": still here\n\n"


@router.get("/live/{topic}")
async def live(topic: str, visit: CurrentVisit) -> StreamingResponse:
    roles = visit.session.person.roles
    if topic not in TOPICS or visit.all_sites or not any(may_open(key, roles) for key in TOPICS[topic][1]):
        raise Refused("forbidden")
    client: httpx.AsyncClient = visit.request.app.state.client
    request = client.build_request(
        "GET",
        visit.api.site_url(TOPICS[topic][0]),
        headers={**visit.api.headers, "Accept": "text/event-stream"},
        timeout=httpx.Timeout(10, read=None),
    )
    upstream = await client.send(request, stream=True)
    if upstream.is_error:
        await upstream.aread()
        await upstream.aclose()
        raise error_of(upstream)

    async def relay() -> AsyncIterator[str]:
        try:
            async for sent in changes(upstream.aiter_lines()):
                yield sent
        finally:
            await upstream.aclose()

    return StreamingResponse(relay(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


async def changes(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """The API's stream as the browser's: its first event is the state now, which the page just
    rendered, so it is no change (refreshing then would wipe what a person began typing in a live
    region); every later event is one. What lands between the page's render and the stream's
    snapshot is the one change missed: the next event refreshes the region with it."""
    snapshot_seen = False
    async for line in lines:
        if line.startswith("event:"):
            if snapshot_seen:
                yield CHANGED
            snapshot_seen = True
        elif line.startswith(":"):
            yield KEEP_ALIVE
