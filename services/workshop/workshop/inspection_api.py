"""The inspection HTTP API: the site's checklists (the service manager edits them), the
inspection of a work order (technicians grade items and attach photos and videos from the
tablet; completing it reports the yellow and red items as findings), and the media themselves —
for staff under the RO's tenancy rules, and for the holder of the RO's approval link.

    GET  /sites/{s}/inspection-templates                 PUT/GET .../{template_id}
    POST /sites/{s}/work-orders/{ro}/inspection          GET the same
    PUT  /sites/{s}/work-orders/{ro}/inspection/items/{item}
    POST /sites/{s}/work-orders/{ro}/inspection/items/{item}/media   (multipart: `file`)
    POST /sites/{s}/work-orders/{ro}/inspection/complete
    GET  /sites/{s}/media/{media_id}   (+ /thumbnail)
    GET  /public/media/{token}/{media_id}   (+ /thumbnail): an approval link of the media's RO
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, File, Path, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from events.commands import load
from events.errors import NotFound
from events.http import Actor, CurrentIdentity, SiteId, acting, error_body, site_tenant
from events.identity import SERVICE_MANAGER
from events.link_refusals import LinkRefused, link_refusals, read_or_refuse
from events.media import UploadRefused, check_upload
from events.openapi import refusals
from events.runtime import now, store_of
from workshop import media_files
from workshop.api import READERS, WORKERS
from workshop.domain import inspection as insp
from workshop.domain import inspection_templates as templates
from workshop.inspecting import Inspecting
from workshop.inspection_schemas import (
    CompleteBody,
    InspectionView,
    ItemBody,
    OpenBody,
    TemplateBody,
    TemplateView,
    UploadedView,
    inspection_view,
    media_view,
    template_view,
)

router = APIRouter(tags=["inspection"])

RepairOrderId = Annotated[UUID, Path(description="the repair order (and its work order) id")]
ItemId = Annotated[str, Path(description="the checklist item", max_length=60, pattern=r"^[a-z0-9_]+$")]
TemplateId = Annotated[str, Path(description="the template", max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")]
MediaId = Annotated[UUID, Path(description="the photo or video")]
Worker = Annotated[Actor, acting(*WORKERS)]
Manager = Annotated[Actor, acting(SERVICE_MANAGER)]

INSPECTION = "/sites/{site_id}/work-orders/{repair_order_id}/inspection"
CONFLICT = "concurrency_conflict"
OPEN_RULES = ("no_inspection", "inspection_completed", "unknown_inspection_item", CONFLICT)
# The link's purpose whose holder may see the RO's photos: the approval page shows them.
APPROVAL = "approval"
# The photos are seen on the approval page: a new link is the advisor's to send (reception).
EXPIRED = "this link has expired: ask the service advisor for a new one"


def inspecting_of(request: Request) -> Inspecting:
    inspecting: Inspecting = request.app.state.inspecting
    return inspecting


# --- templates -----------------------------------------------------------------------------


@router.get("/sites/{site_id}/inspection-templates")
async def list_templates(site_id: SiteId, identity: CurrentIdentity, request: Request) -> list[TemplateView]:
    """The site's checklists: the built-in 30-point check (until the site replaces it) and its own."""
    tenant = site_tenant(identity, site_id, READERS)
    site, _ = await load(
        store_of(request), templates.inspection_templates, templates.stream_id(site_id), tenant, must_exist=False
    )
    return [template_view(t) for t in site.all()]


@router.get("/sites/{site_id}/inspection-templates/{template_id}", responses=refusals())
async def get_template(
    site_id: SiteId, template_id: TemplateId, identity: CurrentIdentity, request: Request
) -> TemplateView:
    tenant = site_tenant(identity, site_id, READERS)
    site, _ = await load(
        store_of(request), templates.inspection_templates, templates.stream_id(site_id), tenant, must_exist=False
    )
    try:
        return template_view(site.get(template_id))
    except templates.UnknownTemplate as unknown:
        raise NotFound(str(unknown)) from None


@router.put(
    "/sites/{site_id}/inspection-templates/{template_id}",
    responses=refusals("duplicate_inspection_point", CONFLICT, not_found=False),
)
async def put_template(
    site_id: SiteId, template_id: TemplateId, body: TemplateBody, request: Request, by: Manager
) -> TemplateView:
    """Set a checklist (replacing the one of this id; `default-30-point` replaces the built-in)."""
    command = body.command(site_id, template_id, by.identity.user_id, now(request))
    outcome = await by.run(
        store_of(request), templates.inspection_templates, templates.stream_id(site_id), command, must_exist=False
    )
    return template_view(outcome.state.get(template_id))


# --- the inspection of a work order ----------------------------------------------------------


@router.post(
    INSPECTION,
    status_code=201,
    responses=refusals("inspection_already_open", "already_ready_for_delivery", "unknown_inspection_template"),
)
async def open_inspection(
    site_id: SiteId, repair_order_id: RepairOrderId, request: Request, by: Worker, body: OpenBody | None = None
) -> InspectionView:
    """Open the car's inspection from the template that fits it (or the one named), with the
    results of its last inspection (by VIN) carried forward."""
    chosen = body or OpenBody()
    try:
        outcome = await inspecting_of(request).open(
            by.metadata, repair_order_id, chosen.template_id, chosen.service_type
        )
    except templates.UnknownTemplate as unknown:
        raise NotFound(str(unknown)) from None
    return inspection_view(site_id, outcome.state, outcome.version)


@router.get(INSPECTION, responses=refusals())
async def get_inspection(
    site_id: SiteId, repair_order_id: RepairOrderId, identity: CurrentIdentity, request: Request
) -> InspectionView:
    tenant = site_tenant(identity, site_id, READERS)
    state, version = await load(store_of(request), insp.inspection, insp.stream_id(repair_order_id), tenant)
    return inspection_view(site_id, state, version)


@router.put(
    INSPECTION + "/items/{item_id}",
    responses=refusals(*OPEN_RULES, "invalid_code", "invalid_amount", "missing_information"),
)
async def record_item(
    site_id: SiteId, repair_order_id: RepairOrderId, item_id: ItemId, body: ItemBody, request: Request, by: Worker
) -> InspectionView:
    """Grade an item green, yellow or red, with a note and its measured value (again: the last counts)."""
    command = body.command(item_id, by.identity.user_id, now(request))
    outcome = await inspecting_of(request).run(by.metadata, repair_order_id, command, by.expected_version)
    return inspection_view(site_id, outcome.state, outcome.version)


def _refused(refusal: UploadRefused) -> JSONResponse:
    return JSONResponse(error_body(refusal.code, str(refusal)), status_code=refusal.status)


@router.post(
    INSPECTION + "/items/{item_id}/media",
    status_code=201,
    responses={
        **refusals(*OPEN_RULES, "too_many_media"),
        413: {"description": "`media_too_large`: a photo over 10 MB or a video over 50 MB (configurable)"},
        415: {"description": "`media_type_not_accepted` / `media_unreadable`: told by the content, not the name"},
    },
)
async def upload_media(
    site_id: SiteId,
    repair_order_id: RepairOrderId,
    item_id: ItemId,
    request: Request,
    by: Worker,
    file: Annotated[UploadFile, File(description="a photo (JPEG, PNG, WebP) or a video (MP4, MOV)")],
) -> Any:
    """Attach a photo or video to an item. A photo is stored without its location metadata, with
    a thumbnail; the type is told by the content."""
    inspecting = inspecting_of(request)
    limits = inspecting.files.limits
    data = await file.read(limits.largest + 1)
    try:
        if len(data) > limits.largest:
            raise UploadRefused("media_too_large", 413, f"an upload is at most {limits.largest} bytes")
        upload = await asyncio.to_thread(check_upload, data, limits)
    except UploadRefused as refusal:
        return _refused(refusal)
    outcome, ref = await inspecting.attach(by.metadata, repair_order_id, item_id, upload, by.expected_version)
    return UploadedView(
        repair_order_id=repair_order_id,
        item_id=item_id,
        version=outcome.version,
        bytes=len(upload.content),
        media=media_view(site_id, ref),
    )


@router.post(
    INSPECTION + "/complete",
    responses=refusals(*OPEN_RULES, "inspection_items_not_graded", "finding_not_quoted", "finding_round_not_allowed"),
)
async def complete_inspection(
    site_id: SiteId, repair_order_id: RepairOrderId, request: Request, by: Worker, body: CompleteBody | None = None
) -> InspectionView:
    """Every item graded: the yellow and red ones become findings for the customer's decision."""
    command = (body or CompleteBody()).command(by.identity.user_id, now(request))
    outcome = await inspecting_of(request).complete(by.metadata, repair_order_id, command, by.expected_version)
    return inspection_view(site_id, outcome.state, outcome.version)


# --- the media -----------------------------------------------------------------------------

MEDIA_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}, "video/mp4": {}, "video/quicktime": {}}},
    410: {"description": "`media_erased`: the customer's personal data was erased"},
}
PUBLIC_MEDIA_ANSWERS = {**MEDIA_ANSWERS, **link_refusals(gone=MEDIA_ANSWERS[410]["description"])}


async def _serve(request: Request, row: Any, thumbnail: bool, cache: str) -> Response:
    if row["erased_at"] is not None:
        return JSONResponse(error_body("media_erased", "the customer's personal data was erased"), status_code=410)
    key = row["thumbnail_key"] if thumbnail else row["storage_key"]
    if key is None:
        raise NotFound("a video has no thumbnail")
    try:
        content = await inspecting_of(request).files.store.get(key)
    except KeyError:
        raise NotFound(f"media {row['media_id']} is no longer kept") from None
    media_type = "image/jpeg" if thumbnail else row["content_type"]
    return Response(content, media_type=media_type, headers={"Cache-Control": cache})


async def _staff_media(site_id: UUID, media_id: UUID, identity: Any, request: Request, thumbnail: bool) -> Response:
    tenant = site_tenant(identity, site_id, READERS)
    row = await media_files.find(request.app.state.runtime.pool, media_id)
    if row is None or (row["group_id"], row["site_id"]) != (tenant.group_id, tenant.site_id):
        raise NotFound(f"no media {media_id} at this site")
    return await _serve(request, row, thumbnail, "private, max-age=300")


@router.get("/sites/{site_id}/media/{media_id}", response_class=Response, responses={**refusals(), **MEDIA_ANSWERS})
async def staff_media(site_id: SiteId, media_id: MediaId, identity: CurrentIdentity, request: Request) -> Response:
    """A photo or video, for the staff of the site whose repair order it belongs to."""
    return await _staff_media(site_id, media_id, identity, request, thumbnail=False)


@router.get(
    "/sites/{site_id}/media/{media_id}/thumbnail", response_class=Response, responses={**refusals(), **MEDIA_ANSWERS}
)
async def staff_thumbnail(site_id: SiteId, media_id: MediaId, identity: CurrentIdentity, request: Request) -> Response:
    return await _staff_media(site_id, media_id, identity, request, thumbnail=True)


async def _public_media(token: str, media_id: UUID, request: Request, thumbnail: bool) -> Response:
    """The holder of an approval link sees the media of that link's RO, and of no other:
    a tampered link, one of another purpose, or media of another RO are all `link_invalid`."""
    claims = read_or_refuse(token, request.app.state.link_key, purpose=APPROVAL, now=now(request), expired=EXPIRED)
    row = await media_files.find(request.app.state.runtime.pool, media_id)
    if row is None or str(row["repair_order_id"]) != claims.subject or row["site_id"] != claims.site_id:
        raise LinkRefused("link_invalid")
    return await _serve(request, row, thumbnail, "private, no-store")


@router.get("/public/media/{token}/{media_id}", response_class=Response, responses=PUBLIC_MEDIA_ANSWERS)
async def public_media(token: str, media_id: MediaId, request: Request) -> Response:
    """A photo or video of a finding, for the customer holding the RO's approval link."""
    return await _public_media(token, media_id, request, thumbnail=False)


@router.get("/public/media/{token}/{media_id}/thumbnail", response_class=Response, responses=PUBLIC_MEDIA_ANSWERS)
async def public_thumbnail(token: str, media_id: MediaId, request: Request) -> Response:
    return await _public_media(token, media_id, request, thumbnail=True)
