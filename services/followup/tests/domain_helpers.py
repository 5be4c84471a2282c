"""The facts the followup domain tests share: one visit delivered at T0 to a vehicle user who is
not the owner, its customer file and its first callback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from events.catalog import followup as ev
from events.catalog import followup_files
from events.catalog.reception_values import Contact, Recommendation, VehicleIdentity
from events.testing.deciders import scenario
from followup.domain.callback import callback
from followup.domain.campaign import campaign
from followup.domain.commands import CallAnswers, OpenCallback, RecordAttempt
from followup.domain.customer_file import customer_file
from followup.domain.ids import callback_id_for
from followup.domain.schedule import first_callback_window

given_file = scenario(customer_file)
given_callback = scenario(callback)
given_campaign = scenario(campaign)

T0 = datetime(2024, 5, 6, 17, 0, tzinfo=UTC)  # the car is delivered
RO = uuid4()
FILE = uuid4()
CALLBACK = callback_id_for(RO, "first")
USER = Contact(name="王先生", phone="13800000001", customer_id=FILE)
OWNER = Contact(name="某某公司", phone="01080000000", customer_id=uuid4())
CAR = VehicleIdentity(vin="LFV2A21K8G3000001", plate="京A12345", model="Sagitar")
WINDOW = first_callback_window(T0)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def recommendation(safety: bool = False, finding_id: UUID | None = None) -> Recommendation:
    return Recommendation(
        finding_id=finding_id or uuid4(),
        description="front brake pads at 3 mm" if safety else "wiper blades streaking",
        safety_critical=safety,
        labour_minutes=30,
        labour_price=8000,
        parts_price=20000,
    )


FILE_OPENED = followup_files.CustomerFileOpened(file_id=FILE, contact=USER, opened_at=hours(1))

OPEN_FIRST = OpenCallback(
    callback_id=CALLBACK,
    repair_order_id=RO,
    kind="first",
    file_id=FILE,
    contact=USER,
    vehicle=CAR,
    basis_at=T0,
    do_not_call=False,
    opened_at=T0,
)

OPENED = ev.CallbackOpened(
    callback_id=CALLBACK,
    repair_order_id=RO,
    kind="first",
    file_id=FILE,
    contact=USER,
    vehicle=CAR,
    basis_at=T0,
    window=WINDOW,
    opened_at=T0,
)

HAPPY = CallAnswers(
    problem_fixed=True, satisfaction_score=5, read_back_confirmed=True, customer_words="车开着很好,谢谢"
)


def attempt(
    outcome: str,
    at_hours: float,
    answers: CallAnswers | None = None,
    later: datetime | None = None,
    direction: str = "outbound",
) -> RecordAttempt:
    return RecordAttempt(
        agent="cs-1",
        outcome=outcome,
        attempted_at=hours(at_hours),
        direction=direction,
        call_me_later_at=later,
        answers=answers,
    )


def attempt_recorded(
    n: int, outcome: str, at_hours: float, unreachable: int = 0, next_at: datetime | None = None
) -> ev.AttemptRecorded:
    """The n-th call of the first callback, by cs-1, as logged."""
    return ev.AttemptRecorded(
        callback_id=CALLBACK,
        repair_order_id=RO,
        attempt=n,
        unreachable_attempts=unreachable,
        direction="outbound",
        outcome=outcome,
        agent="cs-1",
        phone=USER.phone,
        next_attempt_at=next_at,
        attempted_at=hours(at_hours),
    )


def unanswered(n: int, at_hours: float) -> ev.AttemptRecorded:
    """The n-th attempt, unanswered like all before it: retried two hours later."""
    return attempt_recorded(n, "unreachable", at_hours, unreachable=n, next_at=hours(at_hours + 2))


def three_unanswered() -> list[ev.AttemptRecorded]:
    return [unanswered(1, 50), unanswered(2, 53), unanswered(3, 70)]
