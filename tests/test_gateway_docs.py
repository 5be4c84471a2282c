"""The gateway's API documentation in a real headless Chromium (Debian's, driven by Playwright),
against running services: `/docs` (Swagger UI) and `/redoc` list the operations of several
services from the combined document, and the browser asks nothing of any host but the gateway's
(a dealership's browser often has no internet access: a CDN would leave the page blank)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from dealership import running
from playwright.async_api import Browser, Page, Route, async_playwright

from events.testing.system import RunningSystem

WAIT = 60_000  # ms: the combined document is fetched from every service, on a loaded machine
# One path of each running service, as the combined document lists it.
OPERATIONS = {"booking": "/api/v1/sites/{site_id}/appointments", "reception": "/api/v1/sites/{site_id}/repair-orders"}
LOCAL = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def system() -> Iterator[RunningSystem]:
    with running(list(OPERATIONS)) as started:
        yield started


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        started = await playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        yield started
        await started.close()


async def offline_page(browser: Browser, outside: list[str]) -> Page:
    """A page whose requests to any host but this machine are refused and noted in `outside`."""
    context = await browser.new_context()

    async def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL:
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_local)
    return await context.new_page()


async def test_swagger_ui_lists_every_running_services_operations_loading_nothing_from_outside(
    system: RunningSystem, gateway: httpx.AsyncClient, browser: Browser
) -> None:
    document = (await gateway.get("/openapi.json")).json()
    assert set(OPERATIONS) <= {
        tag for methods in document["paths"].values() for o in methods.values() for tag in o["tags"]
    }
    outside: list[str] = []
    page = await offline_page(browser, outside)

    await page.goto(f"{system.gateway_url}/docs")

    for path in OPERATIONS.values():
        summary = page.locator(".opblock-summary-path", has_text=path).first
        await summary.wait_for(state="visible", timeout=WAIT)
    assert await page.locator(".opblock").count() > 20
    assert await page.locator(".opblock-tag", has_text="booking").count() >= 1
    assert outside == []


async def test_redoc_lists_the_operations_loading_nothing_from_outside(
    system: RunningSystem, gateway: httpx.AsyncClient, browser: Browser
) -> None:
    document = (await gateway.get("/openapi.json")).json()
    summaries = {
        service: next(
            o["summary"] for path, methods in document["paths"].items() if path == api for o in methods.values()
        )
        for service, api in OPERATIONS.items()
    }
    outside: list[str] = []
    page = await offline_page(browser, outside)

    await page.goto(f"{system.gateway_url}/redoc")

    for summary in summaries.values():
        await page.get_by_text(summary, exact=True).first.wait_for(state="attached", timeout=WAIT)
    assert outside == []


def chromium() -> str:
    """Debian's chromium (`make test` installs it when missing)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "chromium is not installed: run `make test` (it installs it) or `apt-get install chromium`"
    return found
