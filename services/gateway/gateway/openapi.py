"""One OpenAPI document for the whole system, merged from the services' own documents.

Each service's paths appear under `/api/v1`; its schemas are namespaced by service name
(`reception.RepairOrderView`) so two services may use the same model name. A service that
is down is left out and named in `x-unavailable-services`.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from gateway.routing import API_PREFIX, service_url, services


def _namespaced(document: dict[str, Any], service: str) -> dict[str, Any]:
    text = json.dumps(document).replace('"#/components/schemas/', f'"#/components/schemas/{service}.')
    result: dict[str, Any] = json.loads(text)
    return result


async def combined_openapi(client: httpx.AsyncClient, gateway_document: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {
        **gateway_document,
        "info": {
            "title": "dealerflow API",
            "version": "1",
            "description": "All services, through the gateway.",
        },
        "paths": dict(gateway_document.get("paths", {})),
        "components": {
            "schemas": dict(gateway_document.get("components", {}).get("schemas", {})),
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
        document = _namespaced(response.json(), service)
        for path, operations in document.get("paths", {}).items():
            for operation in operations.values():
                operation.setdefault("tags", [service])
            merged["paths"][f"{API_PREFIX}{path}"] = operations
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            merged["components"]["schemas"][f"{service}.{name}"] = schema
    if unavailable:
        merged["x-unavailable-services"] = unavailable
    return merged
