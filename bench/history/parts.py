"""Parts in a visit: a shortage (detected, ordered, received, reserved) and the old parts a
repair takes off the car."""

from __future__ import annotations

from datetime import datetime, timedelta

from bench.history.reception import Reception
from bench.history.site import DAY, PARTS_CLERK, SECOND, SYSTEM
from bench.history.state import Line, Visit
from events.catalog import parts as pt
from events.catalog import parts_values as pv
from events.catalog import workshop as ws


class Parts(Reception):
    """Plans what the parts clerk does for a visit."""

    def shortage(self, v: Visit, short: Line, signed: datetime) -> datetime:
        """Parts lacks the line's first part: the job waits; an emergency order fills it the same
        afternoon or the next day. Returns when the job can go on."""
        rng = self.rng
        part, quantity, reservation = short.reservations[0]
        stock, line_id = self.stock_streams[part.number], short.line.line_id
        detected = signed + 2 * SECOND
        self.at(
            detected, stock,
            pt.PartsShortageDetected(part_number=part.number, reservation_id=reservation, repair_order_id=v.ro,
                                     line_id=line_id, missing_quantity=quantity, cause="insufficient_stock",
                                     detected_at=detected),
            SYSTEM, v.corr,
        )  # fmt: skip
        self.at(
            detected + SECOND, v.wo,
            ws.JobWaitingForParts(repair_order_id=v.ro, job_id=line_id, part_number=part.number,
                                  missing_quantity=quantity, since=detected),
            SYSTEM, v.corr,
        )  # fmt: skip
        order = self.uuid()
        ordered = detected + self.minutes(10, 40)
        same_day = rng.random() < 0.4 and ordered.hour < 13
        arrives = ordered + self.minutes(150, 300) if same_day else self.midnight(ordered) + DAY + self.minutes(
            600, 900)  # fmt: skip
        self.at(
            ordered, f"parts_order-{order}",
            pt.PartsOrdered(parts_order_id=order, supplier="FAW Toyota regional warehouse",
                            lines=(pv.OrderLine(line_number=1, part_number=part.number, quantity=quantity,
                                                repair_order_id=v.ro, line_id=line_id),),
                            expected_at=arrives, ordered_at=ordered),
            PARTS_CLERK, v.corr,
        )  # fmt: skip
        if not same_day:  # the customer agrees to the new time (before the old one)
            told = ordered + self.minutes(10, 30)
            new_promise = arrives + timedelta(minutes=60 + sum(line.op.minutes for line in v.lines))
            new_promise = self.shop(new_promise)
            self.revise(v, told, new_promise, "waiting for parts")
        self.at(
            arrives, f"parts_order-{order}",
            pt.PartsReceived(part_number=part.number, parts_order_id=order, order_kind="emergency", line_number=1,
                             quantity=quantity, back_ordered_quantity=0, repair_order_id=v.ro, line_id=line_id,
                             received_at=arrives),
            PARTS_CLERK, v.corr,
        )  # fmt: skip
        self.at(
            arrives + SECOND, stock,
            pt.StockReceived(part_number=part.number, quantity=quantity, unit_cost=part.unit_cost, source="supplier",
                             parts_order_id=order, received_at=arrives + SECOND),
            PARTS_CLERK, v.corr,
        )  # fmt: skip
        self.at(
            arrives + 2 * SECOND, stock,
            pt.PartsReserved(part_number=part.number, reservation_id=reservation, repair_order_id=v.ro,
                             line_id=line_id, quantity=quantity, from_backorder=True,
                             reserved_at=arrives + 2 * SECOND),
            SYSTEM, v.corr,
        )  # fmt: skip
        self.at(
            arrives + 3 * SECOND, v.wo,
            ws.JobPartsArrived(repair_order_id=v.ro, job_id=line_id, part_number=part.number, quantity=quantity,
                               arrived_at=arrives + 3 * SECOND),
            SYSTEM, v.corr,
        )  # fmt: skip
        return arrives + 3 * SECOND

    def old_part(self, v: Visit, line: Line, at: datetime) -> None:
        old = self.uuid()
        part, quantity = line.op.parts[0]
        warranty = line.line.pay_type == "WARRANTY"
        self.at(
            at, f"old_part-{old}",
            pt.OldPartRecorded(part_number=part.number, old_part_id=old, repair_order_id=v.ro,
                               line_id=line.line.line_id, quantity=quantity, warranty=warranty,
                               customer_choice=self.pick(("keep", "discard")), recorded_at=at),
            PARTS_CLERK, v.corr,
        )  # fmt: skip
        v.old_parts.append((old, warranty))
