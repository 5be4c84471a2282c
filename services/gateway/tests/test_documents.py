"""Each document rendered from a fixed view, its text read back with pypdf: the names, the lines
and the totals are there, Chinese comes back as Chinese (the font is embedded readably), and the
printed total is the sum of the view's lines, computed here from the view. One PDF of each kind
is kept under var/test-artifacts/documents/ for a person to open."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pypdf
import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from gateway.documents import additional_work, appointment_list, complaint, invoice, pre_delivery, repair_order
from gateway.documents.api import preferred_language
from gateway.documents.fonts import FontMissing, load_font
from gateway.documents.invoice import rate
from gateway.documents.layout import Language, Paper, money
from gateway.documents.lines import hours

ARTIFACTS = Path(__file__).resolve().parents[3] / "var" / "test-artifacts" / "documents"
SHANGHAI = ZoneInfo("Asia/Shanghai")
RO_ID = "5b0c6a52-3c1e-4c55-9a43-1f8e0f0b9d11"
FINDING_ID = "8d7e2f10-1111-4c55-9a43-1f8e0f0b9d22"
DECLINED_ID = "8d7e2f10-2222-4c55-9a43-1f8e0f0b9d33"


def part(number: str, description: str, quantity: int, unit_price: int, **flags: bool) -> dict[str, Any]:
    return {"part_number": number, "description": description, "quantity": quantity, "unit_price": unit_price, **flags}


def line(
    code: str, description: str, minutes: int, labour: int, pay_type: str, *parts: dict[str, Any]
) -> dict[str, Any]:
    return {
        "line_id": str(uuid.uuid5(uuid.NAMESPACE_URL, code)),
        "labour_operation": code,
        "description": description,
        "labour_minutes": minutes,
        "labour_price": labour,
        "pay_type": pay_type,
        "parts": list(parts),
        "safety_critical": False,
        "origin": "estimate",
    }


LINES = [
    line(
        "OIL10K",
        "10,000 km 保养",
        90,
        8000,
        "CUSTOMER_PAY",
        part("90915-YZZD1", "机油滤清器", 1, 3200),
        part("08880-83322", "机油 4L", 2, 8400),
        part("90430-12031", "放油螺塞垫片", 1, 300),
    ),
    line("BRK01", "前刹车片更换", 60, 30000, "WARRANTY", part("04465-33450", "前刹车片", 1, 45000)),
    line("WASH", "免费洗车", 20, 0, "DEALER"),
]

RO_VIEW: dict[str, Any] = {
    "repair_order_id": RO_ID,
    "version": 7,
    "status": "ready",
    "service_advisor": "王芳",
    "customer": {"name": "李雷", "phone": "13800138000"},
    "vehicle_user": {"name": "韩梅梅", "phone": "13900139000"},
    "vehicle": {"vin": "LVGBE40K38G123456", "plate": "京A12345", "model": "凯美瑞"},
    "customer_waiting": True,
    "currency": "CNY",
    "arrived_at": "2026-12-07T01:30:00Z",
    "promised_at": "2026-12-07T08:00:00+00:00",
    "signed_at": "2026-12-07T01:50:00Z",
    "walk_around_recorded": True,
    "walk_around": {
        "mileage_km": 10230,
        "fuel_eighths": 5,
        "warning_lamps": ["ABS"],
        "damages": [{"area": "左前门", "kind": "scratch", "note": "长约 5 cm"}],
        "valuables_reminded": True,
        "protective_covers_fitted": True,
        "declined_by_customer": False,
    },
    "signature_ref": "sig-2026-000123",
    "estimate_method": "system",
    "old_parts": "keep",
    "wash": True,
    "price_lists": {"labour_rates": "2026-07-01", "parts": "v12"},
    "discount_total": 1500,
    "concerns": [{"concern_id": "c1", "customer_words": "刹车时有异响,冷车时更明显"}],
    "lines": LINES,
    "findings": [
        {
            "finding_id": FINDING_ID,
            "description": "后刹车盘磨损超限",
            "safety_critical": True,
            "extra_minutes": 45,
            "decision": "approved",
            "consent": {"kind": "phone", "recorded_by": "王芳", "at": "2026-12-07T03:10:00Z", "reference": "rec-778"},
            "lines": [
                line("BRKDISC", "后刹车盘更换", 45, 22500, "CUSTOMER_PAY", part("42431-06120", "后刹车盘", 2, 38000))
            ],
        },
        {
            "finding_id": DECLINED_ID,
            "description": "雨刮片老化",
            "safety_critical": False,
            "extra_minutes": 5,
            "decision": "declined",
            "consent": {
                "kind": "signature",
                "recorded_by": "王芳",
                "at": "2026-12-07T03:20:00Z",
                "reference": "sig-779",
            },
            "customer_reason": "下次保养时再换",
            "safety_explained": False,
            "lines": [line("WIPER", "雨刮片更换", 5, 2000, "CUSTOMER_PAY", part("85222-06160", "雨刮片", 2, 6500))],
        },
    ],
    "ready": True,
    "invoice": None,
    "delivered": False,
    "delivery": None,
    "next_service_due_date": None,
    "next_service_due_km": None,
    "next_service_menu_id": None,
}
# The same visit delivered: the checklist gone through, and the next service told.
DELIVERED_VIEW: dict[str, Any] = {
    **RO_VIEW,
    "status": "delivered",
    "delivered": True,
    "delivery": {
        "work_explained": True,
        "old_parts_shown": False,
        "old_parts_returned": True,
        "delivered_at": "2026-12-07T07:50:00Z",
        "on_time": True,
    },
    "next_service_due_date": "2027-12-07",
    "next_service_due_km": 20230,
    "next_service_menu_id": "A4L-20000",
}


def line_total(lines: list[dict[str, Any]]) -> int:
    return sum(x["labour_price"] + sum(p["quantity"] * p["unit_price"] for p in x["parts"]) for x in lines)


def yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def shows(text: str, *values: str) -> None:
    missing = [value for value in values if value not in text]
    assert not missing, f"not printed: {missing}\n---\n{text}"


def paper(lang: Language = "zh", zone: ZoneInfo = SHANGHAI) -> Paper:
    return Paper(lang, zone, load_font(), "site-bj-01", datetime(2026, 12, 7, 10, 0, tzinfo=UTC))


def text_of(pdf: bytes, keep: str | None = None) -> str:
    if keep:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / keep).write_bytes(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


# --- how values are written -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "written"),
    [(0, "¥0.00"), (5, "¥0.05"), (123456, "¥1,234.56"), (100000000, "¥1,000,000.00"), (-250, "-¥2.50")],
)
def test_money_is_written_from_fen(fen: int, written: str) -> None:
    assert money(fen) == written


def test_hours_and_rates_are_written_without_floats() -> None:
    assert [hours(m) for m in (0, 20, 60, 90, 125)] == ["0.00", "0.33", "1.00", "1.50", "2.08"]
    assert [rate(bp) for bp in (1300, 600, 650, 605, 0)] == ["13%", "6%", "6.5%", "6.05%", "0%"]


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "zh"),
        ("", "zh"),
        ("en-US,en;q=0.9,zh;q=0.8", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("fr-FR,en;q=0.5", "en"),
        ("de, fr", "zh"),
        ("en;q=0, zh;q=0.1", "zh"),
        ("en;q=bogus", "zh"),
    ],
)
def test_the_language_comes_from_accept_language_then_chinese(header: str | None, language: str) -> None:
    assert preferred_language(header) == language


def test_a_missing_or_unreadable_font_is_named_with_the_package_to_install(tmp_path: Path) -> None:
    with pytest.raises(FontMissing, match="fonts-wqy-microhei"):
        load_font(tmp_path / "nowhere.ttc")
    garbage = tmp_path / "garbage.ttf"
    garbage.write_bytes(b"not a font at all" * 10)
    with pytest.raises(FontMissing, match="cannot be read"):
        load_font(garbage)


def test_the_common_cut_holds_everyday_hanzi_and_a_rarer_name_is_set_in_the_whole_face() -> None:
    font = load_font()
    cut = TTFont(font.common, lazy=True).getBestCmap()
    whole = TTFont(font.path, fontNumber=font.face, lazy=True).getBestCmap()
    assert ord("维") in cut
    assert ord("喆") not in cut
    assert ord("喆") in whole  # a name outside GB2312 (张喆): the document is set again in the whole face
    assert len(cut) < len(whole) // 3

    text = text_of(repair_order.render({**RO_VIEW, "customer": {"name": "张喆", "phone": "1"}}, paper()))

    shows(text, "张喆", "维修委托书", "京A12345")


# --- the documents --------------------------------------------------------------------------


def test_the_repair_order_prints_the_customer_car_concerns_lines_and_total() -> None:
    text = text_of(repair_order.render(RO_VIEW, paper()), keep="repair-order.pdf")

    assert "维修委托书" in text
    for value in (
        "李雷",
        "13800138000",
        "京A12345",
        "LVGBE40K38G123456",
        "凯美瑞",
        "王芳",
        "10,230 km",
        "sig-2026-000123",
    ):
        assert value in text, value
    assert "刹车时有异响,冷车时更明显" in text
    for code, description in [("OIL10K", "10,000 km 保养"), ("BRK01", "前刹车片更换"), ("WASH", "免费洗车")]:
        shows(text, code, description)
    assert "90915-YZZD1 机油滤清器" in text
    total = line_total(LINES)
    assert total == 8000 + 3200 + 2 * 8400 + 300 + 30000 + 45000
    assert f"合计 {yuan(total)}" in text
    assert f"其中 保修 {yuan(30000 + 45000)}" in text
    # Times in the site's zone (UTC+8): arrived 01:30Z, promised 08:00Z.
    shows(text, "2026-12-07 09:30", "2026-12-07 16:00")
    shows(text, "左前门 scratch 长约 5 cm", "价格依据: labour_rates 2026-07-01, parts v12", "优惠金额: ¥15.00")
    assert "客户签字" in text


def test_the_repair_order_in_english_and_before_signing_is_an_estimate() -> None:
    unsigned = {**RO_VIEW, "signed_at": None, "signature_ref": None}
    text = text_of(repair_order.render(unsigned, paper("en")), keep="repair-order-en.pdf")

    shows(text, "Estimate")
    assert "Repair order" not in text
    assert f"Total {yuan(line_total(LINES))}" in text
    shows(text, "Customer pay", "Warranty")
    assert "李雷" in text  # names stay as written, whatever the language


def test_the_key_tag_prints_once_the_keys_are_handed_over_and_not_before() -> None:
    handed = text_of(repair_order.render({**RO_VIEW, "key_tag": "K-17"}, paper()))
    shows(handed, "钥匙牌", "K-17")
    in_english = text_of(repair_order.render({**RO_VIEW, "key_tag": "K-17"}, paper("en")))
    shows(in_english, "Key tag", "K-17")
    before = text_of(repair_order.render({**RO_VIEW, "key_tag": None}, paper()))
    assert "钥匙牌" not in before


def test_the_times_follow_the_sites_time_zone() -> None:
    text = text_of(repair_order.render(RO_VIEW, paper(zone=ZoneInfo("Europe/Berlin"))))

    shows(text, "2026-12-07 02:30", "2026-12-07 09:00")


def test_the_additional_work_consent_prints_the_finding_its_price_and_consent() -> None:
    finding = additional_work.finding_of(RO_VIEW, FINDING_ID)
    assert finding is not None
    text = text_of(additional_work.render(RO_VIEW, finding, paper()), keep="additional-work.pdf")

    shows(text, "增项维修确认单", "后刹车盘磨损超限")
    assert "42431-06120 后刹车盘" in text
    assert f"合计 {yuan(line_total(finding['lines']))}" in text
    assert yuan(22500 + 2 * 38000) in text
    shows(text, "同意维修", "rec-778", "2026-12-07 11:10")
    assert "客户原因" not in text  # only a decline has one


def test_a_declined_finding_prints_its_consent_and_the_customers_reason() -> None:
    finding = additional_work.finding_of(RO_VIEW, DECLINED_ID)
    assert finding is not None
    text = text_of(additional_work.render(RO_VIEW, finding, paper()))
    english = text_of(additional_work.render(RO_VIEW, finding, paper("en")))

    shows(text, "不同意维修", "签字", "sig-779", "2026-12-07 11:20", "客户原因: 下次保养时再换", "已说明安全风险: 否")
    shows(english, "Declined", "Customer's reason: 下次保养时再换", "Safety risk explained: No")


def test_the_pre_delivery_checklist_prints_work_done_qc_and_recommendations() -> None:
    jobs = [{"job_id": x["line_id"], "status": "completed", "technician_id": "tech-张伟"} for x in LINES]
    work_order = {"repair_order_id": RO_ID, "status": "ready", "failed_quality_checks": 1, "jobs": jobs}
    text = text_of(pre_delivery.render(RO_VIEW, work_order, paper()), keep="pre-delivery.pdf")

    shows(text, "交车前检查单", "京A12345")
    shows(text, "前刹车片更换", "tech-张伟", "完工")
    assert "已通过 (返工次数: 1)" in text
    assert "雨刮片老化" in text  # the declined finding, recommended for next time
    assert f"合计 {yuan(line_total(LINES))}" in text
    # The estimate's choices are printed; what happens at delivery is left as boxes to tick.
    fields = "".join(text.split())  # without spaces: a long label wraps in its column
    shows(fields, "旧件处理:客户带走", "洗车:✓", "已向客户展示旧件:□", "已向客户解释维修内容:□", "下次保养:□")


def test_the_pre_delivery_checklist_of_a_delivered_car_prints_the_answers_and_the_next_service() -> None:
    work_order = {"repair_order_id": RO_ID, "status": "ready", "jobs": []}
    text = text_of(pre_delivery.render(DELIVERED_VIEW, work_order, paper()), keep="pre-delivery-delivered.pdf")

    fields = "".join(text.split())  # without spaces: a long label wraps in its column
    shows(fields, "已向客户展示旧件:否", "旧件已交还客户:✓", "已向客户解释维修内容:✓")
    shows(text, "下次保养: A4L-20000 2027-12-07 20,230 km")


def test_the_appointment_list_prints_each_car_in_order_with_its_preparation() -> None:
    view = {
        "date": "2026-12-08",
        "advisor": None,
        "appointments": [
            {
                "appointment_id": "a1",
                "advisor_id": "王芳",
                "slot_start": "2026-12-08T09:00:00+08:00",
                "estimated_minutes": 90,
                "status": "booked",
                "user_name": "李雷",
                "user_phone": "13800138000",
                "plate": "京A12345",
                "model": "凯美瑞",
                "jobs": ["10,000 km 保养"],
                "confirmations": ["phone"],
                "confirmation_overdue": False,
                "prepared": True,
                "parts_ready": True,
            },
            {
                "appointment_id": "a2",
                "advisor_id": "王芳",
                "slot_start": "2026-12-08T10:30:00+08:00",
                "estimated_minutes": 60,
                "status": "booked",
                "user_name": "张三",
                "user_phone": "13700137000",
                "plate": "沪B54321",
                "model": None,
                "jobs": ["更换轮胎"],
                "confirmations": [],
                "confirmation_overdue": True,
                "prepared": False,
                "parts_ready": False,
            },
        ],
    }
    text = text_of(appointment_list.render(view, paper()), keep="appointment-list.pdf")

    shows(text, "预约清单", "2026-12-08")
    assert text.index("京A12345") < text.index("沪B54321")
    shows(text, "09:00", "10:30")
    shows(text, "张三", "更换轮胎", "缺件", "确认超时")


def test_the_complaint_report_prints_its_words_steps_dates_and_resolution() -> None:
    view = {
        "complaint_id": "c0ffee00-0000-4000-8000-000000000001",
        "step": "acted",
        "kind": "complaint",
        "channel": "phone",
        "category": "repair_quality",
        "customer_id": "cu-1",
        "vin": "LVGBE40K38G123456",
        "repair_order_id": RO_ID,
        "customer_words": "保养后发动机有异响",
        "serious_reasons": [],
        "escalated": False,
        "received_at": "2026-12-01T02:00:00Z",
        "resolve_by": "2026-12-04T10:00:00Z",
        "sla_breached": False,
        "responsibility": "dealer",
        "cause": "机油滤清器未拧紧",
        "findings": "复检确认",
        "remedy": "goodwill",
        "cost": 20000,
        "customer_disagreed": False,
        "resolved_at": "2026-12-02T06:00:00Z",
        "second_callback_due": "2026-12-09T06:00:00Z",
        "times_back_to_facts": 1,
        "times_reopened": 0,
    }
    text = text_of(complaint.render(view, paper()), keep="complaint.pdf")

    shows(text, "客户投诉处理报告", "保养后发动机有异响")
    shows(text, "机油滤清器未拧紧", "¥200.00")
    shows(text, "2026-12-01 10:00", "2026-12-04 18:00")
    shows(text, "6. 实施 已完成", "7. 跟进回访 当前")


def invoice_view(voided: dict[str, str] | None = None) -> dict[str, Any]:
    lines: list[dict[str, Any]] = [
        {"kind": "labour", "description": "10,000 km 保养", "labour_operation": "OIL10K", "part_number": None,
         "quantity": 1, "pay_type": "CUSTOMER_PAY", "gross": 8000, "net": 7080, "tax": 920, "rate_bp": 1300},
        {"kind": "parts", "description": "机油滤清器", "labour_operation": None, "part_number": "90915-YZZD1",
         "quantity": 1, "pay_type": "CUSTOMER_PAY", "gross": 3200, "net": 2832, "tax": 368, "rate_bp": 1300},
        {"kind": "labour", "description": "前刹车片更换", "labour_operation": "BRK01", "part_number": None,
         "quantity": 1, "pay_type": "WARRANTY", "gross": 30000, "net": 26549, "tax": 3451, "rate_bp": 1300},
    ]  # fmt: skip
    customer = [x for x in lines if x["pay_type"] == "CUSTOMER_PAY"]
    return {
        "invoice_id": "1nv0-1",
        "number": "SVC-2026-000042",
        "series": "service",
        "repair_order_id": RO_ID,
        "status": "voided" if voided else "paid",
        "currency": "CNY",
        "lines": lines,
        "customer": {k: sum(int(x[k]) for x in customer) for k in ("gross", "net", "tax")},
        "receivables": [{"payer": "manufacturer", "pay_type": "WARRANTY", "gross": 30000}],
        "buyer": {"name": "李雷", "phone": "13800138000"},
        "vehicle": {"vin": "LVGBE40K38G123456", "plate": "京A12345", "model": "凯美瑞"},
        "payments": [
            {
                "payment_id": "p0",
                "kind": "deposit",
                "method": "alipay",
                "amount": 5000,
                "reference": None,
                "taken_by": None,
                "taken_at": None,
            },
            {
                "payment_id": "p1",
                "kind": "payment",
                "method": "wechat_pay",
                "amount": 5000,
                "reference": "wx-1",
                "taken_by": "cashier-liu",
                "taken_at": "2026-12-07T09:00:00Z",
            },
            {
                "payment_id": "p2",
                "kind": "payment",
                "method": "cash",
                "amount": 1200,
                "reference": None,
                "taken_by": "cashier-liu",
                "taken_at": "2026-12-07T09:01:00Z",
            },
        ],
        "refunds": [],
        "paid": 11200,
        "balance": 0,
        "issued_at": "2026-12-07T08:55:00Z",
        "paid_at": "2026-12-07T09:01:00Z",
        "voided": voided,
        "fapiao": {
            "kind": "special",
            "buyer_name": "北京某某汽车租赁有限公司",
            "buyer_tax_id": "91110000X",
            "status": "issued",
            "einvoice_number": "24110000000012345678",
        },
        "version": 3,
    }


def test_the_invoice_prints_its_number_buyer_lines_totals_and_payments() -> None:
    view = invoice_view()
    text = text_of(invoice.render(view, paper()), keep="invoice.pdf")

    shows(text, "结算单", "SVC-2026-000042")
    shows(text, "北京某某汽车租赁有限公司", "91110000X", "增值税专用发票")
    for x in view["lines"]:
        assert f"{yuan(x['net'])} {yuan(x['tax'])} {yuan(x['gross'])}" in text, x["description"]
    assert f"全部项目合计 {yuan(sum(x['gross'] for x in view['lines']))}" in text
    customer_gross = sum(x["gross"] for x in view["lines"] if x["pay_type"] == "CUSTOMER_PAY")
    assert f"客户应付合计 {yuan(customer_gross)}" in text
    assert "厂家 保修 ¥300.00" in text  # the warranty line is the manufacturer's, not the customer's
    shows(text, "支付宝 (定金) ¥50.00", "微信支付 ¥50.00 wx-1 2026-12-07 17:00", "现金 ¥12.00", "24110000000012345678")
    shows(text, f"已收 {yuan(11200)}", "未付余额 ¥0.00")
    assert "京A12345" in text


def test_a_voided_invoice_says_so_and_why() -> None:
    view = invoice_view(voided={"reason": "wrong buyer", "at": "2026-12-07T10:00:00Z"})
    text = text_of(invoice.render(view, paper("en")), keep="invoice-voided-en.pdf")

    assert "This invoice is VOID: wrong buyer (2026-12-07 18:00)" in text
    assert "Customer pays ¥112.00" in text
