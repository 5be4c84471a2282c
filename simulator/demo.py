"""`make run`'s demo (`python -m simulator.demo`, started by the stack unless SIMULATOR=off):
a 3-site group plays a day at 10 simulated minutes per second once the gateway answers;
prints the pages to open and a ready-to-paste sign-in for each role of the first site.
Progress lines and the day's summary go to var/simulator.log."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import httpx
import jwt

from simulator.actors import Staff
from simulator.run import Options, simulate, summary

GATEWAY = os.environ.get("GATEWAY_URL", "http://127.0.0.1:8000")
STANDINS = os.environ.get("STANDINS_URL", "http://127.0.0.1:8090")
DESK = os.environ.get("DESK_PUBLIC_URL", "http://127.0.0.1:8009")
PAGES = ("board", "callbacks", "complaints", "csi")


def wait_for_gateway(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{GATEWAY}/health/ready", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"simulator: the gateway at {GATEWAY} did not answer within {timeout:.0f} s")
        time.sleep(0.5)  # polling the gateway's readiness while it starts


def remember(staff: list[Staff], path: Path = Path("var") / "demo-group.json") -> None:
    """The demo group's people, for the gateway's development sign-in page to offer
    (services/gateway/gateway/dev_identity/people.py reads this file)."""
    # The group is the one the demo's own logins were issued for.
    group = jwt.decode(staff[0].roles["advisor"].token, options={"verify_signature": False})["group"]
    sites = [
        {
            "site_id": s.site.site_id,
            "name": s.site.name,
            "people": [
                *({"user": user, "role": "advisor"} for user in s.advisors),
                *({"user": user, "role": "technician"} for user in s.technicians),
                *({"user": p.user, "role": role} for role, p in s.roles.items() if role != "advisor"),
            ],
        }
        for s in staff
    ]
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"group_id": group, "sites": sites}, ensure_ascii=False, indent=2), encoding="utf-8")


def announce(staff: list[Staff]) -> None:
    remember(staff)
    first = staff[0]
    site = first.site.site_id
    print(f"\nSimulator: {len(staff)} sites of a synthetic dealer group play a day (log: var/simulator.log)")
    for number, s in enumerate(staff, 1):
        print(f"  site {number}: {s.site.name}  {s.site.site_id}")
    print("Pages (sign in with a token below; the page's form also takes these values):")
    for page in PAGES:
        print(f"  {GATEWAY}/{page}")
    print(f"Sign-in for site 1 ({first.site.name}), one per role — paste the link, or the token in the form:")
    people = {**first.roles, **{"technician": next(iter(first.technicians.values()))}}
    for role, person in people.items():
        page = {"cs_agent": "callbacks", "service_manager": "complaints"}.get(role, "board")
        print(f"  {role:<16} {person.user:<28} {GATEWAY}/{page}#token={person.token}&site={site}")
    print(
        f"Messages: the demo's sites have no quiet hours (they send at any hour, so you see messages whatever"
        f" the time is); its customers prefer SMS, e-mail or WeChat; every message is at {STANDINS}/messages"
        f' — open a pending approval link there at a phone\'s size (docs/portal.md, "See it after make run").'
    )
    print(
        "Traces: start with OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 (e.g. Jaeger all-in-one,"
        " UI on :16686; deploy/ has the compose file) and every request is one trace.",
        flush=True,
    )


def main() -> int:
    wait_for_gateway()
    log = Path("var") / "simulator.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("a") as out:
        seed = int(os.environ.get("SIMULATOR_SEED", "1"))
        options = Options(sites=3, cars_per_site=8, speed=10.0, seed=seed, standins=STANDINS, waiting=1)
        print(
            "the demo's sites send at any hour (quiet hours off), so a newcomer sees messages whatever the time is",
            file=out,
            flush=True,
        )
        outcome = asyncio.run(
            simulate(GATEWAY, options, on_progress=lambda line: print(line, file=out, flush=True), on_open=announce)
        )
        print(json.dumps(summary(outcome), ensure_ascii=False, indent=2), file=out, flush=True)
    happened = outcome.stats.happened
    print(
        f"Simulator: the day is over — {happened['delivered']} cars delivered, "
        f"{len(outcome.stats.errors)} errors (var/simulator.log)",
        flush=True,
    )
    sites = {site.site_id: number for number, site in enumerate(outcome.group.sites, 1)}
    for number, ro in sorted(outcome.waiting.items()):
        visit = next(v for v in outcome.visits if v.number == number)
        site = outcome.group.sites[visit.site]
        print(
            f"  awaiting the customer (site {sites[site.site_id]}): the advisor's page {DESK}/ro/{ro};"
            f" the approval link to {visit.customer.phone} or their e-mail/WeChat is in {STANDINS}/messages",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
