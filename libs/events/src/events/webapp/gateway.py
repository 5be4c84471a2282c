"""The gateway's answers as a web app reads them: an error answer becomes `ApiError` with the
API's code, message and field errors, for the page to show in the reader's language."""

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


async def send(client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> Any:
    """The answer's JSON (None when empty); `ApiError` for an error answer, 503 when unreachable."""
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.TransportError:
        raise ApiError(503, "service_unavailable") from None
    if response.is_error:
        raise error_of(response)
    return response.json() if response.content else None
