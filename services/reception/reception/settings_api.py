"""The site's reception settings over HTTP: the discount authority of each role and the default
service interval, read by the site's staff and set by its service manager. Shared pieces: `api.py`.

    GET|PUT /sites/{site_id}/reception-settings
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from events.commands import load
from events.http import CurrentIdentity, SiteId, site_tenant
from events.openapi import refusals
from events.runtime import now, store_of
from reception.api import Manager
from reception.domain import reception_settings
from reception.price_schemas import ReceptionSettingsBody, ReceptionSettingsView, reception_settings_view

router = APIRouter(tags=["reception"])

SETTINGS = "/sites/{site_id}/reception-settings"


@router.get(SETTINGS, responses=refusals(not_found=False))
async def get_reception_settings(site_id: SiteId, identity: CurrentIdentity, request: Request) -> ReceptionSettingsView:
    """The site's discount authority per role and default service interval (the defaults until set)."""
    tenant = site_tenant(identity, site_id)
    stream = reception_settings.stream_id(tenant.site_id)
    state, version = await load(
        store_of(request), reception_settings.reception_settings, stream, tenant, must_exist=False
    )
    return reception_settings_view(tenant.site_id, state, version)


@router.put(SETTINGS, responses=refusals("invalid_code", "invalid_amount", "concurrency_conflict", not_found=False))
async def set_reception_settings(body: ReceptionSettingsBody, request: Request, by: Manager) -> ReceptionSettingsView:
    """Set by the service manager; the same settings again change nothing."""
    site = by.tenant.site_id
    outcome = await by.run(
        store_of(request),
        reception_settings.reception_settings,
        reception_settings.stream_id(site),
        body.command(by.identity.user_id, now(request)),
        must_exist=False,
    )
    return reception_settings_view(site, outcome.state, outcome.version)
