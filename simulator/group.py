"""The synthetic dealer group: sites, their people, their parts shelf and their customers.
Every name, phone number, plate and VIN is made up from the seed; nothing is real."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉鹏飞雪琳宇浩然欣怡子轩梓涵"
PINYIN_STAFF = ("li", "wang", "zhang", "liu", "chen", "yang", "zhao", "huang", "zhou", "wu", "xu", "sun", "ma", "zhu")
PLATE_PREFIXES = ("京A", "沪B", "粤B", "苏E", "浙A", "川A", "鄂A", "鲁B", "津C", "渝A")
MODELS = ("Camry", "Corolla", "Magotan")  # the demo catalogue's model families (examples/catalogue): their menus
SITE_CITIES = (
    "北京朝阳",
    "上海浦东",
    "深圳南山",
    "苏州园区",
    "杭州西湖",
    "成都高新",
    "武汉光谷",
    "青岛崂山",
    "天津滨海",
)
# The same cities in English, for the site directory's English names (booking's site-profile).
SITE_CITIES_EN = (
    "Beijing Chaoyang",
    "Shanghai Pudong",
    "Shenzhen Nanshan",
    "Suzhou SIP",
    "Hangzhou West Lake",
    "Chengdu Hi-tech",
    "Wuhan Optics Valley",
    "Qingdao Laoshan",
    "Tianjin Binhai",
)
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O or Q (ISO 3779)

# The shelf: part number → (description, unit cost, unit price), in fen; the menus' parts among
# them (the catalogue prices those; the unit price is for a line typed by hand).
PARTS: dict[str, tuple[str, int, int]] = {
    "04152-YZZA1": ("oil filter", 4420, 6800),
    "90915-YZZE1": ("engine oil 4L", 39200, 56000),
    "90430-12031": ("drain plug washer", 120, 300),
    "04465-02220": ("front brake pads", 21000, 38000),
    "17801-0T020": ("air filter", 4500, 8800),
    "87139-0E040": ("cabin filter", 3800, 7600),
}
# Parts the shelf never holds: a job needing one waits for an emergency order.
SHORT_PARTS: dict[str, tuple[str, int, int]] = {
    "43512-02300": ("front brake disc", 32000, 52000),
    "88310-0R010": ("A/C compressor", 210000, 320000),
}
ROLES = ("advisor", "dispatcher", "technician", "parts_clerk", "qc_inspector", "cashier", "cs_agent", "service_manager")


@dataclass(frozen=True)
class Customer:
    name: str
    phone: str
    vin: str
    plate: str
    model: str
    group_id: str = ""  # the group whose customer this is (plan_day sets it)

    @property
    def customer_id(self) -> str:
        """Named in the contact, so notifications files the visit's messages under the customer
        whose preferences the CS agent entered (derived: it draws nothing from the script's seed).
        With the group: a run's group is new (its ids are salted) while its customers come from
        the seed again, and an earlier run's group would own the same customer's preferences."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"dealerflow-simulator:{self.group_id}:{self.vin}:{self.phone}"))

    def contact(self) -> dict[str, str]:
        return {"name": self.name, "phone": self.phone, "customer_id": self.customer_id}

    def vehicle(self) -> dict[str, str]:
        return {"vin": self.vin, "plate": self.plate, "model": self.model}


@dataclass(frozen=True)
class Site:
    """One dealership of the group and its people (user ids, one login each)."""

    site_id: str
    name: str
    advisors: tuple[str, ...]
    technicians: tuple[str, ...]
    people: dict[str, str]  # role → the user who does that role's work (one each, but advisors and technicians)
    name_en: str = ""  # `name` is the site's Chinese name


@dataclass(frozen=True)
class Group:
    group_id: str
    sites: tuple[Site, ...]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def build_group(sites: int, rng: random.Random, *, advisors: int = 3, technicians: int = 5) -> Group:
    """`sites` dealerships of one group. Ids come from `rng`: the same seed, the same group
    (a run salts the seed when it must not meet an earlier run's data)."""
    built = []
    for number in range(sites):
        tag = f"s{number + 1}"
        names = rng.sample(PINYIN_STAFF, k=min(len(PINYIN_STAFF), advisors + technicians + 6))
        site_advisors = tuple(f"advisor-{n}-{tag}" for n in names[:advisors])
        site_technicians = tuple(f"tech-{n}-{tag}" for n in names[advisors : advisors + technicians])
        rest = names[advisors + technicians :]
        people = {
            "dispatcher": f"dispatcher-{rest[0]}-{tag}",
            "parts_clerk": f"clerk-{rest[1]}-{tag}",
            "qc_inspector": f"qc-{rest[2]}-{tag}",
            "cashier": f"cashier-{rest[3]}-{tag}",
            "cs_agent": f"agent-{rest[4]}-{tag}",
            "service_manager": f"manager-{rest[5]}-{tag}",
        }
        city = SITE_CITIES[number % len(SITE_CITIES)]
        english = f"{SITE_CITIES_EN[number % len(SITE_CITIES_EN)]} No. {number + 1}"
        built.append(Site(_uuid(rng), f"{city}{number + 1}号店", site_advisors, site_technicians, people, english))
    return Group(_uuid(rng), tuple(built))


def customer(rng: random.Random) -> Customer:
    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
    phone = "1" + rng.choice("3589") + "".join(rng.choices("0123456789", k=9))
    vin = "L" + "".join(rng.choices(VIN_CHARS, k=16))
    plate = rng.choice(PLATE_PREFIXES) + "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=5))
    return Customer(name, phone, vin, plate, rng.choice(MODELS))
