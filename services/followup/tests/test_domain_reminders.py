"""Maintenance reminders and declined work as proposals, honouring do-not-call except for
safety (docs/domain.md §6; docs/flow.md)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from domain_helpers import CAR, FILE, RO, T0, USER, recommendation

from followup.domain.reminders import campaign_proposal, declined_proposal, maintenance_proposal


def test_nothing_to_remind_without_a_next_service() -> None:
    assert maintenance_proposal(FILE, USER, CAR, RO, None, None, False, T0) is None


def test_a_mileage_only_reminder_has_no_date_to_time_it() -> None:
    proposal = maintenance_proposal(FILE, USER, CAR, RO, None, 20_000, False, T0)
    assert proposal is not None
    assert (proposal.suggested_date, proposal.contact_from, proposal.due_km) == (None, None, 20_000)


def test_do_not_call_means_no_maintenance_reminder() -> None:
    assert maintenance_proposal(FILE, USER, CAR, RO, date(2024, 11, 6), None, True, T0) is None


def test_declined_safety_work_is_proposed_within_a_week_other_work_after_a_month() -> None:
    safety = declined_proposal(FILE, USER, CAR, RO, recommendation(safety=True), T0, False, T0)
    other = declined_proposal(FILE, USER, CAR, RO, recommendation(), T0, False, T0)
    assert safety is not None
    assert other is not None
    assert safety.suggested_date == (T0 + timedelta(days=7)).date()
    assert safety.contact_from == T0.date()
    assert other.suggested_date == (T0 + timedelta(days=30)).date()
    assert other.contact_from == (T0 + timedelta(days=16)).date()


def test_do_not_call_keeps_only_safety_proposals_by_letter() -> None:
    assert declined_proposal(FILE, USER, CAR, RO, recommendation(), T0, True, T0) is None
    safety = declined_proposal(FILE, USER, CAR, RO, recommendation(safety=True), T0, True, T0)
    assert safety is not None
    assert not safety.phone_allowed
    assert campaign_proposal(FILE, USER, CAR, uuid4(), False, T0, True, T0) is None
    recall = campaign_proposal(FILE, USER, CAR, uuid4(), True, T0, True, T0)
    assert recall is not None
    assert (recall.reason, recall.phone_allowed) == ("recall", False)
