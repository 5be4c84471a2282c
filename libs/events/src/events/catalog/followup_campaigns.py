"""Published events of the followup service's campaigns (docs/domain.md §6; seed 002 §3.6):
stream `campaign-<campaign_id>`, the plan and each target's notices by phone and letter. A
campaign's appointment proposals are `followup.AppointmentProposed` (`events.catalog.followup_files`)
on this stream.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, Field, field_validator

from events.catalog.followup_values import (
    CAMPAIGN_CALL_OUTCOMES,
    CAMPAIGN_KINDS,
    LETTER_KINDS,
    CampaignTarget,
    check_code,
)
from events.contract import Event


class _CampaignEvent(Event):
    campaign_id: UUID


class CampaignPlanned(_CampaignEvent, type="followup.CampaignPlanned", version=1):
    """Customers are called by `phone_by` (2 weeks before `starts_at`) and written to within 2
    days of the call (seed 002 §3.6). Do-not-call targets get the letter only, by
    `phone_by` + 2 days. `notice_override`: the service manager's reason to start with less
    than two weeks' notice (empty when the notice was enough)."""

    kind: str
    title: str = Field(min_length=1)
    starts_at: AwareDatetime
    phone_by: AwareDatetime
    targets: tuple[CampaignTarget, ...] = Field(min_length=1)
    planned_by: str
    planned_at: AwareDatetime
    notice_override: str = ""

    @field_validator("kind")
    @classmethod
    def kind_is_known(cls, value: str) -> str:
        return check_code(value, CAMPAIGN_KINDS, "campaign kind")


class CampaignCallLogged(_CampaignEvent, type="followup.CampaignCallLogged", version=1):
    """A campaign's phone notice. `letter_due_by` None: refused, no letter follows."""

    file_id: UUID
    outcome: str
    agent: str
    on_time: bool
    letter_due_by: AwareDatetime | None = None
    called_at: AwareDatetime

    @field_validator("outcome")
    @classmethod
    def outcome_is_known(cls, value: str) -> str:
        return check_code(value, CAMPAIGN_CALL_OUTCOMES, "campaign call outcome")


class CampaignLetterLogged(_CampaignEvent, type="followup.CampaignLetterLogged", version=1):
    file_id: UUID
    letter_kind: str
    sent_by: str
    on_time: bool
    sent_at: AwareDatetime

    @field_validator("letter_kind")
    @classmethod
    def letter_kind_is_known(cls, value: str) -> str:
        return check_code(value, LETTER_KINDS, "letter kind")
