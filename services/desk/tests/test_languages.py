"""Chinese and English: chosen by the person, else by the browser; the same phrases in both;
times at the site and money from fen."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from desk_helpers import StandIn, sign_in

from desk.i18n import choose, local_time, money
from desk.messages import MESSAGES


def test_both_languages_have_every_phrase() -> None:
    assert set(MESSAGES["zh"]) == set(MESSAGES["en"])
    assert all(MESSAGES["zh"][key] != MESSAGES["en"][key] for key in MESSAGES["en"] if key != "app.live")


def test_the_language_is_the_persons_choice_then_the_browsers_then_chinese() -> None:
    assert choose("en", "zh-CN") == "en"
    assert choose(None, "en-US,en;q=0.9,zh;q=0.8") == "en"
    assert choose(None, "fr-FR,zh-TW;q=0.7,en;q=0.5") == "zh"
    assert choose(None, "de, en;q=0.1, zh;q=0.9") == "zh"
    assert choose(None, "fr") == "zh"
    assert choose("xx", None) == "zh"


def test_money_is_yuan_from_fen_by_integer_arithmetic() -> None:
    assert money(123450) == "¥1,234.50"
    assert money(5) == "¥0.05"
    assert money(-1999) == "-¥19.99"
    assert money(10**15 + 1) == "¥10,000,000,000,000.01"  # no float would keep that last fen
    assert money(100, "EUR") == "EUR 1.00"


def test_times_are_shown_at_the_site() -> None:
    moment = datetime(2026, 12, 7, 16, 30, tzinfo=UTC)
    assert local_time(moment, "Asia/Shanghai") == "00:30"
    assert local_time(moment.isoformat(), "Asia/Shanghai", with_date=True) == "2026-12-08 00:30"
    assert local_time(None, "UTC") == "—"


async def test_the_screens_follow_the_browser_until_the_person_switches(
    desk: httpx.AsyncClient, stand_in: StandIn
) -> None:
    await sign_in(desk, stand_in)
    english = await desk.get("/", headers={"accept-language": "en-US"})
    assert "Today&#39;s arrivals" in english.text or "Today's arrivals" in english.text
    assert '<html lang="en">' in english.text
    switched = await desk.get("/language/zh", params={"next": "/"})
    assert switched.headers["location"] == "/"
    chinese = await desk.get("/", headers={"accept-language": "en-US"})
    assert "今日到店" in chinese.text
    assert '<html lang="zh-CN">' in chinese.text
