"""The gateway's API as the desk calls it: with the person's own access token, at the site they
picked. An error answer becomes `ApiError` with the API's code, message and field errors, for the
screen to show in the person's language (`desk.errors`)."""

from __future__ import annotations

from typing import Any

import httpx

from events.webapp.gateway import ApiError, error_of, send

__all__ = ["ApiError", "error_of"]


class GatewayApi:
    """One person's calls, for one request of theirs."""

    def __init__(
        self, client: httpx.AsyncClient, base_url: str, access_token: str, site_id: str | None, language: str
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.access_token = access_token
        self.site_id = site_id
        self.language = language

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}", "Accept-Language": self.language}

    def site_url(self, path: str, site_id: str | None = None) -> str:
        return f"{self.base_url}/api/v1/sites/{site_id or self.site_id}/{path}"

    async def get(self, path: str, **params: Any) -> Any:
        return await self._send("GET", self.site_url(path), params=params)

    async def post(self, path: str, body: dict[str, Any], **headers: str) -> Any:
        return await self._send("POST", self.site_url(path), json=body, headers=headers)

    async def me(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._send("GET", f"{self.base_url}/api/v1/me")
        return result

    async def sites(self) -> list[dict[str, Any]]:
        """The person's sites with their names (booking's site directory, through the gateway)."""
        result: list[dict[str, Any]] = await self._send("GET", f"{self.base_url}/api/v1/sites")
        return result

    async def _send(self, method: str, url: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await send(self.client, method, url, headers=headers, **kwargs)
