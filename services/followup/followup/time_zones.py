"""The time zone a followup query names (`tz`, an IANA name such as Asia/Shanghai): "today",
"due by" and a report's periods are counted in it. An unknown name is refused (409
`unknown_time_zone`), not guessed."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from events.errors import DomainError


class UnknownTimeZone(DomainError):
    code = "unknown_time_zone"


def parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZone(f"unknown time zone {name!r}") from None
