"""Reception's part in a visit after the signature: the customer and jobs a visit draws, its
repair lines and totals, a revised promise, a line withdrawn, and delivery (settlement, hand-back,
old parts disposed of), which hands the visit to follow-up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bench.history.followup import Followup
from bench.history.reference import (
    GIVEN,
    HEALTH_ITEMS,
    HEALTH_PARTS,
    MAINTENANCE,
    MODELS,
    PLATE_CHARS,
    REPAIR_WEIGHTS,
    REPAIRS,
    SURNAMES,
    VIN_CHARS,
    Op,
)
from bench.history.site import CASHIER, DAY, HOUR, MINUTE, PARTS_CLERK, SECOND, SYSTEM
from bench.history.state import Customer, Line, Visit
from events.catalog import booking_values as bv
from events.catalog import parts as pt
from events.catalog import reception as rc
from events.catalog import reception_values as rv
from events.catalog import workshop as ws


class Reception(Followup):
    """Plans the advisor's and cashier's steps of a visit."""

    def customer(self, d: int, *, first_visit: bool = False) -> Customer:
        """A returning customer (whose last visit is a month back) or a new one."""
        rng = self.rng
        if not first_visit and len(self.customers) > 500 and rng.random() < 0.65:
            for _ in range(4):
                known = self.customers[rng.randrange(len(self.customers))]
                if known.last_day <= d - 30:
                    known.last_day = d
                    known.mileage += rng.randint(3000, 9000)
                    return known
        customer_id = self.uuid()
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
        phone = f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"
        vin = "".join(rng.choices(VIN_CHARS, k=17))
        plate = "沪" + rng.choice("ABCDEFGHJK") + "".join(rng.choices(PLATE_CHARS, k=5))
        model = rng.choice(MODELS)
        vehicle_id = self.uuid()
        b_contact = bv.Contact(name=name, phone=phone, customer_id=customer_id)
        r_contact = rv.Contact(name=name, phone=phone, customer_id=customer_id)
        if rng.random() < 0.2:  # someone else drives the car: callbacks go to them
            user_id = self.uuid()
            user_name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
            user_phone = f"15{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"
            b_user = bv.Contact(name=user_name, phone=user_phone, customer_id=user_id)
            r_user = rv.Contact(name=user_name, phone=user_phone, customer_id=user_id)
        else:
            user_id, b_user, r_user = customer_id, b_contact, r_contact
        customer = Customer(
            customer_id=customer_id, name=name, phone=phone, b_contact=b_contact, r_contact=r_contact,
            b_vehicle=bv.VehicleIdentity(vin=vin, plate=plate, model=model, vehicle_id=vehicle_id),
            r_vehicle=rv.VehicleIdentity(vin=vin, plate=plate, model=model, vehicle_id=vehicle_id),
            b_user=b_user, r_user=r_user, file_id=user_id, model=model, year=rng.randint(2014, 2025),
            mileage=rng.randint(3000, 120_000), last_day=d, do_not_call=rng.random() < 0.02,
        )  # fmt: skip
        self.customers.append(customer)
        return customer

    def jobs(self) -> list[Op]:
        """1-4 operations: mostly a service, often with a repair or two."""
        rng = self.rng
        count = rng.choices((1, 2, 3, 4), (38, 32, 20, 10))[0]
        ops: list[Op] = []
        if rng.random() < 0.55:
            ops.append(rng.choices(MAINTENANCE, (60, 30, 10))[0])
        while len(ops) < count:
            op = rng.choices(REPAIRS, REPAIR_WEIGHTS)[0]
            if op not in ops:
                ops.append(op)
        return ops

    def line(self, op: Op, origin: str = "estimate") -> rv.RepairLine:
        warranty = op.pay_type == "CUSTOMER_PAY" and not op.maintenance and self.rng.random() < 0.06
        pay_type = "WARRANTY" if warranty else op.pay_type
        return rv.RepairLine(
            line_id=self.uuid(), labour_operation=op.code, description=op.description, labour_minutes=op.minutes,
            labour_price=op.labour_price, pay_type=pay_type,
            pay_type_reason="recall campaign" if op.code == "RCL-ECU" else None,
            parts=op.repair_parts, safety_critical=op.safety, origin=origin,
        )  # fmt: skip

    def totals(self, lines: Sequence[rv.RepairLine]) -> tuple[tuple[rv.PayTypeTotal, ...], int, int]:
        by_type: dict[str, list[int]] = {}
        for line in lines:
            sums = by_type.setdefault(line.pay_type, [0, 0])
            sums[0] += line.labour_price
            sums[1] += line.parts_price
        totals = tuple(
            rv.PayTypeTotal(pay_type=pay_type, labour=labour, parts=parts, total=labour + parts)
            for pay_type, (labour, parts) in sorted(by_type.items())
        )
        customer_pay = sum(t.total for t in totals if t.pay_type == "CUSTOMER_PAY")
        return totals, sum(t.total for t in totals), customer_pay

    def job(self, line: rv.RepairLine) -> ws.Job:
        return ws.Job(job_id=line.line_id, labour_operation=line.labour_operation, description=line.description,
                      planned_minutes=line.labour_minutes, safety_critical=line.safety_critical,
                      origin=line.origin)  # fmt: skip

    def consent(self, advisor: str, at: datetime) -> rv.Consent:
        return rv.Consent(kind="phone", recorded_by=advisor, at=at, reference=f"rec-{self.rng.getrandbits(40):010x}")

    def revise(self, v: Visit, at: datetime, promise: datetime, reason: str) -> None:
        self.at(
            at, v.stream,
            rc.PromisedTimeRevised(repair_order_id=v.ro, previous_promised_at=v.promised, promised_at=promise,
                                   reason=reason, consent=self.consent(v.advisor, at),
                                   informed_before_promise=at < v.promised, revised_at=at),
            v.advisor, v.corr,
        )  # fmt: skip
        self.at(
            at + SECOND, v.wo,
            ws.PromisedTimeUpdated(repair_order_id=v.ro, previous_promised_at=v.promised, promised_at=promise,
                                   updated_at=at + SECOND),
            SYSTEM, v.corr,
        )  # fmt: skip
        v.promised = promise
        v.last_reception = max(v.last_reception, at)

    def withdraw(self, v: Visit, line: Line, at: datetime) -> None:
        v.lines.remove(line)
        self.at(
            at, v.stream,
            rc.RepairLineRemoved(repair_order_id=v.ro, line_id=line.line.line_id, reason="customer changed their mind",
                                 consent=self.consent(v.advisor, at), removed_at=at),
            v.advisor, v.corr,
        )  # fmt: skip
        self.at(
            at + SECOND, v.wo,
            ws.JobWithdrawn(repair_order_id=v.ro, job_id=line.line.line_id, reason="line removed by the customer",
                            withdrawn_at=at + SECOND),
            SYSTEM, v.corr,
        )  # fmt: skip
        for part, quantity, reservation in line.reservations:
            self.at(
                at + 2 * SECOND, self.stock_streams[part.number],
                pt.ReservationReleased(part_number=part.number, reservation_id=reservation, repair_order_id=v.ro,
                                       line_id=line.line.line_id, released_quantity=quantity,
                                       cancelled_backorder_quantity=0, reason="line removed",
                                       released_at=at + 2 * SECOND),
                SYSTEM, v.corr,
            )  # fmt: skip
        line.reservations.clear()
        v.last_reception = max(v.last_reception, at)

    def deliver(self, v: Visit, ready: datetime, on_time: bool) -> None:
        rng = self.rng
        marked = max(ready + SECOND, v.last_reception + SECOND)
        self.at(marked, v.stream, rc.ReadyForDeliveryMarked(repair_order_id=v.ro, ready_at=marked), SYSTEM, v.corr)
        if v.waiting and ready.hour < 18:
            settled = marked + self.minutes(5, 15)
        else:  # picked up after work, or the next morning
            evening = self.midnight(marked) + 17 * HOUR + self.minutes(0, 150)
            settled = evening if marked < evening - 15 * MINUTE else self.midnight(marked) + DAY + self.minutes(
                510, 630)  # fmt: skip
        customer = v.customer
        lines = [line.line for line in v.lines]
        totals, total, customer_pay = self.totals(lines)
        labour = sum(line.labour_price for line in lines)
        invoice = f"INV-{settled:%Y%m%d}-{rng.getrandbits(24):06x}"
        record = rv.MaintenanceRecord(
            plate=customer.r_vehicle.plate, vin=customer.r_vehicle.vin, repair_date=v.signed.date(),
            mileage_km=customer.mileage, fault_description=v.lines[0].op.description,
            settlement_date=settled.date(), settlement_number=invoice,
            items=tuple(HEALTH_ITEMS[line.op.code] for line in v.lines),
            parts=tuple(p for line in v.lines for p in HEALTH_PARTS[line.op.code]),
        )  # fmt: skip
        self.at(
            settled, v.stream,
            rc.InvoiceSettled(
                repair_order_id=v.ro, invoice_number=invoice,
                payment_method=self.pick(("card", "mobile", "mobile", "cash")) if customer_pay else "warranty_claim",
                currency="CNY", totals=totals, labour_total=labour, parts_total=total - labour, total=total,
                customer_pay_total=customer_pay, health_record=record, settled_at=settled,
            ),
            CASHIER, v.corr,
        )  # fmt: skip
        delivered = settled + self.minutes(5, 15)
        maintenance = any(line.op.maintenance for line in v.lines)
        due_date = (delivered + timedelta(days=180)).date() if maintenance else None
        self.at(
            delivered, v.stream,
            rc.VehicleDelivered(
                repair_order_id=v.ro, vehicle=customer.r_vehicle, customer=customer.r_contact,
                vehicle_user=customer.r_user, mileage_km=customer.mileage, promised_at=v.promised,
                original_promised_at=v.original_promise, on_time=on_time, work_explained=True, old_parts_shown=True,
                old_parts_returned=bool(v.old_parts), next_service_due_date=due_date,
                next_service_due_km=customer.mileage + 10000 if maintenance else None,
                pending_recommendations=tuple(v.declined), delivered_at=delivered,
            ),
            v.advisor, v.corr,
        )  # fmt: skip
        for old, warranty in v.old_parts:
            self.at(
                delivered + SECOND, f"old_part-{old}",
                pt.OldPartDisposed(old_part_id=old, repair_order_id=v.ro,
                                   disposition="returned_to_manufacturer" if warranty else "returned_to_customer",
                                   disposed_at=delivered + SECOND),
                PARTS_CLERK, v.corr,
            )  # fmt: skip
        customer.declined = v.declined[0] if v.declined else None
        self.followup(v, delivered, invoice, due_date)
