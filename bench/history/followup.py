"""Follow-up after delivery: the customer's file, the first callback 2-3 days after delivery
(and a second within the week), its attempts, answers, refusals and unreachable customers, and
what a call raises: proposals, notes, escalated questions, complaints."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

from bench.history.complaints import Complaints
from bench.history.followup_rules import (
    RETRY_AFTER,
    callback_id_for,
    callback_window,
    complaint_id_for,
    escalate_by,
    file_due_by,
    note_id_for,
    proposal_id_for,
)
from bench.history.reference import CALL_WORDS, CATEGORIES, CATEGORY_WEIGHTS
from bench.history.site import AGENTS, CS_LEAD, DAY, HOUR, MINUTE, SECOND, SYSTEM
from bench.history.state import Visit
from events.catalog import followup as fu
from events.catalog import followup_files as ff
from events.catalog import followup_values as fv


class Followup(Complaints):
    """Plans the calls a delivery leads to."""

    def followup(self, v: Visit, delivered: datetime, invoice: str, due_date: date | None) -> None:
        rng = self.rng
        customer = v.customer
        file_stream = f"customer_file-{customer.file_id}"
        t = delivered + SECOND
        if not customer.file_opened:
            customer.file_opened = True
            self.at(t, file_stream, ff.CustomerFileOpened(file_id=customer.file_id, contact=customer.r_user,
                                                          opened_at=t), SYSTEM, v.corr)  # fmt: skip
            if customer.do_not_call:  # said so at reception: no callbacks, reminders or campaigns
                t += SECOND
                dnc = ff.DoNotCallSet(file_id=customer.file_id, set_by=v.advisor, reason="asked at reception", set_at=t)
                self.at(t, file_stream, dnc, v.advisor, v.corr)
        t += SECOND
        self.at(
            t, file_stream,
            ff.VisitRecorded(
                file_id=customer.file_id, repair_order_id=v.ro, vehicle=customer.r_vehicle, owner=customer.r_contact,
                vehicle_user=customer.r_user, visited_at=delivered, mileage_km=customer.mileage,
                work_done=tuple(line.op.description for line in v.lines), invoice_number=invoice,
                next_service_due_date=due_date,
                next_service_due_km=customer.mileage + 10000 if due_date else None,
                pending_recommendations=tuple(v.declined), due_by=file_due_by(delivered), on_time=True,
                recorded_at=t,
            ),
            SYSTEM, v.corr,
        )  # fmt: skip
        if due_date is not None and rng.random() < 0.5:
            t += SECOND
            self.at(
                t, file_stream,
                ff.AppointmentProposed(
                    file_id=customer.file_id, proposal_id=proposal_id_for(customer.file_id, "maintenance_due", v.ro),
                    reason="maintenance_due", contact=customer.r_user, vehicle=customer.r_vehicle,
                    suggested_date=due_date, due_km=customer.mileage + 10000,
                    contact_from=due_date - timedelta(days=14), repair_order_id=v.ro,
                    phone_allowed=not customer.do_not_call, proposed_at=t,
                ),
                SYSTEM, v.corr,
            )  # fmt: skip
        self.callback(v, "first", delivered, t + SECOND, None, self.pick(AGENTS))

    def callback(
        self, v: Visit, kind: str, basis: datetime, opened: datetime, first_id: UUID | None, agent: str
    ) -> None:
        rng = self.rng
        customer = v.customer
        callback_id = callback_id_for(v.ro, kind)
        stream, corr = f"callback-{callback_id}", v.corr
        if customer.do_not_call:
            self.at(
                opened, stream,
                fu.CallbackSkipped(callback_id=callback_id, repair_order_id=v.ro, kind=kind, file_id=customer.file_id,
                                   reason="do_not_call", skipped_at=opened),
                SYSTEM, corr,
            )  # fmt: skip
            return
        window = callback_window(kind, basis)
        self.at(
            opened, stream,
            fu.CallbackOpened(
                callback_id=callback_id, repair_order_id=v.ro, kind=kind, file_id=customer.file_id,
                contact=customer.r_user, vehicle=customer.r_vehicle, basis_at=basis, window=window,
                agent=agent if kind == "second" else None, first_callback_id=first_id, opened_at=opened,
            ),
            SYSTEM, corr,
        )  # fmt: skip
        if kind == "first":
            assigned = max(self.midnight(opened) + DAY + 8 * HOUR + self.minutes(20, 40), opened + MINUTE)
            self.at(
                assigned, stream,
                fu.CallbackAssigned(callback_id=callback_id, repair_order_id=v.ro, agent=agent, assigned_by=CS_LEAD,
                                    assigned_at=assigned),
                CS_LEAD, corr,
            )  # fmt: skip
        if rng.random() < 0.01:
            cancelled = self.desk(opened + self.minutes(600, 1500))
            self.at(
                cancelled, stream,
                fu.CallbackCancelled(callback_id=callback_id, repair_order_id=v.ro, kind=kind,
                                     reason=rng.choice(("vehicle_user_changed", "duplicate")), cancelled_by=CS_LEAD,
                                     cancelled_at=cancelled),
                CS_LEAD, corr,
            )  # fmt: skip
            return
        t = self.desk(window.opens_at + self.minutes(0, 360 if kind == "first" else 2880))
        if rng.random() < 0.03:  # the agent is off: the supervisor moves the queue, the call comes late
            moved = self.desk(window.opens_at)
            other = self.pick([a for a in AGENTS if a != agent])
            self.at(
                moved, stream,
                fu.CallbackReassigned(callback_id=callback_id, repair_order_id=v.ro, previous_agent=agent, agent=other,
                                      reassigned_by=CS_LEAD, reason="agent on leave", reassigned_at=moved),
                CS_LEAD, corr,
            )  # fmt: skip
            agent = other
            t = self.desk(max(window.hard_limit_at + self.minutes(60, 1200), moved + HOUR))
        attempts = unreachable = 0
        overdue = False
        while True:
            if not overdue and t > window.hard_limit_at:
                overdue = True
                self.at(
                    window.hard_limit_at, stream,
                    fu.CallbackOverdue(callback_id=callback_id, repair_order_id=v.ro, kind=kind,
                                       hard_limit_at=window.hard_limit_at, attempts=attempts, agent=agent,
                                       overdue_at=window.hard_limit_at),
                    SYSTEM, corr,
                )  # fmt: skip
            attempts += 1
            outcome = rng.choices(("reached", "unreachable", "call_me_later", "refused"), (72, 18, 6, 4))[0]
            if attempts >= 5:
                outcome = "reached"
            if outcome == "unreachable":
                unreachable += 1
            next_at: datetime | None = None
            if outcome == "unreachable" and unreachable < 3:
                next_at = self.desk(t + RETRY_AFTER)
            elif outcome == "call_me_later":
                next_at = self.desk(t + self.minutes(120, 1440))
            self.at(
                t, stream,
                fu.AttemptRecorded(callback_id=callback_id, repair_order_id=v.ro, attempt=attempts,
                                   unreachable_attempts=unreachable, direction="outbound", outcome=outcome,
                                   agent=agent, phone=customer.r_user.phone, next_attempt_at=next_at, attempted_at=t),
                agent, corr,
            )  # fmt: skip
            if outcome == "reached":
                self.reached(v, kind, callback_id, stream, window, agent, attempts, t)
                return
            if outcome == "refused":
                self.at(t + SECOND, stream, fu.SmsQueued(callback_id=callback_id, repair_order_id=v.ro,
                                                         phone=customer.r_user.phone, template="callback_refused",
                                                         queued_at=t + SECOND), SYSTEM, corr)  # fmt: skip
                self.at(t + 2 * SECOND, stream, fu.CallbackRefused(callback_id=callback_id, repair_order_id=v.ro,
                                                                   kind=kind, attempts=attempts,
                                                                   refused_at=t + 2 * SECOND), agent, corr)  # fmt: skip
                if rng.random() < 0.3:
                    customer.do_not_call = True
                    self.at(
                        t + 3 * SECOND, f"customer_file-{customer.file_id}",
                        ff.DoNotCallSet(file_id=customer.file_id, set_by=agent, reason="asked for no more calls",
                                        set_at=t + 3 * SECOND),
                        agent, corr,
                    )  # fmt: skip
                return
            if outcome == "unreachable" and unreachable >= 3:
                note = "unreachable after 3 attempts: ask about the visit at the next one"
                self.at(
                    t + SECOND, stream,
                    fu.CallbackUnreachable(callback_id=callback_id, repair_order_id=v.ro, kind=kind,
                                           file_id=customer.file_id, attempts=attempts, note_for_next_visit=note,
                                           given_up_by=agent, given_up_at=t + SECOND),
                    agent, corr,
                )  # fmt: skip
                self.at(
                    t + 2 * SECOND, f"customer_file-{customer.file_id}",
                    ff.NextVisitNoteAdded(file_id=customer.file_id,
                                          note_id=note_id_for(customer.file_id, "callback_unreachable", callback_id),
                                          note=note, source="callback_unreachable", callback_id=callback_id,
                                          added_by=agent, added_at=t + 2 * SECOND),
                    agent, corr,
                )  # fmt: skip
                return
            assert next_at is not None
            t = next_at

    def reached(
        self,
        v: Visit,
        kind: str,
        callback_id: UUID,
        stream: str,
        window: fv.CallbackWindow,
        agent: str,
        attempts: int,
        reached_at: datetime,
    ) -> None:
        rng, customer, corr = self.rng, v.customer, v.corr
        weights = (62, 28, 7, 2, 1) if kind == "first" else (68, 26, 4, 1, 1)
        score = rng.choices((5, 4, 3, 2, 1), weights)[0]
        categories: tuple[str, ...] = ()
        if score <= 2 or (score == 3 and rng.random() < 0.4):
            categories = (rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0],)
        problem_fixed = score >= 3 or rng.random() < 0.5
        serious = bool(categories) and categories[0] == "quality" and rng.random() < 0.05
        question = "when is the next service due?" if rng.random() < 0.03 else ""
        at = reached_at + self.minutes(2, 4)
        self.at(
            at, stream,
            fu.CallRecorded(
                callback_id=callback_id, repair_order_id=v.ro, kind=kind, file_id=customer.file_id, agent=agent,
                problem_fixed=problem_fixed, dissatisfaction=categories, satisfaction_score=score,
                customer_words=CALL_WORDS[score], question=question, read_back_confirmed=True,
                by_due_time=reached_at <= window.due_at, in_window=reached_at <= window.hard_limit_at,
                reached_at=reached_at,
            ),
            agent, corr,
        )  # fmt: skip
        if categories or not problem_fixed or score <= 2:
            complaint_id = complaint_id_for(callback_id)
            self.at(
                at, stream,
                fu.ComplaintRaised(
                    callback_id=callback_id, repair_order_id=v.ro, complaint_id=complaint_id, file_id=customer.file_id,
                    customer=customer.r_user, vehicle=customer.r_vehicle, categories=categories,
                    problem_fixed=problem_fixed, customer_words=CALL_WORDS[score], satisfaction_score=score,
                    serious=serious, raised_by=agent, raised_at=at,
                ),
                agent, corr,
            )  # fmt: skip
            category = categories[0] if categories else "quality"
            self.complaint(complaint_id, at + MINUTE, "callback", customer, v.ro, callback_id, category, serious)
        if question:
            self.at(
                at, stream,
                fu.QuestionEscalated(callback_id=callback_id, repair_order_id=v.ro, file_id=customer.file_id,
                                     question=question, escalate_by=escalate_by(at), escalated_at=at),
                agent, corr,
            )  # fmt: skip
        self.at(
            at + SECOND, stream,
            fu.CallbackCompleted(callback_id=callback_id, repair_order_id=v.ro, kind=kind, attempts=attempts,
                                 in_window=reached_at <= window.hard_limit_at, completed_at=at + SECOND),
            agent, corr,
        )  # fmt: skip
        if question:
            answered = self.desk(at + self.minutes(240, 1800))
            self.at(
                answered, stream,
                fu.QuestionAnswered(callback_id=callback_id, repair_order_id=v.ro, answer="in 6 months or 10,000 km",
                                    answered_by=CS_LEAD, tell_customer_by=answered + DAY, answered_at=answered),
                CS_LEAD, corr,
            )  # fmt: skip
            told = self.desk(answered + self.minutes(30, 300))
            self.at(
                told, stream,
                fu.AnswerGiven(callback_id=callback_id, repair_order_id=v.ro, agent=agent,
                               on_time=told <= answered + DAY, told_at=told),
                agent, corr,
            )  # fmt: skip
        if kind == "first":
            completed = at + SECOND
            second = callback_window("second", completed)
            second_id = callback_id_for(v.ro, "second")
            self.at(
                completed + SECOND, stream,
                fu.SecondFollowUpScheduled(callback_id=callback_id, repair_order_id=v.ro, second_callback_id=second_id,
                                           file_id=customer.file_id, window=second, second_due_by=second.due_at,
                                           scheduled_at=completed + SECOND),
                SYSTEM, corr,
            )  # fmt: skip
            self.callback(v, "second", completed, completed + 2 * SECOND, callback_id, agent)
