"""The photos of a declined recommendation in the appointment's preparation: booking names each by
the workshop's address (`/api/v1/sites/{site}/media/{id}`, the site of the visit it was taken at),
which the browser cannot open (an `<img>` sends no token). The desk serves the same address below
`/booking/evidence` and fetches it with the person's token, as the inspection screen does; the
workshop decides who may see it (staff of the site the photo was taken at)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from desk.screens.booking import BOOKING
from desk.screens.inspection_media import relayed
from desk.web import Visit

router = APIRouter()

API = "/api/v1/sites/"
DESK = "/booking/evidence/sites/"


def on_desk(preparation: dict[str, Any]) -> dict[str, Any]:
    """The preparation with each piece of evidence's desk addresses beside the API's (`photo`,
    `thumbnail`); an address that is not the workshop's media gets none (nothing to relay)."""
    for recommendation in preparation.get("recommendations", []):
        for evidence in recommendation.get("evidence", []):
            url, thumbnail = evidence.get("url") or "", evidence.get("thumbnail_url") or ""
            evidence["photo"] = DESK + url.removeprefix(API) if url.startswith(API) else None
            evidence["thumbnail"] = DESK + thumbnail.removeprefix(API) if thumbnail.startswith(API) else None
    return preparation


@router.get("/booking/evidence/sites/{site_id}/media/{media_id}")
async def photo(site_id: UUID, media_id: UUID, visit: Visit = BOOKING) -> Response:
    return await relayed(visit, f"media/{media_id}", str(site_id))


@router.get("/booking/evidence/sites/{site_id}/media/{media_id}/thumbnail")
async def thumbnail(site_id: UUID, media_id: UUID, visit: Visit = BOOKING) -> Response:
    return await relayed(visit, f"media/{media_id}/thumbnail", str(site_id))
