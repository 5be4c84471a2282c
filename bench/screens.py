"""How fast the desk's screens are in a real browser: Debian's Chromium driven by Playwright against
a running system (every service, the gateway and the desk as processes, started as the browser
tests start them), signed in through the development provider. For each screen of
`desk.navigation.SCREENS` the person may open:

- first paint: the `first-contentful-paint` entry of the screen loaded afresh;
- click to updated screen: from a click on the screen's representative harmless action (a GET form
  or a link that only reads) until what it shows has arrived, or a click on the screen's link in the
  navigation where the screen has no harmless action.

Both against a baseline measured in the same run and browser: an empty static page (its first
paint) and a link between two static pages (its click). Measured, not asserted; writes
bench/results/screens.md.

    python -m bench.screens [--runs 7] [--screens booking,parts] [--services booking,reception]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

from bench.backbone import exclusive, machine_facts, servers
from bench.results_history import with_earlier_runs
from desk.navigation import SCREENS, Screen
from events.database import ensure_database
from events.local.ports import free_port, wait_for_port
from events.testing.system import STARTUP_SECONDS, RunningSystem

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "screens.md"
SERVICES = ["booking", "catalogue", "reception", "workshop", "parts", "billing", "followup", "complaints"]
GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())  # ids as the API takes them (UUIDs)
# The person: a service manager may open every screen (each screen's route checks the role).
PERSON = {"name": "manager-bench", "role": "service_manager"}
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}  # the reception desk's PC
WAIT_MS = 45_000
# The site's day plan, so booking's day, the board and the reports have a site to count.
CAPACITY = {
    "timezone": "Asia/Shanghai",
    "opens_at": "08:00",
    "closes_at": "18:00",
    "slot_minutes": 60,
    "open_weekdays": [1, 2, 3, 4, 5, 6, 7],
    "advisors": ["advisor-li"],
    "receptions_per_advisor": 2,
    "technicians": 4,
    "bays": 4,
    "workshop_minutes_per_slot": 240,
}


@dataclass(frozen=True)
class Action:
    """A harmless click on the screen (`selector`) and what shows it done: the URL it leads to
    (`url`, a glob) and an element of the updated screen (`shown`)."""

    what: str
    selector: str
    url: str
    shown: str = "main h1"


# One harmless action per screen that has one; the others are reached by their navigation link.
ACTIONS = {
    "booking": Action("show the day", "main form[action='/booking'] button[type=submit]", "**/booking?**"),
    "reception": Action("open a walk-in's check-in", "[data-walk-in]", "**/reception/check-in**", "main form"),
    "complaint": Action("open a new complaint", "main a.button[href='/complaints/new']", "**/complaints/new"),
}

PAINT = """() => {
  const entry = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');
  return entry ? entry.startTime : null;
}"""


@dataclass
class Measured:
    key: str
    path: str
    action: str
    paints: list[float]
    clicks: list[float]


# --- the baseline: two static pages served from this process ---------------------------------

STATIC = {
    "/empty": b"<!doctype html><html lang='en'><title>empty</title><body><p>empty</p></body></html>",
    "/link": b"<!doctype html><html lang='en'><title>link</title><body><a href='/empty'>next</a></body></html>",
}


class _Static(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = STATIC.get(self.path.split("?")[0])
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Static)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# --- the running system and the desk, as tests/browser.py starts them --------------------------


@contextmanager
def running_desk(services: Sequence[str]) -> Iterator[tuple[RunningSystem, str]]:
    port = free_port()
    desk_url = f"http://127.0.0.1:{port}"
    system = RunningSystem(list(services), extra_env={})
    gateway_url = system.gateway_url
    system.extra_env.update(
        {
            "GATEWAY_DEV_OIDC_ISSUER": f"{gateway_url}/auth/dev",
            "GATEWAY_DEV_OIDC_CLIENTS": json.dumps(
                [{"client_id": "dealerflow-desk", "redirect_uris": [f"{desk_url}/auth/callback"]}]
            ),
            "GATEWAY_DEV_OIDC_KEY_FILE": str(system.logs / "dev-oidc-key.pem"),
            "GATEWAY_DEV_OIDC_DEMO_FILE": str(system.logs / "no-demo.json"),
            "GATEWAY_RATE_PER_SECOND": "100000",
            "GATEWAY_RATE_BURST": "100000",
            "MEDIA_PATH": str(system.logs / "media"),  # the tablet upload's photos: the run's own folder
        }
    )
    process: subprocess.Popen[bytes] | None = None
    try:
        asyncio.run(system.start())
        database = asyncio.run(ensure_database(os.environ["DATABASE_URL"], f"e2e_{system.run_id}_desk"))
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "PORT": str(port),
            "DESK_PUBLIC_URL": desk_url,
            "DESK_GATEWAY_URL": gateway_url,
            "OTEL_TRACES_EXPORTER": "none",
        }
        with open(system.logs / "desk.log", "ab") as output:
            process = subprocess.Popen([sys.executable, "-m", "desk"], env=env, stdout=output, stderr=output)
        wait_for_port(port, timeout=STARTUP_SECONDS)
        yield system, desk_url
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=20)
        system.stop()


async def site_set_up(gateway_url: str, services: Sequence[str]) -> None:
    """The site's capacity (booking's), set by its manager, when booking runs."""
    if "booking" not in services:
        return
    person = {"user_id": "manager-bench", "name": "Bench", "group_id": GROUP, "roles": ["service_manager"],
              "site_ids": [SITE]}  # fmt: skip
    async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as http:
        token = (await http.post("/auth/dev-token", json=person)).json()["access_token"]
        answer = await http.put(
            f"/api/v1/sites/{SITE}/capacity", json=CAPACITY, headers={"Authorization": f"Bearer {token}"}
        )
        if answer.is_error:
            raise RuntimeError(f"the site's capacity: {answer.status_code} {answer.text}")


async def sign_in(page: Page, desk_url: str) -> None:
    """Through the development provider's form, by clicking (as tests/browser.py does)."""
    await page.goto(f"{desk_url}/")
    await page.wait_for_url("**/sign-in?**")
    await page.locator("main a.button").click()
    await page.wait_for_url("**/auth/dev/authorize?**")
    form = page.locator("form").filter(has=page.locator("#name"))
    await form.locator("#name").fill(PERSON["name"])
    await form.locator("#role").select_option(PERSON["role"])
    await form.locator("#group_id").fill(GROUP)
    await form.locator("#site_ids").fill(SITE)
    await form.get_by_role("button").click()
    await page.wait_for_url(f"{desk_url}/**")


# --- measuring ---------------------------------------------------------------------------------


async def first_paint(page: Page, url: str) -> float:
    await page.goto(url, wait_until="load")
    for _ in range(50):  # the paint entry is recorded just after the frame is presented
        painted = await page.evaluate(PAINT)
        if painted is not None:
            return float(painted)
        await page.wait_for_timeout(20)
    raise RuntimeError(f"{url}: no first-contentful-paint")


async def timed(click: Callable[[], Awaitable[None]], done: Callable[[], Awaitable[None]]) -> float:
    start = time.perf_counter()
    await click()
    await done()
    return (time.perf_counter() - start) * 1000


async def click_on_screen(page: Page, desk_url: str, screen: Screen) -> tuple[str, float]:
    action = ACTIONS.get(screen.key)
    if action is not None:
        await page.goto(f"{desk_url}{screen.path}", wait_until="load")
    if action is not None and await page.locator(action.selector).count():
        target = page.locator(action.selector).first

        async def act() -> None:
            # A new navigation, even when it comes back to the same URL (a refresh).
            async with page.expect_navigation(url=action.url, wait_until="load", timeout=WAIT_MS):
                await target.click()

        async def arrived() -> None:
            await page.locator(action.shown).first.wait_for(timeout=WAIT_MS)

        return action.what, await timed(act, arrived)
    # From the start page, whose navigation links every screen (the gateway's four pages have none).
    await page.goto(f"{desk_url}/", wait_until="load")
    link = page.get_by_role("navigation").locator(f"a[href='{screen.path}']").first

    async def opened() -> None:
        await page.locator("h1").first.wait_for(timeout=WAIT_MS)

    async def follow() -> None:
        async with page.expect_navigation(wait_until="load", timeout=WAIT_MS):
            await link.click()

    return "its link in the navigation", await timed(follow, opened)


async def measure(
    browser: Browser, desk_url: str, static_url: str, screens: Sequence[Screen], runs: int
) -> tuple[Measured, list[Measured]]:
    context = await browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = await context.new_page()
    baseline = Measured("baseline", "/empty", "a link between two static pages", [], [])
    await first_paint(page, f"{static_url}/empty")  # warm-up
    for _ in range(runs):
        baseline.paints.append(await first_paint(page, f"{static_url}/empty"))
        await page.goto(f"{static_url}/link", wait_until="load")

        async def follow() -> None:
            async with page.expect_navigation(wait_until="load", timeout=WAIT_MS):
                await page.locator("a").click()

        async def nothing() -> None:
            await page.locator("p").wait_for(timeout=WAIT_MS)

        baseline.clicks.append(await timed(follow, nothing))
    await sign_in(page, desk_url)
    measured = []
    for screen in screens:
        url = f"{desk_url}{screen.path}"
        await first_paint(page, url)  # warm-up: the desk's and the API's first answers
        found = Measured(screen.key, screen.path, "", [], [])
        for _ in range(runs):
            found.paints.append(await first_paint(page, url))
            found.action, took = await click_on_screen(page, desk_url, screen)
            found.clicks.append(took)
        print(f"{screen.key}: paint {statistics.median(found.paints):.0f} ms, click "
              f"{statistics.median(found.clicks):.0f} ms", flush=True)  # fmt: skip
        measured.append(found)
    await context.close()
    return baseline, measured


def spread(values: list[float]) -> str:
    return f"{min(values):.0f}-{max(values):.0f}"


def report(baseline: Measured, measured: list[Measured], runs: int, facts: list[str], command: str) -> str:
    paint0, click0 = statistics.median(baseline.paints), statistics.median(baseline.clicks)
    rows = [
        f"| {m.key} | `{m.path}` | {statistics.median(m.paints):.0f} | {spread(m.paints)} | "
        f"{statistics.median(m.paints) / paint0:.1f}x | {m.action} | {statistics.median(m.clicks):.0f} | "
        f"{spread(m.clicks)} | {statistics.median(m.clicks) / click0:.1f}x |"
        for m in measured
    ]
    return "\n".join(
        [
            "# The desk's screens in a real browser",
            "",
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command}`.",
            "",
            "## Machine",
            "",
            *[f"- {fact}" for fact in facts],
            "",
            "## How",
            "",
            "- Debian's Chromium (headless) driven by Playwright, viewport 1366x768, signed in as a service",
            "  manager (who may open every screen) through the gateway's development provider; every service,",
            "  the gateway and the desk run as processes on this machine, on a new site with only its capacity",
            "  set (the screens as a new site sees them: few rows).",
            "- First paint: `first-contentful-paint` of the screen loaded afresh (a full navigation).",
            "- Click: from the click until the updated screen has loaded and shows its content, measured from",
            "  the driver (the same overhead in the baseline's click).",
            f"- {runs} runs each after one warm-up; median and the range (min-max); ratios against the",
            f"  baseline of the same run: an empty static page's first paint ({paint0:.0f} ms, range "
            f"{spread(baseline.paints)}) and a click on a link between two static pages ({click0:.0f} ms,",
            f"  range {spread(baseline.clicks)}).",
            "",
            "## Results",
            "",
            "| screen | path | first paint median (ms) | range | x baseline | click on | click to updated (ms) "
            "| range | x baseline |",
            "|---|---|---:|---|---:|---|---:|---|---:|",
            *rows,
            "",
        ]
    )


def _load_average(when: str) -> str:
    one, five, fifteen = os.getloadavg()
    return f"Load average {when}: {one:.1f} / {five:.1f} / {fifteen:.1f} (1 / 5 / 15 min; 2 cores shared)"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise SystemExit("chromium is not installed: run `make test` (it installs it) or `apt-get install chromium`")
    return found


async def run_in_browser(desk_url: str, screens: Sequence[Screen], runs: int) -> tuple[Measured, list[Measured]]:
    with static_server() as static_url:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
            try:
                return await measure(browser, desk_url, static_url, screens, runs)
            finally:
                await browser.close()


def chosen(keys: str | None) -> list[Screen]:
    roles = frozenset({PERSON["role"]})
    screens = [s for s in SCREENS if s.roles & roles]
    if keys:
        wanted = set(keys.split(","))
        unknown = wanted - {s.key for s in screens}
        if unknown:
            raise SystemExit(f"no such screen for a {PERSON['role']}: {sorted(unknown)}")
        screens = [s for s in screens if s.key in wanted]
    return screens


def bench(
    services: Sequence[str], screens: Sequence[Screen], runs: int, command: str
) -> tuple[str, Measured, list[Measured]]:
    """Everything on a running system the environment's PostgreSQL and broker serve."""
    with running_desk(services) as (system, desk_url):
        asyncio.run(site_set_up(system.gateway_url, services))
        facts = [*machine_facts(), _load_average("at the start")]
        baseline, measured = asyncio.run(run_in_browser(desk_url, screens, runs))
        from bench import screens_upload  # here: it builds on this module

        if screens_upload.possible(services):
            measured.append(asyncio.run(screens_upload.measure_upload(desk_url, system.gateway_url, runs)))
        facts.append(_load_average("at the end"))
    return report(baseline, measured, runs, facts, command), baseline, measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.screens", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="measurements per screen after a warm-up (7)")
    parser.add_argument("--screens", help="a comma-separated subset of navigation keys (default: all)")
    parser.add_argument("--services", default=",".join(SERVICES), help="the services to run (default: all)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    command = shlex.join(["python", "-m", "bench.screens", *(sys.argv[1:] if argv is None else argv)])
    screens = chosen(args.screens)
    with exclusive(), servers() as found:
        os.environ["DATABASE_URL"], os.environ["KAFKA_BOOTSTRAP_SERVERS"] = found.database_url, found.bootstrap
        text, _, _ = bench(args.services.split(","), screens, args.runs, command)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(with_earlier_runs(text, args.output))
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
