"""The four pages the gateway served before the desk (`/board`, `/callbacks`, `/complaints`,
`/csi`), joined into the desk's navigation without a token in a URL: the desk serves each page
as the gateway has it, with a few lines added in front of its script, and relays the page's API
calls with the session's token.

The added lines tell the page's script which site to read (the hash it expects carries the site
and a placeholder in place of a token: the desk ignores whatever `Authorization` a page sends)
and add the session's CSRF token to the page's own requests, so its forms pass the same check as
every desk form. The pages stay the gateway's: when they are redrawn as desk screens, these
routes go."""

from __future__ import annotations

import json

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from desk.gateway_api import ApiError
from desk.settings import DeskSettings
from desk.web import CSRF_HEADER, Visit, screen, signed_in

router = APIRouter()

_FORWARDED_REQUEST = ("content-type", "accept", "if-match", "idempotency-key")
_FORWARDED_RESPONSE = ("content-type", "etag", "location", "retry-after", "link")
ASSETS = ("common.js", "common.css")


def _bootstrap(visit: Visit) -> str:
    site = json.dumps(visit.session.site_id)
    csrf = json.dumps(visit.session.csrf_token)
    back = visit.words("nav.my_day")
    return f"""<script>
history.replaceState(null, "", "#" + new URLSearchParams({{token: "desk-session", site: {site}}}));
(() => {{ const send = window.fetch; window.fetch = (url, options = {{}}) => {{
  const headers = new Headers(options.headers); headers.set({json.dumps(CSRF_HEADER)}, {csrf});
  return send(url, {{...options, headers}}); }}; }})();
</script>
<nav aria-label="desk" style="padding:4px 8px"><a href="/">← {back}</a></nav>
"""


def _page_route(key: str) -> None:
    opened = screen(key)

    async def gateway_page(request: Request, visit: Visit = opened) -> Response:
        client: httpx.AsyncClient = request.app.state.client
        settings: DeskSettings = request.app.state.settings
        try:
            upstream = await client.get(f"{settings.desk_gateway_url.rstrip('/')}/{key}")
        except httpx.TransportError:
            raise ApiError(503, "service_unavailable") from None
        if upstream.is_error:
            raise ApiError(upstream.status_code, f"http_{upstream.status_code}")
        html = upstream.text
        at = html.find("<body>")
        at = at + len("<body>") if at >= 0 else 0
        return HTMLResponse(html[:at] + _bootstrap(visit) + html[at:], headers={"Cache-Control": "no-store"})

    gateway_page.__name__ = f"{key}_page"
    router.add_api_route(f"/{key}", gateway_page, methods=["GET"], response_class=HTMLResponse)


for _key in ("board", "callbacks", "complaints", "csi"):
    _page_route(_key)


@router.get("/pages/{name}")
async def page_asset(name: str, request: Request) -> Response:
    if name not in ASSETS:
        return Response(status_code=404)
    client: httpx.AsyncClient = request.app.state.client
    settings: DeskSettings = request.app.state.settings
    upstream = await client.get(f"{settings.desk_gateway_url.rstrip('/')}/pages/{name}")
    return Response(upstream.content, upstream.status_code, media_type=upstream.headers.get("content-type"))


@router.api_route("/api/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
async def relay(rest: str, request: Request) -> Response:
    """The pages' API calls, with the session's token (checked by the CSRF guard like any form)."""
    session = await signed_in(request)
    client: httpx.AsyncClient = request.app.state.client
    settings: DeskSettings = request.app.state.settings
    headers = {k: v for k, v in request.headers.items() if k.lower() in _FORWARDED_REQUEST}
    headers["Authorization"] = f"Bearer {session.access_token}"
    streaming = "text/event-stream" in request.headers.get("accept", "")
    outgoing = client.build_request(
        request.method,
        f"{settings.desk_gateway_url.rstrip('/')}/api/v1/{rest}",
        params=list(request.query_params.multi_items()),
        content=await request.body(),
        headers=headers,
        timeout=httpx.Timeout(10, read=None) if streaming else client.timeout,
    )
    try:
        upstream = await client.send(outgoing, stream=True)
    except httpx.TransportError:
        return Response(status_code=503, headers={"Retry-After": "2"})
    answer = {k: v for k, v in upstream.headers.items() if k.lower() in _FORWARDED_RESPONSE}
    if streaming and upstream.headers.get("content-type", "").startswith("text/event-stream"):
        return StreamingResponse(
            upstream.aiter_raw(), upstream.status_code, headers=answer, background=BackgroundTask(upstream.aclose)
        )
    await upstream.aread()
    await upstream.aclose()
    return Response(upstream.content, upstream.status_code, headers=answer)
