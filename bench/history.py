"""A year of one large site's events: the history `bench.rebuild` replays into the read models.

`year_of_one_site()` yields the envelopes of one dealership (tenant `g-bench`/`s-bench`) in the
order its services would have recorded them: day by day, the cars of a day interleaved —
bookings days ahead, the morning's check-ins, the workshop's jobs, additional work, parts
shortages, progress checks and quality checks through the day, the afternoon's settlements and
deliveries, callbacks 2-3 days after delivery (a second one within the week), complaints
walked through their steps over the following days. Every event is a real catalog contract
built with normal pydantic validation; stream ids are the services' own
(`repair_order-<uuid>`, `work_order-<ro>`, `stock-<site>:<part>`, `callback-<uuid>`, …), versions
run 1, 2, 3… per stream, and `occurred_at` = `recorded_at` = the simulated moment.

Deterministic: the same seed gives the same events, ids included. With the defaults (365 days,
110 repair orders a day) it yields 1,989,277 events of 95 types on 238,608 streams (seed 0; ~50
per repair order), in about 85 s on this project's 2-core machine with the garbage collector off
(140 s with it on: its full collections walk the weeks of planned events; a caller that keeps
the events should switch it off meanwhile, as `bench.rebuild` does).
`python -m bench.history [--days N]` prints the count per event type and how long it took.

Booking, parts and complaints name the site by a UUID in their stream ids (`capacity-<site>`,
`stock-<site>:<part>`, `complaint_settings-<site>`): `SITE_ID`, derived from the tenant's name.

The site is open every day (08:00-18:30 in the workshop, 09:00-18:00 for the callback desk,
Asia/Shanghai time); proportions are ours, chosen from the seeds (docs/domain.md): ~60 % of visits
by appointment (some rescheduled, cancelled or no-show), 1-4 jobs per repair order, additional
work found on ~30 % (about 60 % approved), parts short for ~10 %, QC failed ~5 %, some cars
late, a callback for every delivery (refusals, unreachable customers, do-not-call files) and a
complaint from ~5 % of the calls.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from datetime import time as daytime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from events.catalog import booking as bk
from events.catalog import booking_values as bv
from events.catalog import complaints as cp
from events.catalog import complaints_values as cv
from events.catalog import followup as fu
from events.catalog import followup_values as fv
from events.catalog import parts as pt
from events.catalog import parts_values as pv
from events.catalog import reception as rc
from events.catalog import reception_values as rv
from events.catalog import workshop as ws
from events.contract import Event
from events.envelope import Envelope, Metadata, Tenant

TENANT = Tenant("g-bench", "s-bench")
# Booking, parts and complaints name the site by a UUID in their stream ids and payloads.
SITE_ID = uuid5(NAMESPACE_URL, "https://dealerflow.dev/bench/sites/s-bench")
TZ = timezone(timedelta(hours=8))  # Asia/Shanghai, no daylight saving
FIRST_DAY = datetime(2026, 1, 1, tzinfo=TZ)
BOOKING_LEAD_DAYS = 14  # appointments are taken up to two weeks ahead

ADVISORS = tuple(f"sa-{n:02d}" for n in range(1, 9))
TECHNICIANS = tuple(f"tech-{n:02d}" for n in range(1, 17))
BAYS = tuple(f"bay-{n:02d}" for n in range(1, 15))
FOREMEN = ("foreman-1", "foreman-2")
INSPECTORS = ("qc-1", "qc-2")
AGENTS = ("cs-01", "cs-02", "cs-03", "cs-04")
CS_LEAD, SERVICE_MANAGER, PARTS_CLERK, CASHIER, SYSTEM = "cs-lead", "sm-1", "parts-1", "cashier-1", "system"

SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
WORKSHOP_OPENS, WORKSHOP_CLOSES = timedelta(hours=8), timedelta(hours=18, minutes=30)
DESK_OPENS, DESK_CLOSES = timedelta(hours=9), timedelta(hours=18)


# Followup's stable ids and due times (`followup.domain.ids`, `followup.domain.schedule`; the
# services are no typed packages for `mypy bench`, so they are restated here).
_FOLLOWUP_IDS = UUID("6f6c6c6f-7775-5000-8000-00000000f011")
RETRY_AFTER = timedelta(hours=2)


def callback_id_for(repair_order_id: UUID, kind: str) -> UUID:
    return uuid5(_FOLLOWUP_IDS, f"callback:{repair_order_id}:{kind}")


def complaint_id_for(callback_id: UUID) -> UUID:
    return uuid5(_FOLLOWUP_IDS, f"complaint:{callback_id}")


def proposal_id_for(file_id: UUID, reason: str, cause: UUID) -> UUID:
    return uuid5(_FOLLOWUP_IDS, f"proposal:{file_id}:{reason}:{cause}")


def note_id_for(file_id: UUID, source: str, cause: UUID) -> UUID:
    return uuid5(_FOLLOWUP_IDS, f"note:{file_id}:{source}:{cause}")


def callback_window(kind: str, basis: datetime) -> fv.CallbackWindow:
    """First: opens at delivery +48 h, due +72 h, hard limit +96 h; second: opens a day after the
    first call, due (and hard limit) 7 days after it."""
    if kind == "first":
        return fv.CallbackWindow(opens_at=basis + 48 * HOUR, due_at=basis + 72 * HOUR, hard_limit_at=basis + 96 * HOUR)
    return fv.CallbackWindow(opens_at=basis + DAY, due_at=basis + 7 * DAY, hard_limit_at=basis + 7 * DAY)


def file_due_by(visited_at: datetime) -> datetime:
    return visited_at + 2 * DAY


def escalate_by(asked_at: datetime) -> datetime:
    return asked_at + 2 * DAY


# --- the site's reference data -----------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    number: str
    description: str
    unit_price: int  # minor units (fen)
    unit_cost: int


@dataclass(frozen=True)
class _Op:
    """A labour operation of the site's catalogue, with the parts it takes (seed 003's prices)."""

    code: str
    description: str
    minutes: int
    labour_price: int
    parts: tuple[tuple[_Part, int], ...] = ()
    safety: bool = False
    maintenance: bool = False
    pay_type: str = "CUSTOMER_PAY"
    old_part: bool = False  # a part taken off the car is shown and kept or discarded

    # Value objects every repair order of this operation shares (built once).
    @property
    def repair_parts(self) -> tuple[rv.RepairPart, ...]:
        return _REPAIR_PARTS[self.code]

    @property
    def parts_price(self) -> int:
        return sum(part.unit_price * quantity for part, quantity in self.parts)


def _p(number: str, description: str, price: int) -> _Part:
    return _Part(number, description, price, price * 6 // 10)


OIL, OIL_FILTER, WASHER = (
    _p("OIL-5W30-4L", "engine oil 5W-30, 4 l", 16800),
    _p("FLT-OIL", "oil filter", 3200),
    _p("WSH-DRAIN", "drain plug washer", 300),
)
AIR_FILTER, CABIN_FILTER = _p("FLT-AIR", "air filter", 8500), _p("FLT-CABIN", "cabin filter", 9000)
PADS_FRONT, PADS_REAR = _p("BRK-PAD-F", "front brake pads", 42000), _p("BRK-PAD-R", "rear brake pads", 38000)
BRAKE_FLUID, TYRE = _p("BRK-FLUID-1L", "brake fluid DOT4, 1 l", 6800), _p("TYR-205-55R16", "tyre 205/55 R16", 65000)
BATTERY, AC_GAS = _p("BAT-60AH", "battery 60 Ah", 68000), _p("AC-R134A", "refrigerant R134a", 15000)
WIPERS, SPARK_PLUG = _p("WIP-SET", "wiper blades, pair", 12000), _p("SPK-PLUG", "spark plug", 6500)
LINK, TIMING_KIT = _p("SUS-LINK-F", "front stabiliser link", 18000), _p("TMG-KIT", "timing belt kit", 120000)
PARTS: tuple[_Part, ...] = (OIL, OIL_FILTER, WASHER, AIR_FILTER, CABIN_FILTER, PADS_FRONT, PADS_REAR, BRAKE_FLUID)
PARTS += (TYRE, BATTERY, AC_GAS, WIPERS, SPARK_PLUG, LINK, TIMING_KIT)

MAINTENANCE = (
    _Op("MNT-10K", "10,000 km service", 40, 8000, ((OIL, 1), (OIL_FILTER, 1), (WASHER, 1)), maintenance=True),
    _Op(
        "MNT-20K", "20,000 km service", 70, 12000,
        ((OIL, 1), (OIL_FILTER, 1), (WASHER, 1), (AIR_FILTER, 1), (CABIN_FILTER, 1)), maintenance=True,
    ),
    _Op("MNT-40K", "40,000 km service", 110, 18000, ((OIL, 1), (OIL_FILTER, 1), (WASHER, 1), (AIR_FILTER, 1),
        (CABIN_FILTER, 1), (SPARK_PLUG, 4), (BRAKE_FLUID, 1)), maintenance=True),
)  # fmt: skip
REPAIRS = (
    _Op("BRK-PADS-F", "replace front brake pads", 60, 15000, ((PADS_FRONT, 1),), safety=True, old_part=True),
    _Op("BRK-PADS-R", "replace rear brake pads", 60, 15000, ((PADS_REAR, 1),), safety=True, old_part=True),
    _Op("BRK-FLUID", "brake fluid change", 30, 6000, ((BRAKE_FLUID, 1),), safety=True),
    _Op("TYR-ROT", "tyre rotation and balance", 30, 8000),
    _Op("WHL-ALIGN", "wheel alignment", 45, 20000),
    _Op("TYR-REPL", "replace two tyres", 30, 5000, ((TYRE, 2),), safety=True, old_part=True),
    _Op("BAT-REPL", "replace battery", 20, 3000, ((BATTERY, 1),), old_part=True),
    _Op("AC-SERVICE", "air-conditioning service", 45, 12000, ((AC_GAS, 1),)),
    _Op("WIPERS", "replace wiper blades", 10, 0, ((WIPERS, 1),)),
    _Op("DIAG-MIL", "diagnosis: engine warning lamp", 45, 15000),
    _Op("SUS-LINK", "replace front stabiliser links", 50, 12000, ((LINK, 2),), safety=True, old_part=True),
    _Op("TMG-BELT", "replace timing belt", 180, 60000, ((TIMING_KIT, 1),), old_part=True),
    _Op("INT-CLEAN", "interior deep cleaning", 60, 20000),
    _Op("RCL-ECU", "recall: engine control unit update", 30, 0, pay_type="WARRANTY"),
)
REPAIR_WEIGHTS = (10, 6, 6, 10, 7, 5, 5, 6, 6, 8, 3, 1, 3, 4)
# What technicians find on the car (additional work): brakes, tyres, battery, wipers, links, fluid.
FINDINGS = (REPAIRS[0], REPAIRS[1], REPAIRS[2], REPAIRS[5], REPAIRS[6], REPAIRS[8], REPAIRS[10], REPAIRS[7])
OPS = {op.code: op for op in MAINTENANCE + REPAIRS}

_REPAIR_PARTS: dict[str, tuple[rv.RepairPart, ...]] = {
    op.code: tuple(
        rv.RepairPart(part_number=p.number, description=p.description, quantity=q, unit_price=p.unit_price)
        for p, q in op.parts
    )
    for op in OPS.values()
}
_REQUESTED_PARTS = {
    op.code: tuple(bv.RequestedPart(part_number=p.number, description=p.description, quantity=q) for p, q in op.parts)
    for op in OPS.values()
}
_HEALTH_ITEMS = {
    op.code: rv.HealthRecordItem(labour_operation=op.code, description=op.description, labour_minutes=op.minutes)
    for op in OPS.values()
}
_HEALTH_PARTS = {
    op.code: tuple(rv.HealthRecordPart(part_number=p.number, name=p.description, quantity=q) for p, q in op.parts)
    for op in OPS.values()
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国红梅飞鑫波斌宇浩凯健俊帆"
MODELS = ("Corolla", "Camry", "RAV4", "Levin", "Highlander", "C-HR", "Yaris L", "Sienna", "Crown", "bZ4X")
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
CONCERNS = (
    ("time for the regular service", "service due", "now", "", "owner", "once"),
    ("squeaking when I brake", "brake noise", "when braking", "front wheels", "driver", "every time"),
    ("engine light came on yesterday", "warning lamp", "since yesterday", "dashboard", "driver", "constant"),
    ("the air-con does not get cold", "weak air-conditioning", "in the afternoon", "cabin", "family", "often"),
    ("car pulls to the right", "pulls to one side", "on the motorway", "steering", "driver", "always"),
    ("knocking over bumps", "suspension noise", "on rough roads", "front", "driver", "sometimes"),
    ("hard to start in the morning", "starting problem", "cold mornings", "engine", "owner", "sometimes"),
)
DAMAGES = (
    rv.Damage(area="front bumper", kind="scratch", note="light scratch, left"),
    rv.Damage(area="rear door", kind="dent", note="small dent"),
    rv.Damage(area="windscreen", kind="glass", note="chip, passenger side"),
    rv.Damage(area="left mirror", kind="other", note="cover loose"),
)
QC_REASONS = ("torque not recorded", "noise still present", "wash not done")
# Appointment slots: minutes after opening, every half hour to 16:00, mornings the busiest.
SLOT_OFFSETS = tuple(range(0, 481, 30))
SLOT_WEIGHTS = (3, 8, 10, 10, 9, 8, 6, 3, 2, 3, 6, 7, 7, 5, 4, 3, 2)
CATEGORIES = ("time", "price", "parts_waiting", "quality", "attitude", "reception", "lounge")
CATEGORY_WEIGHTS = (30, 22, 12, 18, 8, 6, 4)
CALL_WORDS = {
    5: "very satisfied, thank you",
    4: "fine, the car runs well",
    3: "it was okay but took long",
    2: "not happy with how it went",
    1: "very dissatisfied",
}
# Working weekdays of the complaints desk (Sunday off) for the grievance SLA.
COMPLAINT_WEEKDAYS = (1, 2, 3, 4, 5, 6)


# --- the customers -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Customer:
    customer_id: UUID
    name: str
    phone: str
    b_contact: bv.Contact
    r_contact: rv.Contact
    b_vehicle: bv.VehicleIdentity
    r_vehicle: rv.VehicleIdentity
    b_user: bv.Contact
    r_user: rv.Contact  # the vehicle user: callbacks go to them; their file is theirs
    file_id: UUID
    model: str
    year: int
    mileage: int
    last_day: int = -1_000
    registered: bool = False  # known to booking's customer database
    file_opened: bool = False
    do_not_call: bool = False
    declined: rv.Recommendation | None = None  # declined at the last visit, offered again


@dataclass(slots=True)
class _Line:
    line: rv.RepairLine
    op: _Op
    reservations: list[tuple[_Part, int, UUID]] = field(default_factory=list)


# --- the generator -----------------------------------------------------------------------------


class _Site:
    """One site's simulation: plans each car's visit as timed events on a heap; `run` releases
    them day by day in time order and numbers each stream's events as it goes."""

    def __init__(self, rng: random.Random, repair_orders_per_day: int) -> None:
        self.rng = rng
        self.rate = repair_orders_per_day
        self.heap: list[tuple[datetime, int, str, Event, str, str]] = []
        self.seq = 0
        self.versions: dict[str, int] = {}
        self.cursor = FIRST_DAY  # nothing may be planned before what was released
        self.customers: list[_Customer] = []
        self.stock_streams = {p.number: f"stock-{SITE_ID}:{p.number}" for p in PARTS}
        self.capacity_stream = f"capacity-{SITE_ID}"
        self.on_hand = {p.number: 400 for p in PARTS}

    # -- plumbing --

    def uuid(self) -> UUID:
        return UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, when: datetime, stream: str, event: Event, actor: str, correlation: str) -> None:
        assert when >= self.cursor, f"{event.event_type} planned at {when}, before {self.cursor}"
        self.seq += 1
        heapq.heappush(self.heap, (when, self.seq, stream, event, actor, correlation))

    def release(self, until: datetime) -> Iterator[Envelope[Any]]:
        heap, versions, getrandbits = self.heap, self.versions, self.rng.getrandbits
        while heap and heap[0][0] < until:
            when, _, stream, event, actor, correlation = heapq.heappop(heap)
            version = versions.get(stream, 0) + 1
            versions[stream] = version
            event_id = UUID(int=getrandbits(128), version=4)
            yield Envelope(event, event_id, stream, version, Metadata(TENANT, actor, correlation), when, when)
        self.cursor = until

    def minutes(self, low: float, high: float) -> timedelta:
        return timedelta(seconds=self.rng.randint(int(low * 60), int(high * 60)))

    @staticmethod
    def day(index: int) -> datetime:
        return FIRST_DAY + timedelta(days=index)

    @staticmethod
    def midnight(moment: datetime) -> datetime:
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)

    def hours(self, moment: datetime, opens: timedelta, closes: timedelta) -> datetime:
        """`moment`, moved into opening hours (the next opening when it falls outside them)."""
        midnight = self.midnight(moment)
        if moment < midnight + opens:
            return midnight + opens
        if moment >= midnight + closes:
            return midnight + DAY + opens
        return moment

    def desk(self, moment: datetime) -> datetime:
        return self.hours(moment, DESK_OPENS, DESK_CLOSES)

    def shop(self, moment: datetime) -> datetime:
        return self.hours(moment, WORKSHOP_OPENS, WORKSHOP_CLOSES)

    def pick(self, options: Sequence[Any]) -> Any:
        return options[self.rng.randrange(len(options))]

    # -- the year --

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

    def customer(self, d: int, *, first_visit: bool = False) -> _Customer:
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
        customer = _Customer(
            customer_id=customer_id, name=name, phone=phone, b_contact=b_contact, r_contact=r_contact,
            b_vehicle=bv.VehicleIdentity(vin=vin, plate=plate, model=model, vehicle_id=vehicle_id),
            r_vehicle=rv.VehicleIdentity(vin=vin, plate=plate, model=model, vehicle_id=vehicle_id),
            b_user=b_user, r_user=r_user, file_id=user_id, model=model, year=rng.randint(2014, 2025),
            mileage=rng.randint(3000, 120_000), last_day=d, do_not_call=rng.random() < 0.02,
        )  # fmt: skip
        self.customers.append(customer)
        return customer

    def jobs(self) -> list[_Op]:
        """1-4 operations: mostly a service, often with a repair or two."""
        rng = self.rng
        count = rng.choices((1, 2, 3, 4), (38, 32, 20, 10))[0]
        ops: list[_Op] = []
        if rng.random() < 0.55:
            ops.append(rng.choices(MAINTENANCE, (60, 30, 10))[0])
        while len(ops) < count:
            op = rng.choices(REPAIRS, REPAIR_WEIGHTS)[0]
            if op not in ops:
                ops.append(op)
        return ops

    def line(self, op: _Op, origin: str = "estimate") -> rv.RepairLine:
        warranty = op.pay_type == "CUSTOMER_PAY" and not op.maintenance and self.rng.random() < 0.06
        pay_type = "WARRANTY" if warranty else op.pay_type
        return rv.RepairLine(
            line_id=self.uuid(), labour_operation=op.code, description=op.description, labour_minutes=op.minutes,
            labour_price=op.labour_price, pay_type=pay_type,
            pay_type_reason="recall campaign" if op.code == "RCL-ECU" else None,
            parts=op.repair_parts, safety_critical=op.safety, origin=origin,
        )  # fmt: skip

    # -- booking --

    def appointment(
        self, d: int, customer: _Customer, ops: list[_Op], advisor: str, outcome: str
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
                            estimated_minutes=op.minutes, parts=_REQUESTED_PARTS[op.code])
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

    def register(self, customer: _Customer, at: datetime, actor: str, corr: str) -> None:
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

    # -- reception and the workshop --

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
        lines = [_Line(self.line(op), op) for op in ops]
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
        short: _Line | None = None
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
        state = _Visit(ro=ro, stream=stream, wo=wo, corr=corr, advisor=advisor, customer=customer, lines=lines,
                       promised=promised, original_promise=promised, waiting=waiting, signed=signed,
                       last_reception=handed)  # fmt: skip
        parts_at: datetime | None = None
        if short is not None:
            parts_at = self.shortage(state, short, signed)
        if len(lines) >= 2 and lines[-1] is not short and rng.random() < 0.015:  # a line taken off before work
            self.withdraw(state, lines[-1], handed + self.minutes(5, 15))
        self.workshop(state, handed, parts_at, short)

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

    def shortage(self, v: _Visit, short: _Line, signed: datetime) -> datetime:
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

    def revise(self, v: _Visit, at: datetime, promise: datetime, reason: str) -> None:
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

    def withdraw(self, v: _Visit, line: _Line, at: datetime) -> None:
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

    def workshop(self, v: _Visit, handed: datetime, parts_at: datetime | None, short: _Line | None) -> None:
        """Dispatch and work the jobs one after another (the short one last), with additional
        work found at the first job's initial inspection, progress checks, QC and readiness."""
        rng = self.rng
        queue = [line for line in v.lines if line is not short] + ([short] if short in v.lines else [])
        clock = self.shop(handed + self.minutes(5, 35))
        technician, bay = self.pick(TECHNICIANS), self.pick(BAYS)
        worked_total = 0
        finding_planned = rng.random() < 0.3
        done: list[tuple[_Line, datetime]] = []
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
        self, v: _Visit, job_id: UUID, technician: str, started: datetime, minutes: int, *, rework: bool = False
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

    def additional_work(self, v: _Visit, found: datetime) -> list[_Line]:
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
            findings.append((finding, _Line(proposed, op)))
        foreman = self.pick(FOREMEN)
        self.at(
            found, v.wo,
            ws.AdditionalWorkFound(repair_order_id=v.ro, round=1, findings=tuple(f for f, _ in findings),
                                   reported_by=foreman, found_at=found),
            foreman, v.corr,
        )  # fmt: skip
        approved: list[_Line] = []
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

    def progress(self, v: _Visit, ready: datetime, queue: list[_Line]) -> None:
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

    def old_part(self, v: _Visit, line: _Line, at: datetime) -> None:
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

    def deliver(self, v: _Visit, ready: datetime, on_time: bool) -> None:
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
            items=tuple(_HEALTH_ITEMS[line.op.code] for line in v.lines),
            parts=tuple(p for line in v.lines for p in _HEALTH_PARTS[line.op.code]),
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

    # -- follow-up and complaints --

    def followup(self, v: _Visit, delivered: datetime, invoice: str, due_date: date | None) -> None:
        rng = self.rng
        customer = v.customer
        file_stream = f"customer_file-{customer.file_id}"
        t = delivered + SECOND
        if not customer.file_opened:
            customer.file_opened = True
            self.at(t, file_stream, fu.CustomerFileOpened(file_id=customer.file_id, contact=customer.r_user,
                                                          opened_at=t), SYSTEM, v.corr)  # fmt: skip
            if customer.do_not_call:  # said so at reception: no callbacks, reminders or campaigns
                t += SECOND
                dnc = fu.DoNotCallSet(file_id=customer.file_id, set_by=v.advisor, reason="asked at reception", set_at=t)
                self.at(t, file_stream, dnc, v.advisor, v.corr)
        t += SECOND
        self.at(
            t, file_stream,
            fu.VisitRecorded(
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
                fu.AppointmentProposed(
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
        self, v: _Visit, kind: str, basis: datetime, opened: datetime, first_id: UUID | None, agent: str
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
                        fu.DoNotCallSet(file_id=customer.file_id, set_by=agent, reason="asked for no more calls",
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
                    fu.NextVisitNoteAdded(file_id=customer.file_id,
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
        v: _Visit,
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
            fu.CallLogged(file_id=customer.file_id, direction="inbound", purpose="complaint",
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
        customer: _Customer,
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


@dataclass(slots=True)
class _Visit:
    """One repair order being planned: what later steps need to know."""

    ro: UUID
    stream: str
    wo: str
    corr: str
    advisor: str
    customer: _Customer
    lines: list[_Line]
    promised: datetime
    original_promise: datetime
    waiting: bool
    signed: datetime
    last_reception: datetime  # the repair order's last planned event: later ones come after it
    declined: list[rv.Recommendation] = field(default_factory=list)
    old_parts: list[tuple[UUID, bool]] = field(default_factory=list)


def year_of_one_site(*, days: int = 365, repair_orders_per_day: int = 110, seed: int = 0) -> Iterator[Envelope[Any]]:
    """The events of one large site over `days` days, in the order they were recorded."""
    return _Site(random.Random(seed), repair_orders_per_day).run(days)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=110, help="repair orders a day (110)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    # The planned events (a few weeks' worth of pydantic objects) would be walked by every full
    # collection: a third of the time. Nothing here makes cycles worth collecting.
    gc.disable()
    started = time.perf_counter()
    counts: Counter[str] = Counter()
    streams: set[str] = set()
    for envelope in year_of_one_site(days=args.days, repair_orders_per_day=args.per_day, seed=args.seed):
        counts[envelope.event.event_type] += 1
        streams.add(envelope.stream_id)
    took = time.perf_counter() - started
    for event_type, count in sorted(counts.items()):
        print(f"{count:>10,}  {event_type}")
    total = sum(counts.values())
    print(f"{total:>10,}  events of {len(counts)} types on {len(streams):,} streams, in {took:.1f} s "
          f"({total / took:,.0f} events/s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
