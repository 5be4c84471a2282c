"""The morning of a visit: the car arrives (by appointment, walking in, towed), is checked in
and walked around, its concerns recorded, an estimate signed; parts are reserved and the car is
handed over to the workshop."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from bench.history.booking import Booking
from bench.history.reference import CONCERNS, DAMAGES
from bench.history.site import ADVISORS, DAY, HOUR, MINUTE, SECOND, SYSTEM, WORKSHOP_CLOSES, WORKSHOP_OPENS
from bench.history.state import Line, Visit
from events.catalog import parts as pt
from events.catalog import reception as rc
from events.catalog import workshop as ws


class CheckIn(Booking):
    """Plans a car's arrival up to the hand-over to the workshop."""

    def visit(self, d: int, arrival_kind: str) -> None:
        rng = self.rng
        customer = self.customer(d, first_visit=arrival_kind == "first_visit")
        ops = self.jobs()
        advisor = self.pick(ADVISORS)
        appointment_id: UUID | None = None
        if arrival_kind == "appointment":
            appointment_id, arrived, priority = self.appointment(d, customer, ops, advisor, "arrived")
        else:
            hour = rng.triangular(0, 9, 1.5)  # after opening: a morning peak
            arrived = self.day(d) + WORKSHOP_OPENS + timedelta(seconds=int(hour * 3600))
            priority = "normal" if arrival_kind == "walk_in" else "appointment"
        ro = self.uuid()
        stream, wo, corr = f"repair_order-{ro}", f"work_order-{ro}", str(ro)
        greeted = arrived + self.minutes(1, 4)
        waiting = rng.random() < 0.4
        self.at(
            greeted, stream,
            rc.VehicleCheckedIn(
                repair_order_id=ro, arrival_kind=arrival_kind, priority=priority, appointment_id=appointment_id,
                customer=customer.r_contact, vehicle=customer.r_vehicle, vehicle_user=customer.r_user,
                service_advisor=advisor, arrived_at=arrived, greeted_at=greeted, customer_waiting=waiting,
                contact_phone=customer.r_user.phone, courtesy_offered=() if waiting else ("shuttle", "loaner"),
                courtesy_accepted=None if waiting or rng.random() < 0.7 else "shuttle",
            ),
            advisor, corr,
        )  # fmt: skip
        t = greeted + self.minutes(5, 10)
        declined_walk_around = rng.random() < 0.05
        self.at(
            t, stream,
            rc.WalkAroundRecorded(
                repair_order_id=ro, mileage_km=customer.mileage, fuel_eighths=rng.randint(1, 8),
                damages=(self.pick(DAMAGES),) if rng.random() < 0.2 else (), valuables_reminded=True,
                protective_covers_fitted=True, declined_by_customer=declined_walk_around, recorded_at=t,
            ),
            advisor, corr,
        )  # fmt: skip
        concern = CONCERNS[0] if ops[0].maintenance else CONCERNS[1 + rng.randrange(len(CONCERNS) - 1)]
        t += self.minutes(3, 8)
        self.at(
            t, stream,
            rc.ConcernRecorded(repair_order_id=ro, concern_id=self.uuid(), customer_words=concern[0], what=concern[1],
                               when=concern[2], where=concern[3], who=concern[4], how_often=concern[5], recorded_at=t),
            advisor, corr,
        )  # fmt: skip
        if arrival_kind != "appointment" and rng.random() < 0.04:  # a question answered on the spot
            t += self.minutes(5, 15)
            self.at(
                t, stream,
                rc.ExitSlipIssued(repair_order_id=ro, exit_kind="consultation", advice="no work needed for now",
                                  diagnosis_fee=0, currency="CNY", vehicle=customer.r_vehicle, issued_at=t),
                advisor, corr,
            )  # fmt: skip
            return
        lines = [Line(self.line(op), op) for op in ops]
        t += self.minutes(3, 8)
        self.at(
            t, stream,
            rc.RepairOrderOpened(repair_order_id=ro, appointment_id=appointment_id, vehicle=customer.r_vehicle,
                                 service_advisor=advisor, priority=priority, opened_at=t),
            advisor, corr,
        )  # fmt: skip
        planned = sum(op.minutes for op in ops)
        signed = t + self.minutes(4, 12)
        queue = timedelta(minutes=30 + planned * 0.3)
        promised = self.shop(signed + queue + timedelta(minutes=planned) + 20 * MINUTE)
        promised = promised + timedelta(minutes=(-promised.minute) % 15, seconds=-promised.second)
        if promised > self.midnight(signed) + WORKSHOP_CLOSES:
            promised = self.midnight(signed) + DAY + 12 * HOUR
        totals, total, customer_pay = self.totals([line.line for line in lines])
        payment = self.pick(("card", "mobile", "mobile", "cash")) if customer_pay else "warranty_claim"
        self.at(
            t + SECOND, stream,
            rc.EstimatePrepared(
                repair_order_id=ro, lines=tuple(line.line for line in lines), totals=totals, total=total,
                customer_pay_total=customer_pay, currency="CNY", estimate_method="item", promised_at=promised,
                payment_method=payment, old_parts=rng.choice(("keep", "discard")), wash=rng.random() < 0.7,
                prepared_at=t + SECOND,
            ),
            advisor, corr,
        )  # fmt: skip
        self.at(
            signed, stream,
            rc.RepairOrderSigned(
                repair_order_id=ro, appointment_id=appointment_id, vehicle=customer.r_vehicle, priority=priority,
                customer_waiting=waiting, lines=tuple(line.line for line in lines), promised_at=promised,
                signature_ref=f"sig-{ro.hex[:12]}", signed_at=signed,
            ),
            advisor, corr,
        )  # fmt: skip
        handed = signed + self.minutes(4, 12)
        key_tag = f"K{rng.randint(1, 400):03d}"
        self.at(handed, stream, rc.VehicleHandedOver(repair_order_id=ro, key_tag=key_tag, handed_over_at=handed),
                advisor, corr)  # fmt: skip
        # The workshop opens the work order from the signed RO; parts reserves the lines' parts.
        jobs = [self.job(line.line) for line in lines]
        self.at(
            signed + SECOND, wo,
            ws.WorkOrderOpened(repair_order_id=ro, vehicle=customer.r_vehicle, priority=priority,
                               customer_waiting=waiting, promised_at=promised, jobs=tuple(jobs),
                               opened_at=signed + SECOND),
            SYSTEM, corr,
        )  # fmt: skip
        self.at(handed + SECOND, wo, ws.VehicleReceived(repair_order_id=ro, key_tag=key_tag,
                                                        received_at=handed + SECOND), SYSTEM, corr)  # fmt: skip
        short: Line | None = None
        parts_lines = [line for line in lines if line.op.parts]
        if parts_lines and rng.random() < 0.12:
            short = self.pick(parts_lines)
        for line in parts_lines:
            for part, quantity in line.op.parts:
                reservation = self.uuid()
                line.reservations.append((part, quantity, reservation))
                if line is short and part is line.op.parts[0][0]:
                    continue  # reserved later, from the back-order
                self.at(
                    signed + 2 * SECOND, self.stock_streams[part.number],
                    pt.PartsReserved(part_number=part.number, reservation_id=reservation, repair_order_id=ro,
                                     line_id=line.line.line_id, quantity=quantity, reserved_at=signed + 2 * SECOND),
                    SYSTEM, corr,
                )  # fmt: skip
        state = Visit(ro=ro, stream=stream, wo=wo, corr=corr, advisor=advisor, customer=customer, lines=lines,
                       promised=promised, original_promise=promised, waiting=waiting, signed=signed,
                       last_reception=handed)  # fmt: skip
        parts_at: datetime | None = None
        if short is not None:
            parts_at = self.shortage(state, short, signed)
        if len(lines) >= 2 and lines[-1] is not short and rng.random() < 0.015:  # a line taken off before work
            self.withdraw(state, lines[-1], handed + self.minutes(5, 15))
        self.workshop(state, handed, parts_at, short)
