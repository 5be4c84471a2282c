"""`/docs` and `/redoc` show the combined document with the browser loading nothing but the
gateway: the scripts come from the installed package, not a CDN (a browser with no internet
access still shows them). The real browser's view is `tests/test_gateway_docs.py`."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from gateway import tokens
from gateway.app import create_app
from gateway.rate_limit import RateLimiter

SETTINGS = tokens.TokenSettings(secret="test-user-token-secret-of-enough-length", public_key=None, issuer=None)


@pytest.fixture
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(token_settings=SETTINGS, limiter=RateLimiter(rate_per_second=1, burst=5))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        yield client


def urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_pages_load_only_the_gateways_own_scripts_and_the_combined_document(
    gateway: httpx.AsyncClient, page: str
) -> None:
    response = await gateway.get(page)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    loaded = urls(response.text)
    assert "/openapi.json" in loaded
    assert [url for url in loaded if not url.startswith("/")] == []
    assert "googleapis" not in response.text
    for url in loaded:
        if url != "/openapi.json":
            asset = await gateway.get(url)
            assert asset.status_code == 200, url
            assert len(asset.content) > 1000, url


async def test_swagger_ui_sends_the_document_to_no_online_validator(gateway: httpx.AsyncClient) -> None:
    assert '"validatorUrl": null' in (await gateway.get("/docs")).text


async def test_the_assets_have_their_types_and_unknown_ones_are_404(gateway: httpx.AsyncClient) -> None:
    script = await gateway.get("/docs/assets/swagger-ui-bundle.js")
    style = await gateway.get("/docs/assets/swagger-ui.css")

    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert style.headers["content-type"] == "text/css; charset=utf-8"
    for name in ("index.html", "..%2F__init__.py", "%2E%2E%2Fcore.py", "swagger-ui-bundle.js.map"):
        response = await gateway.get(f"/docs/assets/{name}")
        assert response.status_code == 404, name
        assert response.json()["error"]["code"] == "not_found"
