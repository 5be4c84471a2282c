"""Each page's phrases in a module of its own (`PHRASES = {"zh": {...}, "en": {...}}`, keys
prefixed with the page's name), merged into `portal.messages.MESSAGES` at import: pages are
added side by side (self-booking, appointment links, approvals, proposals) without editing one
shared table."""

from __future__ import annotations

import importlib
import pkgutil


def page_phrases() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {"zh": {}, "en": {}}
    for module in pkgutil.iter_modules(__path__):
        phrases: dict[str, dict[str, str]] = importlib.import_module(f"{__name__}.{module.name}").PHRASES
        for language, table in phrases.items():
            # Two pages may both explain an API error code, but in the same words.
            clash = {key for key in merged[language].keys() & table.keys() if merged[language][key] != table[key]}
            assert not clash, f"{module.name} words {sorted(clash)} differently"
            merged[language].update(table)
    return merged
