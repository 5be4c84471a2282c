"""The approval page (`/approvals/{token}`, the link in the approval-request message): the work
the customer is asked to decide — each finding with its photos (tap to open), its grade in colour
and words, its price and extra time — and a form to approve or decline each one; or the estimate
to sign. Reception's public API decides everything (what the link may do, the recorded total);
the page shows it, and sums the chosen prices while the customer chooses (`approval.js`, formatting
only: without script the form works the same and the confirmation shows the API's total).

A decision is posted, then the page is read again (post/redirect/get): once decided it is the
confirmation. Photos come through the portal (`/approvals/{token}/media/...`) from the gateway's
public media route with the same token, so the page loads nothing from another origin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.gateway_api import ApiError
from portal.web import DEFAULT_TIME_ZONE, CurrentVisit, Visit, redirect

router = APIRouter()
RESOURCE = "approvals"
# The link itself is refused (invalid, expired, used, outdated): an error page, not the form.
LINK_REFUSED = {"link_invalid", "link_expired", "link_used", "approval_outdated"}
SCRIPT = Path(__file__).parent / "static" / "approval.js"
MEDIA_HEADERS = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}


def _here(token: str, tail: str = "") -> str:
    return f"/approvals/{quote(token, safe='')}{tail}"


async def _approval(visit: Visit, token: str) -> dict[str, Any]:
    found: dict[str, Any] = await visit.api.get(RESOURCE, token)
    return found


def _show(visit: Visit, token: str, approval: dict[str, Any], status: int = 200, **context: Any) -> Response:
    template = "approval_done.html" if approval.get("decided_at") else "approval_page.html"
    # The API gives no site time zone for a link: the dealer's default, as the board takes it.
    return visit.render(template, status=status, token=token, approval=approval, zone=DEFAULT_TIME_ZONE, **context)


@router.get("/approvals/{token}")
async def approval_page(token: str, visit: CurrentVisit) -> Response:
    return _show(visit, token, await _approval(visit, token))


def _decision(approval: dict[str, Any], form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The API's body from the form, and the values to show again if it is refused."""
    if approval["approval_of"] == "estimate":
        return {"approved": form.get("approved") == "yes"}, {}
    items, values = [], {}
    for item in approval["items"]:
        if item["decision"] is not None:
            continue  # decided by phone with the advisor meanwhile: not the customer's to send again
        key = str(item["item_id"])
        choice = str(form.get(f"d-{key}", ""))
        reason = str(form.get(f"r-{key}", "")).strip()
        risk = form.get(f"k-{key}") == "yes"
        values.update({f"d-{key}": choice, f"r-{key}": reason, f"k-{key}": "yes" if risk else ""})
        if choice in ("approved", "declined"):
            items.append({"finding_id": key, "decision": choice, "reason": reason, "risk_acknowledged": risk})
    return {"items": items}, values


@router.post("/approvals/{token}/decision")
async def decide(token: str, request: Request, visit: CurrentVisit) -> Response:
    approval = await _approval(visit, token)
    body, values = _decision(approval, await request.form())
    try:
        # The customer's browser, recorded with their consent (the API records the device).
        device = {"User-Agent": request.headers.get("user-agent", "")}
        await visit.api.post(RESOURCE, token, "decision", body=body, **device)
    except ApiError as error:
        if error.code in LINK_REFUSED or error.status in (404, 410):
            raise
        again = await _approval(visit, token)
        return _show(visit, token, again, status=error.status, problem=visit.words.error(error.code), values=values)
    return redirect(_here(token))


async def _media(visit: Visit, token: str, media_id: str, *tail: str) -> Response:
    client: httpx.AsyncClient = visit.request.app.state.client
    try:
        answer = await client.get(visit.api.url("media", token, media_id, *tail), headers=visit.api.headers)
    except httpx.TransportError:
        return Response(status_code=503)
    if answer.status_code != 200:
        return Response(status_code=404 if answer.status_code in (404, 410) else 502)
    kind = answer.headers.get("content-type", "application/octet-stream")
    return Response(answer.content, media_type=kind, headers=MEDIA_HEADERS)


@router.get("/approvals/{token}/media/{media_id}")
async def media(token: str, media_id: str, visit: CurrentVisit) -> Response:
    return await _media(visit, token, media_id)


@router.get("/approvals/{token}/media/{media_id}/thumbnail")
async def thumbnail(token: str, media_id: str, visit: CurrentVisit) -> Response:
    return await _media(visit, token, media_id, "thumbnail")


@router.get("/approval.js", include_in_schema=False)
async def script() -> Response:
    return Response(
        SCRIPT.read_bytes(), media_type="text/javascript; charset=utf-8", headers={"Cache-Control": "no-cache"}
    )
