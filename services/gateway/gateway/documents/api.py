"""`GET /api/v1/sites/{site_id}/documents/{kind}/{id}.pdf?lang=zh|en`: a printable document,
rendered from the owning service's view read with the caller's identity (`sources.py`).

The language is `lang`, else the first of Chinese or English in `Accept-Language`, else Chinese.
Rendering is CPU work (fonts, layout): it runs in a worker thread, so the gateway's event loop
keeps forwarding other requests meanwhile.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from events.http import error_body
from events.identity import Forbidden
from events.openapi import ErrorBody
from gateway.auth import Caller
from gateway.documents import additional_work, appointment_list, complaint, invoice, pre_delivery, repair_order
from gateway.documents.fonts import Font
from gateway.documents.layout import LANGUAGES, Language, Paper
from gateway.documents.sources import Refused, Views, segment
from gateway.routing import API_PREFIX

KINDS = ("repair-order", "additional-work", "pre-delivery", "appointment-list", "complaint", "invoice")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]")
_PDF = {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}

router = APIRouter(tags=["documents"])


def preferred_language(accept_language: str | None) -> Language:
    """The reader's language from `Accept-Language` (`en-US,en;q=0.9,zh;q=0.8` → en): the
    highest-weighted of ours, Chinese when it names neither."""
    best: Language = "zh"
    best_weight = 0.0
    for item in (accept_language or "").split(","):
        tag, _, parameters = item.strip().partition(";")
        weight = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        language = tag.strip().lower().split("-")[0]
        for ours in LANGUAGES:
            if language == ours and weight > best_weight:
                best, best_weight = ours, weight
    return best


Render = Callable[[Paper], bytes]


async def _repair_order(views: Views, document_id: str, finding: str | None) -> Render:
    view = await views.get("reception", f"repair-orders/{segment(document_id)}")
    signature = await repair_order.signature_image(views, view)
    return lambda paper: repair_order.render(view, paper, signature)


async def _additional_work(views: Views, document_id: str, finding: str | None) -> Render:
    if finding is None:
        raise RequestValidationError(
            [{"loc": ("query", "finding"), "msg": "name the finding (additional work) to print", "type": "missing"}]
        )
    view = await views.get("reception", f"repair-orders/{segment(document_id)}")
    found = additional_work.finding_of(view, finding)
    if found is None:
        message = f"repair order {document_id} has no finding {finding}"
        raise Refused(JSONResponse(error_body("not_found", message), status_code=404))
    return lambda paper: additional_work.render(view, found, paper)


async def _pre_delivery(views: Views, document_id: str, finding: str | None) -> Render:
    view = await views.get("reception", f"repair-orders/{segment(document_id)}")
    work_order = await views.get("workshop", f"work-orders/{segment(document_id)}")
    return lambda paper: pre_delivery.render(view, work_order, paper)


async def _appointment_list(views: Views, document_id: str, finding: str | None) -> Render:
    view = await views.get("booking", "appointment-lists", {"date": document_id})
    return lambda paper: appointment_list.render(view, paper)


async def _complaint(views: Views, document_id: str, finding: str | None) -> Render:
    view = await views.get("complaints", f"complaints/{segment(document_id)}")
    return lambda paper: complaint.render(view, paper)


async def _invoice(views: Views, document_id: str, finding: str | None) -> Render:
    view = await views.get("billing", f"invoices/{segment(document_id)}")
    return lambda paper: invoice.render(view, paper)


_DOCUMENTS: dict[str, Callable[[Views, str, str | None], Awaitable[Render]]] = {
    "repair-order": _repair_order,
    "additional-work": _additional_work,
    "pre-delivery": _pre_delivery,
    "appointment-list": _appointment_list,
    "complaint": _complaint,
    "invoice": _invoice,
}

_ERRORS: dict[int | str, dict[str, Any]] = {
    200: {**_PDF, "description": "the document (application/pdf)"},
    401: {"model": ErrorBody, "description": "no valid token"},
    403: {"model": ErrorBody, "description": "the site is outside the caller's scope, or the service refuses the role"},
    404: {"model": ErrorBody, "description": "no such document kind, record or finding at this site (`not_found`)"},
    503: {"model": ErrorBody, "description": "a service the document needs cannot be reached; try again"},
}


@router.get(
    f"{API_PREFIX}/sites/{{site_id}}/documents/{{kind}}/{{document_id}}.pdf",
    response_class=Response,
    responses=_ERRORS,
)
async def document(
    site_id: str,
    kind: str,
    document_id: str,
    request: Request,
    identity: Caller,
    lang: Annotated[Language | None, Query(description="zh or en; default from Accept-Language, then zh")] = None,
    finding: Annotated[str | None, Query(description="additional-work: the finding to print")] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Response:
    """A printable document: `repair-order`, `additional-work` (`?finding=`), `pre-delivery`
    (ids: the repair order's), `invoice` (billing's invoice id), `appointment-list` (id: a date,
    YYYY-MM-DD), `complaint`. Whoever may read the data may print it; the service's refusal
    comes back unchanged."""
    # The site first: another site is 403 whatever is asked of it, so a refusal tells nothing.
    if not identity.can_see(identity.group_id, site_id):
        raise Forbidden(f"no access to site {site_id}")
    gather = _DOCUMENTS.get(kind)
    if gather is None:
        return JSONResponse(error_body("not_found", f"no such document: {kind}; one of {', '.join(KINDS)}"), 404)
    views = Views.of(request, identity, site_id)
    try:
        render = await gather(views, document_id, finding)
        zone = await views.time_zone()
    except Refused as refused:
        return refused.answer
    font: Font = request.app.state.document_font
    paper = Paper(lang or preferred_language(accept_language), zone, font, site_id, datetime.now(UTC))
    pdf = await run_in_threadpool(render, paper)
    name = f"{kind}-{_SAFE_NAME.sub('_', document_id)}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"},
    )
