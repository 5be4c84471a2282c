"""The portal's HTTP app: a client for the gateway's public API, the Origin guard before every
route, the error pages in the customer's language, the pages and the one style sheet (served
here, never from a CDN). No database and no sign-in: it keeps nothing (decision 0023)."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import FileResponse, Response

from events.settings import load
from events.tracing import configure_tracing, instrument_app
from events.webapp.metrics import install_metrics
from portal.errors import install_error_pages
from portal.settings import PortalSettings
from portal.web import origin_guard

STATIC = Path(__file__).parent / "static"
# name → file: only these are served (no path from the request reaches the disk).
ASSETS = {"portal.css": STATIC / "portal.css"}
# The pages, one module each in this package with its `router` (and its templates named for it,
# its phrases in `portal.phrases.<page>`). Listed here so that a page's module is known; a page
# whose module is not written yet is left out rather than failing every other page.
PAGES = ("home", "self_booking", "appointment_link", "approval", "proposal")


def page_routers() -> list[APIRouter]:
    found = [name for name in PAGES if importlib.util.find_spec(f"portal.{name}") is not None]
    return [importlib.import_module(f"portal.{name}").router for name in found]


def create_app(config: PortalSettings | None = None, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """`transport`: where the portal's calls to the gateway go (tests: an app in-process)."""
    settings = config or load(PortalSettings)
    app = FastAPI(
        title="dealerflow portal",
        lifespan=_lifespan(transport),
        dependencies=[Depends(origin_guard)],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    install_error_pages(app)
    install_metrics(app, "portal")
    for router in page_routers():
        app.include_router(router)
    app.get("/static/{name}", include_in_schema=False)(_asset)
    app.get("/health/live", include_in_schema=False)(_live)
    app.get("/health/ready", include_in_schema=False)(_live)
    instrument_app(app)
    return app


def _lifespan(transport: httpx.AsyncBaseTransport | None) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        limits = httpx.Limits(keepalive_expiry=2.0)
        async with httpx.AsyncClient(transport=transport, timeout=30, limits=limits) as client:
            app.state.client = client
            yield

    return lifespan


async def _asset(name: str) -> Response:
    path = ASSETS.get(name)
    if path is None or not path.exists():
        return Response(status_code=404)
    return FileResponse(path, media_type="text/css; charset=utf-8", headers={"Cache-Control": "no-cache"})


async def _live() -> dict[str, str]:
    return {"service": "portal", "status": "ok"}


def main_app() -> FastAPI:
    configure_tracing("portal")
    settings = load(PortalSettings)
    print(f"portal: customer pages at {settings.public_url}/", flush=True)
    return create_app(settings)
