"""The inspection's photos and videos on the tablet: taken with the tablet's camera (the form's
file input asks for it) and sent on to the workshop, which checks size and type and strips the
location; and shown back — the browser cannot send the person's token with an `<img>`, so the
desk fetches each photo with it and passes the bytes through (never cached: a car's photos are
the customer's personal data)."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, File, UploadFile
from fastapi.responses import RedirectResponse, Response

from desk.gateway_api import ApiError, error_of
from desk.screens.inspection import INSPECTION, page_context, send
from desk.web import Visit

router = APIRouter()

# The workshop's own limit is the rule (a video is at most 50 MB); this only stops the desk from
# holding a file far larger than any the workshop would take.
MAX_UPLOAD = 64 * 1024 * 1024


@router.post("/inspection/{repair_order_id}/items/{item_id}/media")
async def upload(
    repair_order_id: str,
    item_id: str,
    file: Annotated[UploadFile, File()],
    visit: Visit = INSPECTION,
) -> Response:
    content = await file.read(MAX_UPLOAD + 1)
    sent = (file.filename or "upload", content, file.content_type or "application/octet-stream")
    try:
        if not content:
            raise ApiError(422, "media_empty")
        if len(content) > MAX_UPLOAD:
            raise ApiError(413, "media_too_large")
        path = f"work-orders/{repair_order_id}/inspection/items/{item_id}/media"
        await send(visit, "POST", path, files={"file": sent})
    except ApiError as error:
        context = await page_context(visit, repair_order_id)
        return visit.form_again("inspection_page.html", error, {}, failed_item=item_id, **context)
    return RedirectResponse(f"/inspection/{repair_order_id}?done=uploaded#item-{item_id}", status_code=303)


async def relayed(visit: Visit, path: str, site_id: str | None = None) -> Response:
    """The workshop's photo or thumbnail at `path` (below the site: the visit's, or `site_id`),
    fetched with the person's token and passed through; a refusal as the workshop's status."""
    api = visit.api
    try:
        answer = await api.client.get(api.site_url(path, site_id), headers=api.headers)
    except httpx.TransportError:
        return Response(status_code=503)
    if answer.is_error:
        error = error_of(answer)
        return Response(visit.words.error(error.code), status_code=error.status, media_type="text/plain")
    media_type = answer.headers.get("content-type", "application/octet-stream")
    return Response(answer.content, media_type=media_type, headers={"Cache-Control": "private, no-store"})


@router.get("/inspection/media/{media_id}")
async def media(media_id: str, visit: Visit = INSPECTION) -> Response:
    return await relayed(visit, f"media/{media_id}")


@router.get("/inspection/media/{media_id}/thumbnail")
async def thumbnail(media_id: str, visit: Visit = INSPECTION) -> Response:
    return await relayed(visit, f"media/{media_id}/thumbnail")
