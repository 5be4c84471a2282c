"""The repair order the customer signs (before signing: the estimate), from reception's
repair-order view: who and which car, the concerns in the customer's words, the lines with
their prices and pay types, the totals, the promised time, the signature and the walk-around."""

from __future__ import annotations

from io import BytesIO

import httpx
from fpdf import FPDF

from gateway.documents.layout import MISSING, Labels, Paper, Sheet, View, money
from gateway.documents.lines import print_lines
from gateway.documents.sources import Views, segment
from gateway.proxy import internal_headers
from gateway.routing import service_url

LABELS: Labels = {
    "title_estimate": ("维修估价单", "Estimate"),
    "title_signed": ("维修委托书", "Repair order"),
    "number": ("委托书号", "RO no."),
    "customer": ("客户", "Customer"),
    "phone": ("电话", "Phone"),
    "vehicle_user": ("送修人", "Driver"),
    "advisor": ("服务顾问", "Service advisor"),
    "plate": ("车牌号", "Plate"),
    "vin": ("车架号(VIN)", "VIN"),
    "model": ("车型", "Model"),
    "mileage": ("进厂里程", "Mileage in"),
    "arrived": ("到店时间", "Arrived"),
    "promised": ("预计交车时间", "Promised"),
    "signed": ("签字时间", "Signed"),
    "signature": ("签字凭证", "Signature ref."),
    "signature_drawn": ("客户签字", "Customer's signature"),
    "waiting": ("在店等候", "Customer waiting"),
    "key_tag": ("钥匙牌", "Key tag"),
    "concerns": ("客户描述(客户原话)", "Concerns (customer's words)"),
    "lines": ("维修项目", "Work to be done"),
    "walk_around": ("环车检查", "Walk-around"),
    "fuel": ("油量", "Fuel"),
    "warning_lamps": ("故障灯", "Warning lamps"),
    "damages": ("外观损伤", "Damage"),
    "valuables": ("已提醒贵重物品", "Valuables reminded"),
    "covers": ("已装三件套", "Covers fitted"),
    "declined": ("客户未参与环检", "Customer declined to attend"),
    "not_recorded": ("未记录环车检查", "No walk-around recorded"),
    "recorded": ("已记录环车检查", "Walk-around recorded"),
    "price_lists": ("价格依据", "Prices from"),
    "discount": ("优惠金额", "Discount"),
    "quality_notice": (
        "客户自带配件及非原厂配件,本店不保证其质量。",
        "Parts supplied by the customer and non-OEM parts carry no quality guarantee from us.",
    ),
}


def _mileage(view: View) -> str:
    walk_around = view.get("walk_around") or {}
    km = walk_around.get("mileage_km", view.get("mileage_km"))
    return MISSING if km is None else f"{int(km):,} km"


def _walk_around(sheet: Sheet, view: View) -> None:
    paper = sheet.paper
    sheet.heading(paper.word(LABELS, "walk_around"))
    walk_around = view.get("walk_around")
    if not walk_around:
        recorded = view.get("walk_around_recorded")
        sheet.paragraph(paper.word(LABELS, "recorded" if recorded else "not_recorded"))
        return
    damages = "; ".join(
        f"{d.get('area', '')} {d.get('kind', '')} {d.get('note', '')}".strip() for d in walk_around.get("damages", ())
    )
    sheet.fields(
        [
            (paper.word(LABELS, "mileage"), _mileage(view)),
            (paper.word(LABELS, "fuel"), f"{walk_around.get('fuel_eighths', MISSING)}/8"),
            (paper.word(LABELS, "warning_lamps"), ", ".join(walk_around.get("warning_lamps", ())) or MISSING),
            (paper.word(LABELS, "valuables"), paper.yes_no(walk_around.get("valuables_reminded"))),
            (paper.word(LABELS, "covers"), paper.yes_no(walk_around.get("protective_covers_fitted"))),
            (paper.word(LABELS, "declined"), paper.yes_no(walk_around.get("declined_by_customer"))),
        ]
    )
    sheet.fields([(paper.word(LABELS, "damages"), damages or MISSING)], columns=1)


def _pricing(sheet: Sheet, view: View) -> None:
    """Which price lists the estimate used, and the discount off them: a signed RO keeps the
    prices it was signed with, and the customer sees where they came from."""
    paper = sheet.paper
    price_lists = view.get("price_lists") or {}
    if price_lists:
        used = ", ".join(f"{name} {version}" for name, version in sorted(price_lists.items()))
        sheet.paragraph(f"{paper.word(LABELS, 'price_lists')}: {used}")
    if int(view.get("discount_total") or 0):
        sheet.paragraph(f"{paper.word(LABELS, 'discount')}: {money(int(view['discount_total']))}")


async def signature_image(views: Views, view: View) -> bytes | None:
    """The signature the customer drew on the desk's screen (reception keeps it by the RO), read
    as the caller: a role that may not read personal data, an erased customer, a signature on
    paper (a ref that is no hash of an image) or reception out of reach print the ref alone."""
    if not str(view.get("signature_ref") or "").startswith("sha256:"):
        return None
    visit = segment(str(view["repair_order_id"]))
    url = f"{service_url('reception')}/sites/{segment(views.site_id)}/repair-orders/{visit}/signature"
    try:
        response = await views.client.get(url, headers=internal_headers(views.identity, views.request_id))
    except httpx.TransportError:
        return None
    return response.content if response.status_code == 200 else None


def _drawn_signature(sheet: Sheet, image: bytes) -> None:
    sheet.heading(sheet.paper.word(LABELS, "signature_drawn"))

    def draw(pdf: FPDF) -> None:
        pdf.image(BytesIO(image), w=60)

    sheet.steps.append(draw)


def render(view: View, paper: Paper, signature: bytes | None = None) -> bytes:
    signed = view.get("signed_at") is not None
    title = paper.word(LABELS, "title_signed" if signed else "title_estimate")
    sheet = Sheet(paper, title, f"{paper.word(LABELS, 'number')}: {view['repair_order_id']}")
    customer, vehicle = view.get("customer") or {}, view.get("vehicle") or {}
    user = view.get("vehicle_user") or {}
    # The key tag exists from the hand-over on: a sheet printed before it has no such line.
    key_tag = [(paper.word(LABELS, "key_tag"), str(view["key_tag"]))] if view.get("key_tag") else []
    sheet.fields(
        [
            (paper.word(LABELS, "customer"), customer.get("name", MISSING)),
            (paper.word(LABELS, "phone"), customer.get("phone", MISSING)),
            (paper.word(LABELS, "vehicle_user"), f"{user.get('name', MISSING)} {user.get('phone', '')}".strip()),
            (paper.word(LABELS, "advisor"), view.get("service_advisor", MISSING)),
            (paper.word(LABELS, "plate"), vehicle.get("plate", MISSING)),
            (paper.word(LABELS, "vin"), vehicle.get("vin", MISSING)),
            (paper.word(LABELS, "model"), vehicle.get("model") or MISSING),
            (paper.word(LABELS, "mileage"), _mileage(view)),
            (paper.word(LABELS, "arrived"), paper.when(view.get("arrived_at"))),
            (paper.word(LABELS, "promised"), paper.when(view.get("promised_at"))),
            (paper.word(LABELS, "signed"), paper.when(view.get("signed_at"))),
            (paper.word(LABELS, "signature"), view.get("signature_ref") or MISSING),
            (paper.word(LABELS, "waiting"), paper.yes_no(view.get("customer_waiting"))),
            *key_tag,
        ]
    )
    sheet.heading(paper.word(LABELS, "concerns"))
    for number, concern in enumerate(view.get("concerns", ()), start=1):
        sheet.paragraph(f"{number}. {concern['customer_words']}")
    if not view.get("concerns"):
        sheet.paragraph(MISSING)
    sheet.heading(paper.word(LABELS, "lines"))
    lines = view.get("lines", ())
    print_lines(sheet, lines)
    _pricing(sheet, view)
    if any(p.get("customer_supplied") or p.get("non_oem") for line in lines for p in line.get("parts", ())):
        sheet.paragraph(paper.word(LABELS, "quality_notice"))
    _walk_around(sheet, view)
    if signature is not None:
        _drawn_signature(sheet, signature)
    sheet.signatures([paper.word(LABELS, "signature_customer"), paper.word(LABELS, "signature_advisor")])
    return sheet.pdf()
