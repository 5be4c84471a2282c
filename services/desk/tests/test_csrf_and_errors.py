"""Every unsafe request carries the session's CSRF token and comes from the desk's own origin;
refusals and API errors are pages in the person's language saying what to do next; a screen the
person's roles may not open is refused, not just left out of the navigation."""

from __future__ import annotations

import httpx
from desk_helpers import PUBLIC_URL, SITE, StandIn, Who, csrf_of, sign_in


async def signed_in_token(desk: httpx.AsyncClient, stand_in: StandIn) -> str:
    await sign_in(desk, stand_in)
    return csrf_of((await desk.get("/")).text)


async def test_a_form_without_the_csrf_token_is_refused_in_the_persons_language(
    desk: httpx.AsyncClient, stand_in: StandIn
) -> None:
    await signed_in_token(desk, stand_in)
    chinese = await desk.post("/site", data={"site_id": SITE}, headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert chinese.status_code == 403
    assert "此表单已过期" in chinese.text
    english = await desk.post("/site", data={"site_id": SITE}, headers={"accept-language": "en-GB,en;q=0.8"})
    assert english.status_code == 403
    assert "This form has expired" in english.text


async def test_a_wrong_csrf_token_is_refused(desk: httpx.AsyncClient, stand_in: StandIn) -> None:
    token = await signed_in_token(desk, stand_in)
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert (await desk.post("/site", data={"csrf_token": wrong, "site_id": SITE})).status_code == 403
    assert (await desk.post("/site", data={"site_id": SITE}, headers={"X-CSRF-Token": wrong})).status_code == 403


async def test_the_token_in_htmxs_header_passes(desk: httpx.AsyncClient, stand_in: StandIn) -> None:
    token = await signed_in_token(desk, stand_in)
    passed = await desk.post("/site", data={"site_id": SITE}, headers={"X-CSRF-Token": token, "HX-Request": "true"})
    assert passed.status_code == 204
    assert passed.headers["HX-Redirect"] == "/"


async def test_a_request_from_another_origin_is_refused_even_with_the_token(
    desk: httpx.AsyncClient, stand_in: StandIn
) -> None:
    token = await signed_in_token(desk, stand_in)
    other = await desk.post("/site", data={"csrf_token": token, "site_id": SITE}, headers={"origin": "http://evil"})
    assert other.status_code == 403
    same = await desk.post("/site", data={"csrf_token": token, "site_id": SITE}, headers={"origin": PUBLIC_URL})
    assert same.status_code == 303


async def test_a_post_without_a_session_is_refused(desk: httpx.AsyncClient) -> None:
    assert (await desk.post("/auth/logout", data={"csrf_token": "guess"})).status_code == 403


async def test_a_screen_the_role_may_not_open_is_refused(desk: httpx.AsyncClient, stand_in: StandIn) -> None:
    stand_in.who = Who(user_id="tech-zhang", roles=("technician",))
    await sign_in(desk, stand_in)
    home = await desk.get("/", headers={"accept-language": "en"})
    assert 'href="/board"' not in home.text  # not offered
    refused = await desk.get("/board", headers={"accept-language": "en"})
    assert refused.status_code == 403  # and not served either
    assert "You may not do this" in refused.text
    assert (await desk.get("/live/board")).status_code == 403


async def test_an_api_error_is_shown_with_what_to_do_next(desk: httpx.AsyncClient, stand_in: StandIn) -> None:
    await sign_in(desk, stand_in)
    stand_in.api_answer = (409, {"error": {"code": "concurrency_conflict", "message": "version 3 expected"}})
    page = await desk.get("/", headers={"accept-language": "zh"})
    assert page.status_code == 409
    assert "其他人刚刚修改了这条记录" in page.text
    stand_in.api_answer = (409, {"error": {"code": "line_not_approved", "message": "no"}})
    page = await desk.get("/", headers={"accept-language": "en"})
    assert "line_not_approved" in page.text
    assert "Try again" in page.text


async def test_the_next_address_never_leaves_the_desk(desk: httpx.AsyncClient) -> None:
    for elsewhere in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        moved = await desk.get("/language/en", params={"next": elsewhere})
        assert moved.headers["location"] == "/", elsewhere
    assert (await desk.get("/language/en", params={"next": "/board"})).headers["location"] == "/board"


async def test_pages_are_neither_cached_nor_framed(desk: httpx.AsyncClient, stand_in: StandIn) -> None:
    await sign_in(desk, stand_in)
    home = await desk.get("/")
    assert home.headers["cache-control"] == "no-store"
    assert home.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in home.headers["content-security-policy"]
