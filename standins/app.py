"""The stand-ins' HTTP app: both parties' interfaces and pages, one process, one SQLite file."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from standins import einvoice, erecord, messages
from standins.ledger import Failures, Ledger


def create_app(data: Path) -> FastAPI:
    app = FastAPI(title="dealerflow stand-ins of outside parties (local only)")
    app.state.ledger = Ledger(data / "standins.sqlite3")
    app.state.einvoice_failures = Failures()
    app.state.erecord_failures = Failures()
    app.include_router(einvoice.router)
    app.include_router(erecord.router)
    messages.install(app, data)  # the SMS, WeChat and mail receivers (notifications)

    @app.get("/", include_in_schema=False)
    def index() -> RedirectResponse:
        return RedirectResponse("/erecord")

    @app.get("/health/live", include_in_schema=False)
    def live() -> dict[str, str]:
        return {"status": "ok"}

    return app
