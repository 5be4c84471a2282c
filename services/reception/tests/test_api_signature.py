"""The customer's signature drawn on the desk's screen: a PNG kept with the visit (checked by
its content, size-limited), its hash the ref the RO is signed with, read back for the printed
RO by the readers of personal data only, and cleared when the customer's data is erased."""

from __future__ import annotations

import struct
import uuid
import zlib
from datetime import UTC, datetime

import httpx
from api_helpers import ADVISOR_A, CHECK_IN, GROUP_A, SERVICE_ITEM, SITE_1, as_, estimated_visit, ok, post

from events.catalog.privacy import PersonalDataErased
from events.envelope import Metadata, Tenant
from events.identity import ADVISOR, CASHIER, TECHNICIAN
from events.personal_data import phone_subject
from events.testing import eventually
from events.testing.publishing import Publisher


def png(width: int = 40, height: int = 20, shade: int = 0) -> bytes:
    """A small grey PNG (a real one: signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def signature(ro: str) -> str:
    return f"/sites/{SITE_1}/repair-orders/{ro}/signature"


async def upload(api: httpx.AsyncClient, ro: str, image: bytes, headers: dict[str, str] = ADVISOR_A) -> httpx.Response:
    return await api.post(signature(ro), content=image, headers={**headers, "Content-Type": "image/png"})


async def test_the_drawn_signature_is_kept_and_the_ro_is_signed_with_its_ref(api: httpx.AsyncClient) -> None:
    ro, _ = await estimated_visit(api, items=[SERVICE_ITEM])
    image = png()
    stored = await ok(await upload(api, ro, image), 201)
    assert stored["signature_ref"].startswith("sha256:")
    assert stored["bytes"] == len(image)
    signed = await ok(await post(api, f"/{ro}/sign", {"signature_ref": stored["signature_ref"]}))
    assert signed["signature_ref"] == stored["signature_ref"]
    read = await api.get(signature(ro), headers=as_(CASHIER))
    assert read.status_code == 200
    assert read.headers["content-type"] == "image/png"
    assert read.content == image


async def test_drawn_again_before_signing_it_replaces_the_last_one(api: httpx.AsyncClient) -> None:
    ro, _ = await estimated_visit(api, items=[SERVICE_ITEM])
    first = await ok(await upload(api, ro, png(shade=10)), 201)
    second = await ok(await upload(api, ro, png(shade=200)), 201)
    assert first["signature_ref"] != second["signature_ref"]
    assert (await api.get(signature(ro), headers=ADVISOR_A)).content == png(shade=200)


async def test_a_signed_ro_keeps_the_signature_it_was_signed_with(api: httpx.AsyncClient) -> None:
    ro, _ = await estimated_visit(api, items=[SERVICE_ITEM])
    ref = (await ok(await upload(api, ro, png()), 201))["signature_ref"]
    await ok(await post(api, f"/{ro}/sign", {"signature_ref": ref}))
    again = await upload(api, ro, png(shade=99))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_signed"


async def test_only_a_png_is_taken_whatever_the_type_says(api: httpx.AsyncClient) -> None:
    ro = (await ok(await post(api, "", CHECK_IN), 201))["repair_order_id"]
    for body in (b"GIF89a" + b"\x00" * 64, b"<svg xmlns='http://www.w3.org/2000/svg'/>", png()[:20]):
        refused = await upload(api, ro, body)
        assert refused.status_code == 415
        assert refused.json()["error"]["code"] == "signature_not_png"
    huge = png() + b"\x00" * (300 * 1024)
    too_large = await upload(api, ro, huge)
    assert too_large.status_code == 413
    assert too_large.json()["error"]["code"] == "signature_too_large"


async def test_who_may_draw_and_read_a_signature(api: httpx.AsyncClient) -> None:
    ro, _ = await estimated_visit(api, items=[SERVICE_ITEM])
    assert (await upload(api, ro, png(), as_(TECHNICIAN))).status_code == 403
    await ok(await upload(api, ro, png()), 201)
    assert (await api.get(signature(ro), headers=as_(TECHNICIAN))).status_code == 403
    other_group = as_(ADVISOR, str(uuid.uuid4()), SITE_1)
    assert (await api.get(signature(ro), headers=other_group)).status_code in (403, 404)
    missing = await api.get(signature(str(uuid.uuid4())), headers=ADVISOR_A)
    assert missing.status_code == 404
    assert (await upload(api, str(uuid.uuid4()), png())).status_code == 404


async def test_an_erasure_of_the_customer_clears_the_image(api: httpx.AsyncClient, billing: Publisher) -> None:
    ro, _ = await estimated_visit(api, items=[SERVICE_ITEM])
    await ok(await upload(api, ro, png()), 201)
    customer = uuid.uuid4()
    erased = PersonalDataErased(
        customer_id=customer,
        subject_ids=(customer, phone_subject(CHECK_IN["customer"]["phone"])),  # type: ignore[index]
        reason="the customer's request",
        requested_at=datetime.now(UTC),
    )
    booking = Metadata(Tenant(GROUP_A, SITE_1), "manager-1", str(uuid.uuid4()))
    await billing.publish(booking, (f"personal_data-{customer}", erased))

    async def status() -> int:
        return (await api.get(signature(ro), headers=ADVISOR_A)).status_code

    await eventually(status, until=lambda code: code == 410, what="the signature image erased")
    body = (await api.get(signature(ro), headers=ADVISOR_A)).json()
    assert body["error"]["code"] == "signature_erased"
