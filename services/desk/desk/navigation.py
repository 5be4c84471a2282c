"""The screens a person's roles may open, in the order of the navigation. Each screen names the
API it reads: its roles are that API's readers (tests check them against `tests/security.py`'s
ACCESS, so the navigation never offers a screen the API would refuse). Hiding is a courtesy only:
each screen's route refuses a role not listed here, and the API refuses again."""

from __future__ import annotations

from dataclasses import dataclass

from events.identity import (
    ADVISOR,
    CASHIER,
    CS_AGENT,
    DISPATCHER,
    GROUP_ADMIN,
    PARTS_CLERK,
    QC_INSPECTOR,
    SERVICE_MANAGER,
    SYSTEM,
    TECHNICIAN,
)

MANAGER = frozenset({SERVICE_MANAGER, GROUP_ADMIN})
EVERYONE = frozenset({ADVISOR, DISPATCHER, TECHNICIAN, PARTS_CLERK, QC_INSPECTOR, CASHIER, CS_AGENT}) | MANAGER


@dataclass(frozen=True)
class Screen:
    key: str  # `nav.<key>` is its name; also the route's name
    path: str
    reads: str  # "METHOD path below /api/v1/sites/{site_id}/" it is built on
    roles: frozenset[str]


SCREENS = (
    Screen("my_day", "/", "GET repair-orders", EVERYONE),
    Screen("board", "/board", "GET advisor-board", MANAGER | {ADVISOR, DISPATCHER, CASHIER}),
    Screen("booking", "/booking", "GET appointment-lists", MANAGER | {ADVISOR, DISPATCHER, CS_AGENT}),
    Screen("reception", "/reception", "POST repair-orders", MANAGER | {ADVISOR}),  # the RO desk: check-in on
    Screen("callbacks", "/callbacks", "GET callbacks", MANAGER | {CS_AGENT, ADVISOR}),
    Screen("contact_queue", "/contact-queue", "POST contact-queue/{proposal_id}/answers", MANAGER | {CS_AGENT}),
    Screen("complaints", "/complaints", "GET complaints", MANAGER | {CS_AGENT, ADVISOR}),
    Screen("complaint", "/complaints/handle", "POST complaints", MANAGER | {CS_AGENT, ADVISOR}),  # the 7 steps
    Screen("cashier", "/cashier", "POST invoices", MANAGER | {CASHIER}),  # the till: invoicing on
    Screen("csi", "/csi", "GET reports/csi", MANAGER | {CS_AGENT}),
    # The floor's screens are built on the work their people do (whoever may read the floor is more).
    Screen(
        "dispatch", "/dispatch", "POST work-orders/{repair_order_id}/jobs/{job_id}/dispatch", MANAGER | {DISPATCHER}
    ),
    Screen(
        "technician",
        "/technician",
        "POST work-orders/{repair_order_id}/jobs/{job_id}/start",
        MANAGER | {TECHNICIAN, DISPATCHER},
    ),
    Screen(
        "inspection",
        "/inspection",
        "PUT work-orders/{repair_order_id}/inspection/items/{item_id}",
        MANAGER | {TECHNICIAN, DISPATCHER},
    ),
    Screen("qc", "/qc", "POST work-orders/{repair_order_id}/quality-checks", MANAGER | {QC_INSPECTOR, DISPATCHER}),
    Screen("parts", "/parts", "POST stock/{part_number}/issues", MANAGER | {PARTS_CLERK}),  # the counter: issue on
    # What waits for the manager: built on the approval beyond an advisor's authority.
    Screen("manager", "/manager", "POST repair-orders/{repair_order_id}/discount-approval", MANAGER),
)
BY_KEY = {screen.key: screen for screen in SCREENS}
assert SYSTEM not in EVERYONE  # a system signs in with its own token, never at the desk


def screens_for(roles: frozenset[str]) -> list[Screen]:
    return [screen for screen in SCREENS if screen.roles & roles]


def may_open(key: str, roles: frozenset[str]) -> bool:
    return bool(BY_KEY[key].roles & roles)
