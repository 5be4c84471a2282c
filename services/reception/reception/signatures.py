"""The customer's signature on the repair order, drawn on the desk's screen: the PNG is kept
with the visit, its SHA-256 is the `signature_ref` the desk then signs the RO with, and the
printed RO reads the image back. A signature is personal data (decision 0004): only the
readers of personal data get it, each read is recorded, and an erasure of the customer clears
the image (the row and its ref stay: the RO was signed, and the history says so).

    POST /sites/{site_id}/repair-orders/{id}/signature   body: the PNG (image/png)
    GET  /sites/{site_id}/repair-orders/{id}/signature   → the PNG (410 once erased)
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from events.catalog.privacy import PersonalDataErased
from events.commands import load
from events.connection import Connection
from events.envelope import Envelope
from events.errors import NotFound
from events.http import Actor, CurrentIdentity, SiteId, acting, error_body, site_tenant
from events.identity import ADVISOR, SERVICE_MANAGER
from events.openapi import refusals
from events.personal_data import phone_subject
from events.privacy import PERSONAL_DATA_READERS, personal_view
from events.runtime import Reaction, now, store_of
from reception.api import RepairOrderId
from reception.domain.repair_order import repair_order, stream_id
from reception.domain.repair_order_state import require_unsigned

router = APIRouter(tags=["reception"])

PNG = "image/png"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# A signature drawn on a screen is a few tens of kilobytes; anything far larger is not one.
MAX_BYTES = 256 * 1024
MAX_SIDE = 4000
SIGNATURE = "/sites/{site_id}/repair-orders/{repair_order_id}/signature"


def png_size(image: bytes) -> tuple[int, int] | None:
    """Width and height if `image` is a PNG (by its content: the signature, then the IHDR chunk
    first, as the format requires), else None. What the client says the type is counts for nothing."""
    if len(image) < 33 or not image.startswith(PNG_MAGIC) or image[12:16] != b"IHDR":
        return None
    width, height = int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big")
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        return None
    return width, height


def signature_ref(image: bytes) -> str:
    return f"sha256:{hashlib.sha256(image).hexdigest()}"


def _refused(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status)


async def _body(request: Request) -> bytes | None:
    """The request's body, or None as soon as it passes MAX_BYTES (the rest is not read)."""
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > MAX_BYTES:
            return None
    return bytes(received)


_STORE = """
INSERT INTO signatures (repair_order_id, group_id, site_id, subject_id, signature_ref, image, uploaded_by,
    uploaded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (repair_order_id) DO UPDATE SET subject_id = $4, signature_ref = $5, image = $6, uploaded_by = $7,
    uploaded_at = $8, erased_at = NULL
"""


@router.post(
    SIGNATURE,
    status_code=201,
    responses={
        **refusals("already_signed", "visit_closed"),
        413: {"description": "`signature_too_large`: more than 256 KiB"},
        415: {"description": "`signature_not_png`: the body is not a PNG image (checked by its content)"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {PNG: {"schema": {"type": "string", "format": "binary", "maxLength": MAX_BYTES}}},
        }
    },
)
async def upload_signature(
    repair_order_id: RepairOrderId, request: Request, by: Annotated[Actor, acting(ADVISOR, SERVICE_MANAGER)]
) -> Any:
    """The customer's signature as drawn (a PNG, at most 256 KiB), kept with the visit until it
    is signed: drawn again, it replaces the last one. Answers the `signature_ref` to sign with."""
    image = await _body(request)
    if image is None:
        return _refused(413, "signature_too_large", f"a signature image is at most {MAX_BYTES} bytes")
    if png_size(image) is None:
        return _refused(415, "signature_not_png", "send the signature as a PNG image")
    state, _ = await load(store_of(request), repair_order, stream_id(repair_order_id), by.tenant)
    visit = require_unsigned(state)  # a signed RO's signature is the one it was signed with
    customer = visit.customer
    subject = customer.customer_id or phone_subject(customer.phone)
    ref = signature_ref(image)
    await request.app.state.runtime.pool.execute(
        _STORE,
        repair_order_id,
        by.tenant.group_id,
        by.tenant.site_id,
        subject,
        ref,
        image,
        by.identity.user_id,
        now(request),
    )
    return {"repair_order_id": str(repair_order_id), "signature_ref": ref, "bytes": len(image)}


@router.get(
    SIGNATURE,
    response_class=Response,
    responses={
        200: {"content": {PNG: {}}, "description": "the signature image"},
        **refusals(),
        410: {"description": "`signature_erased`: the customer's personal data was erased"},
    },
)
async def read_signature(
    site_id: SiteId, repair_order_id: RepairOrderId, identity: CurrentIdentity, request: Request
) -> Response:
    """The signature image, for the printed RO; the readers of personal data only (the read is
    recorded)."""
    tenant = site_tenant(identity, site_id, tuple(sorted(PERSONAL_DATA_READERS)))
    pool = request.app.state.runtime.pool
    row = await pool.fetchrow(
        "SELECT signature_ref, image FROM signatures WHERE repair_order_id = $1 AND group_id = $2 AND site_id = $3",
        repair_order_id,
        tenant.group_id,
        tenant.site_id,
    )
    if row is None:
        raise NotFound(f"no signature for repair order {repair_order_id}")
    if row["image"] is None:
        return _refused(410, "signature_erased", "the customer's personal data was erased")
    await personal_view(
        pool, identity, request, [{"repair_order_id": repair_order_id}], fields=(), subject="repair_order_id"
    )
    return Response(
        bytes(row["image"]),
        media_type=PNG,
        headers={"ETag": f'"{row["signature_ref"]}"', "Cache-Control": "private, no-store"},
    )


async def erase(conn: Connection, subjects: tuple[UUID, ...], at: Any) -> int:
    """The images of `subjects`' signatures cleared; the number cleared."""
    result: str = await conn.execute(
        "UPDATE signatures SET image = NULL, erased_at = $2 WHERE subject_id = ANY($1::uuid[]) AND image IS NOT NULL",
        list(subjects),
        at,
    )
    return int(result.split()[-1])


def erasures() -> Reaction:
    """privacy.PersonalDataErased → the customer's signature images cleared (the runtime scrubs
    the text columns; an image is not one)."""

    async def react(conn: Connection, envelope: Envelope[Any]) -> None:
        erased: PersonalDataErased = envelope.event
        await erase(conn, erased.subject_ids, erased.requested_at)

    return Reaction("signature-erasure", ["privacy"], {PersonalDataErased.event_type}, react)
