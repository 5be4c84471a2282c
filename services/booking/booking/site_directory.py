"""The group's site directory: each site's display name in Chinese and English, and the sites of
a group. Booking keeps it because it already holds what a site is (its capacity, opening hours
and time zone); the screens show a site by its name, and a group's "all sites" is every site the
directory lists for the group — including one added after a manager's account was made.

A name is configuration, set by the group's administrator (`PUT sites/{site_id}/site-profile`,
read back by anyone at the site), not a business fact other services react to: a plain row,
written again with the same value as a no-op. `GET /sites` lists the caller's sites with their
names: every site of the group for a group-wide caller, else the sites on their account (those
not named yet by id alone)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from events.errors import NotFound
from events.http import CurrentIdentity, SiteId, site_tenant
from events.identity import GROUP_ADMIN, Forbidden
from events.openapi import refusals
from events.runtime import now

router = APIRouter(tags=["sites"])

Name = Field(min_length=1, max_length=80)


class SiteNames(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name_zh": "上海1号店", "name_en": "Shanghai No. 1"}]}
    )

    name_zh: str = Name
    name_en: str = Name

    @field_validator("name_zh", "name_en")
    @classmethod
    def trimmed(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("a name is not blank")
        return value


class SiteView(BaseModel):
    model_config = ConfigDict(frozen=True)

    site_id: str
    name_zh: str | None = Field(description="the site's name in Chinese; null until the group names it")
    name_en: str | None = Field(description="the site's name in English; null until the group names it")


class SiteProfileView(SiteView):
    named_by: str
    updated_at: datetime


_PUT = """
INSERT INTO site_directory (group_id, site_id, name_zh, name_en, named_by, updated_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (group_id, site_id) DO UPDATE SET
    name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en,
    named_by = EXCLUDED.named_by, updated_at = EXCLUDED.updated_at
WHERE (site_directory.name_zh, site_directory.name_en) IS DISTINCT FROM (EXCLUDED.name_zh, EXCLUDED.name_en)
"""
_ONE = "SELECT * FROM site_directory WHERE group_id = $1 AND site_id = $2"
_GROUP = "SELECT site_id, name_zh, name_en FROM site_directory WHERE group_id = $1 ORDER BY name_en, site_id"


@router.put("/sites/{site_id}/site-profile", responses=refusals(not_found=False))
async def name_site(site_id: SiteId, body: SiteNames, identity: CurrentIdentity, request: Request) -> SiteProfileView:
    """Name a site of the group (the group's administrator): it joins the group's site directory."""
    if GROUP_ADMIN not in identity.roles:  # not `require_role`: what the group has is the group's alone
        raise Forbidden("naming a site of the group is the group administrator's")
    tenant = site_tenant(identity, site_id)
    pool = request.app.state.runtime.pool
    await pool.execute(
        _PUT, tenant.group_id, tenant.site_id, body.name_zh, body.name_en, identity.user_id, now(request)
    )
    return SiteProfileView.model_validate(dict(await pool.fetchrow(_ONE, tenant.group_id, tenant.site_id)))


@router.get("/sites/{site_id}/site-profile", responses=refusals())
async def site_profile(site_id: SiteId, identity: CurrentIdentity, request: Request) -> SiteProfileView:
    """The site's names as the directory has them (404 until the group names it)."""
    tenant = site_tenant(identity, site_id)
    row = await request.app.state.runtime.pool.fetchrow(_ONE, tenant.group_id, tenant.site_id)
    if row is None:
        raise NotFound(f"site {site_id} has no name in the directory yet")
    return SiteProfileView.model_validate(dict(row))


@router.get("/sites")
async def my_sites(identity: CurrentIdentity, request: Request) -> list[SiteView]:
    """The caller's sites with their names: every site of the group for a group-wide caller (the
    group's administrator), else the sites on their account."""
    named: dict[str, Any] = {
        row["site_id"]: row for row in await request.app.state.runtime.pool.fetch(_GROUP, identity.group_id)
    }
    listed = [site for site in named if identity.can_see(identity.group_id, site)]
    listed += sorted(site for site in identity.site_ids if site not in named)
    return [
        SiteView(
            site_id=site,
            name_zh=named[site]["name_zh"] if site in named else None,
            name_en=named[site]["name_en"] if site in named else None,
        )
        for site in listed
    ]
