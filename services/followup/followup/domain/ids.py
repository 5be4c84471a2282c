"""Stable ids derived from what caused a record, so a redelivered event or a repeated reaction
finds the same stream or proposal instead of opening a second one."""

from __future__ import annotations

import re
from datetime import datetime
from uuid import UUID, uuid5

from events.catalog.reception_values import Contact

FOLLOWUP = UUID("6f6c6c6f-7775-5000-8000-00000000f011")


def file_id_for(vehicle_user: Contact, group_id: str) -> UUID:
    """The file is the vehicle user's (the callback contact, docs/domain.md §6): their customer id,
    or — for a user reception did not register — one id per group and phone number (the group
    keeps tenants apart: stream names are global)."""
    if vehicle_user.customer_id is not None:
        return vehicle_user.customer_id
    digits = re.sub(r"[^\d+]", "", vehicle_user.phone)
    return uuid5(FOLLOWUP, f"file:{group_id}:{digits}")


def callback_id_for(repair_order_id: UUID, kind: str) -> UUID:
    """One callback per delivered visit and kind."""
    return uuid5(FOLLOWUP, f"callback:{repair_order_id}:{kind}")


def complaint_id_for(callback_id: UUID) -> UUID:
    return uuid5(FOLLOWUP, f"complaint:{callback_id}")


def proposal_id_for(file_id: UUID, reason: str, cause: UUID) -> UUID:
    """`cause`: the repair order (maintenance due), the finding (declined work), the campaign."""
    return uuid5(FOLLOWUP, f"proposal:{file_id}:{reason}:{cause}")


def note_id_for(file_id: UUID, source: str, cause: UUID | None, at: datetime) -> UUID:
    """A callback's note is added once however often it is told; an agent's note per moment."""
    return uuid5(FOLLOWUP, f"note:{file_id}:{source}:{cause if cause else at.isoformat()}")
