"""Labour operations: what one flat-rate job is, which version of it a site sees, and when an
edit changes anything — pure, no I/O.

A site sees the group's operations and its own overrides. For one code and one model family the
operation in force is, in this order: the site's row for that family, the site's row for every
family (`*`), the group's row for that family, the group's row for every family. A site's
override of a code therefore takes precedence over everything the group says about that code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from events.catalog.catalogue import EVERY_FAMILY, LabourOperationChanged


@dataclass(frozen=True, slots=True)
class LabourOperation:
    """One labour operation for one model family (`*`: every family)."""

    code: str
    model_family: str
    description_zh: str
    description_en: str
    flat_rate_minutes: int
    skill_level: int


@dataclass(frozen=True, slots=True)
class LabourVersion:
    """A recorded version of an operation: group-wide or a site's override, in force from a date."""

    operation: LabourOperation
    scope: str
    effective_from: date


def in_force(versions: Iterable[LabourVersion], model_family: str) -> LabourVersion | None:
    """The operation a site sees for `model_family`, among the latest versions (one per scope and
    family) of one code at a date; None if none applies."""
    best: tuple[int, LabourVersion] | None = None
    for version in versions:
        family = version.operation.model_family
        if family not in (model_family, EVERY_FAMILY):
            continue
        rank = (2 if version.scope == "site" else 0) + (1 if family == model_family else 0)
        if best is None or rank > best[0]:
            best = (rank, version)
    return None if best is None else best[1]


@dataclass(frozen=True)
class ChangeLabourOperation:
    """An edit of one operation for one family, in force from `effective_from`."""

    change_id: UUID
    scope: str
    operation: LabourOperation
    effective_from: date
    changed_by: str


def change(latest: LabourVersion | None, command: ChangeLabourOperation) -> list[LabourOperationChanged]:
    """The edit's event; none when the latest version of this scope and family already says the
    same from the same date (a retried PUT does its work once)."""
    if latest is not None and latest.operation == command.operation and latest.effective_from == command.effective_from:
        return []
    op = command.operation
    return [
        LabourOperationChanged(
            change_id=command.change_id,
            scope=command.scope,
            code=op.code,
            model_family=op.model_family,
            description_zh=op.description_zh,
            description_en=op.description_en,
            flat_rate_minutes=op.flat_rate_minutes,
            skill_level=op.skill_level,
            effective_from=command.effective_from,
            changed_by=command.changed_by,
        )
    ]
