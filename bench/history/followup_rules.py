"""Followup's stable ids and due times, as the followup service derives them."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid5

from bench.history.site import DAY, HOUR
from events.catalog import followup_values as fv

# Followup's stable ids and due times (`followup.domain.ids`, `followup.domain.schedule`; the
# services are no typed packages for `mypy bench`, so they are restated here).
_FOLLOWUP_IDS = UUID("6f6c6c6f-7775-5000-8000-00000000f011")
RETRY_AFTER = timedelta(hours=2)


def callback_id_for(repair_order_id: UUID, kind: str) -> UUID:
    return uuid5(_FOLLOWUP_IDS, f"callback:{repair_order_id}:{kind}")


def complaint_id_for(callback_id: UUID) -> UUID:
    return uuid5(_FOLLOWUP_IDS, f"complaint:{callback_id}")


def proposal_id_for(file_id: UUID, reason: str, cause: UUID) -> UUID:
    return uuid5(_FOLLOWUP_IDS, f"proposal:{file_id}:{reason}:{cause}")


def note_id_for(file_id: UUID, source: str, cause: UUID) -> UUID:
    return uuid5(_FOLLOWUP_IDS, f"note:{file_id}:{source}:{cause}")


def callback_window(kind: str, basis: datetime) -> fv.CallbackWindow:
    """First: opens at delivery +48 h, due +72 h, hard limit +96 h; second: opens a day after the
    first call, due (and hard limit) 7 days after it."""
    if kind == "first":
        return fv.CallbackWindow(opens_at=basis + 48 * HOUR, due_at=basis + 72 * HOUR, hard_limit_at=basis + 96 * HOUR)
    return fv.CallbackWindow(opens_at=basis + DAY, due_at=basis + 7 * DAY, hard_limit_at=basis + 7 * DAY)


def file_due_by(visited_at: datetime) -> datetime:
    return visited_at + 2 * DAY


def escalate_by(asked_at: datetime) -> datetime:
    return asked_at + 2 * DAY
