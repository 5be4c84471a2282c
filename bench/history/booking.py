"""Booking: appointments taken days ahead (rescheduled, confirmed, prepared; cancelled or
missed), their slots, and customers and vehicles registered in booking's database."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from bench.history.reference import CONCERNS, REQUESTED_PARTS, SLOT_OFFSETS, SLOT_WEIGHTS, Op
from bench.history.site import BOOKING_LEAD_DAYS, FIRST_DAY, HOUR, MINUTE, SECOND, SITE_ID, SYSTEM, WORKSHOP_OPENS
from bench.history.state import Customer
from bench.history.workshop import Workshop
from events.catalog import booking as bk
from events.catalog import booking_values as bv


class Booking(Workshop):
    """Plans an appointment and what it reserves."""

    def appointment(
        self, d: int, customer: Customer, ops: list[Op], advisor: str, outcome: str
    ) -> tuple[UUID, datetime, str]:
        """Book (and maybe move, confirm, prepare) an appointment for day `d`; `outcome`:
        `arrived` (returns the arrival), `cancelled` or `no_show`."""
        rng = self.rng
        appointment_id = self.uuid()
        stream, corr = f"appointment-{appointment_id}", str(appointment_id)
        today = self.day(d)
        slot = today + WORKSHOP_OPENS + timedelta(minutes=rng.choices(SLOT_OFFSETS, SLOT_WEIGHTS)[0])
        lead = min(rng.randint(1, BOOKING_LEAD_DAYS), d)
        if lead == 0:
            booked = max(self.cursor, FIRST_DAY + 7 * HOUR) + self.minutes(1, 50)
        else:
            booked = self.day(d - lead) + 9 * HOUR + self.minutes(0, 540)
        if not customer.registered:
            customer.registered = True
            self.register(customer, booked - 2 * MINUTE, advisor, corr)
        requested = tuple(
            bv.RequestedJob(job_id=self.uuid(), description=op.description, labour_operation=op.code,
                            estimated_minutes=op.minutes, parts=REQUESTED_PARTS[op.code])
            for op in ops
        )  # fmt: skip
        minutes = sum(op.minutes for op in ops)
        active = rng.random() < 0.2
        if active:
            reason = rng.choices(("maintenance_due", "declined_recommendation", "campaign", "recall"), (6, 2, 1, 1))[0]
            kind, channel = "active", "dealer_initiated"
            reference = "CMP-2026-SPRING" if reason == "campaign" else "RCL-2026-014" if reason == "recall" else None
        else:
            kind, channel, reference = "passive", rng.choices(("phone", "internet", "in_person"), (5, 4, 1))[0], None
            reason = "maintenance" if ops[0].maintenance else rng.choices(("repair", "accident"), (20, 1))[0]
        moved = rng.random() < 0.12
        first_slot = slot + timedelta(days=rng.randint(1, 3)) if moved else slot
        self.at(
            booked, stream,
            bk.AppointmentBooked(
                appointment_id=appointment_id, kind=kind, reason=reason, reference=reference, channel=channel,
                customer=customer.b_contact, vehicle=customer.b_vehicle, mileage_km=customer.mileage,
                vehicle_user=customer.b_user, requested_jobs=requested, customer_words=CONCERNS[0][0]
                if ops[0].maintenance else CONCERNS[1 + rng.randrange(len(CONCERNS) - 1)][0],
                advisor_id=advisor, slot_start=first_slot, estimated_minutes=minutes, booked_at=booked,
            ),
            advisor, corr,
        )  # fmt: skip
        self.slot(booked + SECOND, appointment_id, advisor, first_slot, minutes, corr)
        last = booked + SECOND
        if moved:
            last = booked + self.minutes(30, 300)
            self.at(
                last, stream,
                bk.AppointmentRescheduled(
                    appointment_id=appointment_id, previous_slot_start=first_slot, slot_start=slot, advisor_id=advisor,
                    estimated_minutes=minutes, requested_by="customer", reason="customer asked for an earlier day",
                    rescheduled_at=last,
                ),
                advisor, corr,
            )  # fmt: skip
            self.at(
                last + SECOND, self.capacity_stream,
                bk.SlotReleased(site_id=SITE_ID, appointment_id=appointment_id, slot_start=first_slot, minutes=minutes,
                                reason="rescheduled", released_at=last + SECOND),
                advisor, corr,
            )  # fmt: skip
            self.slot(last + 2 * SECOND, appointment_id, advisor, slot, minutes, corr)
        if outcome == "cancelled":
            cancelled = min(last + self.minutes(60, 2880), slot - 2 * HOUR)
            cancelled = max(cancelled, last + MINUTE)
            self.at(
                cancelled, stream,
                bk.AppointmentCancelled(appointment_id=appointment_id, slot_start=slot, requested_by="customer",
                                        reason=rng.choice(("plans changed", "car sold", "went elsewhere")),
                                        cancelled_at=cancelled),
                advisor, corr,
            )  # fmt: skip
            self.at(
                cancelled + SECOND, self.capacity_stream,
                bk.SlotReleased(site_id=SITE_ID, appointment_id=appointment_id, slot_start=slot, minutes=minutes,
                                reason="cancelled", released_at=cancelled + SECOND),
                advisor, corr,
            )  # fmt: skip
            return appointment_id, cancelled, "normal"
        confirmed = False
        if d >= 1:
            asked = max(self.day(d - 1) + 10 * HOUR + self.minutes(0, 30), last + 30 * MINUTE)
            self.at(
                asked, stream,
                bk.ConfirmationRequested(appointment_id=appointment_id, slot_start=slot, advisor_id=advisor,
                                         contact=customer.b_user, requested_at=asked),
                SYSTEM, corr,
            )  # fmt: skip
            if rng.random() < (0.85 if outcome == "arrived" else 0.5):
                confirmed = True
                at = asked + self.minutes(5, 300)
                self.at(
                    at, stream,
                    bk.AppointmentConfirmed(appointment_id=appointment_id, confirmation="day_before",
                                            channel=rng.choice(("phone", "sms", "wechat")), slot_start=slot,
                                            confirmed_at=at),
                    advisor, corr,
                )  # fmt: skip
            prepared = max(self.day(d - 1) + 16 * HOUR + self.minutes(0, 120), asked + 6 * HOUR)
        else:
            prepared = max(self.cursor, slot - 90 * MINUTE, last + MINUTE)
        offered: tuple[bv.OfferedRecommendation, ...] = ()
        if customer.declined is not None:
            old = customer.declined
            offered = (
                bv.OfferedRecommendation(finding_id=old.finding_id, description=old.description,
                                         safety_critical=old.safety_critical,
                                         response=rng.choice(("accepted", "declined", "undecided"))),
            )  # fmt: skip
        checks = tuple(
            bv.PartCheck(part_number=p.part_number, quantity=p.quantity, available=True)
            for job in requested
            for p in job.parts
        )
        self.at(
            prepared, stream,
            bk.AppointmentPrepared(
                appointment_id=appointment_id, history_summary=f"{customer.model} {customer.year}, "
                f"{customer.mileage} km", recommendations=offered, parts_checked=checks, parts_ready=True,
                prepared_by=advisor, prepared_at=prepared,
            ),
            advisor, corr,
        )  # fmt: skip
        if not confirmed and prepared < slot - 30 * MINUTE:
            noticed = slot - 30 * MINUTE
            self.at(
                noticed, stream,
                bk.ArrivalConfirmationOverdue(appointment_id=appointment_id, slot_start=slot, advisor_id=advisor,
                                              contact=customer.b_user, day_before_confirmed=False,
                                              noticed_at=noticed),
                SYSTEM, corr,
            )  # fmt: skip
            if outcome == "arrived" and rng.random() < 0.6:
                at = noticed + self.minutes(1, 10)
                self.at(
                    at, stream,
                    bk.AppointmentConfirmed(appointment_id=appointment_id, confirmation="before_arrival",
                                            channel="phone", slot_start=slot, confirmed_at=at),
                    advisor, corr,
                )  # fmt: skip
        if outcome == "no_show":
            at = slot + 30 * MINUTE
            self.at(
                at, stream,
                bk.AppointmentNoShow(appointment_id=appointment_id, slot_start=slot, advisor_id=advisor,
                                     confirmed=confirmed, recorded_at=at),
                SYSTEM, corr,
            )  # fmt: skip
            self.at(
                at + SECOND, self.capacity_stream,
                bk.SlotReleased(site_id=SITE_ID, appointment_id=appointment_id, slot_start=slot, minutes=minutes,
                                reason="no_show", released_at=at + SECOND),
                SYSTEM, corr,
            )  # fmt: skip
            return appointment_id, at, "normal"
        early = rng.random() < 0.6
        offset = self.minutes(0, 20) if early else self.minutes(0, 25)
        arrived = slot - offset if early else slot + offset
        arrived = max(arrived, prepared + MINUTE)
        late_minutes = int((arrived - slot).total_seconds() // 60) if arrived >= slot else 0
        early_minutes = int((slot - arrived).total_seconds() // 60) if arrived < slot else 0
        priority = "normal" if late_minutes > 15 else "appointment"
        self.at(
            arrived, stream,
            bk.VehicleArrived(
                appointment_id=appointment_id, customer=customer.b_contact, vehicle=customer.b_vehicle,
                vehicle_user=customer.b_user, advisor_id=advisor, slot_start=slot, arrived_at=arrived,
                priority=priority, early_minutes=early_minutes, late_minutes=late_minutes, requested_jobs=requested,
            ),
            advisor, corr,
        )  # fmt: skip
        return appointment_id, arrived, priority

    def slot(self, at: datetime, appointment_id: UUID, advisor: str, slot: datetime, minutes: int, corr: str) -> None:
        self.at(
            at, self.capacity_stream,
            bk.SlotReserved(site_id=SITE_ID, appointment_id=appointment_id, advisor_id=advisor, slot_start=slot,
                            minutes=minutes, allocations=(bv.SlotAllocation(slot_start=slot, minutes=minutes),),
                            reserved_at=at),
            advisor, corr,
        )  # fmt: skip

    def register(self, customer: Customer, at: datetime, actor: str, corr: str) -> None:
        stream = f"customer-{customer.customer_id}"
        self.at(
            at, stream,
            bk.CustomerRegistered(customer_id=customer.customer_id, name=customer.name, phones=(customer.phone,),
                                  preferred_contact="phone", do_not_call=customer.do_not_call, registered_at=at),
            actor, corr,
        )  # fmt: skip
        other = customer.b_user if customer.b_user.customer_id != customer.customer_id else None
        self.at(
            at + SECOND, stream,
            bk.VehicleRegistered(customer_id=customer.customer_id, vehicle_id=customer.b_vehicle.vehicle_id or
                                 self.uuid(), vin=customer.b_vehicle.vin, plate=customer.b_vehicle.plate,
                                 model=customer.model, year=customer.year, vehicle_user=other,
                                 registered_at=at + SECOND),
            actor, corr,
        )  # fmt: skip
