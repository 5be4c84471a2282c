"""The complaint's state and `evolve`: where one complaint stands in the 7 steps (docs/domain.md §7),
its SLA clock, and what the report at closing is written from."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from events.catalog import complaints as ev
from events.catalog.complaints_values import STEPS
from events.contract import Event

# `step` is the last step completed. A refused decision goes back to `listened` (the facts are
# confirmed again: step 3); an unsatisfied follow-up goes back to the step before the one redone.
RECEIVED, LISTENED, FACTS_CONFIRMED, DECIDED, EXPLAINED, ACTED, FOLLOWED_UP, CLOSED = STEPS
BEFORE_REDO = {"listen": RECEIVED, "confirm_facts": LISTENED, "decide": FACTS_CONFIRMED, "act": EXPLAINED}


@dataclass(frozen=True)
class Complaint:
    complaint_id: UUID | None = None
    customer_id: UUID | None = None
    vin: str | None = None
    repair_order_id: UUID | None = None
    channel: str = ""
    kind: str = ""
    category: str = ""
    customer_words: str = ""
    serious_reasons: tuple[str, ...] = ()
    step: str = ""
    received_at: datetime | None = None
    resolve_by: datetime | None = None
    # The deadline whose breach was recorded last, and every deadline breached: a breach of the
    # same SLA is recorded once, even when reclassifications bring its deadline back.
    breached_for: datetime | None = None
    breached_deadlines: frozenset[datetime] = frozenset()
    escalated: bool = False
    responsibility: str = ""
    cause: str = ""
    findings: str = ""
    remedy: str = ""
    remedy_description: str = ""
    cost: int = 0
    # The customer refused the last decision explained: nothing is carried out until they agree.
    disagreed: bool = False
    first_resolved_at: datetime | None = None
    second_callback_due: datetime | None = None
    # The second-callback deadline whose overdue notice was recorded (once per deadline).
    follow_up_overdue_for: datetime | None = None
    times_back_to_facts: int = 0
    times_reopened: int = 0
    last_time: datetime | None = None

    @property
    def exists(self) -> bool:
        return self.complaint_id is not None

    @property
    def resolved(self) -> bool:
        """A remedy was carried out once (step 6): the SLA clock stopped then, and a complaint
        reopened at its follow-up does not start it again (as the report's `within_sla` counts)."""
        return self.first_resolved_at is not None


INITIAL = Complaint()


def evolve(state: Complaint, event: Event) -> Complaint:
    match event:
        case ev.ComplaintOpened():
            return replace(
                state,
                complaint_id=event.complaint_id,
                customer_id=event.customer_id,
                vin=event.vin,
                repair_order_id=event.repair_order_id,
                channel=event.channel,
                kind=event.kind,
                category=event.category,
                customer_words=event.customer_words,
                serious_reasons=event.serious_reasons,
                step=RECEIVED,
                received_at=event.received_at,
                resolve_by=event.resolve_by,
                last_time=event.received_at,
            )
        case ev.ComplaintEscalated():
            return replace(state, escalated=True)
        case ev.ComplaintReclassified():
            return replace(state, kind=event.kind, resolve_by=event.resolve_by, last_time=event.reclassified_at)
        case ev.ComplaintListened():
            return replace(state, step=LISTENED, last_time=event.listened_at)
        case ev.ComplaintFactsConfirmed():
            return replace(
                state,
                step=FACTS_CONFIRMED,
                responsibility=event.responsibility,
                cause=event.cause,
                findings=event.findings,
                last_time=event.confirmed_at,
            )
        case ev.ComplaintDecisionMade():
            return replace(state, step=DECIDED, remedy=event.remedy, cost=event.cost, last_time=event.decided_at)
        case ev.ComplaintDecisionExplained() if event.agreed:
            return replace(state, step=EXPLAINED, disagreed=False, last_time=event.explained_at)
        case ev.ComplaintDecisionExplained():
            return replace(
                state,
                step=LISTENED,
                disagreed=True,
                times_back_to_facts=state.times_back_to_facts + 1,
                last_time=event.explained_at,
            )
        case ev.ComplaintActionTaken():
            return replace(
                state,
                step=ACTED,
                remedy_description=event.description,
                cost=event.cost,
                first_resolved_at=state.first_resolved_at or event.acted_at,
                second_callback_due=event.second_callback_due,
                last_time=event.acted_at,
            )
        case ev.ComplaintFollowedUp() if event.back_to is not None:
            return replace(
                state,
                step=BEFORE_REDO[event.back_to],
                times_reopened=state.times_reopened + 1,
                last_time=event.followed_up_at,
            )
        case ev.ComplaintFollowedUp():
            return replace(state, step=FOLLOWED_UP, last_time=event.followed_up_at)
        case ev.ComplaintClosed():
            return replace(state, step=CLOSED, last_time=event.closed_at)
        case ev.ComplaintSlaBreached():
            return replace(
                state,
                breached_for=event.resolve_by,
                breached_deadlines=state.breached_deadlines | {event.resolve_by},
            )
        case ev.ComplaintFollowUpOverdue():
            return replace(state, follow_up_overdue_for=event.second_callback_due)
    return state
