"""Public routes: what a customer's link reaches without signing in.

`/api/v1/public/{resource}/...` goes to the owner named in `PUBLIC_OWNERS` at its
`/public/{resource}/...`, without a bearer token and never with an identity, even a caller's own
(a staff member opening a customer's link acts as the customer, not as staff). The token in the
path is the only credential: the owning service verifies it (events.links) and decides what it
shows. Requests are counted per client address, the only thing known of an anonymous caller:
the client's address as uvicorn gives it (behind a trusted proxy — the customer portal, a load
balancer: `FORWARDED_ALLOW_IPS`, 127.0.0.1 by default — the one its
`X-Forwarded-For` names). A client's own `X-Forwarded-For` is never passed on.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from events.http import error_body
from gateway.auth import too_many
from gateway.proxy import forward_to
from gateway.rate_limit import RateLimiter
from gateway.routing import API_PREFIX, PUBLIC_OWNERS

# What the owner records of the device with a customer's decision (a consent's details).
FORWARDED_FOR = "x-forwarded-for"

public_router = APIRouter()


@public_router.api_route(
    f"{API_PREFIX}/public/{{resource}}{{rest:path}}", methods=["GET", "POST"], include_in_schema=False
)
async def forward_public(resource: str, rest: str, request: Request) -> Response:
    address = request.client.host if request.client else "unknown"
    limiter: RateLimiter = request.app.state.public_limiter  # gateway.app's, per address
    allowed, retry_after = limiter.allow(address)
    if not allowed:
        return too_many(retry_after)
    service = PUBLIC_OWNERS.get(resource)
    if service is None or not rest.strip("/"):  # a link's resource always has its token after it
        return JSONResponse(error_body("not_found", f"no such public resource: {resource}"), status_code=404)
    extra = {FORWARDED_FOR: address, "user-agent": request.headers.get("user-agent", "")}
    return await forward_to(request, service, f"/public/{resource}{rest}", None, extra=extra)
