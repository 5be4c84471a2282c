"""The device a customer decided from, in a few words for the advisor."""

from __future__ import annotations

import pytest

from desk.devices import device_of

IOS = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15"


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (f"{IOS} (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1", "iPhone · Safari"),
        (f"{IOS} (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI", "iPhone · WeChat"),
        (
            "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/116.0.0.0 Mobile Safari/537.36",
            "Android · Chrome",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
            "Windows · Edge",
        ),
        (f"{IOS} (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1", "iPhone · Chrome"),
        ("curl/8.5.0", "curl/8.5.0"),
        ("", ""),
        (None, ""),
    ],
)
def test_the_device_and_the_browser_are_named(user_agent: str | None, device: str) -> None:
    assert device_of(user_agent) == device


def test_an_unknown_agent_is_shown_as_sent_but_not_at_any_length() -> None:
    assert device_of("x" * 500) == "x" * 60
