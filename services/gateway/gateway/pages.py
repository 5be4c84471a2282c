"""The gateway's pages: plain HTML with a little JavaScript, no build step, nothing fetched from
the internet. Each page signs in with a bearer token (from the URL hash, or the local dev issuer's
form) and calls the site's API through this gateway like any other client, so a page shows exactly
what its user's token may see.

- `/board`: the advisor board for the reception desk's tablet (a live event stream);
- `/callbacks`: the CS agents' callback queue and the call-result form;
- `/complaints`: the complaint desk (step of the 7, SLA clock, escalations, serious flag);
- `/csi`: the CSI/VOC dashboard for service managers (charts drawn as inline SVG, CSV download).

The shared script and style sheet are served under `/pages/`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse, Response

from events.http import error_body

PAGES_DIR = Path(__file__).parent / "pages"
# Route → page file; only these names are served (no path from the request reaches the disk).
PAGES = {
    "/board": "board.html",
    "/callbacks": "callbacks.html",
    "/complaints": "complaints.html",
    "/csi": "csi.html",
}
ASSETS = {"common.js": "text/javascript; charset=utf-8", "common.css": "text/css; charset=utf-8"}
# Pages change with a deploy, not per request: no-cache makes a tablet revalidate after one.
_NO_CACHE = {"Cache-Control": "no-cache"}

router = APIRouter(include_in_schema=False)


def _page_route(path: str, file_name: str) -> None:
    async def page() -> HTMLResponse:
        return HTMLResponse((PAGES_DIR / file_name).read_text(encoding="utf-8"), headers=_NO_CACHE)

    page.__name__ = f"{file_name.removesuffix('.html')}_page"
    router.add_api_route(path, page, methods=["GET"], response_class=HTMLResponse)


for _path, _file in PAGES.items():
    _page_route(_path, _file)


@router.get("/pages/{name}")
async def page_asset(name: str) -> Response:
    """The script and style sheet the pages share."""
    media_type = ASSETS.get(name)
    if media_type is None:
        return JSONResponse(error_body("not_found", f"no such page asset: {name}"), status_code=404)
    return Response((PAGES_DIR / name).read_bytes(), media_type=media_type, headers=_NO_CACHE)
