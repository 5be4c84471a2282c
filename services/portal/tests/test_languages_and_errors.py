"""The layout every page shares: the customer's language (switch, then browser, then Chinese),
both languages complete, the gateway's error codes in the customer's words, the headers that
keep a link's token to this page, and forms only from the portal's own pages."""

from __future__ import annotations

import httpx
import pytest
from fastapi import Request
from portal_helpers import PUBLIC_URL

from portal.errors import error_page
from portal.i18n import choose
from portal.messages import MESSAGES
from portal.settings import PortalSettings


def test_both_languages_have_every_phrase() -> None:
    assert MESSAGES["zh"].keys() == MESSAGES["en"].keys()
    assert all(MESSAGES["zh"][key] for key in MESSAGES["zh"])


@pytest.mark.parametrize(
    ("cookie", "accept", "chosen"),
    [
        (None, "en-US,en;q=0.9", "en"),
        (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        (None, "fr-FR, en;q=0.5", "en"),
        (None, "en;q=0, zh;q=0.1", "zh"),
        (None, None, "zh"),
        ("en", "zh-CN", "en"),
        ("xx", "en", "en"),
    ],
)
def test_the_language_is_the_switch_then_the_browser_then_chinese(
    cookie: str | None, accept: str | None, chosen: str
) -> None:
    assert choose(cookie, accept) == chosen


async def test_the_start_page_reads_in_the_browsers_language_and_the_switch_changes_it(
    portal: httpx.AsyncClient,
) -> None:
    english = await portal.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.status_code == 200
    assert '<html lang="en">' in english.text
    assert "Customer service" in english.text
    switched = await portal.get("/language/zh", params={"next": "/?x=1"}, headers={"Accept-Language": "en"})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/?x=1"
    chinese = await portal.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="zh-CN">' in chinese.text
    assert "车主服务" in chinese.text


async def test_the_switch_never_sends_the_customer_to_another_site(portal: httpx.AsyncClient) -> None:
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = await portal.get("/language/en", params={"next": elsewhere})
        assert response.headers["location"] == "/", elsewhere


async def test_pages_are_not_cached_framed_or_sent_on_as_a_referer(portal: httpx.AsyncClient) -> None:
    response = await portal.get("/")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_the_style_sheet_is_served_by_the_portal_itself(portal: httpx.AsyncClient) -> None:
    page = await portal.get("/")
    assert 'href="/static/portal.css"' in page.text
    assert "://" not in page.text.split("<body>")[0], "nothing from another host"
    css = await portal.get("/static/portal.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert (await portal.get("/static/..%2Fapp.py")).status_code == 404


@pytest.mark.parametrize(
    ("code", "status", "english", "chinese"),
    [
        ("link_expired", 410, "has expired", "已过期"),
        ("link_used", 409, "has been used", "已使用过"),
        ("link_invalid", 404, "not valid", "无效"),
        ("rate_limited", 429, "Too many requests", "过于频繁"),
        ("something_new", 409, "code: something_new", "代码:something_new"),
    ],
)
def test_the_gateways_error_codes_read_in_the_customers_language(
    code: str, status: int, english: str, chinese: str
) -> None:
    for language, words in (("en", english), ("zh", chinese)):
        scope = {"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": []}
        scope["headers"] = [(b"accept-language", language.encode())]
        response = error_page(Request(scope), status, code)
        assert response.status_code == status
        assert words in bytes(response.body).decode()
        assert f'data-error="{code}"' in bytes(response.body).decode()


async def test_an_unknown_page_is_a_404_in_the_customers_language(portal: httpx.AsyncClient) -> None:
    response = await portal.get("/no-such-page", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 404
    assert "找不到该页面" in response.text


async def test_the_portal_has_no_api_documents_and_serves_health_and_metrics(portal: httpx.AsyncClient) -> None:
    for path in ("/docs", "/openapi.json"):
        assert (await portal.get(path)).status_code == 404
    assert (await portal.get("/health/ready")).json() == {"service": "portal", "status": "ok"}
    assert "dealerflow_http_request_seconds" in (await portal.get("/metrics")).text


def test_public_url_is_the_origin_forms_must_come_from() -> None:
    assert PortalSettings(portal_url=PUBLIC_URL + "/").public_origin == PUBLIC_URL
