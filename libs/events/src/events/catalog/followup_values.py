"""Value objects and code lists of the followup service's published events
(`events.catalog.followup`, `followup_files`, `followup_campaigns`).

The people and cars are reception's published vocabulary (`Contact`, `VehicleIdentity`,
`Recommendation` in `events.catalog.reception_values`), as the workshop reads them. Code lists
are strings checked against the tuples below, never JSON `enum`s, so a new value does not break
old readers (docs/contract.md "Versioning"). Times are timezone-aware; suggested dates are dates.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, model_validator

from events.catalog.reception_values import Contact, VehicleIdentity
from events.rules import check_code as check_code

# The two follow-up calls of a visit: within 72 h of delivery, and the second within 7 days of
# the first (docs/domain.md §6; seed 002 "第二次跟蹤服務").
CALLBACK_KINDS = ("first", "second")
# What one call attempt came to (docs/domain.md §6).
ATTEMPT_OUTCOMES = ("reached", "unreachable", "call_me_later", "refused")
REACHED, UNREACHABLE, CALL_ME_LATER, REFUSED = ATTEMPT_OUTCOMES
# The script's dissatisfaction question (docs/domain.md §6: reception, lounge, attitude, waiting for
# parts, price) plus the work itself and the time it took (issue 4).
DISSATISFACTION_CATEGORIES = ("reception", "lounge", "attitude", "parts_waiting", "price", "quality", "time")
# Satisfaction on a five-point scale (1 very dissatisfied … 5 very satisfied); 1-2 counts as
# dissatisfied and raises a complaint even when no category was named.
SCORE_MIN, SCORE_MAX, LOW_SCORE = 1, 5, 2
# Every call is logged, the customer's own calls included (seed 002 §3.7: "客戶打進我司的咨詢
# 電話或投訴電話").
CALL_DIRECTIONS = ("outbound", "inbound")
OUTBOUND, INBOUND = CALL_DIRECTIONS
# What a call outside a callback was about. `reminder` and `campaign` are marketing: never to a
# do-not-call customer.
CALL_PURPOSES = ("inquiry", "complaint", "answer", "reminder", "campaign", "other")
MARKETING_PURPOSES = ("reminder", "campaign")
# The letters of seed 002 §3.8: "通知、邀請信、回函".
LETTER_KINDS = ("notice", "invitation", "reply")
# Why a callback was not opened, or stopped before a call was recorded.
SKIP_REASONS = ("do_not_call",)
CANCEL_REASONS = ("do_not_call", "vehicle_user_changed", "duplicate")
# How a callback ended. `completed` always follows a recorded call.
CALLBACK_RESULTS = ("completed", "unreachable", "refused", "cancelled")
# Where a note for the next visit came from.
NOTE_SOURCES = ("callback_unreachable", "callback", "agent", "complaint")
# Why followup proposes an active appointment: booking's active reasons (docs/flow.md) that
# followup originates.
PROPOSAL_REASONS = ("maintenance_due", "declined_recommendation", "campaign", "recall")
# Seed 002 §2: "聯誼活動、優惠服務活動、免費服務活動", plus recalls (a safety campaign).
CAMPAIGN_KINDS = ("social_event", "promotion", "free_service", "recall")
# A campaign's phone notice: a refusal stops the letter too.
CAMPAIGN_CALL_OUTCOMES = ("reached", "unreachable", "refused")
# The SMS a customer gets who refuses the callback (docs/domain.md §6).
SMS_TEMPLATES = ("callback_refused",)


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CallbackWindow(_Value):
    """When a callback may be made: from `opens_at` (one day early), due at `due_at` (72 h after
    delivery), never after `hard_limit_at` (one day late) — docs/domain.md §6. The service layer sets
    its durable timers from these."""

    opens_at: AwareDatetime
    due_at: AwareDatetime
    hard_limit_at: AwareDatetime

    @model_validator(mode="after")
    def in_order(self) -> CallbackWindow:
        if not self.opens_at <= self.due_at <= self.hard_limit_at:
            raise ValueError("a callback window opens before it is due, and is due before its hard limit")
        return self


class CampaignTarget(_Value):
    """One customer a campaign notifies: the vehicle user of a customer file, with the file's
    do-not-call flag at planning time (no phone notice then, the letter only)."""

    file_id: UUID
    contact: Contact
    vehicle: VehicleIdentity
    do_not_call: bool = False
