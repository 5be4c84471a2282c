"""Complaints, phoned in or raised on a callback, walked through their steps over the following
days (listened to, facts confirmed, decided, explained, acted on, followed up, closed), with the
escalations and breaches of the complaint and grievance deadlines."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from bench.history.planner import Planner
from bench.history.reference import CALL_WORDS, CATEGORIES, CATEGORY_WEIGHTS, COMPLAINT_WEEKDAYS
from bench.history.site import AGENTS, DAY, DESK_OPENS, MINUTE, SECOND, SERVICE_MANAGER, SYSTEM
from bench.history.state import Customer
from events.catalog import complaints as cp
from events.catalog import complaints_values as cv
from events.catalog import followup_files as ff


class Complaints(Planner):
    """Plans a complaint's life, and the odd one called in."""

    def phone_complaint(self, d: int) -> None:
        """A customer calls in to complain (not from a callback)."""
        rng = self.rng
        known = [c for c in self.customers[-3000:] if c.file_opened and c.last_day <= d - 20]
        if not known:
            return
        customer = self.pick(known)
        received = self.day(d) + DESK_OPENS + self.minutes(0, 480)
        complaint_id = self.uuid()
        corr = str(complaint_id)
        self.at(
            received, f"customer_file-{customer.file_id}",
            ff.CallLogged(file_id=customer.file_id, direction="inbound", purpose="complaint",
                          phone=customer.r_user.phone, agent=self.pick(AGENTS),
                          summary="complaint about the last visit", called_at=received),
            SYSTEM, corr,
        )  # fmt: skip
        category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
        self.complaint(complaint_id, received + MINUTE, "phone", customer, None, None, category, False)

    def complaint(
        self,
        complaint_id: UUID,
        received: datetime,
        channel: str,
        customer: Customer,
        ro: UUID | None,
        callback_id: UUID | None,
        category: str,
        serious: bool,
    ) -> None:
        """The 7 steps of seed 001 under the SLAs of seed 004."""
        rng = self.rng
        stream, corr = f"complaint-{complaint_id}", str(ro or complaint_id)
        handler = self.pick(AGENTS)
        kind = "complaint" if serious or category in ("quality", "attitude") or rng.random() < 0.2 else (
            "general_grievance")  # fmt: skip
        resolve_by = self.resolve_by(kind, received)
        steps: list[tuple[str, datetime]] = [("received", received)]
        self.at(
            received, stream,
            cp.ComplaintOpened(
                complaint_id=complaint_id, customer_id=customer.customer_id, vin=customer.r_vehicle.vin,
                repair_order_id=ro, callback_id=callback_id, channel=channel, kind=kind, category=category,
                customer_words=CALL_WORDS[2], serious_reasons=("safety",) if serious else (), resolve_by=resolve_by,
                handled_by=handler, received_at=received,
            ),
            handler, corr,
        )  # fmt: skip
        escalated = serious
        if serious:
            escalation = cp.ComplaintEscalated(
                complaint_id=complaint_id, reason="serious", to_role="service_manager", escalated_at=received + SECOND
            )
            self.at(received + SECOND, stream, escalation, SYSTEM, corr)
        fast = kind == "complaint"
        listened = self.desk(received + self.minutes(15, 90))
        self.at(
            listened, stream,
            cp.ComplaintListened(complaint_id=complaint_id,
                                 account=cv.CustomerAccount(what=CALL_WORDS[2], when="after the visit"),
                                 restated_words="the customer is not happy with the last visit", handled_by=handler,
                                 listened_at=listened),
            handler, corr,
        )  # fmt: skip
        steps.append(("listened", listened))
        t = listened
        if rng.random() < 0.05:
            t += self.minutes(5, 15)
            new_kind = "general_grievance" if kind == "complaint" else "complaint"
            resolve_by = self.resolve_by(new_kind, received)
            self.at(
                t, stream,
                cp.ComplaintReclassified(complaint_id=complaint_id, previous_kind=kind, kind=new_kind,
                                         reason="after listening", resolve_by=resolve_by, handled_by=handler,
                                         reclassified_at=t),
                handler, corr,
            )  # fmt: skip
            kind, fast = new_kind, new_kind == "complaint"
        responsibility = rng.choices(("dealer", "manufacturer", "customer"), (60, 25, 15))[0]
        back_to_facts = 0
        while True:
            t = self.desk(t + (self.minutes(60, 360) if fast else self.minutes(180, 1800)))
            self.at(
                t, stream,
                cp.ComplaintFactsConfirmed(complaint_id=complaint_id, responsibility=responsibility, cause=category,
                                           findings="inspected with the foreman", reproduced=rng.random() < 0.6,
                                           handled_by=handler, confirmed_at=t),
                handler, corr,
            )  # fmt: skip
            steps.append(("facts_confirmed", t))
            t += self.minutes(20, 120)
            cost = rng.choice((0, 0, 5000, 20000, 80000))
            approval = cost > 20000
            remedy = "apology" if cost == 0 else rng.choice(("repair", "goodwill"))
            self.at(
                t, stream,
                cp.ComplaintDecisionMade(
                    complaint_id=complaint_id, remedy=remedy, description="explain, and fix what is ours", cost=cost,
                    remedy_due=t + DAY, spokesperson=handler, authority_limit=20000, approval_required=approval,
                    authorised_by=cv.Authorisation(person=SERVICE_MANAGER, role="service_manager", authorised_at=t)
                    if approval else None, handled_by=handler, decided_at=t,
                ),
                handler, corr,
            )  # fmt: skip
            steps.append(("decided", t))
            t += self.minutes(15, 180)
            agreed = back_to_facts > 0 or rng.random() < 0.9
            explained = cp.ComplaintDecisionExplained(
                complaint_id=complaint_id, agreed=agreed, handled_by=handler, explained_at=t
            )
            self.at(t, stream, explained, handler, corr)
            steps.append(("explained", t))
            if agreed:
                break
            back_to_facts += 1
        acted = self.desk(t + (self.minutes(60, 480) if fast else self.minutes(240, 2400)))
        breached = acted > resolve_by
        if breached:
            step = [name for name, at in steps if at <= resolve_by][-1]
            self.at(
                resolve_by, stream,
                cp.ComplaintSlaBreached(complaint_id=complaint_id, kind=kind, resolve_by=resolve_by, step=step,
                                        breached_at=resolve_by),
                SYSTEM, corr,
            )  # fmt: skip
            escalation = cp.ComplaintEscalated(
                complaint_id=complaint_id, reason="sla_breach", to_role="service_manager",
                escalated_at=resolve_by + SECOND,
            )  # fmt: skip
            self.at(resolve_by + SECOND, stream, escalation, SYSTEM, corr)
            escalated = True
        reopened = 0
        first_action = acted
        while True:
            second_due = self.next_working_day_end(acted)
            self.at(
                acted, stream,
                cp.ComplaintActionTaken(complaint_id=complaint_id, remedy=remedy, description="done with the customer",
                                        cost=cost, in_customer_presence=rng.random() < 0.5, customer_satisfied=True,
                                        second_callback_due=second_due, handled_by=handler, acted_at=acted),
                handler, corr,
            )  # fmt: skip
            followed = self.desk(acted + self.minutes(240, 1800))
            if followed > second_due:
                overdue = cp.ComplaintFollowUpOverdue(
                    complaint_id=complaint_id, second_callback_due=second_due, overdue_at=second_due
                )
                self.at(second_due, stream, overdue, SYSTEM, corr)
            satisfied = reopened > 0 or rng.random() < 0.9
            self.at(
                followed, stream,
                cp.ComplaintFollowedUp(complaint_id=complaint_id, satisfied=satisfied,
                                       back_to=None if satisfied else "act", channel="phone", handled_by=handler,
                                       followed_up_at=followed),
                handler, corr,
            )  # fmt: skip
            if satisfied:
                break
            reopened += 1
            acted = self.desk(followed + self.minutes(240, 1440))
        closed = followed + SECOND
        report = cv.ComplaintReport(
            complaint_id=complaint_id, customer_id=customer.customer_id, vin=customer.r_vehicle.vin,
            repair_order_id=ro, channel=channel, kind=kind, category=category,
            serious_reasons=("safety",) if serious else (), customer_words=CALL_WORDS[2],
            responsibility=responsibility, cause=category, findings="inspected with the foreman", remedy=remedy,
            remedy_description="done with the customer", cost=cost, received_at=received, resolve_by=resolve_by,
            resolved_at=first_action, within_sla=not breached,
            sla_breached=breached, escalated=escalated, times_back_to_facts=back_to_facts, times_reopened=reopened,
            summary="resolved with the customer", closed_at=closed,
        )  # fmt: skip
        self.at(closed, stream, cp.ComplaintClosed(complaint_id=complaint_id, report=report, closed_at=closed), handler,
                corr)  # fmt: skip

    def resolve_by(self, kind: str, received: datetime) -> datetime:
        """24 h for a complaint; the end of the 3rd working day after receipt for a grievance."""
        if kind == "complaint":
            return received + DAY
        day, counted = self.midnight(received), 0
        while counted < 3:
            day += DAY
            if day.isoweekday() in COMPLAINT_WEEKDAYS:
                counted += 1
        return day + DAY

    def next_working_day_end(self, moment: datetime) -> datetime:
        day = self.midnight(moment) + DAY
        while day.isoweekday() not in COMPLAINT_WEEKDAYS:
            day += DAY
        return day + DAY
