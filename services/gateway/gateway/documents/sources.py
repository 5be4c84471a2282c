"""Where a document's data comes from: the owning service's JSON view, read with the caller's
identity exactly as the proxy would forward it, so a document has the tenancy and role rules of
the data it prints. A service's refusal (401, 403, 404, 422, …) is handed back unchanged; a
service that cannot be reached is a 503 the client may retry (a read is always safe to repeat).

The site's time zone is booking's (the capacity's `timezone`, as the advisor board uses it;
`Asia/Shanghai` for a site that never set one). It is read as the gateway's own `system`
identity for the caller's group and this site only, and only after the document's own view
answered: a time zone is a setting of the site, not data a role guards, and a cashier who may
read an invoice may not read booking's capacity. The zone last read for a site stands in while
booking cannot be reached (a site's zone does not change under a cashier printing an invoice):
only a site never read since the gateway started answers 503 then.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from fastapi import Request, Response
from fastapi.responses import JSONResponse

from events.http import REQUEST_ID_HEADER, error_body
from events.identity import SYSTEM, Identity
from gateway.proxy import internal_headers
from gateway.routing import service_url

DEFAULT_TIME_ZONE = "Asia/Shanghai"
_PASSED_BACK = ("content-type", "retry-after", "cache-control")


class Refused(Exception):
    """A view could not be had: `answer` is what the client gets instead of a document."""

    def __init__(self, answer: Response) -> None:
        super().__init__(answer.status_code)
        self.answer = answer


def segment(value: str) -> str:
    """One path segment from the client, encoded so it stays one segment at the service."""
    return quote(value, safe="")


@dataclass(frozen=True)
class Views:
    """A site's views, read for one caller within one request."""

    client: httpx.AsyncClient
    identity: Identity
    site_id: str
    request_id: str
    known_zones: dict[tuple[str, str], ZoneInfo]  # (group, site) -> the zone booking last answered

    @classmethod
    def of(cls, request: Request, identity: Identity, site_id: str) -> Views:
        request_id = request.headers.get(REQUEST_ID_HEADER) or str(uuid.uuid4())
        state = request.app.state
        if not hasattr(state, "site_zones"):
            state.site_zones = {}
        return cls(state.client, identity, site_id, request_id, state.site_zones)

    async def get(self, service: str, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        """`GET /sites/{site}/{path}` at `service` as the caller; a refusal raises `Refused`."""
        return await self._get(service, path, params, self.identity)

    async def time_zone(self) -> ZoneInfo:
        reader = Identity(
            "gateway-documents", "documents", self.identity.group_id, frozenset({SYSTEM}), frozenset({self.site_id})
        )
        site = (self.identity.group_id, self.site_id)
        try:
            capacity = await self._get("booking", "capacity", None, reader)
        except Refused as refused:
            status = refused.answer.status_code
            if status >= 500 and site in self.known_zones:  # booking away: the zone it last gave
                return self.known_zones[site]
            if status != 404:  # 404: the site never set its capacity
                raise
            capacity = {}
        try:
            zone = ZoneInfo(str(capacity.get("timezone") or DEFAULT_TIME_ZONE))
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo(DEFAULT_TIME_ZONE)
        self.known_zones[site] = zone
        return zone

    async def _get(self, service: str, path: str, params: dict[str, str] | None, identity: Identity) -> dict[str, Any]:
        url = f"{service_url(service)}/sites/{segment(self.site_id)}/{path}"
        headers = {"accept": "application/json", **internal_headers(identity, self.request_id)}
        try:
            response = await self.client.get(url, params=params, headers=headers)
        except httpx.TransportError:
            raise Refused(
                JSONResponse(
                    error_body("service_unavailable", f"the {service} service cannot be reached; try again shortly"),
                    status_code=503,
                    headers={"Retry-After": "2", REQUEST_ID_HEADER: self.request_id},
                )
            ) from None
        if response.status_code != 200:
            headers = {k: v for k, v in response.headers.items() if k.lower() in _PASSED_BACK}
            headers[REQUEST_ID_HEADER] = self.request_id
            raise Refused(Response(response.content, status_code=response.status_code, headers=headers))
        view: dict[str, Any] = response.json()
        return view
