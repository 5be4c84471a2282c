"""Calls to another service's published API, for the few answers that must be synchronous
(architecture invariant 1: the estimate's prices at the moment the advisor prices it, the RO's
approved lines at the moment the cashier invoices it).

The caller's identity travels with the call as a fresh internal token, so the other service
applies its own tenancy and role rules: a call never sees more than the person could. The other
service's refusals come back as our errors (404 stays `NotFound`, 409/422 a `PeerRefused` with
its code and message), and an unreachable peer is a 503 that says the command did nothing.
"""

from __future__ import annotations

from typing import Any

import httpx

from events.errors import EventsError, NotFound
from events.identity import IDENTITY_HEADER, Identity, issue_internal_token
from events.services import service_url


class PeerUnavailable(EventsError):
    """The other service could not be reached or failed: nothing was done; try again shortly."""

    code = "peer_unavailable"


class PeerRefused(EventsError):
    """The other service refused the call with a rule of its own (its code and message)."""

    def __init__(self, service: str, status: int, code: str, message: str) -> None:
        self.service = service
        self.status = status
        self.code = code
        super().__init__(f"{service}: {message}")


class Peers:
    """One HTTP client for every peer, closed with the app (`aclose`)."""

    def __init__(self, client: httpx.AsyncClient | None = None, timeout: float = 10.0) -> None:
        self._client = client or httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(self, service: str, path: str, identity: Identity, params: dict[str, str] | None = None) -> Any:
        return await self._call("GET", service, path, identity, params=params)

    async def post(self, service: str, path: str, identity: Identity, body: Any) -> Any:
        return await self._call("POST", service, path, identity, json=body)

    async def _call(self, method: str, service: str, path: str, identity: Identity, **kwargs: Any) -> Any:
        headers = {IDENTITY_HEADER: issue_internal_token(identity)}
        try:
            response = await self._client.request(method, service_url(service) + path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            raise PeerUnavailable(f"{service} cannot be reached ({type(error).__name__}); try again shortly") from error
        if response.status_code == 404:
            raise NotFound(_message(response) or f"{service}: not found")
        if response.status_code >= 500:
            raise PeerUnavailable(f"{service} failed ({response.status_code}); try again shortly")
        if response.status_code >= 400:
            body = _json(response)
            raise PeerRefused(service, response.status_code, str(body.get("code", "refused")), _message(response))
        return response.json()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    # Our services refuse with `{"error": {"code", "message"}}` (events.http): read inside it.
    error = body.get("error")
    return error if isinstance(error, dict) else body


def _message(response: httpx.Response) -> str:
    return str(_json(response).get("message", response.text[:200]))
