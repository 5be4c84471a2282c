"""What `bench.load` watches while the simulator drives the system: the advisor board's event
stream (lag from an event's append to the board update that shows it), the services' metrics
(outbox backlog, consumer lag) and each process's CPU."""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import httpx
import psutil
from prometheus_client.parser import text_string_to_metric_families

from events.clock import sleep_unless
from simulator.actors import Staff


@dataclass
class BoardLag:
    """Seconds from a card's `updated_at` (the recorded time of the event that changed it) to the
    arrival of the first board update that shows it, over the event stream through the gateway."""

    lags: list[float] = field(default_factory=list)
    updates: int = 0

    async def follow(self, gateway: str, staff: Staff, stop: asyncio.Event) -> None:
        """Until `stop` is set and the task is cancelled (an idle stream sends a line every 15 s)."""
        person = staff["dispatcher"]
        url = f"{gateway}/api/v1/sites/{person.site}/advisor-board/stream"
        headers = {"Authorization": f"Bearer {person.token}", "Accept": "text/event-stream"}
        seen: dict[str, datetime] = {}
        first = True
        async with (
            httpx.AsyncClient(timeout=httpx.Timeout(30, read=None)) as client,
            client.stream("GET", url, headers=headers) as stream,
        ):
            event = ""
            # Read until cancelled: a timeout around the read would close the line iterator.
            async for text in stream.aiter_lines():
                if stop.is_set():
                    return
                if text.startswith("event: "):
                    event = text.removeprefix("event: ")
                elif text.startswith("data: ") and event == "board":
                    arrived = time.time()
                    board = json.loads(text.removeprefix("data: "))
                    self.updates += 1
                    for card in board["appointments"] + board["cars"]:
                        updated = datetime.fromisoformat(card["updated_at"])
                        before = seen.get(card["card_id"])
                        if before is None or updated > before:
                            seen[card["card_id"]] = updated
                            if not first:  # the first board on connecting shows the past
                                self.lags.append(arrived - updated.timestamp())
                    first = False


@dataclass
class Sample:
    at: float
    backlog: dict[str, float]
    consumer_lag: dict[str, float]
    cpu: dict[str, float]  # percent of one core, per process group


@dataclass
class Watch:
    """Every few seconds: each service's /metrics and every process's CPU."""

    services: dict[str, str]  # name → base URL
    postmaster: int | None = None  # PostgreSQL's pid (pg_ctl detaches it from this process)
    every: float = 5.0
    samples: list[Sample] = field(default_factory=list)

    async def run(self, stop: asyncio.Event) -> None:
        known: dict[int, psutil.Process] = {}  # cpu_percent measures since the same object's last call
        self._cpu(known)
        async with httpx.AsyncClient(timeout=10) as client:
            while not await sleep_unless(stop, self.every):
                backlog, lag = {}, {}
                for name, url in self.services.items():
                    try:
                        response = await client.get(f"{url}/metrics")
                        figures = _figures(response.text) if response.status_code == 200 else {}
                    except (httpx.HTTPError, ValueError):  # a busy service missed the scrape: a gap
                        continue
                    backlog[name] = figures.get("dealerflow_outbox_backlog", 0.0)
                    lag[name] = figures.get("dealerflow_consumer_lag", 0.0)
                self.samples.append(Sample(time.monotonic(), backlog, lag, self._cpu(known)))

    def _cpu(self, known: dict[int, psutil.Process]) -> dict[str, float]:
        """Percent of one core per process group since the last call (new processes from now on)."""
        cpu: dict[str, float] = defaultdict(float)
        for name, group in _processes(self.postmaster).items():
            for process in group:
                process = known.setdefault(process.pid, process)
                cpu[name] += _cpu(process)
        return dict(cpu)


def _figures(text: str) -> dict[str, float]:
    """Each metric's samples summed over its labels."""
    sums: dict[str, float] = defaultdict(float)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            sums[sample.name] += sample.value
    return sums


def _cpu(process: psutil.Process) -> float:
    try:
        return float(process.cpu_percent(None))
    except psutil.Error:
        return 0.0


def _processes(postmaster: int | None) -> dict[str, list[psutil.Process]]:
    """This run's processes by what they are: each service, PostgreSQL, the broker, this one."""
    me = psutil.Process()
    groups: dict[str, list[psutil.Process]] = defaultdict(list)
    groups["bench (simulator)"].append(me)
    if postmaster is not None and psutil.pid_exists(postmaster):
        server = psutil.Process(postmaster)
        groups["postgresql"] += [server, *server.children(recursive=True)]
    for child in me.children(recursive=True):
        try:
            command = child.cmdline()
        except psutil.Error:
            continue
        text = " ".join(command)
        if "-m" in command and command.index("-m") + 1 < len(command):
            groups[command[command.index("-m") + 1]].append(child)
        elif "postgres" in text:
            groups["postgresql"].append(child)
        elif "tansu" in text:
            groups["broker"].append(child)
        else:
            groups[child.name()].append(child)
    return groups
