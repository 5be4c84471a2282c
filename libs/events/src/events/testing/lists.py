"""Walking a paged list the way a client does: follow `Link: <...>; rel="next"` to the end."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import httpx


def next_page(response: httpx.Response) -> str | None:
    """The next page's URL, resolved against the URL just called (None: that was the last page)."""
    link = response.headers.get("link")
    if link is None:
        return None
    target, _, relation = link.partition(";")
    assert relation.strip() == 'rel="next"', link
    resolved: str = urljoin(str(response.request.url), target.strip().removeprefix("<").removesuffix(">"))
    return resolved


async def walk(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> list[list[dict[str, Any]]]:
    """Every page of the list at `url`, in order; fails on an answer that is not 200 or a walk
    that does not end."""
    pages: list[list[dict[str, Any]]] = []
    next_url: str | None = url
    while next_url is not None:
        response = await http.get(next_url, headers=headers)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        assert len(pages) < 1000, "the Link header never stops"
        next_url = next_page(response)
    return pages
