"""The printed RO shows the signature the customer drew on the desk's screen: read from
reception with the caller's identity; a caller reception refuses it to (not a reader of
personal data), or an erased one, gets the RO with the signature's ref alone."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pypdf
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from gateway_helpers import SETTINGS, gateway_over
from test_documents import RO_ID, RO_VIEW

from events.identity import IDENTITY_HEADER, Identity, verify_internal_token
from gateway import tokens
from gateway.rate_limit import RateLimiter

DRAWN = {**RO_VIEW, "signature_ref": "sha256:" + "ab" * 32}


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x10" * 30 for _ in range(10))
    header = struct.pack(">IIBBBBB", 30, 10, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class Reception:
    def __init__(self) -> None:
        self.readers: list[str] = []
        self.status = 200


def service(reception: Reception) -> FastAPI:
    app = FastAPI()

    @app.get("/{path:path}")
    async def answer(path: str, request: Request) -> Any:
        identity = verify_internal_token(request.headers.get(IDENTITY_HEADER))
        if path == f"sites/s1/repair-orders/{RO_ID}":
            return DRAWN
        if path == f"sites/s1/repair-orders/{RO_ID}/signature":
            reception.readers.append(identity.user_id)
            if reception.status != 200:
                return JSONResponse({"error": {"code": "refused", "message": "no"}}, status_code=reception.status)
            return Response(png(), media_type="image/png")
        if path == "sites/s1/capacity":
            return {"timezone": "Asia/Shanghai"}
        return JSONResponse({"error": {"code": "not_found", "message": "none"}}, status_code=404)

    return app


@pytest.fixture
def reception() -> Reception:
    return Reception()


@pytest.fixture
async def gateway(reception: Reception) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_over(service(reception), RateLimiter(rate_per_second=100, burst=100)) as client:
        yield client


def bearer(role: str) -> dict[str, str]:
    token = tokens.issue(SETTINGS, Identity("sa-1", "Wang Fang", "g1", frozenset({role}), frozenset({"s1"})))
    return {"Authorization": f"Bearer {token}"}


async def printed(gateway: httpx.AsyncClient, role: str) -> pypdf.PdfReader:
    response = await gateway.get(f"/api/v1/sites/s1/documents/repair-order/{RO_ID}.pdf?lang=en", headers=bearer(role))
    assert response.status_code == 200, response.text
    return pypdf.PdfReader(io.BytesIO(response.content))


def images(pdf: pypdf.PdfReader) -> int:
    return sum(len(page.images) for page in pdf.pages)


async def test_the_drawn_signature_is_printed_read_as_the_caller(
    gateway: httpx.AsyncClient, reception: Reception
) -> None:
    pdf = await printed(gateway, "advisor")
    assert images(pdf) == 1
    assert "Customer's signature" in "".join(page.extract_text() for page in pdf.pages)
    assert reception.readers == ["sa-1"]


@pytest.mark.parametrize("status", [403, 410])
async def test_a_signature_refused_to_the_caller_prints_the_ref_alone(
    gateway: httpx.AsyncClient, reception: Reception, status: int
) -> None:
    reception.status = status
    pdf = await printed(gateway, "advisor")
    assert images(pdf) == 0
    assert "sha256:abab" in "".join(page.extract_text() for page in pdf.pages).replace("\n", "")
