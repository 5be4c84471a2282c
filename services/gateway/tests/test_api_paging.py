"""A service's `Link: <?cursor=...>; rel="next"` reaches the client through the gateway unchanged,
and, resolved against the gateway's URL, leads back to the same service with the next page's query."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urljoin

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from gateway_helpers import SETTINGS, gateway_over

from events.identity import Identity
from gateway import tokens
from gateway.rate_limit import RateLimiter

ROWS = [f"callback-{n}" for n in range(5)]


def paged_service() -> FastAPI:
    """Stands in for followup: the callback queue two rows a page, the cursor the next row's index."""
    app = FastAPI()

    @app.get("/sites/{site}/callbacks")
    async def queue(request: Request, response: Response, status: str, cursor: int = 0, limit: int = 2) -> list[str]:
        if cursor + limit < len(ROWS):
            response.headers["Link"] = f'<?cursor={cursor + limit}&limit={limit}&status={status}>; rel="next"'
        return ROWS[cursor : cursor + limit]

    return app


@pytest.fixture
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_over(paged_service(), RateLimiter(rate_per_second=100, burst=100)) as client:
        yield client


async def test_the_link_to_the_next_page_passes_through_the_gateway_and_leads_to_every_row(
    gateway: httpx.AsyncClient,
) -> None:
    token = tokens.issue(SETTINGS, Identity("cs-1", "Li Na", "g1", frozenset({"cs_agent"}), frozenset({"s1"})))
    headers = {"Authorization": f"Bearer {token}"}
    url = "http://gateway/api/v1/sites/s1/callbacks?status=open&limit=2"
    seen: list[str] = []
    links: list[str] = []
    while True:
        response = await gateway.get(url, headers=headers)
        assert response.status_code == 200, response.text
        seen += response.json()
        link = response.headers.get("link")
        if link is None:
            break
        links.append(link)
        url = urljoin(url, link.removeprefix("<").split(">", 1)[0])
        assert url.startswith("http://gateway/api/v1/sites/s1/callbacks?cursor="), url
    assert seen == ROWS
    assert links == ['<?cursor=2&limit=2&status=open>; rel="next"', '<?cursor=4&limit=2&status=open>; rel="next"']
