"""What the followup API accepts and answers about campaigns: the plan (its customers named by
their files) and each customer's phone and letter notice, and the campaign with where each
customer on its list stands."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field

from events.catalog.followup_values import CAMPAIGN_CALL_OUTCOMES, CAMPAIGN_KINDS, LETTER_KINDS, CampaignTarget
from followup.domain.campaign import Campaign
from followup.domain.commands import PlanCampaign, RecordCampaignCall, RecordCampaignLetter
from followup.schemas import Body, View, code_in


class CampaignBody(Body):
    kind: Annotated[str, code_in(CAMPAIGN_KINDS, "campaign kind")]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    starts_at: AwareDatetime
    file_ids: list[UUID] = Field(min_length=1, max_length=50000)
    override_reason: str = Field(
        default="", max_length=500, description="a service manager's reason to start with less than two weeks' notice"
    )

    def command(self, campaign_id: UUID, targets: tuple[CampaignTarget, ...], by: str, at: datetime) -> PlanCampaign:
        return PlanCampaign(
            campaign_id, self.kind, self.title, self.starts_at, targets, by, at, override_reason=self.override_reason
        )


class CampaignCallBody(Body):
    file_id: UUID
    outcome: Annotated[str, code_in(CAMPAIGN_CALL_OUTCOMES, "outcome")]
    wants_appointment: bool = False

    def command(self, agent: str, at: datetime) -> RecordCampaignCall:
        return RecordCampaignCall(self.file_id, self.outcome, agent, at, self.wants_appointment)


class CampaignLetterBody(Body):
    file_id: UUID
    letter_kind: Annotated[str, code_in(LETTER_KINDS, "letter kind")]

    def command(self, by: str, at: datetime) -> RecordCampaignLetter:
        return RecordCampaignLetter(self.file_id, self.letter_kind, by, at)


# --- what the API answers ------------------------------------------------------------------


class TargetView(View):
    file_id: UUID
    name: str
    plate: str
    do_not_call: bool
    letter_due_by: datetime | None
    refused: bool
    letter_sent: bool


class CampaignView(View):
    """A campaign and where each customer on its list stands (called, refused, letter sent)."""

    campaign_id: UUID
    version: int = Field(description="the campaign's version, for `If-Match`")
    kind: str
    starts_at: datetime | None
    phone_by: datetime | None
    targets: list[TargetView]


def campaign_view(state: Campaign, version: int) -> CampaignView:
    assert state.campaign_id is not None
    return CampaignView(
        campaign_id=state.campaign_id,
        version=version,
        kind=state.kind,
        starts_at=state.starts_at,
        phone_by=state.phone_by,
        targets=[
            TargetView(
                file_id=file_id,
                name=target.contact.name,
                plate=target.vehicle.plate,
                do_not_call=target.do_not_call,
                letter_due_by=state.letter_due.get(file_id),
                refused=file_id in state.refused,
                letter_sent=file_id in state.letters_sent,
            )
            for file_id, target in state.targets.items()
        ],
    )
