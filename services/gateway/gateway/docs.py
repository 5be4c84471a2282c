"""The combined OpenAPI document (`/openapi.json`) to read in a browser: Swagger UI at `/docs`,
ReDoc at `/redoc`. Their scripts come from the `fastapi-offline` wheel and are served here, under
`/docs/assets/`: FastAPI's own pages load them from a CDN, which a dealership's browser often
cannot reach. Nothing else is loaded from outside either (no web fonts, no online validator).
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, swagger_ui_default_parameters
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from events.http import error_body

OPENAPI_URL = "/openapi.json"
ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
# Only these names are served (no path from the request reaches the disk).
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
# Swagger UI would otherwise send the document's address to swagger.io's validator.
SWAGGER_UI = {**swagger_ui_default_parameters, "validatorUrl": None}
# And the browser itself refuses anything from elsewhere that a script still asks for (ReDoc's
# footer shows its maker's logo from their CDN). FastAPI's pages start the script inline.
_SAME_ORIGIN = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:"
}

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui(request: Request) -> HTMLResponse:
    root = _root(request)
    page = get_swagger_ui_html(
        openapi_url=f"{root}{OPENAPI_URL}",
        title="dealerflow API",
        swagger_js_url=f"{root}/docs/assets/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/docs/assets/swagger-ui.css",
        swagger_favicon_url=f"{root}/docs/assets/favicon.png",
        swagger_ui_parameters=SWAGGER_UI,
    )
    page.headers.update(_SAME_ORIGIN)
    return page


@router.get("/redoc", response_class=HTMLResponse)
async def redoc(request: Request) -> HTMLResponse:
    root = _root(request)
    page = get_redoc_html(
        openapi_url=f"{root}{OPENAPI_URL}",
        title="dealerflow API",
        redoc_js_url=f"{root}/docs/assets/redoc.standalone.js",
        redoc_favicon_url=f"{root}/docs/assets/favicon.png",
        with_google_fonts=False,
    )
    page.headers.update(_SAME_ORIGIN)
    return page


@router.get("/docs/assets/{name:path}")
async def asset(name: str) -> Response:
    media_type = ASSETS.get(name)
    if media_type is None:
        return JSONResponse(error_body("not_found", f"no such docs asset: {name}"), status_code=404)
    # Their names carry no version: no-cache makes a browser check them again after a deploy.
    return FileResponse(ASSETS_DIR / name, media_type=media_type, headers={"Cache-Control": "no-cache"})


def _root(request: Request) -> str:
    # Behind a proxy that mounts the gateway under a prefix, the pages' links keep the prefix.
    root: str = request.scope.get("root_path", "")
    return root
