"""The workshop floor live: `GET /sites/{site_id}/work-orders/stream` tells the people working the
floor (technicians, the dispatcher, QC, managers) that something changed at their site's
workshop — a job dispatched, clocked, completed, a finding, a QC result, an inspection opened,
graded, photographed or completed — once the read model it changed (the work orders', the
inspections') holds it, so a technician's tablet reads its jobs again without being asked to.
Server-sent events with no data (`events.site_changes`): what each reader may see is what the
workshop's routes answer them."""

from __future__ import annotations

import os

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from events.http import CurrentIdentity, SiteId, site_tenant
from events.identity import DISPATCHER, QC_INSPECTOR, SERVICE_MANAGER, TECHNICIAN
from events.projection import Projection
from events.site_changes import STREAM_RESPONSES, Announcing, SiteChanges

router = APIRouter(tags=["workshop"])

CHANNEL = "workshop_floor"
# Those who work the floor; an advisor follows the cars on the advisor board's stream.
FLOOR_PEOPLE = (TECHNICIAN, DISPATCHER, QC_INSPECTOR, SERVICE_MANAGER)


def announcing(projection: Projection) -> Announcing:
    """`projection`, announcing on the floor's channel: each read model the floor's screens read."""
    return Announcing(projection, CHANNEL)


def feed() -> SiteChanges:
    return SiteChanges(CHANNEL)


@router.get("/sites/{site_id}/work-orders/stream", response_class=StreamingResponse, responses=STREAM_RESPONSES)
async def floor_stream(site_id: SiteId, identity: CurrentIdentity, request: Request) -> StreamingResponse:
    """`text/event-stream`: `event: ready` at once, then `event: changed` after every change of the
    site's work orders or inspections (read them again); a comment line keeps an idle connection open."""
    tenant = site_tenant(identity, site_id, FLOOR_PEOPLE)
    runtime = request.app.state.runtime
    changes: SiteChanges = request.app.state.floor_changes
    return await changes.stream(request, runtime.database_url or os.environ["DATABASE_URL"], tenant.site_id)
