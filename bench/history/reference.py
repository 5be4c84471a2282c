"""The site's reference data: its parts and labour operations (with the value objects every
repair order of an operation shares), the names, cars, concerns and weights visits are drawn from."""

from __future__ import annotations

from dataclasses import dataclass

from events.catalog import booking_values as bv
from events.catalog import reception_values as rv


@dataclass(frozen=True)
class Part:
    number: str
    description: str
    unit_price: int  # minor units (fen)
    unit_cost: int


@dataclass(frozen=True)
class Op:
    """A labour operation of the site's catalogue, with the parts it takes (seed 003's prices)."""

    code: str
    description: str
    minutes: int
    labour_price: int
    parts: tuple[tuple[Part, int], ...] = ()
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


def _p(number: str, description: str, price: int) -> Part:
    return Part(number, description, price, price * 6 // 10)


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
PARTS: tuple[Part, ...] = (OIL, OIL_FILTER, WASHER, AIR_FILTER, CABIN_FILTER, PADS_FRONT, PADS_REAR, BRAKE_FLUID)
PARTS += (TYRE, BATTERY, AC_GAS, WIPERS, SPARK_PLUG, LINK, TIMING_KIT)

MAINTENANCE = (
    Op("MNT-10K", "10,000 km service", 40, 8000, ((OIL, 1), (OIL_FILTER, 1), (WASHER, 1)), maintenance=True),
    Op(
        "MNT-20K", "20,000 km service", 70, 12000,
        ((OIL, 1), (OIL_FILTER, 1), (WASHER, 1), (AIR_FILTER, 1), (CABIN_FILTER, 1)), maintenance=True,
    ),
    Op("MNT-40K", "40,000 km service", 110, 18000, ((OIL, 1), (OIL_FILTER, 1), (WASHER, 1), (AIR_FILTER, 1),
        (CABIN_FILTER, 1), (SPARK_PLUG, 4), (BRAKE_FLUID, 1)), maintenance=True),
)  # fmt: skip
REPAIRS = (
    Op("BRK-PADS-F", "replace front brake pads", 60, 15000, ((PADS_FRONT, 1),), safety=True, old_part=True),
    Op("BRK-PADS-R", "replace rear brake pads", 60, 15000, ((PADS_REAR, 1),), safety=True, old_part=True),
    Op("BRK-FLUID", "brake fluid change", 30, 6000, ((BRAKE_FLUID, 1),), safety=True),
    Op("TYR-ROT", "tyre rotation and balance", 30, 8000),
    Op("WHL-ALIGN", "wheel alignment", 45, 20000),
    Op("TYR-REPL", "replace two tyres", 30, 5000, ((TYRE, 2),), safety=True, old_part=True),
    Op("BAT-REPL", "replace battery", 20, 3000, ((BATTERY, 1),), old_part=True),
    Op("AC-SERVICE", "air-conditioning service", 45, 12000, ((AC_GAS, 1),)),
    Op("WIPERS", "replace wiper blades", 10, 0, ((WIPERS, 1),)),
    Op("DIAG-MIL", "diagnosis: engine warning lamp", 45, 15000),
    Op("SUS-LINK", "replace front stabiliser links", 50, 12000, ((LINK, 2),), safety=True, old_part=True),
    Op("TMG-BELT", "replace timing belt", 180, 60000, ((TIMING_KIT, 1),), old_part=True),
    Op("INT-CLEAN", "interior deep cleaning", 60, 20000),
    Op("RCL-ECU", "recall: engine control unit update", 30, 0, pay_type="WARRANTY"),
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
REQUESTED_PARTS = {
    op.code: tuple(bv.RequestedPart(part_number=p.number, description=p.description, quantity=q) for p, q in op.parts)
    for op in OPS.values()
}
HEALTH_ITEMS = {
    op.code: rv.HealthRecordItem(labour_operation=op.code, description=op.description, labour_minutes=op.minutes)
    for op in OPS.values()
}
HEALTH_PARTS = {
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
