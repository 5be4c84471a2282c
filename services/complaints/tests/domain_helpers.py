"""The facts the complaints domain tests share: one complaint about a repair order, received on
a Monday morning in Shanghai at a site working Monday to Friday, walked through the 7 steps."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from complaints.domain.commands import (
    ConfirmFacts,
    DecideRemedy,
    ExplainDecision,
    ListenToCustomer,
    ReceiveComplaint,
    RecordFollowUp,
    TakeAction,
)
from complaints.domain.complaint import complaint
from complaints.domain.sla import WorkingCalendar
from events.catalog import complaints as ev
from events.catalog.complaints_values import Authorisation, CustomerAccount
from events.contract import Event
from events.testing.deciders import scenario

given = scenario(complaint)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday to Friday; Labour Day (Wednesday 1 May 2024) off.
CALENDAR = WorkingCalendar(
    working_weekdays=frozenset({1, 2, 3, 4, 5}), holidays=frozenset({date(2024, 5, 1)}), timezone="Asia/Shanghai"
)
T0 = datetime(2024, 5, 6, 10, 0, tzinfo=SHANGHAI)  # Monday 10:00
COMPLAINT_ID, CUSTOMER, RO, CALLBACK = uuid4(), uuid4(), uuid4(), uuid4()
VIN = "LFV2A21K8G3000001"
WORDS = "I waited three hours for an oil change and nobody told me why"
LIMIT = 50_000  # 500.00 CNY: what the handling advisor may grant alone
SECOND_CALLBACK_DUE = datetime(2024, 5, 8, 0, 0, tzinfo=SHANGHAI)  # end of Tuesday, the next working day


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


RECEIVE = ReceiveComplaint(
    complaint_id=COMPLAINT_ID,
    customer_id=CUSTOMER,
    channel="phone",
    kind="complaint",
    category="time",
    customer_words=WORDS,
    handled_by="cs-1",
    received_at=T0,
    calendar=CALENDAR,
    vin=VIN,
    repair_order_id=RO,
)


def opened(**changes: Any) -> ev.ComplaintOpened:
    fields: dict[str, Any] = {
        "complaint_id": COMPLAINT_ID,
        "customer_id": CUSTOMER,
        "vin": VIN,
        "repair_order_id": RO,
        "channel": "phone",
        "kind": "complaint",
        "category": "time",
        "customer_words": WORDS,
        "resolve_by": T0 + timedelta(hours=24),
        "handled_by": "cs-1",
        "received_at": T0,
    }
    return ev.ComplaintOpened(**(fields | changes))


ACCOUNT = CustomerAccount(what="three-hour wait for an oil change", where="lounge", when="Saturday morning")
LISTEN = ListenToCustomer(ACCOUNT, "You waited three hours and nobody told you why.", "sa-1", at(10))
LISTENED = ev.ComplaintListened(
    complaint_id=COMPLAINT_ID,
    account=ACCOUNT,
    restated_words="You waited three hours and nobody told you why.",
    handled_by="sa-1",
    listened_at=at(10),
)


def confirm(minutes: int = 60) -> ConfirmFacts:
    return ConfirmFacts(
        responsibility="dealer",
        cause="time",
        findings="the job waited 2 h for a lift; no progress call was made",
        reproduced=False,
        handled_by="sa-1",
        confirmed_at=at(minutes),
        repeat_visitor=True,
    )


def facts(minutes: int = 60) -> ev.ComplaintFactsConfirmed:
    return ev.ComplaintFactsConfirmed(
        complaint_id=COMPLAINT_ID,
        responsibility="dealer",
        cause="time",
        findings="the job waited 2 h for a lift; no progress call was made",
        reproduced=False,
        repeat_visitor=True,
        handled_by="sa-1",
        confirmed_at=at(minutes),
    )


def decide(cost: int = 20_000, minutes: int = 90, **changes: Any) -> DecideRemedy:
    fields: dict[str, Any] = {
        "remedy": "goodwill",
        "description": "free next oil service",
        "cost": cost,
        "remedy_due": at(24 * 60),
        "spokesperson": "sa-1",
        "handled_by": "sa-1",
        "decided_at": at(minutes),
        "authority_limit": LIMIT,
    }
    return DecideRemedy(**(fields | changes))


def decided(cost: int = 20_000, minutes: int = 90, **changes: Any) -> ev.ComplaintDecisionMade:
    fields: dict[str, Any] = {
        "complaint_id": COMPLAINT_ID,
        "remedy": "goodwill",
        "description": "free next oil service",
        "cost": cost,
        "remedy_due": at(24 * 60),
        "spokesperson": "sa-1",
        "authority_limit": LIMIT,
        "approval_required": False,
        "handled_by": "sa-1",
        "decided_at": at(minutes),
    }
    return ev.ComplaintDecisionMade(**(fields | changes))


def manager(role: str = "service_manager", minutes: int = 85) -> Authorisation:
    return Authorisation(person="sm-1", role=role, authorised_at=at(minutes))


def explain(agreed: bool = True, minutes: int = 100, response: str = "") -> ExplainDecision:
    return ExplainDecision(agreed=agreed, handled_by="sa-1", explained_at=at(minutes), customer_response=response)


def explained(agreed: bool = True, minutes: int = 100, response: str = "") -> ev.ComplaintDecisionExplained:
    return ev.ComplaintDecisionExplained(
        complaint_id=COMPLAINT_ID,
        agreed=agreed,
        customer_response=response,
        handled_by="sa-1",
        explained_at=at(minutes),
    )


def act(minutes: int = 180) -> TakeAction:
    return TakeAction("voucher for a free oil service handed over", 20_000, True, True, "sa-1", at(minutes), CALENDAR)


def acted(minutes: int = 180, due: datetime = SECOND_CALLBACK_DUE) -> ev.ComplaintActionTaken:
    return ev.ComplaintActionTaken(
        complaint_id=COMPLAINT_ID,
        remedy="goodwill",
        description="voucher for a free oil service handed over",
        cost=20_000,
        in_customer_presence=True,
        customer_satisfied=True,
        second_callback_due=due,
        handled_by="sa-1",
        acted_at=at(minutes),
    )


def follow_up(satisfied: bool = True, back_to: str | None = None, minutes: int = 1500) -> RecordFollowUp:
    return RecordFollowUp(
        satisfied=satisfied,
        channel="phone",
        handled_by="cs-2",
        followed_up_at=at(minutes),
        back_to=back_to,
        customer_words="" if satisfied else "the voucher is fine but nobody apologised",
        report_summary="progress calls missed on a lift shortage; goodwill oil service; customer satisfied",
    )


def followed_up(satisfied: bool = True, back_to: str | None = None, minutes: int = 1500) -> ev.ComplaintFollowedUp:
    return ev.ComplaintFollowedUp(
        complaint_id=COMPLAINT_ID,
        satisfied=satisfied,
        back_to=back_to,
        channel="phone",
        customer_words="" if satisfied else "the voucher is fine but nobody apologised",
        handled_by="cs-2",
        followed_up_at=at(minutes),
    )


def walked_to(step: str) -> list[Event]:
    """The history of the complaint up to and including `step` (the last step completed)."""
    steps: list[tuple[str, Event]] = [
        ("received", opened()),
        ("listened", LISTENED),
        ("facts_confirmed", facts()),
        ("decided", decided()),
        ("explained", explained()),
        ("acted", acted()),
    ]
    history: list[Event] = []
    for name, event in steps:
        history.append(event)
        if name == step:
            return history
    raise ValueError(f"no step {step!r} before the follow-up")
