"""Live regions: a screen's region reads itself again when the events it shows land. The browser
opens one server-sent event stream here per screen (`/live/<topic>`); the desk reads the API's
own stream of that topic with the person's token and sends a bare `changed` event for every event
of the API's stream, its first included. The region, marked `hx-trigger="sse:changed"`, then
fetches its HTML from its own route: the stream carries no data, so the page shows only what the
region's route renders, in the person's language and time zone.

The first event matters: the page was rendered before its stream opened, and a change landing in
between has no later event to announce it (a clerk's list once said "no open orders" beside the
transfer just requested). So the region reads itself as its stream opens; `static/live.js` swaps
in only an answer that differs from what the region shows, so a form being filled in a region
keeps what was typed when nothing changed. A page showing a refusal inside a live region asks
`?opening=skip`: reading at opening would wipe the refusal and what was typed at once, so the
stream's first event is no change there (the region follows the changes after it).

Why a relay and not polling: the API pushes within moments of a commit (the board's stream, the
workshop's and the parts counter's), a poll would ask every few seconds for nothing; and the
token stays on the server (EventSource cannot send one, and a token in its URL would be in
every log)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Literal

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
async def live(topic: str, visit: CurrentVisit, opening: Literal["read", "skip"] = "read") -> StreamingResponse:
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
            async for sent in changes(upstream.aiter_lines(), read_at_opening=opening == "read"):
                yield sent
        finally:
            await upstream.aclose()

    return StreamingResponse(relay(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


async def changes(lines: AsyncIterator[str], read_at_opening: bool = True) -> AsyncIterator[str]:
    """The API's stream as the browser's: every event is a reason to read again — the first (the
    state now) included, since the page may have been rendered before a change that only that
    snapshot holds, unless `read_at_opening` is off; a keep-alive stays a keep-alive."""
    opened = read_at_opening
    async for line in lines:
        if line.startswith("event:"):
            if opened:
                yield CHANGED
            opened = True
        elif line.startswith(":"):
            yield KEEP_ALIVE
