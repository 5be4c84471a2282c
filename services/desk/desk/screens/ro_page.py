"""The RO after hand-over, as the advisor (or the service manager) follows it to delivery: its
status, lines, totals and promise as reception answers them, the workshop's progress (live, on
the board's stream), the additional work waiting for the customer's decision (approved or
declined with the consent recorded; live too: the customer may decide on their phone), a revised
promise with its reason and consent, the invoice once the car is ready (the cashier takes the
money on their own screen), delivery with its checklist, the printed papers, and the RO's full
history.

Every total, status and refusal is the API's: the page shows them. Each command sends the
version the page showed (If-Match): a change made meanwhile is refused, not overwritten."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from desk.devices import device_of
from desk.gateway_api import ApiError
from desk.printing import printed_pdf
from desk.web import Visit, redirect, screen

router = APIRouter()
# The RO desk's people: the advisor who wrote the RO and the service manager (reception's `Desk`).
RO = screen("reception")

# The API's consent kinds (events.catalog.reception_values.CONSENT_KINDS): a consent given in
# person is a signature on the paper (its reference: the signed sheet).
CONSENT_KINDS = ("signature", "phone")
PRINTABLE = ("repair-order", "pre-delivery", "invoice", "additional-work")


def _path(repair_order_id: UUID, rest: str = "") -> str:
    return f"repair-orders/{repair_order_id}{rest}"


async def _progress(visit: Visit, repair_order_id: UUID) -> dict[str, Any] | None:
    """The workshop's work order; None before the workshop has it (or while it is away: the RO
    still shows)."""
    try:
        found: dict[str, Any] = await visit.api.get(f"work-orders/{repair_order_id}")
    except ApiError as error:
        if error.status == 401:
            raise
        return None
    return found


async def _invoice(visit: Visit, order: dict[str, Any]) -> dict[str, Any] | None:
    """Billing's invoice: the one reception knows once it is paid, or, for a ready car, the one
    in force (issued, not paid yet); None before the cashier issues it (or while billing is away)."""
    settled = order.get("invoice")
    try:
        if settled and settled.get("invoice_id"):
            found: dict[str, Any] = await visit.api.get(f"invoices/{settled['invoice_id']}")
            return found
        if order.get("ready"):
            in_force: list[dict[str, Any]] = await visit.api.get(
                "invoices", repair_order_id=str(order["repair_order_id"])
            )
            return in_force[0] if in_force else None
    except ApiError as error:
        if error.status == 401:
            raise
    return None


async def _links(visit: Visit, repair_order_id: UUID) -> list[dict[str, Any]]:
    """The approval links sent to the customer, newest first, each with its state (`decided`,
    `open`, `expired`) and, once used, the device it was used from."""
    try:
        sent: list[dict[str, Any]] = await visit.api.get(_path(repair_order_id, "/approval-requests"))
    except ApiError as error:
        if error.status == 401:
            raise
        return []  # a reception without the links (older, or away for a moment): the RO still shows
    now = datetime.now(UTC)
    for link in sent:
        expired = datetime.fromisoformat(link["expires_at"]) <= now
        link["state"] = "decided" if link["decided_at"] else "expired" if expired else "open"
        link["device"] = device_of(link["user_agent"])
    return sent[::-1]


async def _context(visit: Visit, repair_order_id: UUID) -> dict[str, Any]:
    order = await visit.api.get(_path(repair_order_id))
    zone = await visit.time_zone()
    links = await _links(visit, repair_order_id)
    return {
        "order": order,
        "links": links,
        # A decision through a link: its consent's reference is the link's (docs/approval-links.md).
        "link_of": {link["reference"]: link for link in links},
        "work": await _progress(visit, repair_order_id),
        "billed": await _invoice(visit, order),
        "time_zone": zone,
        "consent_kinds": CONSENT_KINDS,
        "now_local": datetime.now(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M"),
    }


@router.get("/ro/{repair_order_id}")
async def ro_page(repair_order_id: UUID, visit: Visit = RO, done: str | None = None) -> HTMLResponse:
    context = await _context(visit, repair_order_id)
    return visit.render("ro_page.html", values={}, errors={}, done=done, failed=None, **context)


@router.get("/ro/{repair_order_id}/live")
async def ro_live(repair_order_id: UUID, visit: Visit = RO) -> HTMLResponse:
    """The live region alone (htmx swaps it in when the board's stream says something changed)."""
    return visit.render("ro_live.html", **await _context(visit, repair_order_id))


@router.get("/ro/{repair_order_id}/findings")
async def ro_findings(repair_order_id: UUID, visit: Visit = RO) -> HTMLResponse:
    """The additional work alone, refreshed on the board's stream too: the customer may decide on
    their phone while the advisor has the page open (docs/approval-links.md)."""
    context = await _context(visit, repair_order_id)
    return visit.render("ro_findings.html", values={}, errors={}, failed=None, **context)


async def _command(
    request: Request, visit: Visit, repair_order_id: UUID, action: str, body: Any, values: dict[str, str], done: str
) -> Response:
    headers = {"If-Match": values["version"]} if values.get("version") else {}
    try:
        await visit.api.post(_path(repair_order_id, action), body, **headers)
    except ApiError as error:
        context = await _context(visit, repair_order_id)
        failed = values.get("form")
        return visit.form_again("ro_page.html", error, values, done=None, failed=failed, **context)
    return redirect(f"/ro/{repair_order_id}?done={done}", request)


async def _values(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: str(value) for key, value in form.items() if key != "csrf_token"}


def _aware(local: str, zone: str) -> str:
    """`2026-12-07T16:30` typed at the site → the instant in the site's time zone; anything else
    as typed, for the API to refuse beside the input."""
    try:
        return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).isoformat()
    except ValueError:
        return local


def _consent(visit: Visit, values: dict[str, str], zone: str) -> dict[str, Any] | None:
    """The consent as the API's body has it; none typed: none sent (the API says it is needed)."""
    reference = values.get("consent.reference", "").strip()
    kind = values.get("consent.kind", "")
    if not reference and not kind:
        return None
    at = values.get("consent.at", "").strip()
    return {
        "kind": kind,
        "reference": reference,
        "recorded_by": visit.session.person.user_id,
        "at": _aware(at, zone) if at else datetime.now(UTC).isoformat(),
    }


# --- additional work --------------------------------------------------------------------------


@router.post("/ro/{repair_order_id}/findings/{finding_id}/approve")
async def approve(repair_order_id: UUID, finding_id: UUID, request: Request, visit: Visit = RO) -> Response:
    values = await _values(request)
    body = {"consent": _consent(visit, values, await visit.time_zone())}
    return await _command(
        request, visit, repair_order_id, f"/additional-work/{finding_id}/approve", body, values, "approved"
    )


@router.post("/ro/{repair_order_id}/findings/{finding_id}/decline")
async def decline(repair_order_id: UUID, finding_id: UUID, request: Request, visit: Visit = RO) -> Response:
    values = await _values(request)
    body = {
        "consent": _consent(visit, values, await visit.time_zone()),
        "customer_reason": values.get("customer_reason", "").strip(),
        "safety_explained": values.get("safety_explained") == "on",
    }
    return await _command(
        request, visit, repair_order_id, f"/additional-work/{finding_id}/decline", body, values, "declined"
    )


@router.post("/ro/{repair_order_id}/approval-requests")
async def send_link(repair_order_id: UUID, request: Request, visit: Visit = RO) -> Response:
    """A new link for the decision awaiting the customer (the last one expired, or was lost)."""
    values = await _values(request)
    body = {"approval_of": values.get("approval_of", "additional_work")}
    return await _command(request, visit, repair_order_id, "/approval-requests", body, values, "link_sent")


# --- the promise ------------------------------------------------------------------------------


@router.post("/ro/{repair_order_id}/promise")
async def revise_promise(repair_order_id: UUID, request: Request, visit: Visit = RO) -> Response:
    values = await _values(request)
    zone = await visit.time_zone()
    body = {
        "promised_at": _aware(values.get("promised_at", ""), zone),
        "reason": values.get("reason", "").strip(),
        "consent": _consent(visit, values, zone),
    }
    return await _command(request, visit, repair_order_id, "/promised-time", body, values, "promise_revised")


# --- delivery ---------------------------------------------------------------------------------


@router.post("/ro/{repair_order_id}/delivery")
async def deliver(repair_order_id: UUID, request: Request, visit: Visit = RO) -> Response:
    """The checklist only: the next service is reception's to work out (catalogue or the site's interval)."""
    values = await _values(request)
    body = {name: values.get(name) == "on" for name in ("work_explained", "old_parts_shown", "old_parts_returned")}
    return await _command(request, visit, repair_order_id, "/delivery", body, values, "delivered")


# --- history and the printed papers -----------------------------------------------------------


@router.get("/ro/{repair_order_id}/history")
async def history(repair_order_id: UUID, visit: Visit = RO) -> HTMLResponse:
    order = await visit.api.get(_path(repair_order_id))
    entries = await visit.api.get(_path(repair_order_id, "/history"))
    return visit.render("ro_history.html", order=order, entries=entries, time_zone=await visit.time_zone())


@router.get("/ro/{repair_order_id}/print/{kind}.pdf")
async def printed(repair_order_id: UUID, kind: str, visit: Visit = RO, finding: UUID | None = None) -> Response:
    """The gateway's PDF streamed through with the session's token (never in the link). The
    invoice is billing's: the one reception knows once it is paid, else the RO's invoice in force."""
    if kind not in PRINTABLE:
        raise ApiError(404, "not_found")
    document_id = str(repair_order_id)
    params: dict[str, str] = {}
    if kind == "invoice":
        billed = await _invoice(visit, await visit.api.get(_path(repair_order_id)))
        if billed is None:
            raise ApiError(404, "not_found")
        document_id = str(billed["invoice_id"])
    if kind == "additional-work":
        if finding is None:
            raise ApiError(404, "not_found")
        params["finding"] = str(finding)
    return await printed_pdf(visit, f"documents/{kind}/{document_id}.pdf", f"{kind}-{repair_order_id}.pdf", params)
