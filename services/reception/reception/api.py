"""The reception HTTP API: what its routes share, and reading the site's repair orders. A
command route parses its body (which builds the domain command with the clock's `now`),
authorises with one dependency (`Desk`, `Manager`) and runs the command on the repair order with
`events.commands.execute`, passing the caller's `If-Match` as the version it expects; check-in,
which looks booking's record up first, and the commands priced by the catalogue (estimate, added
line, delivery's next service) run their use cases (`handlers.py`). A query route checks the
site and calls its read model's query. Every answer is a view of `views.py`, customers' details
shown by role (`personal.py`).

The routes, by resource (each module a router of the app, in this order): reading the repair
orders (here), the car's check-in and walk-around (`check_in_api.py`), its estimate, signature
and later changes of its lines and promise (`estimate_api.py`), the hand-over to the workshop and
the additional work it finds (`additional_work_api.py`), the delivery (`delivery_api.py`), and the
site's reception settings (`settings_api.py`). The RO is settled by billing (`billing.InvoicePaid`,
`policies.py`), not by a route.

Paths are relative to a site (`/sites/{site_id}/...`); the gateway serves them under `/api/v1`.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response

from events.commands import load
from events.http import Actor, CurrentIdentity, SiteId, acting, site_tenant
from events.identity import ADVISOR, SERVICE_MANAGER
from events.openapi import ErrorBody, refusals
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Limit, answer
from events.runtime import store_of
from reception.domain.repair_order import repair_order, stream_id
from reception.handlers import Reception
from reception.personal import visit_as_seen, visits_as_seen
from reception.projections import VISITS, visits
from reception.views import RepairOrderSummary, RepairOrderView, repair_order_view

router = APIRouter(tags=["reception"])

RepairOrderId = Annotated[UUID, Path(description="the repair order (visit) id")]

DESK = (ADVISOR, SERVICE_MANAGER)
# Findings and readiness come from the workshop, settlement from billing (policies.py), not from a route.
Desk = Annotated[Actor, acting(*DESK)]
Manager = Annotated[Actor, acting(SERVICE_MANAGER)]

VISIT = "/sites/{site_id}/repair-orders/{repair_order_id}"

# The refusals every command on an existing visit shares: an exit slip ended it, or the
# caller's `If-Match` is behind. Before signing, a signed RO refuses; after, the RO must be
# signed and neither settled nor delivered.
ON_A_VISIT = ("visit_closed", "concurrency_conflict")
UNSIGNED = (*ON_A_VISIT, "already_signed")
IN_PROGRESS = (*ON_A_VISIT, "not_signed", "already_settled", "already_delivered")
# The RO's lines change (a line added or removed, additional work approved): not while its invoice stands.
WORK_CHANGES = (*IN_PROGRESS, "repair_order_invoiced")
LINE_RULES = ("duplicate_line", "goodwill_reason_required", "customer_supplied_part_priced")
# Lines priced by the catalogue: its refusals (an unknown code or part) pass through with their
# code; a line not at the catalogue's price needs a reason; 503 peer_unavailable: it is down.
PRICED = ("price_reason_required", "model_family_required")
CATALOGUE_DOWN: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorBody, "description": "the catalogue cannot be reached (`peer_unavailable`): nothing was done"}
}


def reception_of(request: Request) -> Reception:
    reception: Reception = request.app.state.reception
    return reception


# --- reading --------------------------------------------------------------------------------


@router.get("/sites/{site_id}/repair-orders", responses={**LIST_RESPONSES, **refusals(not_found=False)})
async def list_repair_orders(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    open_only: bool = True,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[RepairOrderSummary]:
    """The site's visits, newest first; `open_only` (default): not yet delivered or ended by an exit slip."""
    tenant = site_tenant(identity, site_id)
    pool = request.app.state.runtime.pool
    window = VISITS.window(cursor, limit, first=4)
    shown = answer(window, await visits(pool, tenant, open_only, window), request, response)
    return await visits_as_seen(pool, identity, request, [dict(row) for row in shown])


@router.get(VISIT, responses=refusals())
async def get_repair_order(
    site_id: SiteId, repair_order_id: RepairOrderId, identity: CurrentIdentity, request: Request
) -> RepairOrderView:
    tenant = site_tenant(identity, site_id)
    state, version = await load(store_of(request), repair_order, stream_id(repair_order_id), tenant)
    return await visit_as_seen(request.app.state.runtime.pool, identity, request, repair_order_view(state, version))
