"""`python -m simulator`: a dealer group plays a day through the gateway.

python -m simulator --sites 3 --speed 20          # a day at 20 simulated minutes per second
python -m simulator --sites 20 --rate 110 --duration 300   # a load: 110 commands/s for 5 minutes
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx

import catalogue.demo as catalogue_demo
from simulator.actors import Staff, Stats, VisitFailed, staff_of
from simulator.aftercare import callback
from simulator.contacts import enter_preferences, quiet_hours_off
from simulator.day import RUSH, Visit, commands, expected, plan_day, waiting_visit
from simulator.group import PARTS, Group, Site, build_group
from simulator.self_booking import self_bookings
from simulator.visit import Pace, book, play

DEFAULT_GATEWAY = "http://localhost:8000"


@dataclass(frozen=True)
class Options:
    sites: int = 3
    cars_per_site: int = 8
    speed: float | None = 20.0  # simulated minutes per real second; None: as fast as it answers
    rate: float | None = None  # target commands/s: a load of fresh visits for `duration` seconds
    duration: float = 30.0
    seed: int = 1
    progress: float = 5.0  # seconds between progress lines (0: none)
    concurrency: int = 1500  # visits in flight at most under load
    drain: float = 60.0  # seconds the visits in flight get to finish after a load
    # The customer's side (a day, not a load), with the message receivers at `standins`: the CS
    # agents enter contact preferences, the sites' quiet hours are off, `self_bookings` customers
    # per site book online (the first confirms from the link), `waiting` cars per site are left
    # with the inspection's findings awaiting the customer's answer.
    standins: str | None = None
    self_bookings: int = 2
    waiting: int = 0


@dataclass
class Outcome:
    group: Group
    visits: list[Visit]  # the visits started
    delivered: dict[int, str] = field(default_factory=dict)  # visit number → repair order
    waiting: dict[int, str] = field(default_factory=dict)  # awaiting the customer's answer: number → RO
    stats: Stats = field(default_factory=Stats)
    seconds: float = 0.0

    @property
    def expected(self) -> Counter[str]:
        return expected(self.visits)


BILLING = {
    "vat_bp": {"labour": 1300, "parts": 1300, "other": 600},
    "rounding": "per_line",
    "series": ["service"],
    "enterprise_licence_number": "310115000123456",
    "enterprise_tax_id": "91310115MA1K4XXXXX",
}
CAPACITY = {
    "timezone": "UTC",
    "opens_at": "00:00",
    "closes_at": "23:00",
    "slot_minutes": 60,
    "open_weekdays": [1, 2, 3, 4, 5, 6, 7],
    "receptions_per_advisor": 50,
    "technicians": 100,
    "bays": 100,
    "workshop_minutes_per_slot": 6000,
}


async def open_sites(
    client: httpx.AsyncClient, group: Group, stats: Stats, customers_side: bool = False
) -> list[Staff]:
    """Each site's people log in; the dispatcher sets the capacity; the shelf is stocked
    (the sites at once, as each site's own staff would)."""

    async def open_site(site: Site) -> Staff:
        staff = await staff_of(client, group, site, stats)
        await staff["dispatcher"].call("PUT", "capacity", {**CAPACITY, "advisors": list(site.advisors)})
        for part, (_, cost, _) in PARTS.items():
            await staff["parts_clerk"].call(
                "POST", f"stock/{part}/receipts", {"quantity": 20_000, "unit_cost": cost}, expect=201
            )
        return staff

    staff = list(await asyncio.gather(*(open_site(site) for site in group.sites)))
    await price_group(client, group, staff)
    if customers_side:
        await asyncio.gather(*(quiet_hours_off(people) for people in staff))
    return staff


async def price_group(client: httpx.AsyncClient, group: Group, staff: list[Staff]) -> None:
    """The group admin loads the demo catalogue (examples/catalogue: labour times, parts prices,
    rates, service menus) for every site; each site's service manager sets its billing. After the
    capacity plans: the catalogue dates what it loads by the site's day, on the plan's clock."""
    sites = [site.site_id for site in group.sites]
    body = {"user_id": "group-admin", "name": "group-admin", "group_id": group.group_id, "roles": ["group_admin"]}
    token = (await client.post("/auth/dev-token", json={**body, "site_ids": sites})).json()["access_token"]
    today = datetime.now(ZoneInfo(str(CAPACITY["timezone"]))).date().isoformat()
    async with httpx.AsyncClient(
        base_url=client.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as admin:
        for site in sites:
            await _on_the_sites_day(admin, site, today)
        await catalogue_demo.load(admin, sites)
        for named in group.sites:  # the group's site directory: the screens show sites by name
            names = {"name_zh": named.name, "name_en": named.name_en}
            (await admin.put(f"/api/v1/sites/{named.site_id}/site-profile", json=names)).raise_for_status()
    for people in staff:
        await people["service_manager"].call(
            "PUT", "billing-settings", {**BILLING, "enterprise_name": people.site.name}
        )


async def _on_the_sites_day(admin: httpx.AsyncClient, site: str, today: str, patience: float = 30) -> None:
    """Until the catalogue counts the site's days on its capacity plan's clock (it learns the
    plan by event; before, a rate from the site's today may be in its past: 422)."""
    deadline = time.monotonic() + patience
    while True:
        rates = {"rates": catalogue_demo.RATES, "effective_from": today}
        response = await admin.put(f"/api/v1/sites/{site}/labour-rates", json=rates)
        if response.status_code != 422:
            response.raise_for_status()
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the catalogue did not learn site {site}'s clock: {response.text[:300]}")
        await asyncio.sleep(0.2)  # the capacity plan's event is on its way to the catalogue


async def simulate(
    gateway: str,
    options: Options,
    on_progress: Callable[[str], None] | None = print,
    on_open: Callable[[list[Staff]], None] | None = None,
) -> Outcome:
    rng = random.Random(options.seed)
    group = build_group(options.sites, random.Random(f"{options.seed}-{time.time_ns()}"))
    outcome = Outcome(group, [])
    # An idle connection is dropped before the gateway's keep-alive (uvicorn: 5 s) ends it; at the
    # same 5 s (httpx's default) a request sent as the gateway closes the connection is a ReadError.
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100, keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=gateway, timeout=60, limits=limits) as client:
        staff = await open_sites(
            client, group, outcome.stats, customers_side=bool(options.standins and not options.rate)
        )
        if on_open:
            on_open(staff)
        outcome.stats.latencies.clear()  # the set-up is not the day
        outcome.stats.command_times.clear()
        started = time.monotonic()
        reporter = asyncio.create_task(_progress(outcome, started, on_progress, options.progress))
        try:
            if options.rate:
                await _load(staff, outcome, options, rng)
            else:
                await _day(staff, outcome, options, rng)
        finally:
            reporter.cancel()
        outcome.seconds = time.monotonic() - started
    return outcome


async def _visit(staff: Staff, visit: Visit, pace: Pace, outcome: Outcome, appointment: str | None = None) -> None:
    try:
        if visit.booked and appointment is None:
            appointment = await book(staff, visit)
        ro = await play(staff, visit, pace, appointment)
        if visit.waiting:
            outcome.waiting[visit.number] = ro
            return
        outcome.delivered[visit.number] = ro
        await callback(staff, visit, ro)
    except VisitFailed:
        pass  # counted in stats.errors; the rest of the day goes on


async def _day(staff: list[Staff], outcome: Outcome, options: Options, rng: random.Random) -> None:
    visits = plan_day(outcome.group, options.cars_per_site, rng)
    if options.standins:
        for site in range(len(staff)):
            for _ in range(options.waiting):
                (extra,) = plan_day(_one_site(outcome.group), 1, rng, first=4 * len(visits))
                visits.append(waiting_visit(extra, site))
    outcome.visits = visits
    if options.standins:
        # The CS agents enter how each customer wants to be reached, before anything is sent to them.
        for visit in visits:
            with contextlib.suppress(VisitFailed):
                await enter_preferences(staff[visit.site], visit, options.standins)
        client = staff[0]["advisor"].client
        with contextlib.suppress(RuntimeError):  # counted in stats.errors
            await self_bookings(
                client, outcome.group.sites, options.self_bookings, options.standins, outcome.stats, options.seed
            )
    # The day before: the advisors book the appointment cars.
    appointments: dict[int, str] = {}
    for visit in visits:
        if visit.booked:
            with contextlib.suppress(VisitFailed):
                appointments[visit.number] = await book(staff[visit.site], visit)
    pace = Pace(options.speed, RUSH[0], time.monotonic())
    await asyncio.gather(
        *(
            _visit(staff[v.site], v, pace, outcome, appointments.get(v.number))
            for v in visits
            if not v.booked or v.number in appointments
        )
    )


async def _load(staff: list[Staff], outcome: Outcome, options: Options, rng: random.Random) -> None:
    """Fresh visits started at the pace that makes `rate` commands/s, for `duration` seconds;
    then the visits in flight finish."""
    assert options.rate
    pace = Pace(None, 0, 0.0)
    running: set[asyncio.Task[None]] = set()
    started, owed = time.monotonic(), 0.0
    while time.monotonic() - started < options.duration:
        (visit,) = plan_day(_one_site(outcome.group), 1, rng, first=len(outcome.visits))
        visit = Visit(**{**visit.__dict__, "site": rng.randrange(len(staff))})
        if len(running) < options.concurrency:
            outcome.visits.append(visit)
            task = asyncio.create_task(_visit(staff[visit.site], visit, pace, outcome))
            running.add(task)
            task.add_done_callback(running.discard)
        owed += commands(visit) / options.rate
        delay = started + owed - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)  # the load's own pace (open loop)
    if running:
        _, unfinished = await asyncio.wait(running, timeout=options.drain)
        for task in unfinished:  # still waiting for the system after the drain: counted, not errors
            task.cancel()
        outcome.stats.happened["unfinished_visits"] += len(unfinished)


def _one_site(group: Group) -> Group:
    return Group(group.group_id, group.sites[:1])


async def _progress(outcome: Outcome, started: float, say: Callable[[str], None] | None, every: float) -> None:
    if not say or every <= 0:
        return
    done = 0
    while True:
        await asyncio.sleep(every)
        stats = outcome.stats
        now, count = time.monotonic(), len(stats.latencies)
        recent = sorted(stats.latencies[done:]) or [0.0]
        say(
            f"[{now - started:6.0f} s] {count} commands ({(count - done) / every:.0f}/s, p99 "
            f"{recent[int(len(recent) * 0.99) - 1 if len(recent) > 1 else 0] * 1000:.0f} ms), "
            f"{len(outcome.visits)} visits started, {stats.happened['delivered']} delivered, "
            f"{len(stats.errors)} errors"
        )
        done = count


def summary(outcome: Outcome) -> dict[str, object]:
    latencies = sorted(outcome.stats.latencies) or [0.0]

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000, 1)

    return {
        "group": outcome.group.group_id,
        "sites": {s.site_id: s.name for s in outcome.group.sites},
        "script": dict(outcome.expected),
        "happened": dict(outcome.stats.happened),
        "commands": len(outcome.stats.latencies),
        "commands_per_second": round(len(outcome.stats.latencies) / max(outcome.seconds, 1e-9), 1),
        "latency_ms": {"p50": pct(0.5), "p95": pct(0.95), "p99": pct(0.99)},
        "errors": outcome.stats.errors[:20],
        "error_count": len(outcome.stats.errors),
        "seconds": round(outcome.seconds, 1),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__.splitlines()[0])
    parser.add_argument("--gateway", default=DEFAULT_GATEWAY, help=f"the gateway's URL ({DEFAULT_GATEWAY})")
    parser.add_argument("--sites", type=int, default=3, help="dealerships in the group (3)")
    parser.add_argument("--cars", type=int, default=8, help="cars per site in the day's script (8)")
    parser.add_argument("--speed", type=float, default=20.0, help="simulated minutes per real second (20; 0: flat out)")
    parser.add_argument("--rate", type=float, help="a load instead of a day: target commands/s of fresh visits")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load with --rate (30)")
    parser.add_argument("--seed", type=int, default=1, help="the script's seed: the same seed, the same day (1)")
    parser.add_argument(
        "--standins", help="the message receivers' URL: play the customers' side too (preferences, links)"
    )
    parser.add_argument("--progress", type=float, default=5.0, help="seconds between progress lines (5)")
    args = parser.parse_args(argv)
    options = Options(
        sites=args.sites,
        cars_per_site=args.cars,
        speed=args.speed or None,
        rate=args.rate,
        duration=args.duration,
        seed=args.seed,
        progress=args.progress,
        standins=args.standins,
    )
    outcome = asyncio.run(simulate(args.gateway, options, on_progress=lambda line: print(line, flush=True)))
    print(json.dumps(summary(outcome), ensure_ascii=False, indent=2))
    return 0 if not outcome.stats.errors else 1
