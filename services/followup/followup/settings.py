"""Followup's settings: the backbone's, and the zone CSI/VOC report periods are cut in."""

from __future__ import annotations

from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator

from events.settings import Settings


class FollowupSettings(Settings):
    verifies_links: ClassVar[bool] = True  # the reminders' proposal links

    followup_report_tz: str = "Asia/Shanghai"
    portal_url: str = "http://127.0.0.1:8011"  # the base of the reminders' links

    @field_validator("followup_report_tz")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        # A misspelt zone would otherwise surface as a 500 on the first report asked for.
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{name!r} is not an IANA time zone (e.g. Asia/Shanghai)") from None
        return name
