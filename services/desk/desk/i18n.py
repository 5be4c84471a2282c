"""Chinese and English on the desk: the shared rules (`events.webapp.language`) with the desk's
phrases (`desk.messages`) and its own language cookie."""

from __future__ import annotations

from desk.messages import MESSAGES
from events.webapp.language import DEFAULT, LANGUAGES, choose, local_time, money
from events.webapp.language import Words as SharedWords

__all__ = ["COOKIE", "DEFAULT", "LANGUAGES", "Words", "choose", "local_time", "money"]

COOKIE = "desk_lang"


class Words(SharedWords):
    """One language's phrases of the desk for a template: `t("nav.board")`, `t("error.generic", code=...)`."""

    def __init__(self, language: str) -> None:
        super().__init__(language, MESSAGES)
