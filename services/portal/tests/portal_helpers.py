"""The portal in-process with the gateway's public API stood in for: each test says what the
gateway answers (`gateway.answer(...)`) and reads what the portal sent (`gateway.seen`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from portal.app import create_app
from portal.settings import PortalSettings

PUBLIC_URL = "http://portal.test"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class GatewayStandIn:
    """Answers `(method, path)` with a status and a JSON body; anything else is a 404 `not_found`."""

    answers: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def answer(self, method: str, path: str, status: int, body: Any) -> None:
        self.answers[(method, path)] = (status, body)

    def refuse(
        self, method: str, path: str, status: int, code: str, fields: list[dict[str, str]] | None = None
    ) -> None:
        self.answer(method, path, status, {"error": {"code": code, "message": code, "fields": fields or []}})

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.api_route("/{path:path}", methods=["GET", "POST"])
        async def any_route(path: str, request: Request) -> JSONResponse:
            body = await request.json() if await request.body() else None
            self.seen.append(Seen(request.method, request.url.path, dict(request.headers), body))
            status, answer = self.answers.get(
                (request.method, request.url.path), (404, {"error": {"code": "not_found", "message": "no such"}})
            )
            return JSONResponse(answer, status_code=status)

        return app


@asynccontextmanager
async def portal_client(settings: PortalSettings, gateway: GatewayStandIn) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, transport=httpx.ASGITransport(app=gateway.app()))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 50000)),
            base_url=PUBLIC_URL,
            headers={"Origin": PUBLIC_URL},
        ) as client,
    ):
        yield client
