"""The desk (the staff web app) in a real headless Chromium beside the gateway and reception as
processes: a service advisor with two sites signs in through the gateway's development provider
by clicking, picks a site, reads their day in English and then in Chinese, sees a car that
checks in meanwhile appear without a reload, and signs out (here and at the provider). Every page
is checked by axe-core; screenshots go to var/screenshots/desk/. Over plain HTTP: the session
cookie's flags, CSRF refusals, a role refused a screen, another group's site refused."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from browser import Desk, accessible, desk_beside, new_page, screenshot, sign_in
from dealership import VISIT, login
from playwright.async_api import Browser, expect

from events.testing.system import RunningSystem

GROUP, SITE, SECOND_SITE = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
OTHER_GROUP, OTHER_SITE = str(uuid.uuid4()), str(uuid.uuid4())
ADVISOR = "advisor-li"
WAIT = 45_000


@pytest.fixture(scope="module")
def started() -> Iterator[tuple[RunningSystem, Desk]]:
    with desk_beside(["reception"]) as both:
        yield both


async def test_an_advisor_signs_in_picks_a_site_reads_the_day_in_both_languages_and_signs_out(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient
) -> None:
    page = await new_page(browser, language="en-US")
    await sign_in(page, desk, name=ADVISOR, role="advisor", group=GROUP, sites=[SITE, SECOND_SITE])

    # two sites: the person picks one
    await page.wait_for_url("**/site")
    await expect(page.get_by_role("heading", name="Pick a site")).to_be_visible()
    await accessible(page, "site-picker")
    await page.get_by_label(SITE).check()
    await page.get_by_role("button", name="OK").click()

    # their day, in the browser's language (English)
    await page.wait_for_url(f"{desk.url}/")
    await expect(page.get_by_role("heading", name="My day", level=1)).to_be_visible()
    await expect(page.get_by_role("heading", name="Today's arrivals")).to_be_visible()
    await expect(page.locator("[data-person]")).to_have_text(f"{ADVISOR} (Service advisor)")
    await expect(page.locator("[data-site]")).to_have_text(SITE)
    navigation = page.get_by_role("navigation", name="Main navigation")
    await expect(navigation.get_by_role("link", name="Advisor board")).to_be_visible()
    await expect(navigation.get_by_role("link", name="CSI/VOC dashboard")).to_have_count(0)  # not an advisor's
    await accessible(page, "my-day-en")

    # a car checks in at the desk meanwhile: the arrivals region shows it without a reload
    advisor = await login(gateway, GROUP, SITE, "advisor", ADVISOR)
    await advisor.ok("POST", "repair-orders", VISIT, status=201)
    plate = "沪B88888"  # VISIT's car
    await expect(page.locator("#arrivals").get_by_text(plate)).to_be_visible(timeout=WAIT)
    await expect(page.locator("#arrivals").get_by_text("checked in")).to_be_visible()
    await screenshot(page, "my-day-live")

    # switched to Chinese, and it stays so
    await page.get_by_role("link", name="中文").click()
    await expect(page.get_by_role("heading", name="我的一天", level=1)).to_be_visible()
    await expect(page.get_by_role("heading", name="今日到店")).to_be_visible()
    await expect(page.locator("[data-person]")).to_have_text(f"{ADVISOR}(服务顾问)")
    await expect(page.locator("#arrivals").get_by_text("已接车")).to_be_visible()
    await page.reload()
    await expect(page.get_by_role("link", name="接待看板")).to_be_visible()
    await accessible(page, "my-day-zh")

    # the advisor board, joined into the navigation: served by the desk, no token in its URL
    await page.get_by_role("link", name="接待看板").click()
    await page.wait_for_url(f"{desk.url}/board**")
    assert "token=desk-session" in page.url  # a placeholder: the page's calls carry the session
    await expect(page.get_by_text(plate).first).to_be_visible(timeout=WAIT)
    await accessible(page, "board-in-the-desk")
    await page.go_back()

    # signing out: the session ends here and at the provider, which sends the person back
    await page.get_by_role("button", name="退出登录").click()
    await page.wait_for_url(f"{desk.url}/sign-in?out=1")
    await expect(page.get_by_text("您已退出登录。")).to_be_visible()
    await accessible(page, "signed-out")
    assert not [c for c in await page.context.cookies() if c["name"] == "desk_session"]
    await page.goto(f"{desk.url}/")
    await page.wait_for_url("**/sign-in?**")
    await page.context.close()


async def signed_in_over_http(
    client: httpx.AsyncClient, desk: Desk, *, name: str, role: str, group: str, sites: list[str]
) -> httpx.Response:
    """The same flow as the browser's, request by request: the provider's form posted as its
    page would post it (its hidden fields are the authorization request's parameters)."""
    started = await client.get(f"{desk.url}/auth/sign-in")
    assert started.status_code == 303, started.text
    authorize = started.headers["location"]
    fields = dict(parse_qsl(urlsplit(authorize).query))
    person = {"name": name, "role": role, "group_id": group, "site_ids": ", ".join(sites)}
    code = await client.post(authorize.split("?")[0], data={**fields, **person})
    assert code.status_code == 303, code.text
    return await client.get(code.headers["location"])


async def test_the_session_cookie_is_http_only_lax_and_forms_need_the_csrf_token(desk: Desk) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        back = await signed_in_over_http(client, desk, name=ADVISOR, role="advisor", group=GROUP, sites=[SITE])
        assert back.status_code == 303, back.text
        (cookie,) = [c for c in back.headers.get_list("set-cookie") if c.startswith("desk_session=")]
        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
        assert flags >= {"httponly", "samesite=lax", "path=/"}
        assert "secure" not in flags  # http://127.0.0.1 only; https gets Secure and __Host- (desk's own tests)

        home = await client.get(f"{desk.url}/", headers={"accept-language": "zh-CN"})
        assert home.status_code == 200
        refused = await client.post(f"{desk.url}/auth/logout", headers={"accept-language": "zh-CN"})
        assert refused.status_code == 403
        assert "此表单已过期" in refused.text
        forged = await client.post(
            f"{desk.url}/auth/logout", data={"csrf_token": "forged"}, headers={"accept-language": "en"}
        )
        assert forged.status_code == 403
        assert "This form has expired" in forged.text
        marker = 'name="csrf_token" value="'
        token = home.text.split(marker, 1)[1].split('"', 1)[0]
        elsewhere = await client.post(
            f"{desk.url}/auth/logout", data={"csrf_token": token}, headers={"origin": "http://evil.example"}
        )
        assert elsewhere.status_code == 403
        assert (await client.get(f"{desk.url}/")).status_code == 200  # none of them signed the person out
        out = await client.post(f"{desk.url}/auth/logout", data={"csrf_token": token})
        assert out.status_code == 303
        assert (await client.get(f"{desk.url}/")).status_code == 303


async def test_a_role_is_refused_a_screen_and_another_group_is_refused_a_site(desk: Desk) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        await signed_in_over_http(client, desk, name="tech-zhang", role="technician", group=GROUP, sites=[SITE])
        home = await client.get(f"{desk.url}/", headers={"accept-language": "en"})
        assert 'href="/board"' not in home.text
        refused = await client.get(f"{desk.url}/board", headers={"accept-language": "en"})
        assert refused.status_code == 403  # refused, not only left out of the navigation
        assert "You may not do this" in refused.text
    async with httpx.AsyncClient(timeout=30) as client:
        await signed_in_over_http(
            client, desk, name="agent-xu", role="service_manager", group=OTHER_GROUP, sites=[OTHER_SITE]
        )
        peeking = await client.get(f"{desk.url}/api/v1/sites/{SITE}/advisor-board")
        assert peeking.status_code == 403
        picked = await client.get(f"{desk.url}/site")
        token = picked.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        assert (await client.post(f"{desk.url}/site", data={"csrf_token": token, "site_id": SITE})).status_code == 403
