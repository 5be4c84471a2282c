"""The public event contract (docs/contract.md), served so every CloudEvent's `dataschema`
resolves: `/contract/asyncapi.json` and `/contract/schemas/<service>/<Event>/v<N>.json`, the
documents `make contract` checks in under `contract/`.

They are made from the contract models at start rather than read from `contract/`: a gateway
image holds only `libs/events` and this package, and the models are what the checked-in files
are generated from, so the two cannot differ. Public documents: no token; a request's path only
looks up a name among them, never reaches the disk.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from events import asyncapi
from events.http import error_body

# JSON Schema's own media type (JSON Schema 2020-12, section 14.1).
SCHEMA_TYPE = "application/schema+json"
# Any site's tools (AsyncAPI Studio, a validator in a browser) may fetch the contract.
_PUBLIC = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-cache"}

router = APIRouter(include_in_schema=False)


@cache
def schemas() -> dict[str, bytes]:
    """`<service>/<Event>/v<N>.json` → the schema `events.schemas.export` writes to that file."""
    registry = asyncapi.published()
    found = {}
    for model in registry:
        service, name = model.event_type.split(".", 1)
        found[f"{service}/{name}/v{model.schema_version}.json"] = _json(registry.published_schema(model))
    return found


@cache
def asyncapi_document() -> bytes:
    return _json(asyncapi.document())


def _json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


@router.get("/contract/asyncapi.json")
async def asyncapi_file() -> Response:
    """The AsyncAPI 3.0 document; its payloads refer to `schemas/...` beside it."""
    return Response(asyncapi_document(), media_type="application/json", headers=_PUBLIC)


@router.get("/contract/schemas/{service}/{event}/{version}")
async def schema_file(service: str, event: str, version: str) -> Response:
    """One event type's schema at one version: where its `dataschema` points."""
    schema = schemas().get(f"{service}/{event}/{version}")
    if schema is None:
        return _not_found(f"{service}/{event}/{version}")
    return Response(schema, media_type=SCHEMA_TYPE, headers=_PUBLIC)


@router.get("/contract/{rest:path}")
async def unknown(rest: str) -> JSONResponse:
    return _not_found(rest)


def _not_found(name: str) -> JSONResponse:
    return JSONResponse(error_body("not_found", f"no such contract document: {name}"), status_code=404)
