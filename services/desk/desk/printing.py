"""A printed paper for the person's browser: the gateway's PDF, in the person's language,
streamed through with the session's token (the token never appears in a link)."""

from __future__ import annotations

import httpx
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask

from desk.gateway_api import ApiError, error_of
from desk.web import Visit


async def printed_pdf(visit: Visit, path: str, filename: str, params: dict[str, str] | None = None) -> Response:
    """`path`: below the site's API, e.g. `documents/invoice/{id}.pdf`."""
    client: httpx.AsyncClient = visit.request.app.state.client
    query = {"lang": visit.language, **(params or {})}
    outgoing = client.build_request("GET", visit.api.site_url(path), params=query, headers=visit.api.headers)
    try:
        upstream = await client.send(outgoing, stream=True)
    except httpx.TransportError:
        raise ApiError(503, "service_unavailable") from None
    if upstream.is_error:
        await upstream.aread()
        await upstream.aclose()
        raise error_of(upstream)
    headers = {"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"}
    return StreamingResponse(
        upstream.aiter_raw(), media_type="application/pdf", headers=headers, background=BackgroundTask(upstream.aclose)
    )
