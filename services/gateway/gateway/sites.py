"""The caller's sites with their names (`GET /api/v1/sites`), from booking's site directory:
the one read not below a site, since it is what a person picks a site from."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from gateway.auth import Caller
from gateway.proxy import forward_to
from gateway.routing import API_PREFIX

router = APIRouter(tags=["identity"])


@router.get(f"{API_PREFIX}/sites")
async def my_sites(request: Request, identity: Caller) -> Response:
    """Your sites and their names in Chinese and English: every site of the group for the group's
    administrator, else the sites on your account (booking keeps the directory)."""
    return await forward_to(request, "booking", "/sites", identity)
