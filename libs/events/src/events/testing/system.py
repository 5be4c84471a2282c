"""The whole system as real processes, for end-to-end tests.

Each service runs as `python -m <service>` on a free port with its own fresh database on the
test run's PostgreSQL server and its own topic prefix on the broker, behind a gateway that
routes to those ports. Tests talk HTTP to the gateway, like users do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import httpx

from events.database import ensure_database
from events.local.ports import free_port, wait_for_port

# Where the systems' service logs go, one folder per system, kept after the run (a failed system
# test is read from them). Each `make test` (or soak run) has a folder of its own in here, named
# for when it started; the latest few are kept.
LOGS = Path("var/test-logs").absolute()
_KEPT_RUNS = 5


def logs_folder() -> Path:
    """This test run's folder of system logs (`DEALERFLOW_TEST_LOGS`, set by `new_logs_folder`)."""
    return Path(os.environ.get("DEALERFLOW_TEST_LOGS") or LOGS / "unnamed")


def new_logs_folder() -> Path:
    """A fresh folder for the logs of the systems a test run starts (inherited by its pytest
    processes through the environment); older runs' folders beyond the latest few are removed."""
    folder = LOGS / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["DEALERFLOW_TEST_LOGS"] = str(folder)
    for old in sorted(p for p in LOGS.iterdir() if p.is_dir())[:-_KEPT_RUNS]:
        shutil.rmtree(old, ignore_errors=True)
    return folder


# Two test modules start a whole system each at the same time on a 2-core machine: seven Python
# processes importing FastAPI, pydantic and OpenTelemetry, then consumer groups settling.
STARTUP_SECONDS = 180


class RunningSystem:
    def __init__(self, services: Sequence[str], *, extra_env: dict[str, str] | None = None) -> None:
        self.services = list(services)
        self.extra_env = extra_env or {}
        self.run_id = uuid.uuid4().hex[:8]
        self.ports = {name: free_port() for name in [*self.services, "gateway"]}
        self.logs = logs_folder() / f"{time.strftime('%H%M%S')}-{'-'.join(self.services)}-{self.run_id}"
        self.logs.mkdir(parents=True, exist_ok=True)
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._environments: dict[str, dict[str, str]] = {}

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    async def start(self) -> None:
        server_url = os.environ["DATABASE_URL"]
        common = {
            **os.environ,
            "KAFKA_TOPIC_PREFIX": f"e2e{self.run_id}.",
            "OTEL_TRACES_EXPORTER": "none",
            **self.extra_env,
            **{f"{name.upper()}_URL": self.url(name) for name in self.services},
        }
        for name in self.services:
            database = await ensure_database(server_url, f"e2e_{self.run_id}_{name}")
            self._spawn(name, {**common, "DATABASE_URL": database})
        # The gateway keeps the integration feed and webhook subscriptions in a database of its own.
        gateway_database = await ensure_database(server_url, f"e2e_{self.run_id}_gateway")
        self._spawn("gateway", {**common, "DATABASE_URL": gateway_database})
        for name, port in self.ports.items():
            try:
                wait_for_port(port, timeout=STARTUP_SECONDS)
            except TimeoutError:
                raise RuntimeError(f"{name} did not start:\n{self.log(name)}") from None
        await self._wait_ready()

    def _spawn(self, name: str, env: dict[str, str]) -> None:
        self._environments[name] = env
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        self._processes[name] = subprocess.Popen(
            [sys.executable, "-m", name], env={**env, "PORT": str(self.ports[name])}, stdout=log, stderr=log
        )

    async def _wait_ready(self, services: Sequence[str] | None = None) -> None:
        """Every service's background loops are up (consumer groups joined take a few seconds)."""
        deadline = time.monotonic() + STARTUP_SECONDS
        async with httpx.AsyncClient() as client:
            for name in services or self.services:
                while True:
                    try:  # a busy machine may keep a starting service from answering in time
                        response = await client.get(f"{self.url(name)}/health/ready", timeout=30)
                        answer, body = response.text, response.json() if response.status_code == 200 else {}
                    except httpx.TransportError as error:
                        answer, body = repr(error), {}
                    loops, consumers = body.get("loops", {}), body.get("consumers", {})
                    if loops and all(s == "running" for s in loops.values()) and all(consumers.values()):
                        break
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{name} not ready: {answer}\n{self.log(name)}")
                    await _pause()

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-5000:] if path.exists() else ""

    def database(self, name: str) -> str:
        """The URL of the service's own database."""
        return self._environments[name]["DATABASE_URL"]

    def kill(self, name: str) -> None:
        """`kill -9`: the process gets no chance to finish anything."""
        process = self._processes[name]
        process.kill()
        process.wait(timeout=20)

    async def restart(self, name: str) -> None:
        """Start a killed (or stopped) process again, on its port, with its environment; wait until ready."""
        self._spawn(name, self._environments[name])
        wait_for_port(self.ports[name], timeout=STARTUP_SECONDS)
        if name != "gateway":
            await self._wait_ready([name])

    def stop(self) -> None:
        for process in self._processes.values():
            process.terminate()
        for process in self._processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.1)  # polling interval while waiting for readiness
