"""Who a newcomer may sign in as: the people of the demo group `make run`'s simulator creates
(it writes them to `var/demo-group.json`), or anyone typed in by group, site and role."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from events.identity import GROUP_ADMIN

# The dealership's roles as the page names them (`system` is an API client, not a person).
ROLE_LABELS: dict[str, tuple[str, str]] = {
    "advisor": ("服务顾问", "Service advisor"),
    "dispatcher": ("调度员", "Dispatcher"),
    "technician": ("技师", "Technician"),
    "parts_clerk": ("配件员", "Parts clerk"),
    "qc_inspector": ("质检员", "QC inspector"),
    "cashier": ("收银员", "Cashier"),
    "cs_agent": ("客服专员", "CS agent"),
    "service_manager": ("服务经理", "Service manager"),
    GROUP_ADMIN: ("集团管理员", "Group admin"),
}


@dataclass(frozen=True)
class Person:
    """Whom the tokens will describe."""

    user_id: str
    name: str
    group_id: str
    roles: tuple[str, ...]
    site_ids: tuple[str, ...]

    @property
    def claims(self) -> dict[str, Any]:
        return {
            "sub": self.user_id,
            "name": self.name,
            "preferred_username": self.user_id,
            "group": self.group_id,
            "roles": list(self.roles),
            "sites": list(self.site_ids),
        }

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Person:
        return cls(
            str(claims["sub"]),
            str(claims["name"]),
            str(claims["group"]),
            tuple(claims["roles"]),
            tuple(claims["sites"]),
        )


@dataclass(frozen=True)
class DemoSite:
    site_id: str
    name: str
    people: tuple[Person, ...]


@dataclass(frozen=True)
class DemoGroup:
    group_id: str
    sites: tuple[DemoSite, ...]

    @property
    def admin(self) -> Person:
        return Person(f"admin-{self.group_id[:8]}", "Group admin", self.group_id, (GROUP_ADMIN,), ())

    def person(self, user_id: str) -> Person | None:
        everyone = [self.admin, *(p for site in self.sites for p in site.people)]
        return next((p for p in everyone if p.user_id == user_id), None)


def read_demo(path: Path) -> DemoGroup | None:
    """The demo group in `path`; None when the demo has not run (or left something unreadable:
    the page then takes a group and site typed in)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        group_id = str(document["group_id"])
        sites = tuple(
            DemoSite(
                str(site["site_id"]),
                str(site["name"]),
                tuple(
                    Person(str(p["user"]), str(p["user"]), group_id, (str(p["role"]),), (str(site["site_id"]),))
                    for p in site["people"]
                    if p["role"] in ROLE_LABELS
                ),
            )
            for site in document["sites"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return DemoGroup(group_id, sites)
