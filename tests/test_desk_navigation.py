"""The desk's navigation offers a role exactly the screens whose API that role may read: each
screen's roles are those `tests/security.py` ACCESS gives its API (people's roles only: a system
never signs in at the desk)."""

from __future__ import annotations

from security import ACCESS

from desk.navigation import SCREENS, screens_for
from events.identity import ROLES, SYSTEM

PEOPLE = frozenset(ROLES) - {SYSTEM}


def test_every_screen_is_offered_to_the_roles_its_api_lets_read() -> None:
    for screen in SCREENS:
        method, _, path = screen.reads.partition(" ")
        assert f"{method} {path}" in ACCESS, f"{screen.key} reads {screen.reads}, which ACCESS does not name"
        assert screen.roles == ACCESS[screen.reads] & PEOPLE, screen.key


def test_a_person_of_each_role_has_their_day_and_no_more_than_their_apis_allow() -> None:
    for role in PEOPLE:
        offered = {screen.key for screen in screens_for(frozenset({role}))}
        assert "my_day" in offered, role
        assert offered == {s.key for s in SCREENS if role in ACCESS[s.reads]}, role
