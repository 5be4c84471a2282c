"""The parts counter live: `GET /sites/{site_id}/stock/stream` tells the parts clerk (and the
service manager) that something changed at their site's stores — a line's parts reserved or
found short, an issue, a return, a receipt, an order or a transfer moving — once the stock and
order read models hold it, so the counter's pick list reads again without polling.
Server-sent events with no data (`events.site_changes`): what each reader may see is what the
parts routes answer them."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from events.http import CurrentIdentity, SiteId, site_tenant
from events.identity import PARTS_CLERK, SERVICE_MANAGER
from events.projection import Projection
from events.site_changes import STREAM_RESPONSES, Announcing, SiteChanges

router = APIRouter(tags=["parts"])

CHANNEL = "parts_counter"
# The counter's people: the stores, issuing and ordering (whoever else reads stock asks when needed).
COUNTER_PEOPLE = (PARTS_CLERK, SERVICE_MANAGER)


def announcing(projection: Projection) -> Announcing:
    return Announcing(projection, CHANNEL, transfer_sites)


def transfer_sites(event: Any) -> Iterable[str]:
    """A transfer is on both sites' counters: the one asking and the one giving."""
    return [str(site) for site in (getattr(event, "from_site_id", None), getattr(event, "to_site_id", None)) if site]


def feed() -> SiteChanges:
    return SiteChanges(CHANNEL)


@router.get("/sites/{site_id}/stock/stream", response_class=StreamingResponse, responses=STREAM_RESPONSES)
async def counter_stream(site_id: SiteId, identity: CurrentIdentity, request: Request) -> StreamingResponse:
    """`text/event-stream`: `event: ready` at once, then `event: changed` after every change of the
    site's stock, reservations, orders and transfers (read them again); a comment line keeps an
    idle connection open."""
    tenant = site_tenant(identity, site_id, COUNTER_PEOPLE)
    runtime = request.app.state.runtime
    changes: SiteChanges = request.app.state.counter_changes
    return await changes.stream(request, runtime.database_url or os.environ["DATABASE_URL"], tenant.site_id)
