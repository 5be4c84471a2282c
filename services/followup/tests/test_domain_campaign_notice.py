"""The seed's notice period (seed 002 §3.6: customers are phoned two weeks ahead): a campaign
starting less than two weeks after it is planned is refused, unless a service manager overrides
it with a reason, which the plan records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from domain_helpers import CAR, FILE, USER, given_campaign

from events.catalog import followup_campaigns as ev
from events.catalog.followup_values import CampaignTarget
from followup.domain import errors
from followup.domain.commands import PlanCampaign

CAMPAIGN = uuid4()
PLANNED_AT = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
TARGETS = (CampaignTarget(file_id=FILE, contact=USER, vehicle=CAR),)


def plan(starts_in: timedelta, override: str = "") -> PlanCampaign:
    return PlanCampaign(
        CAMPAIGN,
        "recall",
        "刹车软管召回",
        PLANNED_AT + starts_in,
        TARGETS,
        "sm-1",
        PLANNED_AT,
        override_reason=override,
    )


def test_a_campaign_starting_within_two_weeks_is_refused() -> None:
    given_campaign().when(plan(timedelta(days=13, hours=23))).then_refused(errors.CampaignNoticeTooShort)


def test_two_weeks_notice_is_enough() -> None:
    events = given_campaign().when(plan(timedelta(days=14))).decided()
    assert isinstance(events[0], ev.CampaignPlanned)
    assert events[0].notice_override == ""


def test_a_managers_override_with_a_reason_is_recorded() -> None:
    events = given_campaign().when(plan(timedelta(days=3), override=" the maker's recall is urgent ")).decided()
    planned = events[0]
    assert isinstance(planned, ev.CampaignPlanned)
    assert planned.notice_override == "the maker's recall is urgent"
    assert planned.starts_at == PLANNED_AT + timedelta(days=3)
    given_campaign().when(plan(timedelta(days=3), override="   ")).then_refused(errors.CampaignNoticeTooShort)
