"""A webhook receiver for tests: a tiny FastAPI app on a free local port that records what it
gets, verifies signatures, and answers what the test tells it to (fail N times, then 410...)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response

from events.local.ports import free_port
from gateway.integration import signing


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str

    @property
    def event(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    def verifies(self, secret: str) -> bool:
        return signing.verify(
            secret,
            self.headers["webhook-id"],
            int(self.headers["webhook-timestamp"]),
            self.body,
            self.headers["webhook-signature"],
        )


@dataclass
class Endpoint:
    """What one path answers: `fail_first` times 500, then `status` (200, or 410 for gone;
    a redirect to `location` if given)."""

    fail_first: int = 0
    status: int = 200
    calls: int = 0
    location: str | None = None


@dataclass
class Receiver:
    port: int = field(default_factory=free_port)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def url(self, path: str) -> str:
        self.endpoints.setdefault(path, Endpoint())
        return f"http://127.0.0.1:{self.port}/{path}"

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{path}")
        async def receive(path: str, request: Request) -> Response:
            self.received.append(Received(path, dict(request.headers), (await request.body()).decode()))
            endpoint = self.endpoints.setdefault(path, Endpoint())
            endpoint.calls += 1
            if endpoint.calls <= endpoint.fail_first:
                return Response(status_code=500)
            headers = {"location": endpoint.location} if endpoint.location else None
            return Response(status_code=endpoint.status, headers=headers)

        return app


@asynccontextmanager
async def receiving(*, certificate: tuple[str, str] | None = None) -> AsyncIterator[Receiver]:
    """A receiver on a free local port; with `certificate` (certificate file, key file) it speaks https."""
    receiver = Receiver()
    certfile, keyfile = certificate or (None, None)
    config = uvicorn.Config(
        receiver.app(), host="127.0.0.1", port=receiver.port, log_level="warning", ssl_certfile=certfile,
        ssl_keyfile=keyfile,
    )  # fmt: skip
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(30):  # uvicorn sets `started` once it listens; no event to await
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)  # polling interval of that flag
    try:
        yield receiver
    finally:
        server.should_exit = True
        await task
