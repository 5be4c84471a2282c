"""Chinese and English on the portal: the shared rules (`events.webapp.language`) with the portal's
phrases (`portal.messages`) and its own language cookie."""

from __future__ import annotations

from events.webapp.language import DEFAULT, LANGUAGES, choose, local_time, money
from events.webapp.language import Words as SharedWords
from portal.messages import MESSAGES

__all__ = ["COOKIE", "DEFAULT", "LANGUAGES", "Words", "choose", "local_time", "money"]

COOKIE = "portal_lang"


class Words(SharedWords):
    """One language's phrases of the portal for a template: `t("app.name")`, `t("error.generic", code=...)`."""

    def __init__(self, language: str) -> None:
        super().__init__(language, MESSAGES)
