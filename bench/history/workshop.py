"""The workshop's part in a visit: dispatch, the technicians' jobs (started, paused, late,
completed), additional work found and approved or declined, progress checks, quality checks and
test drives, up to ready for delivery."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from bench.history.parts import Parts
from bench.history.reference import FINDINGS, QC_REASONS
from bench.history.site import (
    BAYS,
    DAY,
    FOREMEN,
    HOUR,
    INSPECTORS,
    PARTS_CLERK,
    SECOND,
    SYSTEM,
    TECHNICIANS,
    WORKSHOP_CLOSES,
    WORKSHOP_OPENS,
)
from bench.history.state import Line, Visit
from events.catalog import parts as pt
from events.catalog import reception as rc
from events.catalog import reception_values as rv
from events.catalog import workshop as ws


class Workshop(Parts):
    """Plans a work order from the vehicle received to ready for delivery."""

    def workshop(self, v: Visit, handed: datetime, parts_at: datetime | None, short: Line | None) -> None:
        """Dispatch and work the jobs one after another (the short one last), with additional
        work found at the first job's initial inspection, progress checks, QC and readiness."""
        rng = self.rng
        queue = [line for line in v.lines if line is not short] + ([short] if short in v.lines else [])
        clock = self.shop(handed + self.minutes(5, 35))
        technician, bay = self.pick(TECHNICIANS), self.pick(BAYS)
        worked_total = 0
        finding_planned = rng.random() < 0.3
        done: list[tuple[Line, datetime]] = []
        index = 0
        while index < len(queue):
            line = queue[index]
            index += 1
            if line is short and parts_at is not None:
                clock = max(clock, self.shop(parts_at + self.minutes(5, 20)))
            dispatched = clock
            job_id = line.line.line_id
            self.at(
                dispatched, v.wo,
                ws.JobDispatched(repair_order_id=v.ro, job_id=job_id, technician_id=technician, bay=bay,
                                 dispatched_by=self.pick(FOREMEN), dispatched_at=dispatched),
                SYSTEM, v.corr,
            )  # fmt: skip
            started = self.shop(dispatched + self.minutes(2, 8))
            factor = rng.uniform(0.8, 1.2) if rng.random() > 0.05 else rng.uniform(1.6, 2.4)
            minutes = max(5, int(line.op.minutes * factor))
            ended, worked = self.work(v, job_id, technician, started, minutes)
            worked_total += minutes
            for part, quantity, reservation in line.reservations:
                self.at(
                    started + SECOND, self.stock_streams[part.number],
                    pt.PartsIssued(part_number=part.number, reservation_id=reservation, repair_order_id=v.ro,
                                   line_id=job_id, quantity=quantity, from_reservation_quantity=quantity,
                                   issued_at=started + SECOND),
                    PARTS_CLERK, v.corr,
                )  # fmt: skip
            if finding_planned and index == 1:
                finding_planned = False
                found = started + self.minutes(10, 15)
                if found < ended:
                    added = self.additional_work(v, found)
                    if added:
                        queue.extend(added)
                        clock = max(ended, self.shop(v.last_reception + 2 * SECOND))
            completed_at = ended
            self.at(
                completed_at, v.wo,
                ws.JobCompleted(repair_order_id=v.ro, job_id=job_id, technician_id=technician, worked_minutes=worked,
                                total_worked_minutes=minutes, planned_minutes=line.op.minutes,
                                completed_at=completed_at),
                technician, v.corr,
            )  # fmt: skip
            if line.op.old_part and rng.random() < 0.5:
                self.old_part(v, line, completed_at + SECOND)
            done.append((line, completed_at))
            clock = max(clock, self.shop(completed_at + self.minutes(2, 10)))
        if rng.random() < 0.1:  # a test drive before the check
            driven = clock
            self.at(
                driven, v.wo,
                ws.TestDriveRecorded(repair_order_id=v.ro, driven_by=technician, with_customer=False,
                                     notes="no noise, brakes fine", driven_at=driven),
                technician, v.corr,
            )  # fmt: skip
            clock = self.shop(driven + self.minutes(10, 20))
        checked = clock
        first_time = True
        if rng.random() < 0.05:  # QC failed: one job back as rework
            first_time = False
            line = self.pick([line for line, _ in done])
            inspector = self.pick(INSPECTORS)
            self.at(
                checked, v.wo,
                ws.QualityCheckFailed(repair_order_id=v.ro, inspector=inspector, reasons=(self.pick(QC_REASONS),),
                                      rework_job_ids=(line.line.line_id,), failed_at=checked),
                inspector, v.corr,
            )  # fmt: skip
            restarted = self.shop(checked + self.minutes(5, 20))
            rework_minutes = rng.randint(15, 45)
            ended, worked = self.work(v, line.line.line_id, technician, restarted, rework_minutes, rework=True)
            worked_total += rework_minutes
            self.at(
                ended, v.wo,
                ws.JobCompleted(repair_order_id=v.ro, job_id=line.line.line_id, technician_id=technician,
                                worked_minutes=worked, total_worked_minutes=rework_minutes,
                                planned_minutes=line.op.minutes, completed_at=ended),
                technician, v.corr,
            )  # fmt: skip
            checked = self.shop(ended + self.minutes(5, 15))
        ready = checked + SECOND
        self.progress(v, ready, queue)
        inspector = self.pick(INSPECTORS)
        self.at(checked, v.wo, ws.QualityCheckPassed(repair_order_id=v.ro, inspector=inspector, first_time=first_time,
                                                     checked_at=checked), inspector, v.corr)  # fmt: skip
        on_time = ready <= v.promised
        planned_total = sum(line.op.minutes for line in v.lines)
        self.at(
            ready, v.wo,
            ws.VehicleReadyForDelivery(repair_order_id=v.ro, promised_at=v.promised, on_time=on_time,
                                       worked_minutes=worked_total, planned_minutes=planned_total,
                                       rework_count=0 if first_time else 1, ready_at=ready),
            SYSTEM, v.corr,
        )  # fmt: skip
        self.deliver(v, ready, on_time)

    def work(
        self, v: Visit, job_id: UUID, technician: str, started: datetime, minutes: int, *, rework: bool = False
    ) -> tuple[datetime, int]:
        """Clock on at `started` for `minutes` of work, off at closing and on again the next
        morning; returns the end and the minutes of the last session (the job's total is `minutes`)."""
        self.at(started, v.wo, ws.JobStarted(repair_order_id=v.ro, job_id=job_id, technician_id=technician,
                                             rework=rework, started_at=started), technician, v.corr)  # fmt: skip
        remaining, session_start = timedelta(minutes=minutes), started
        while True:
            closes = self.midnight(session_start) + WORKSHOP_CLOSES
            if session_start + remaining <= closes:
                end = session_start + remaining
                return end, int((end - session_start).total_seconds() // 60)
            worked = closes - session_start
            self.at(
                closes, v.wo,
                ws.JobPaused(repair_order_id=v.ro, job_id=job_id, technician_id=technician, reason="end_of_shift",
                             worked_minutes=int(worked.total_seconds() // 60), paused_at=closes),
                technician, v.corr,
            )  # fmt: skip
            remaining -= worked
            session_start = self.midnight(closes) + DAY + WORKSHOP_OPENS
            self.at(
                session_start, v.wo,
                ws.JobStarted(repair_order_id=v.ro, job_id=job_id, technician_id=technician, rework=rework,
                              started_at=session_start),
                technician, v.corr,
            )  # fmt: skip

    def additional_work(self, v: Visit, found: datetime) -> list[Line]:
        """The initial inspection finds 1-2 faults; the advisor asks the customer. Returns the
        lines approved (worked after the signed ones)."""
        rng = self.rng
        candidates = [op for op in FINDINGS if all(line.op is not op for line in v.lines)]
        chosen = rng.sample(candidates, 1 if rng.random() < 0.8 else 2)
        findings = []
        for op in chosen:
            proposed = self.line(op, "additional_work")
            finding = ws.Finding(
                finding_id=self.uuid(), description=f"{op.description}: worn", safety_critical=op.safety,
                proposed_lines=(proposed,), extra_minutes=op.minutes,
                evidence_refs=(f"photo-{proposed.line_id.hex[:8]}",),
            )  # fmt: skip
            findings.append((finding, Line(proposed, op)))
        foreman = self.pick(FOREMEN)
        self.at(
            found, v.wo,
            ws.AdditionalWorkFound(repair_order_id=v.ro, round=1, findings=tuple(f for f, _ in findings),
                                   reported_by=foreman, found_at=found),
            foreman, v.corr,
        )  # fmt: skip
        approved: list[Line] = []
        t = max(found + SECOND, v.last_reception + SECOND)
        for finding, line in findings:
            self.at(
                t, v.stream,
                rc.AdditionalWorkAwaitingApproval(
                    repair_order_id=v.ro, finding_id=finding.finding_id, description=finding.description,
                    proposed_lines=finding.proposed_lines, safety_critical=finding.safety_critical,
                    evidence_refs=finding.evidence_refs, extra_minutes=finding.extra_minutes,
                    price=line.line.price, received_at=t,
                ),
                SYSTEM, v.corr,
            )  # fmt: skip
            t += SECOND
        decided = t + self.minutes(8, 45)
        for finding, line in findings:
            if rng.random() < (0.7 if finding.safety_critical else 0.5):
                self.at(
                    decided, v.stream,
                    rc.AdditionalWorkApproved(repair_order_id=v.ro, finding_id=finding.finding_id,
                                              lines=finding.proposed_lines, extra_minutes=finding.extra_minutes,
                                              consent=self.consent(v.advisor, decided), approved_at=decided),
                    v.advisor, v.corr,
                )  # fmt: skip
                self.at(
                    decided + SECOND, v.wo,
                    ws.JobsAdded(repair_order_id=v.ro, jobs=(self.job(line.line),), finding_id=finding.finding_id,
                                 added_at=decided + SECOND),
                    SYSTEM, v.corr,
                )  # fmt: skip
                for part, quantity in line.op.parts:
                    reservation = self.uuid()
                    line.reservations.append((part, quantity, reservation))
                    self.at(
                        decided + 2 * SECOND, self.stock_streams[part.number],
                        pt.PartsReserved(part_number=part.number, reservation_id=reservation, repair_order_id=v.ro,
                                         line_id=line.line.line_id, quantity=quantity,
                                         reserved_at=decided + 2 * SECOND),
                        SYSTEM, v.corr,
                    )  # fmt: skip
                approved.append(line)
                v.lines.append(line)
            else:
                recommendation = rv.Recommendation(
                    finding_id=finding.finding_id, description=finding.description,
                    safety_critical=finding.safety_critical, labour_minutes=line.op.minutes,
                    labour_price=line.op.labour_price, parts_price=line.op.parts_price, lines=finding.proposed_lines,
                )  # fmt: skip
                self.at(
                    decided, v.stream,
                    rc.AdditionalWorkDeclined(
                        repair_order_id=v.ro, vehicle=v.customer.r_vehicle, customer_id=v.customer.customer_id,
                        recommendation=recommendation, customer_reason=rng.choice(("next time", "too expensive")),
                        safety_explained=finding.safety_critical, consent=self.consent(v.advisor, decided),
                        declined_at=decided,
                    ),
                    v.advisor, v.corr,
                )  # fmt: skip
                self.at(
                    decided + SECOND, v.wo,
                    ws.FindingDeclined(repair_order_id=v.ro, finding_id=finding.finding_id,
                                       declined_at=decided + SECOND),
                    SYSTEM, v.corr,
                )  # fmt: skip
                v.declined.append(recommendation)
            decided += 2 * SECOND
        v.last_reception = decided
        if approved:  # the extra time was part of what the customer agreed to
            extra = timedelta(minutes=sum(line.op.minutes for line in approved) + 15)
            promise = self.shop(v.promised + extra)
            promise += timedelta(minutes=(-promise.minute) % 15, seconds=-promise.second)
            self.revise(v, decided, promise, "additional work approved")
        return approved

    def progress(self, v: Visit, ready: datetime, queue: list[Line]) -> None:
        """The progress check at 75 % of the promised duration (and at half time for long
        jobs): the forecast against the promise; a late car mostly gets a new promise before the old one."""
        rng = self.rng
        span = v.promised - v.signed
        checks = [("three_quarters", v.signed + span * 0.75)]
        if span > 4 * HOUR:
            checks.insert(0, ("half_time", v.signed + span * 0.5))
        for check, at in checks:
            at = at.replace(microsecond=0)
            if at >= ready or at <= v.last_reception:
                continue
            on_track = ready <= v.promised
            remaining = max(0, int((ready - at).total_seconds() // 60))
            self.at(
                at, v.wo,
                ws.ProgressCheckDue(repair_order_id=v.ro, check=check, promised_at=v.promised, forecast_ready_at=ready,
                                    remaining_minutes=remaining, on_track=on_track, checked_at=at),
                SYSTEM, v.corr,
            )  # fmt: skip
            if not on_track:
                late_by = max(1, int((ready - v.promised).total_seconds() // 60))
                self.at(
                    at + SECOND, v.wo,
                    ws.JobRunningLate(repair_order_id=v.ro, promised_at=v.promised, forecast_ready_at=ready,
                                      late_by_minutes=late_by, job_ids=(queue[-1].line.line_id,),
                                      detected_at=at + SECOND),
                    SYSTEM, v.corr,
                )  # fmt: skip
                if rng.random() < 0.7:  # else the advisor misses it: the car is delivered late
                    told = at + self.minutes(5, 20)
                    new_promise = ready + timedelta(minutes=(-ready.minute) % 15 + 15, seconds=-ready.second)
                    self.revise(v, told, new_promise, "the work takes longer than planned")
