"""Chinese and English: the language a person reads (their choice, else their browser's), the
pages' words in per-language dicts, and dates, times and money as the site shows them.

Plain dicts rather than Babel's gettext catalogues: two languages, a few hundred phrases, every
key checked by a test to exist in both (a missing phrase fails the build, not a page), and no
extraction/compile step for a newcomer adding a page. Formatting needs no locale data either:
dates are numeric in both languages and money is yuan from fen by integer arithmetic."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
CURRENCY_SYMBOLS = {"CNY": "¥"}

Phrases = Mapping[str, Mapping[str, str]]  # language → key → phrase


def choose(cookie: str | None, accept_language: str | None) -> str:
    """The reader's own choice; else the first of their browser's languages we have; else Chinese."""
    if cookie in LANGUAGES:
        return cookie
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if quality > 0:  # q=0 says "not this one"
            ranked.append((-quality, position, tag.strip().lower().split("-")[0]))
    for _, _, primary in sorted(ranked):
        if primary in LANGUAGES:
            return primary
    return DEFAULT


class Words:
    """One language's phrases for a template: `t("nav.board")`, `t("error.generic", code=...)`."""

    def __init__(self, language: str, phrases: Phrases) -> None:
        self.language = language
        self._all = phrases
        self._phrases = phrases[language]

    def __call__(self, key: str, **values: object) -> str:
        phrase = self._phrases.get(key) or self._all["en"].get(key) or key
        return phrase.format(**values) if values else phrase

    def has(self, key: str) -> bool:
        return key in self._phrases

    def error(self, code: str) -> str:
        """An API error code in words, with what to do next; a code without its own phrase gets
        the generic one, which names the code (for whoever the reader asks for help)."""
        key = f"error.{code}"
        return self(key) if self.has(key) else self("error.generic", code=code)

    def status(self, value: str) -> str:
        """An API status in words (`status.<value>`); a status the page does not know yet as sent."""
        key = f"status.{value}"
        return self(key) if self.has(key) else value


def local_time(moment: datetime | str | None, time_zone: str, *, with_date: bool = False) -> str:
    """`14:05` (or `2026-12-07 14:05`) at the site, whatever zone the API answered in."""
    if moment is None or moment == "":
        return "—"
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    local = value.astimezone(ZoneInfo(time_zone))
    return local.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")


def money(fen: int, currency: str = "CNY") -> str:
    """`¥1,234.50` from 123450 fen: integer arithmetic, never a float."""
    sign = "-" if fen < 0 else ""
    yuan, rest = divmod(abs(fen), 100)
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    return f"{sign}{symbol}{yuan:,}.{rest:02d}"
