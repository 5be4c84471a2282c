"""Which version of a labour operation a site sees, and when an edit records anything."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from catalogue.domain.labour import ChangeLabourOperation, LabourOperation, LabourVersion, change, in_force

DAY = date(2026, 12, 7)


def version(scope: str, family: str, minutes: int) -> LabourVersion:
    return LabourVersion(LabourOperation("OIL01", family, "机油", "Oil", minutes, 1), scope, DAY)


GROUP_STAR, GROUP_CAMRY = version("group", "*", 30), version("group", "Camry", 35)
SITE_STAR, SITE_CAMRY = version("site", "*", 40), version("site", "Camry", 45)


def test_the_site_override_for_the_family_comes_first_then_the_sites_star_then_the_groups() -> None:
    everything = [GROUP_STAR, GROUP_CAMRY, SITE_STAR, SITE_CAMRY]
    assert in_force(everything, "Camry") == SITE_CAMRY
    assert in_force([GROUP_STAR, GROUP_CAMRY, SITE_STAR], "Camry") == SITE_STAR
    assert in_force([GROUP_STAR, GROUP_CAMRY], "Camry") == GROUP_CAMRY
    assert in_force([GROUP_STAR], "Camry") == GROUP_STAR


def test_another_familys_row_never_applies() -> None:
    assert in_force([GROUP_CAMRY, SITE_CAMRY], "Corolla") is None
    assert in_force([GROUP_CAMRY, GROUP_STAR], "Corolla") == GROUP_STAR


def command(minutes: int, on: date = DAY) -> ChangeLabourOperation:
    return ChangeLabourOperation(uuid4(), "group", LabourOperation("OIL01", "*", "机油", "Oil", minutes, 1), on, "sm-1")


def test_an_edit_records_the_whole_new_version() -> None:
    (event,) = change(GROUP_STAR, command(32))
    assert (event.code, event.model_family, event.flat_rate_minutes, event.effective_from) == ("OIL01", "*", 32, DAY)


def test_the_same_edit_again_records_nothing_but_the_same_values_from_another_date_do() -> None:
    assert change(GROUP_STAR, command(30)) == []
    assert len(change(GROUP_STAR, command(30, date(2026, 12, 8)))) == 1
