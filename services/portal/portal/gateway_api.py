"""The gateway's public API (`/api/v1/public/...`, no bearer token) as the portal calls it. An
error answer becomes `ApiError` with the API's code and field errors, for the page to show in
the customer's language (`portal.errors`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from events.webapp.gateway import ApiError, error_of, send

__all__ = ["ApiError", "error_of"]


class PublicApi:
    """One customer request's calls. The customer's own address goes along (`X-Forwarded-For`)
    so the gateway's per-address limit counts them, not the portal that every customer shares."""

    def __init__(self, client: httpx.AsyncClient, base_url: str, language: str, client_address: str | None) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.language = language
        self.client_address = client_address

    @property
    def headers(self) -> dict[str, str]:
        headers = {"Accept-Language": self.language}
        if self.client_address:
            headers["X-Forwarded-For"] = self.client_address
        return headers

    def url(self, resource: str, *parts: str) -> str:
        # Each part quoted whole: a token or id from a URL can never add a path segment of its own.
        tail = "".join(f"/{quote(part, safe='')}" for part in parts)
        return f"{self.base_url}/api/v1/public/{resource}{tail}"

    async def get(self, resource: str, *parts: str, **params: Any) -> Any:
        return await self._send("GET", self.url(resource, *parts), params=params)

    async def post(self, resource: str, *parts: str, body: dict[str, Any], **headers: str) -> Any:
        return await self._send("POST", self.url(resource, *parts), json=body, headers=headers)

    async def _send(self, method: str, url: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await send(self.client, method, url, headers=headers, **kwargs)
