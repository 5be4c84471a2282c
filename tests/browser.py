"""The browser-test harness for the desk (the staff web app): the desk started beside a running
system and registered with the gateway's development provider, a person signed in by clicking
through the provider's page, an axe-core check of every page visited (serious and critical
violations fail the test), and screenshots under var/screenshots/desk/.

    @pytest.fixture(scope="module")                          # a module names its services;
    def started() -> Iterator[tuple[RunningSystem, Desk]]:   # `system`, `desk` and `browser`
        with desk_beside(["reception"]) as both:             # come from here
            yield both

        page = await new_page(browser)
        await sign_in(page, desk, name="advisor-li", role="advisor", group=GROUP, sites=[SITE])
        await accessible(page, "my-day")                      # axe, then a screenshot

Chromium is Debian's (`make test` installs it); axe-core comes from npm with the desk's
browser libraries (services/desk/package-lock.json)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

from events.database import ensure_database
from events.local.ports import free_port, wait_for_port
from events.testing.system import STARTUP_SECONDS, RunningSystem

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "var" / "screenshots" / "desk"
AXE = ROOT / "services" / "desk" / "node_modules" / "axe-core" / "axe.min.js"
DESK_SCREEN: ViewportSize = {"width": 1366, "height": 768}  # the reception desk's PC
WIDE_SCREEN: ViewportSize = {"width": 1920, "height": 1080}
TABLET: ViewportSize = {"width": 1280, "height": 800}  # a technician's 10-inch tablet, landscape
TIME_ZONE = "Asia/Shanghai"
WAIT = 45_000  # ms: a loaded 2-core machine runs other suites at the same time
FAILING_IMPACTS = ("serious", "critical")


def chromium() -> str:
    """Debian's chromium (`make test` installs it when missing)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "chromium is not installed: run `make test` (it installs it) or `apt-get install chromium`"
    return found


@asynccontextmanager
async def launched() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


async def new_page(browser: Browser, *, language: str = "en-US", viewport: ViewportSize = DESK_SCREEN) -> Page:
    """A fresh browser profile (its own cookies) whose `Accept-Language` is `language`."""
    context = await browser.new_context(viewport=viewport, locale=language, timezone_id=TIME_ZONE)
    return await context.new_page()


class Desk:
    """The desk process of a test module, at `url`."""

    def __init__(self, url: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.url = url
        self.process = process
        self.log = log

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-5000:] if self.log.exists() else ""


@contextmanager
def desk_beside(
    services: Sequence[str], extra_env: dict[str, str] | None = None
) -> Iterator[tuple[RunningSystem, Desk]]:
    """`services` and the gateway as processes, and the desk registered with the gateway's
    development provider (its redirect on the desk's own free port)."""
    port = free_port()
    desk_url = f"http://127.0.0.1:{port}"
    system = RunningSystem(list(services), extra_env=extra_env)
    gateway_url = system.gateway_url
    system.extra_env.update(
        {
            "GATEWAY_DEV_OIDC_ISSUER": f"{gateway_url}/auth/dev",
            "GATEWAY_DEV_OIDC_CLIENTS": json.dumps(
                [{"client_id": "dealerflow-desk", "redirect_uris": [f"{desk_url}/auth/callback"]}]
            ),
            "GATEWAY_DEV_OIDC_KEY_FILE": str(system.logs / "dev-oidc-key.pem"),
            "GATEWAY_DEV_OIDC_DEMO_FILE": str(system.logs / "no-demo.json"),  # the "anyone" form
        }
    )
    process: subprocess.Popen[bytes] | None = None
    try:
        asyncio.run(system.start())
        database = asyncio.run(ensure_database(os.environ["DATABASE_URL"], f"e2e_{system.run_id}_desk"))
        log = system.logs / "desk.log"
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "PORT": str(port),
            "DESK_PUBLIC_URL": desk_url,
            "DESK_GATEWAY_URL": gateway_url,
            "OTEL_TRACES_EXPORTER": "none",
        }
        with open(log, "ab") as output:
            process = subprocess.Popen([sys.executable, "-m", "desk"], env=env, stdout=output, stderr=output)
        desk = Desk(desk_url, process, log)
        try:
            wait_for_port(port, timeout=STARTUP_SECONDS)
        except TimeoutError:
            raise RuntimeError(f"the desk did not start:\n{desk.tail()}") from None
        yield system, desk
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        system.stop()


async def sign_in(
    page: Page, desk: Desk, *, name: str, role: str, group: str, sites: Sequence[str], check: bool = True
) -> None:
    """From the desk's landing page through the development provider's form, by clicking, as
    anyone (the provider's user id is the name typed). Each page on the way is checked by axe."""
    await page.goto(f"{desk.url}/")
    await page.wait_for_url("**/sign-in?**")
    if check:
        await accessible(page, "sign-in")
    await page.locator("main a.button").click()
    await page.wait_for_url("**/auth/dev/authorize?**")
    if check:
        await accessible(page, "provider-sign-in")
    form = page.locator("form").filter(has=page.locator("#name"))
    await form.get_by_label("姓名").fill(name)
    await form.locator("#role").select_option(role)
    await form.locator("#group_id").fill(group)
    await form.locator("#site_ids").fill(", ".join(sites))
    await form.get_by_role("button").click()
    await page.wait_for_url(f"{desk.url}/**")


async def accessible(page: Page, name: str) -> list[dict[str, Any]]:
    """axe-core run on the page as it is (WCAG 2.x A/AA rules); fails on a serious or critical
    violation, naming each with its nodes. A screenshot is saved either way."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    results: dict[str, Any] = await page.evaluate(
        """async () => await axe.run(document, {
             runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
             resultTypes: ["violations"]})"""
    )
    violations: list[dict[str, Any]] = results["violations"]
    failing = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
    assert not failing, f"{name}: axe finds " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}" for v in failing
    )
    return violations


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


# The fixtures every browser module shares (tests/conftest.py loads this module as a plugin); a
# module provides `started`: its system and desk, from `desk_beside` with the services it needs.


@pytest.fixture
def system(started: tuple[RunningSystem, Desk]) -> RunningSystem:
    return started[0]


@pytest.fixture
def desk(started: tuple[RunningSystem, Desk]) -> Desk:
    return started[1]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with launched() as started:
        yield started
