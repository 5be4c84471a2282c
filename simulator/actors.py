"""The people at the gateway: each logs in with the local dev issuer (`POST /auth/dev-token`)
with the role of their job and speaks plain HTTP to `/api/v1/sites/{site}/...`, like the
real front ends. Every command's latency and every unexpected answer go into `Stats`."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from simulator.group import Group, Site

UNAVAILABLE_RETRIES = 2
POLL_SECONDS = 0.1  # how soon a person first looks again at a read model while waiting for another service
POLL_MAX_SECONDS = 1.0
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|INV-[\w-]+")


class VisitFailed(Exception):
    """An answer the script did not expect: the visit stops, the error is counted."""


@dataclass
class Stats:
    """Command latencies (seconds, at the client, through the gateway), what happened, errors."""

    latencies: list[float] = field(default_factory=list)
    command_times: list[float] = field(default_factory=list)  # monotonic completion times
    happened: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    queries: int = 0

    def command(self, seconds: float) -> None:
        self.latencies.append(seconds)
        self.command_times.append(time.monotonic())


@dataclass(frozen=True)
class Person:
    """One user at one site."""

    client: httpx.AsyncClient
    site: str
    user: str
    token: str
    stats: Stats
    # A technician works one job at a time (the workshop refuses a second clock-on): their
    # visits take turns at the bench.
    bench: asyncio.Lock = field(default_factory=asyncio.Lock, compare=False)

    async def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, expect: int = 200, absent: bool = False
    ) -> Any:
        """A command (or a query for GET): its JSON answer; anything but `expect` fails the visit
        (`absent`: a 404 answers None — the thing is not there yet)."""
        url = f"/api/v1/sites/{self.site}/{path}"
        headers = {"Authorization": f"Bearer {self.token}"}
        started = time.perf_counter()
        for retry in range(UNAVAILABLE_RETRIES + 1):
            try:
                response = await self.client.request(method, url, json=body, headers=headers)
            except httpx.HTTPError as error:
                self.stats.errors.append(f"{method} {_template(path)}: {type(error).__name__} {error}")
                raise VisitFailed(str(error)) from error
            if response.status_code != 503 or retry == UNAVAILABLE_RETRIES:
                break
            # The gateway could not reach the service: as a front end does, try again after Retry-After.
            self.stats.happened["retried_after_503"] += 1
            await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
        if method == "GET":
            self.stats.queries += 1
        else:
            self.stats.command(time.perf_counter() - started)
        if absent and response.status_code == 404:
            return None
        if response.status_code != expect:
            self.stats.errors.append(f"{method} {_template(path)}: {response.status_code} {response.text[:300]}")
            raise VisitFailed(f"{method} {path}: {response.status_code}")
        return response.json()

    async def until(self, path: str, condition: Callable[[Any], bool], what: str, timeout: float = 60) -> Any:
        """GET `path` until its answer meets `condition`: waiting for another service's reaction."""
        deadline, pause = time.monotonic() + timeout, POLL_SECONDS
        while True:
            found = await self.call("GET", path, absent=True)
            if found is not None and condition(found):
                return found
            if time.monotonic() > deadline:
                self.stats.errors.append(f"timed out after {timeout:.0f} s waiting for {what}")
                raise VisitFailed(what)
            await asyncio.sleep(pause)  # polling interval of a read model, not a synchronisation
            pause = min(pause * 1.5, POLL_MAX_SECONDS)  # a person looks less often the longer it takes


def _template(path: str) -> str:
    """The path without ids, so errors group by resource."""
    return _ID.sub("{id}", path.split("?", 1)[0])


@dataclass(frozen=True)
class Staff:
    """A site's people, logged in: one per role, plus every advisor and technician."""

    site: Site
    roles: dict[str, Person]
    advisors: dict[str, Person]
    technicians: dict[str, Person]

    def __getitem__(self, role: str) -> Person:
        return self.roles[role]


async def login(client: httpx.AsyncClient, group: Group, site: Site, role: str, user: str, stats: Stats) -> Person:
    body = {"user_id": user, "name": user, "group_id": group.group_id, "roles": [role], "site_ids": [site.site_id]}
    response = await client.post("/auth/dev-token", json=body)
    if response.status_code != 200:
        raise RuntimeError(f"the dev token issuer refused {user}: {response.status_code} {response.text[:300]}")
    return Person(client, site.site_id, user, response.json()["access_token"], stats)


async def staff_of(client: httpx.AsyncClient, group: Group, site: Site, stats: Stats) -> Staff:
    roles = {role: await login(client, group, site, role, user, stats) for role, user in site.people.items()}
    advisors = {a: await login(client, group, site, "advisor", a, stats) for a in site.advisors}
    technicians = {t: await login(client, group, site, "technician", t, stats) for t in site.technicians}
    roles["advisor"] = next(iter(advisors.values()))
    return Staff(site, roles, advisors, technicians)
