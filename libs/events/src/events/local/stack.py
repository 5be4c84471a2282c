"""`make run`: the whole system on one machine.

Starts PostgreSQL (data kept under var/postgres across runs) and the broker, unless
`DATABASE_URL` / `KAFKA_BOOTSTRAP_SERVERS` name existing ones; gives each service its own
database; starts every service that exists (`services/<name>/<name>/__main__.py`) on its
port; prints where to look; stops everything cleanly on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from events.database import ensure_database
from events.local.broker import LocalBroker
from events.local.ports import wait_for_port
from events.local.postgres import LocalPostgres
from events.services import DEFAULT_PORTS

STANDINS_PORT = 8090  # standins.PORT: the top-level package is not importable from this library
STATELESS = frozenset({"portal"})  # services with no database of their own


def runnable_services(root: Path) -> list[str]:
    return [name for name in DEFAULT_PORTS if (root / "services" / name / name / "__main__.py").exists()]


def main() -> int:
    root = Path.cwd()
    var = root / "var"
    var.mkdir(exist_ok=True)
    with ExitStack() as stack:
        server_url = os.environ.get("DATABASE_URL")
        if not server_url:
            postgres = stack.enter_context(LocalPostgres(var / "postgres", port=int(os.environ.get("PGPORT", 55432))))
            server_url = postgres.url
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            broker = LocalBroker(port=int(os.environ.get("BROKER_PORT", 59092)), log_file=var / "broker.log")
            bootstrap = stack.enter_context(broker).bootstrap_servers
        services = runnable_services(root)
        # Every service keeps its own database (the gateway's holds the integration feed and webhooks);
        # the customers' portal keeps nothing (decision 0023): it gets none.
        urls = {
            name: asyncio.run(ensure_database(server_url, f"dealerflow_{name}"))
            for name in services
            if name not in STATELESS
        }
        (var / "stack.env").write_text(f"DATABASE_URL={server_url}\nKAFKA_BOOTSTRAP_SERVERS={bootstrap}\n")

        processes = []
        for name in services:
            env = {
                **os.environ,
                **({"DATABASE_URL": urls[name]} if name in urls else {}),
                "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                "PORT": str(DEFAULT_PORTS[name]),
                "OTEL_SERVICE_NAME": name,
            }
            log = open(var / f"{name}.log", "ab")  # noqa: SIM115 - closed when the process ends
            processes.append((name, subprocess.Popen([sys.executable, "-m", name], env=env, stdout=log, stderr=log)))
            stack.callback(_stop, processes[-1][1])
        if (root / "standins" / "__main__.py").exists():
            # Local stand-ins of the outside parties billing calls (the e-invoice provider, the
            # provincial e-record platform): not part of the system; billing's defaults point here.
            log = open(var / "standins.log", "ab")  # noqa: SIM115 - closed when the process ends
            env = {
                **os.environ,
                "PORT": str(STANDINS_PORT),
                "STANDINS_DATA": str(var / "standins"),
                "STANDINS_SMTP_PORT": "8025",  # the notifications service's default SMTP_PORT
            }
            processes.append(
                (
                    "standins",
                    subprocess.Popen([sys.executable, "-m", "standins"], env=env, cwd=root, stdout=log, stderr=log),
                )
            )
            stack.callback(_stop, processes[-1][1])
        for name, _ in processes:
            wait_for_port(STANDINS_PORT if name == "standins" else DEFAULT_PORTS[name], timeout=60)

        print(f"PostgreSQL  {server_url}   (data in var/postgres)")
        print(f"Kafka       {bootstrap}    (local broker keeps data in memory only)")
        for name in services:
            page = "/" if name in ("desk", "portal") else "/docs"  # the web apps: a start page, not an API's
            print(f"{name:<11} http://127.0.0.1:{DEFAULT_PORTS[name]}{page}   (log: var/{name}.log)")
        if any(name == "standins" for name, _ in processes):
            print(
                f"{'stand-ins':<11} http://127.0.0.1:{STANDINS_PORT}/einvoice  /erecord   (outside parties, local only)"
            )
        if not services:
            print("No services yet: the backbone (libs/events) runs on its own; see README.md.")
        if os.environ.get("SIMULATOR", "on") != "off" and (root / "simulator").is_dir():
            # The demo: a synthetic dealer group plays a day through the gateway and prints the
            # pages and a sign-in per role (SIMULATOR=off for the bare stack).
            demo = subprocess.Popen([sys.executable, "-m", "simulator.demo"], cwd=root)
            stack.callback(_stop, demo)
        print("Ctrl-C stops everything.", flush=True)
        _wait_for_signal(processes)
    return 0


def _wait_for_signal(processes: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
    stop = {"now": False}

    def request_stop(*_: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    while not stop["now"]:
        for name, process in processes:
            if process.poll() is not None:
                print(f"{name} exited with {process.returncode}; see var/{name}.log", flush=True)
                return
        time.sleep(0.5)  # a signal interrupts the sleep; its handler sets the flag


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    raise SystemExit(main())
