"""The desk's HTTP app: its database (sessions), a client for the gateway and the identity
provider, the CSRF guard before every route, the error pages, the screens and their static
files (the browser libraries come from npm into `node_modules`, never from a CDN)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse, Response

from desk.errors import install_error_pages
from desk.live import router as live_router
from desk.oidc import Provider
from desk.screens import routers as screen_routers
from desk.sessions import Sessions
from desk.settings import DeskSettings
from desk.web import csrf_guard
from events.database import open_pool
from events.migrations import load_folder
from events.settings import load
from events.tracing import configure_tracing, instrument_app
from events.webapp.metrics import install_metrics

STATIC = Path(__file__).parent / "static"
NODE_MODULES = Path(__file__).parent.parent / "node_modules"  # `make install`: npm ci in services/desk
# name → file: only these are served (no path from the request reaches the disk).
ASSETS = {
    "desk.css": STATIC / "desk.css",
    "htmx.min.js": NODE_MODULES / "htmx.org" / "dist" / "htmx.min.js",
    "sse.js": NODE_MODULES / "htmx-ext-sse" / "dist" / "sse.min.js",
    "signature_pad.js": NODE_MODULES / "signature_pad" / "dist" / "signature_pad.umd.min.js",
    "reception.js": STATIC / "reception.js",
    "inspection.js": STATIC / "inspection.js",
    "live.js": STATIC / "live.js",
}


def create_app(config: DeskSettings | None = None, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """`transport`: where the desk's calls to the provider and the gateway go (tests: an app in-process)."""
    settings = config or load(DeskSettings)
    app = FastAPI(
        title="dealerflow desk",
        lifespan=_lifespan(settings, transport),
        dependencies=[Depends(csrf_guard)],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.site_time_zones = {}
    app.state.site_names = {}  # group → (when read, site id → names): desk.site_names
    install_error_pages(app)
    install_metrics(app, "desk")
    for router in screen_routers():
        app.include_router(router)
    app.include_router(live_router)
    app.get("/static/{name}", include_in_schema=False)(_asset)
    app.get("/health/live", include_in_schema=False)(_live)
    app.get("/health/ready", include_in_schema=False)(_live)
    instrument_app(app)
    return app


def _lifespan(
    settings: DeskSettings, transport: httpx.AsyncBaseTransport | None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not settings.database_url:
            raise RuntimeError("DATABASE_URL is not set")
        missing = [str(path) for path in ASSETS.values() if not path.exists()]
        if missing:  # refused at start rather than screens without their scripts
            raise RuntimeError(f"the desk's browser libraries are missing ({', '.join(missing)}): run `make install`")
        pool = await open_pool(
            settings.database_url, migrations=load_folder("desk", Path(__file__).parent / "sql"), min_size=1
        )
        limits = httpx.Limits(keepalive_expiry=2.0)
        async with httpx.AsyncClient(transport=transport, timeout=30, limits=limits) as client:
            app.state.client = client
            app.state.sessions = Sessions(pool, timedelta(minutes=settings.desk_session_idle_minutes))
            app.state.provider = Provider(
                settings.issuer, settings.desk_oidc_client_id, settings.desk_oidc_client_secret, client
            )
            try:
                yield
            finally:
                await pool.close()

    return lifespan


async def _asset(name: str) -> Response:
    path = ASSETS.get(name)
    if path is None or not path.exists():
        return Response(status_code=404)
    media = "text/css" if name.endswith(".css") else "text/javascript"
    return FileResponse(path, media_type=f"{media}; charset=utf-8", headers={"Cache-Control": "no-cache"})


async def _live() -> dict[str, str]:
    return {"service": "desk", "status": "ok"}


def main_app() -> FastAPI:
    configure_tracing("desk")
    settings = load(DeskSettings)
    print(f"desk: staff web app at {settings.public_url}/", flush=True)
    return create_app(settings)
