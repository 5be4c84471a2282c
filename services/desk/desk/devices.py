"""A browser's user agent in a few words for a person: the device and the browser a customer
decided from ("iPhone · Safari", "Android · WeChat"), as the RO page shows a decision made
through an approval link. The full string stays available beside it (the consent's evidence)."""

from __future__ import annotations

# First match wins: an iPad's agent names "Mac OS X" too, an Edge's names Chrome and Safari too,
# WeChat's in-app browser names Safari or Chrome.
_PLATFORMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("HarmonyOS", "HarmonyOS"),
    ("Windows", "Windows"),
    ("Macintosh", "Mac"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)
_BROWSERS = (
    ("MicroMessenger", "WeChat"),
    ("AlipayClient", "Alipay"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("FxiOS/", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("HeadlessChrome/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_UNKNOWN_LENGTH = 60


def _first(user_agent: str, table: tuple[tuple[str, str], ...]) -> str | None:
    return next((name for token, name in table if token in user_agent), None)


def device_of(user_agent: str | None) -> str:
    """`iPhone · Safari`; an agent neither names: its start, as sent; none: empty."""
    if not user_agent:
        return ""
    known = [name for name in (_first(user_agent, _PLATFORMS), _first(user_agent, _BROWSERS)) if name]
    return " · ".join(known) if known else user_agent[:_UNKNOWN_LENGTH]
