"""The year: the site's setup, the cars of each day (planned `BOOKING_LEAD_DAYS` ahead, as
bookings are taken), the day's chores (stock deliveries, stocktakes, complaints by phone), and
the days released in time order."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import time as daytime
from typing import Any

from bench.history.checkin import CheckIn
from bench.history.reference import COMPLAINT_WEEKDAYS, PARTS
from bench.history.site import (
    ADVISORS,
    BAYS,
    BOOKING_LEAD_DAYS,
    FIRST_DAY,
    HOUR,
    PARTS_CLERK,
    SERVICE_MANAGER,
    SITE_ID,
    TECHNICIANS,
)
from events.catalog import booking as bk
from events.catalog import complaints as cp
from events.catalog import complaints_values as cv
from events.catalog import parts as pt
from events.envelope import Envelope


class Site(CheckIn):
    """One site's simulation: plans each car's visit as timed events on a heap; `run` releases
    them day by day in time order and numbers each stream's events as it goes."""

    def run(self, days: int) -> Iterator[Envelope[Any]]:
        self.setup()
        for d in range(min(BOOKING_LEAD_DAYS, days)):
            self.plan_day(d)
        for d in range(days):
            if d + BOOKING_LEAD_DAYS < days:
                self.plan_day(d + BOOKING_LEAD_DAYS)
            self.chores(d)
            yield from self.release(self.day(d + 1))
        # What was still to happen after the last day (cars in the workshop, callbacks due) is
        # not in this year's log.

    def setup(self) -> None:
        start = FIRST_DAY + 7 * HOUR
        self.at(
            start, self.capacity_stream,
            bk.CapacitySet(
                site_id=SITE_ID, timezone="Asia/Shanghai", opens_at=daytime(8, 0), closes_at=daytime(18, 30),
                slot_minutes=30, open_weekdays=(1, 2, 3, 4, 5, 6, 7), advisors=ADVISORS, receptions_per_advisor=2,
                technicians=len(TECHNICIANS), bays=len(BAYS), workshop_minutes_per_slot=30 * len(TECHNICIANS),
                set_at=start,
            ),
            SERVICE_MANAGER, "setup",
        )  # fmt: skip
        self.at(
            start, f"complaint_settings-{SITE_ID}",
            cp.ComplaintSettingsSet(
                site_id=SITE_ID, working_weekdays=COMPLAINT_WEEKDAYS, timezone="Asia/Shanghai",
                authority_limits=(cv.AuthorityLimit(role="cs_agent", limit=20000),
                                  cv.AuthorityLimit(role="advisor", limit=50000),
                                  cv.AuthorityLimit(role="service_manager", limit=300000)),
                dealer_limit=2000000, set_by=SERVICE_MANAGER, set_at=start,
            ),
            SERVICE_MANAGER, "setup",
        )  # fmt: skip
        for part in PARTS:
            self.at(
                start, self.stock_streams[part.number],
                pt.StockReceived(part_number=part.number, quantity=400, unit_cost=part.unit_cost, source="supplier",
                                 received_at=start),
                PARTS_CLERK, "setup",
            )  # fmt: skip

    def chores(self, d: int) -> None:
        """What happens on a day besides the cars: stock deliveries on Mondays, a stocktake on
        the 1st, the odd complaint by phone."""
        today = self.day(d)
        if today.isoweekday() == 1:
            for part in PARTS:
                when = today + 10 * HOUR + self.minutes(0, 60)
                quantity = self.rng.randint(60, 240)
                self.at(
                    when, self.stock_streams[part.number],
                    pt.StockReceived(part_number=part.number, quantity=quantity, unit_cost=part.unit_cost,
                                     source="supplier", received_at=when),
                    PARTS_CLERK, f"delivery-{d}",
                )  # fmt: skip
        if today.day == 1:
            for part in self.rng.sample(PARTS, 2):
                when = today + 17 * HOUR + self.minutes(0, 60)
                book = self.rng.randint(80, 300)
                self.at(
                    when, self.stock_streams[part.number],
                    pt.StockAdjusted(part_number=part.number, previous_quantity=book, counted_quantity=book - 1,
                                     reason="stocktake", adjusted_at=when),
                    PARTS_CLERK, f"stocktake-{d}",
                )  # fmt: skip
        if self.rng.random() < 0.5:
            self.phone_complaint(d)

    # -- a day's cars --

    def plan_day(self, d: int) -> None:
        weekday_factor = (1.15, 1.0, 0.95, 0.95, 1.05, 1.1, 0.8)[self.day(d).weekday()]
        cars = round(self.rate * weekday_factor * self.rng.uniform(0.9, 1.1))
        kinds = self.rng.choices(("appointment", "walk_in", "first_visit", "tow_in"), (60, 34, 4, 2), k=cars)
        for kind in kinds:
            self.visit(d, kind)
        for _ in range(round(cars * 0.6 * 0.08 * self.rng.uniform(0.5, 1.5))):
            self.appointment(d, self.customer(d), self.jobs(), self.pick(ADVISORS), "cancelled")
        for _ in range(round(cars * 0.6 * 0.06 * self.rng.uniform(0.5, 1.5))):
            self.appointment(d, self.customer(d), self.jobs(), self.pick(ADVISORS), "no_show")


def year_of_one_site(*, days: int = 365, repair_orders_per_day: int = 110, seed: int = 0) -> Iterator[Envelope[Any]]:
    """The events of one large site over `days` days, in the order they were recorded."""
    return Site(random.Random(seed), repair_orders_per_day).run(days)
