"""The sites' names, as booking's site directory gives them (`GET /api/v1/sites`): the picker
asks afresh each time (a site the group added since shows at once); the header reads the names
remembered for the person's group, asked again after a while. A site the directory has not named
is shown by its id."""

from __future__ import annotations

import time
from typing import Any

from fastapi import Request

from desk.gateway_api import ApiError, GatewayApi
from desk.sessions import Session

NAMES_SECONDS = 600.0
Names = dict[str, dict[str, str | None]]  # site id → {"zh": …, "en": …}


async def fresh(request: Request, session: Session, api: GatewayApi) -> list[dict[str, Any]]:
    """The person's sites with names, as the API answers now (remembered for the header); the
    account's sites by id alone when the directory cannot be read."""
    known: dict[str, tuple[float, Names]] = request.app.state.site_names
    group = session.person.group_id
    names = dict(known.get(group, (0.0, {}))[1])
    try:
        sites = await api.sites()
    except ApiError:
        known[group] = (time.monotonic(), names)  # not asked again on every page while booking is away
        return [{"site_id": site, "name_zh": None, "name_en": None} for site in session.person.site_ids]
    names.update({str(s["site_id"]): {"zh": s.get("name_zh"), "en": s.get("name_en")} for s in sites})
    known[group] = (time.monotonic(), names)
    return sites


async def remembered(request: Request, session: Session, api: GatewayApi) -> Names:
    """The group's names as last read, read again when older than NAMES_SECONDS."""
    known: dict[str, tuple[float, Names]] = request.app.state.site_names
    cached = known.get(session.person.group_id)
    if cached is None or time.monotonic() - cached[0] >= NAMES_SECONDS:
        await fresh(request, session, api)
        cached = known.get(session.person.group_id, (0.0, {}))
    return cached[1]


def name_of(names: Names, site_id: str, language: str) -> str:
    """The site's name in the reader's language, else in the other, else its id."""
    found = names.get(site_id, {})
    other = "en" if language == "zh" else "zh"
    return found.get(language) or found.get(other) or site_id
