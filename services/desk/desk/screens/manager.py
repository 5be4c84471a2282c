"""The service manager's page: what waits for them. Estimates whose discount is beyond the
advisor's authority (approved from here), complaints escalated to them or past their SLA, the
site's overdue callbacks, and the week's KPIs (followup's CSI/VOC report, technician productivity
and bay utilisation) as the API gives them. A group manager who picked "all sites" sees the same
per site of theirs.

Which item waits, is late or breached is the API's answer (`discount_approval`, `escalated`,
`breached`, `overdue`): the page only picks the rows carrying those flags and formats them."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from desk import site_names
from desk.gateway_api import ApiError, GatewayApi
from desk.web import DEFAULT_TIME_ZONE, Visit, redirect, screen

router = APIRouter()
MANAGER = screen("manager")
# A section the API could not answer (a service away, a report not set up) is shown as such;
# the rest of the page still serves the manager.
UNAVAILABLE = None


def _at(visit: Visit, site_id: str) -> GatewayApi:
    api = visit.api
    return GatewayApi(api.client, api.base_url, api.access_token, site_id, visit.language)


async def _or_unavailable(call: Any) -> Any:
    try:
        return await call
    except ApiError as error:
        if error.status == 401:
            raise
        return UNAVAILABLE


async def _approvals(api: GatewayApi) -> list[dict[str, Any]]:
    """Unsigned open visits whose estimate reception says needs a manager's approval (the list's
    summary does not carry it: each unsigned visit is read)."""
    unsigned = [row for row in await api.get("repair-orders", limit=100) if not row["signed"]]
    orders = await asyncio.gather(*(api.get(f"repair-orders/{row['repair_order_id']}") for row in unsigned))
    return [
        order
        for order in orders
        if order.get("discount_approval")
        and order["discount_approval"]["required"]
        and not order["discount_approval"]["approved_by"]
    ]


async def _complaints(api: GatewayApi) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await api.get("complaints", limit=100)
    return [row for row in rows if row["escalated"] or row["breached"] or row["follow_up_overdue"]]


async def _callbacks(api: GatewayApi, zone: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await api.get("callbacks", tz=zone, limit=100)
    return [row for row in rows if row["overdue"]]


async def _kpis(api: GatewayApi, zone: str) -> dict[str, Any]:
    """This week's figures: the report's latest period (the API counts the periods)."""
    csi, productivity, bays = await asyncio.gather(
        _or_unavailable(api.get("reports/csi", period="week", tz=zone)),
        _or_unavailable(api.get("reports/technician-productivity", period="week", tz=zone, limit=100)),
        _or_unavailable(api.get("reports/bay-utilisation", period="week")),
    )
    latest_csi = csi["rows"][-1] if csi and csi["rows"] else None
    technicians: list[dict[str, Any]] | None = None
    if productivity is not None:
        last = productivity[-1]["period"] if productivity else None
        technicians = [row for row in productivity if row["period"] == last]
    latest_bays = bays["rows"][-1] if bays and bays["rows"] else None
    return {
        "csi": latest_csi,
        "csi_known": csi is not None,
        "technicians": technicians,
        "bays": latest_bays,
        "bays_known": bays is not None,
    }


async def _site(visit: Visit, site_id: str, zone: str) -> dict[str, Any]:
    api = _at(visit, site_id)
    approvals, complaints, callbacks, kpis = await asyncio.gather(
        _or_unavailable(_approvals(api)),
        _or_unavailable(_complaints(api)),
        _or_unavailable(_callbacks(api, zone)),
        _kpis(api, zone),
    )
    return {
        "site_id": site_id,
        "approvals": approvals,
        "complaints": complaints,
        "callbacks": callbacks,
        "kpis": kpis,
    }


async def _context(visit: Visit) -> dict[str, Any]:
    if visit.all_sites:
        zone = DEFAULT_TIME_ZONE
        # Every site of the group for a group-wide manager (booking's directory: one added
        # since they signed in too), else the sites on their account.
        sites = await site_names.fresh(visit.request, visit.session, visit.api)
        site_ids = [str(site["site_id"]) for site in sites]
    else:
        zone = await visit.time_zone()
        site_ids = [str(visit.session.site_id)]
    sites = await asyncio.gather(*(_site(visit, site_id, zone) for site_id in site_ids))
    names = await site_names.remembered(visit.request, visit.session, visit.api)
    for site in sites:
        site["name"] = site_names.name_of(names, site["site_id"], visit.language)
    return {"sites": sites, "time_zone": zone, "group": visit.all_sites}


@router.get("/manager", name="manager")
async def manager_page(visit: Visit = MANAGER, done: str | None = None) -> HTMLResponse:
    return visit.render("manager_page.html", done=done, **await _context(visit))


@router.post("/manager/sites/{site_id}/approvals/{repair_order_id}")
async def approve(site_id: str, repair_order_id: UUID, request: Request, visit: Visit = MANAGER) -> Response:
    """The discount approved for the estimate the page showed (its version: a changed estimate
    is refused, not approved unseen). Reception refuses anyone but a service manager."""
    form = await request.form()
    version = form.get("version")
    headers = {"If-Match": version} if isinstance(version, str) and version else {}
    try:
        await _at(visit, site_id).post(f"repair-orders/{repair_order_id}/discount-approval", {}, **headers)
    except ApiError as error:
        return visit.form_again("manager_page.html", error, {}, done=None, **await _context(visit))
    return redirect("/manager?done=approved", request)
