"""The proxying: a site's resource forwarded to the service that owns it, with the caller's
identity as an internal token; a service's dead letters for the group's administrator. The
answer comes back as the service gave it, or as a 502/503/504 that says whether sending the
request again is safe."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.background import BackgroundTask
from starlette.requests import ClientDisconnect

from events.http import REQUEST_ID_HEADER, error_body
from events.identity import IDENTITY_HEADER, Forbidden, Identity, issue_internal_token
from gateway.auth import Caller
from gateway.routing import API_PREFIX, OWNERS, service_url
from gateway.routing import services as routed_services

# Headers a client may send on to a service, and a service's answer back to the client.
# The route's parameters arrive decoded: encode the path again for the service (a control
# character in an id would otherwise make an invalid URL — a 500 instead of the service's 404/422).
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_FORWARDED_REQUEST = ("content-type", "accept", "if-match", "accept-language", "idempotency-key")
_FORWARDED_RESPONSE = ("content-type", "etag", "location", "retry-after", "cache-control", "link")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


proxy_router = APIRouter()


@proxy_router.api_route(
    f"{API_PREFIX}/sites/{{site_id}}/{{resource}}{{rest:path}}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
async def forward(site_id: str, resource: str, rest: str, request: Request, identity: Caller) -> Response:
    service = OWNERS.get(resource)
    if service is None:
        return JSONResponse(error_body("not_found", f"no such resource: {resource}"), status_code=404)
    if not identity.can_see(identity.group_id, site_id):
        raise Forbidden(f"no access to site {site_id}")
    return await forward_to(request, service, f"/sites/{site_id}/{resource}{rest}", identity)


@proxy_router.api_route(
    f"{API_PREFIX}/ops/{{service}}/dead-letters{{rest:path}}", methods=["GET", "POST"], include_in_schema=False
)
async def dead_letters(service: str, rest: str, request: Request, identity: Caller) -> Response:
    """A service's dead letters, for the group's administrator (the service checks role and group)."""
    if service not in routed_services():
        return JSONResponse(error_body("not_found", f"no such service: {service}"), status_code=404)
    return await forward_to(request, service, f"/ops/dead-letters{rest}", identity)


def internal_headers(identity: Identity, request_id: str) -> dict[str, str]:
    """What a request to a service carries for its caller: the identity as a fresh internal
    token, and the request id that ties the service's logs to the gateway's."""
    return {IDENTITY_HEADER: issue_internal_token(identity), REQUEST_ID_HEADER: request_id}


async def forward_to(
    request: Request, service: str, path: str, identity: Identity | None, *, extra: Mapping[str, str] | None = None
) -> Response:
    """`identity` None: a public route's request (gateway.public), which carries no one's identity."""
    client: httpx.AsyncClient = request.app.state.client
    request_id = request.headers.get(REQUEST_ID_HEADER) or str(uuid.uuid4())
    headers = {k: v for k, v in request.headers.items() if k.lower() in _FORWARDED_REQUEST}
    if identity is None:
        headers[REQUEST_ID_HEADER] = request_id
    else:
        headers.update(internal_headers(identity, request_id))
    headers.update(extra or {})
    # A live stream (server-sent events) is passed through as it comes, with no read timeout.
    streaming = "text/event-stream" in request.headers.get("accept", "")
    try:
        body = await request.body()
    except ClientDisconnect:  # the client left before sending all of it: nothing to forward, no one to answer
        return Response(status_code=499)
    outgoing = client.build_request(
        request.method,
        f"{service_url(service)}{quote(path, safe=_PATH_SAFE)}",
        params=list(request.query_params.multi_items()),
        content=body,
        headers=headers,
        timeout=httpx.Timeout(client.timeout.connect, read=None) if streaming else client.timeout,
    )
    try:
        upstream = await client.send(outgoing, stream=True)
        if not streaming:
            await upstream.aread()
    except httpx.TransportError as error:
        if request.method in _SAFE_METHODS or isinstance(error, _NEVER_SENT):
            # A read, or a request that never left: sending it again is safe.
            return JSONResponse(
                error_body("service_unavailable", f"the {service} service cannot be reached; try again shortly"),
                status_code=503,
                headers={"Retry-After": "2", REQUEST_ID_HEADER: request_id},
            )
        # A command sent, and then no answer: the service may have carried it out (sent again, it
        # would meet its own effect, e.g. 409 already_confirmed). No Retry-After: look first.
        if isinstance(error, httpx.TimeoutException):
            status, code, happened = 504, "service_timeout", f"the {service} service did not answer in time"
        else:
            status, code, happened = 502, "answer_lost", f"the {service} service's answer was lost"
        return JSONResponse(
            error_body(code, f"{happened}; it may have carried out the request: read it back before sending it again"),
            status_code=status,
            headers={REQUEST_ID_HEADER: request_id},
        )
    response_headers = {k: v for k, v in upstream.headers.items() if k.lower() in _FORWARDED_RESPONSE}
    response_headers[REQUEST_ID_HEADER] = request_id
    if streaming and upstream.headers.get("content-type", "").startswith("text/event-stream"):
        return StreamingResponse(
            upstream.aiter_raw(), status_code=upstream.status_code, headers=response_headers,
            background=BackgroundTask(upstream.aclose),
        )  # fmt: skip
    if streaming:  # asked for a stream, answered otherwise (a refusal, an error): a plain body
        await upstream.aread()
    await upstream.aclose()
    return Response(upstream.content, status_code=upstream.status_code, headers=response_headers)
