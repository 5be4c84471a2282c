"""The wording of each message kind in Chinese and English (pure). The defaults are data
(`templates.json`, one entry per kind and language); a site may set its own per kind, channel and
language through the API. `{placeholders}` are filled from the trigger; one the trigger does
not fill stays visible, so a site's typo shows on the stand-in's page instead of losing the
message."""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Template:
    subject: str
    body: str


def _defaults() -> dict[tuple[str, str], Template]:
    data = json.loads(resources.files("notifications.domain").joinpath("templates.json").read_text("utf-8"))
    return {
        (kind, language): Template(entry.get("subject", ""), entry["body"])
        for kind, languages in data.items()
        for language, entry in languages.items()
    }


DEFAULTS = _defaults()
SiteTemplates = Mapping[tuple[str, str, str], Template]  # (kind, channel, language) → the site's own


def template_for(own: SiteTemplates, kind: str, channel: str, language: str) -> Template:
    """The site's template, else the default in the language, else the Chinese default."""
    return own.get((kind, channel, language)) or DEFAULTS.get((kind, language)) or DEFAULTS[(kind, "zh")]


class _Keep(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(text: str, params: Mapping[str, str]) -> str:
    return string.Formatter().vformat(text, (), _Keep(params))


def render(template: Template, params: Mapping[str, str]) -> Template:
    return Template(_fill(template.subject, params), _fill(template.body, params))
