"""One OpenAPI document for the whole system, merged from the services' own documents.

Each service's paths appear under `/api/v1`; its schemas are namespaced by service name
(`reception.RepairOrderView`) so two services may use the same model name. The error body is
the one every service and the gateway send (`events.openapi.ErrorBody`), named once: a
service's copy is used as the shared `ErrorBody` when it is the same as the gateway's (a service
on another version of the backbone keeps its own, namespaced). FastAPI's `HTTPValidationError`,
which the gateway's own operations would otherwise name for 422, is never sent and is left out.
A service that is down is left out and named in `x-unavailable-services`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from events.openapi import ErrorBody
from gateway.routing import API_PREFIX, service_url, services

_REFERENCE = re.compile(r'"#/components/schemas/([^"]+)"')
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")


def error_schemas() -> dict[str, Any]:
    """`ErrorBody` and the schemas it refers to, as a service's document holds them."""
    body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    return {**body.pop("$defs", {}), "ErrorBody": body}


def _namespaced(document: dict[str, Any], service: str, shared: frozenset[str]) -> dict[str, Any]:
    def reference(match: re.Match[str]) -> str:
        name = match.group(1)
        return match.group(0) if name in shared else f'"#/components/schemas/{service}.{name}"'

    result: dict[str, Any] = json.loads(_REFERENCE.sub(reference, json.dumps(document)))
    return result


def _shared_with(document: dict[str, Any], errors: dict[str, Any]) -> frozenset[str]:
    schemas = document.get("components", {}).get("schemas", {})
    # All or none: a shared `ErrorBody` refers to the shared `ErrorDetail`.
    return frozenset(errors) if all(schemas.get(name) == schema for name, schema in errors.items()) else frozenset()


def _with_error_body(document: dict[str, Any]) -> dict[str, Any]:
    """The gateway's own document with its 422 answers naming the body really sent."""
    text = json.dumps(document).replace(
        '"#/components/schemas/HTTPValidationError"', '"#/components/schemas/ErrorBody"'
    )
    result: dict[str, Any] = json.loads(text)
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            invalid = operation.get("responses", {}).get("422")
            if invalid is not None:
                invalid["description"] = "invalid fields (`invalid_request`, with `fields`)"
    return result


async def combined_openapi(client: httpx.AsyncClient, gateway_document: dict[str, Any]) -> dict[str, Any]:
    errors = error_schemas()
    own = _with_error_body(gateway_document)
    merged: dict[str, Any] = {
        **own,
        "info": {
            "title": "dealerflow API",
            "version": "1",
            "description": "All services, through the gateway.",
        },
        "paths": dict(own.get("paths", {})),
        "components": {
            "schemas": {**own["components"]["schemas"], **errors},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
        "security": [{"bearer": []}],
    }
    unavailable = []
    for service in services():
        try:
            response = await client.get(f"{service_url(service)}/openapi.json", timeout=5)
            response.raise_for_status()
        except httpx.HTTPError:
            unavailable.append(service)
            continue
        original = response.json()
        shared = _shared_with(original, errors)
        document = _namespaced(original, service, shared)
        for path, operations in document.get("paths", {}).items():
            for operation in operations.values():
                operation.setdefault("tags", [service])
            merged["paths"][f"{API_PREFIX}{path}"] = operations
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            if name not in shared:
                merged["components"]["schemas"][f"{service}.{name}"] = schema
    if unavailable:
        merged["x-unavailable-services"] = unavailable
    return merged
