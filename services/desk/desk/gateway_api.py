"""The gateway's API as the desk calls it: with the person's own access token, at the site they
picked. An error answer becomes `ApiError` with the API's code, message and field errors, for the
screen to show in the person's language (`desk.errors`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class ApiError(Exception):
    status: int
    code: str
    message: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # input name → the API's message

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


def _input_name(field: str) -> str:
    """The API names a field by where it was sent (`body.walk_around.mileage_km`); the form's
    input is named for the field itself (`walk_around.mileage_km`)."""
    for place in ("body.", "query.", "path.", "header."):
        if field.startswith(place):
            return field.removeprefix(place)
    return field


def error_of(response: httpx.Response) -> ApiError:
    try:
        body = response.json().get("error", {})
    except (ValueError, AttributeError):
        body = {}
    fields = {_input_name(str(f.get("field", ""))): str(f.get("message", "")) for f in body.get("fields") or []}
    code = body.get("code") or ("invalid_request" if response.status_code == 422 else f"http_{response.status_code}")
    return ApiError(response.status_code, str(code), str(body.get("message", "")), fields)


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

    async def _send(self, method: str, url: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        try:
            response = await self.client.request(method, url, headers=headers, **kwargs)
        except httpx.TransportError:
            raise ApiError(503, "service_unavailable") from None
        if response.is_error:
            raise error_of(response)
        return response.json() if response.content else None
