"""The campaigns' routes: the supervisor's plan (its customers named by their files), the
campaign with where each customer stands, and an agent's phone and letter notices. Who may use
them: `api.py`; the target list a plan starts from: `campaign_targets_api.py`.

Paths are relative to a site; the gateway serves them under `/api/v1/campaigns`.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Body, Path, Request

from events.commands import load
from events.http import Actor, CurrentIdentity, SiteId, site_tenant
from events.openapi import refusals
from events.runtime import now, store_of
from followup.api import READERS, Agent, Supervisor
from followup.campaign_schemas import (
    CampaignBody,
    CampaignCallBody,
    CampaignLetterBody,
    CampaignView,
    TargetView,
    campaign_view,
)
from followup.domain.campaign import campaign
from followup.domain.campaign import stream_id as campaign_stream
from followup.domain.commands import CampaignCommand
from followup.examples import CAMPAIGN_EXAMPLES
from followup.handlers import Followup, keep_campaign_clocks
from followup.personal import shown
from followup.proposal_links import with_links

router = APIRouter(tags=["followup"])

CampaignId = Annotated[UUID, Path(description="the campaign id")]

# Every command on one record takes `If-Match`, so every one can meet a record changed since;
# any text the domain requires may be blank once trimmed.
CONFLICT = "concurrency_conflict"
TEXT = "missing_information"
CAMPAIGN_TARGET = ("not_a_campaign_target", "campaign_refused", TEXT, CONFLICT)

# The personal fields of a campaign's target (decision 0004; `personal.py`).
TARGET = ("name",)


def followup_of(request: Request) -> Followup:
    followup: Followup = request.app.state.followup
    return followup


async def _campaign(request: Request, campaign_id: UUID, command: CampaignCommand, by: Actor) -> CampaignView:
    linked = with_links(campaign, by.tenant.site_id)  # a reached customer's proposal carries its link
    outcome = await by.run(
        store_of(request), linked, campaign_stream(campaign_id), command, after_append=keep_campaign_clocks
    )
    return campaign_view(outcome.state, outcome.version)


@router.post(
    "/sites/{site_id}/campaigns",
    status_code=201,
    responses=refusals("time_out_of_order", "campaign_notice_too_short", TEXT, CONFLICT),  # 404: a file it names
)
async def plan_campaign(
    body: Annotated[CampaignBody, Body(openapi_examples=CAMPAIGN_EXAMPLES)], request: Request, by: Supervisor
) -> CampaignView:
    """Customers are called 2 weeks ahead, then written to within 2 days (do-not-call: letter only).
    A start less than two weeks away is refused (`campaign_notice_too_short`) unless
    `override_reason` says why (recorded on the plan)."""
    campaign_id, at = uuid4(), now(request)
    outcome = await followup_of(request).plan_campaign(
        by.metadata,
        campaign_id,
        lambda targets: body.command(campaign_id, targets, by.identity.user_id, at),
        file_ids=body.file_ids,
        expected_version=by.expected_version,
    )
    return campaign_view(outcome.state, outcome.version)


@router.get("/sites/{site_id}/campaigns/{campaign_id}", responses=refusals())
async def get_campaign(
    site_id: SiteId, campaign_id: CampaignId, identity: CurrentIdentity, request: Request
) -> CampaignView:
    tenant = site_tenant(identity, site_id, READERS)
    state, version = await load(store_of(request), campaign, campaign_stream(campaign_id), tenant)
    view = campaign_view(state, version)
    targets = await shown(request, identity, [target.model_dump() for target in view.targets], TARGET)
    return view.model_copy(update={"targets": [TargetView.model_validate(target) for target in targets]})


@router.post(
    "/sites/{site_id}/campaigns/{campaign_id}/calls",
    status_code=201,
    responses=refusals("do_not_call", *CAMPAIGN_TARGET),
)
async def campaign_call(campaign_id: CampaignId, body: CampaignCallBody, request: Request, by: Agent) -> CampaignView:
    return await _campaign(request, campaign_id, body.command(by.identity.user_id, now(request)), by)


@router.post("/sites/{site_id}/campaigns/{campaign_id}/letters", status_code=201, responses=refusals(*CAMPAIGN_TARGET))
async def campaign_letter(
    campaign_id: CampaignId, body: CampaignLetterBody, request: Request, by: Agent
) -> CampaignView:
    return await _campaign(request, campaign_id, body.command(by.identity.user_id, now(request)), by)
