"""How long the gateway takes to render each printed document (services/gateway/gateway/documents),
from a fixed view of a typical size, without any service: the font's subset embedding and the
layout only. Measured, not asserted; writes bench/results/documents.md.

    python -m bench.documents [--runs 20]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import subprocess
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pypdf

from bench.results_history import with_earlier_runs
from gateway.documents import additional_work, appointment_list, complaint, invoice, pre_delivery, repair_order
from gateway.documents.fonts import load_font
from gateway.documents.layout import Paper

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "documents.md"


def _line(n: int, pay_type: str = "CUSTOMER_PAY", parts: int = 2) -> dict[str, Any]:
    return {
        "line_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"line-{n}")),
        "labour_operation": f"OP{n:03d}",
        "description": f"维修项目 {n} 更换刹车片及检查制动系统",
        "labour_minutes": 30 + 15 * n,
        "labour_price": 8000 + 1000 * n,
        "pay_type": pay_type,
        "parts": [
            {"part_number": f"04465-{n:02d}{p}", "description": "前刹车片", "quantity": 1 + p, "unit_price": 4500 + p}
            for p in range(parts)
        ],
    }


def _repair_order(lines: int) -> dict[str, Any]:
    return {
        "repair_order_id": str(uuid.uuid4()),
        "service_advisor": "王芳",
        "customer": {"name": "李雷", "phone": "13800138000"},
        "vehicle_user": {"name": "韩梅梅", "phone": "13900139000"},
        "vehicle": {"vin": "LVGBE40K38G123456", "plate": "京A12345", "model": "凯美瑞"},
        "arrived_at": "2026-12-07T01:30:00Z",
        "promised_at": "2026-12-07T08:00:00Z",
        "signed_at": "2026-12-07T01:50:00Z",
        "concerns": [{"customer_words": "刹车时有异响,冷车时更明显"}],
        "lines": [_line(n, "WARRANTY" if n % 4 == 3 else "CUSTOMER_PAY") for n in range(lines)],
        "findings": [
            {
                "finding_id": "f1",
                "description": "后刹车盘磨损超限",
                "decision": "declined",
                "lines": [_line(90)],
                "extra_minutes": 30,
            }
        ],
        "walk_around_recorded": True,
        "ready": True,
    }


def _invoice() -> dict[str, Any]:
    lines = [
        {"kind": kind, "description": f"项目 {n}", "labour_operation": f"OP{n}", "quantity": 1,
         "pay_type": "CUSTOMER_PAY", "gross": 11300, "net": 10000, "tax": 1300, "rate_bp": 1300}
        for n, kind in enumerate(["labour", "parts"] * 4)
    ]  # fmt: skip
    return {
        "number": "SVC-2026-000042",
        "series": "service",
        "repair_order_id": "ro",
        "status": "paid",
        "lines": lines,
        "customer": {"gross": 90400, "net": 80000, "tax": 10400},
        "receivables": [],
        "buyer": {"name": "李雷", "phone": "13800138000"},
        "vehicle": {"vin": "LVGBE40K38G123456", "plate": "京A12345", "model": "凯美瑞"},
        "payments": [{"kind": "payment", "method": "wechat_pay", "amount": 90400, "taken_at": "2026-12-07T09:00:00Z"}],
        "refunds": [],
        "paid": 90400,
        "balance": 0,
        "fapiao": {"kind": "normal", "buyer_name": "李雷", "status": "issued"},
    }


def _appointments(count: int) -> dict[str, Any]:
    row = {
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
        "prepared": True,
        "parts_ready": True,
    }
    return {"date": "2026-12-08", "advisor": None, "appointments": [row] * count}


def _complaint() -> dict[str, Any]:
    return {
        "complaint_id": str(uuid.uuid4()),
        "step": "acted",
        "kind": "complaint",
        "category": "time",
        "customer_words": "等了三个小时没人解释",
        "received_at": "2026-12-01T02:00:00Z",
        "resolve_by": "2026-12-04T10:00:00Z",
        "cause": "派工延误",
        "remedy": "goodwill",
        "cost": 20000,
    }


def documents() -> dict[str, Callable[[Paper], bytes]]:
    ro, big = _repair_order(6), _repair_order(60)
    rare = {**ro, "customer": {"name": "张喆", "phone": "13800138000"}}
    work_order = {"status": "ready", "jobs": [{"job_id": x["line_id"], "status": "completed"} for x in ro["lines"]]}
    finding = {**ro["findings"][0], "decision": None}
    return {
        "repair-order (6 lines)": lambda paper: repair_order.render(ro, paper),
        "repair-order (60 lines)": lambda paper: repair_order.render(big, paper),
        # A name outside GB2312: set in the font's common cut, then again in the whole face.
        "repair-order, customer 张喆": lambda paper: repair_order.render(rare, paper),
        "additional-work": lambda paper: additional_work.render(ro, finding, paper),
        "pre-delivery": lambda paper: pre_delivery.render(ro, work_order, paper),
        "appointment-list (25 cars)": lambda paper: appointment_list.render(_appointments(25), paper),
        "complaint": lambda paper: complaint.render(_complaint(), paper),
        "invoice (8 lines)": lambda paper: invoice.render(_invoice(), paper),
    }


def commit() -> str:
    found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    if found.returncode != 0:
        return "the installed packages (no git checkout)"
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "services/gateway"], capture_output=True, text=True
    )
    return f"services/gateway at commit {found.stdout.strip()}" + (
        " plus uncommitted changes" if dirty.stdout.strip() else ", no uncommitted changes"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20, help="renders of each document (after one warm-up)")
    runs = parser.parse_args().runs
    font = load_font()
    paper = Paper("zh", ZoneInfo("Asia/Shanghai"), font, "site-bj-01", datetime.now(UTC))
    rows = []
    for name, render in documents().items():
        pdf = render(paper)  # warm-up: imports, the font file in the page cache
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            render(paper)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        rows.append(f"| {name} | {pages} | {len(pdf) // 1024} | {statistics.median(times):.0f} | {p95:.0f} |")
        print(rows[-1], flush=True)
    report = "\n".join(
        [
            "# Rendering the printed documents",
            "",
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python -m bench.documents --runs {runs}`.",
            "",
            "## Machine",
            "",
            f"- CPU: {os.cpu_count()} cores; Python {platform.python_version()}",
            f"- Libraries: fpdf2 {version('fpdf2')}, fonttools {version('fonttools')}",
            f"- Font: {font.path} (face {font.face})",
            f"- Code measured: {commit()}",
            "- Load average (1, 5, 15 min) at the end: " + ", ".join(f"{v:.1f}" for v in os.getloadavg()),
            "",
            "## Results",
            "",
            "| document | pages | PDF size (KiB) | median (ms) | p95 (ms) |",
            "|---|---:|---:|---:|---:|",
            *rows,
            "",
            "## Method",
            "",
            "Each document rendered from a fixed view of a typical size (as the gateway gets it from the",
            "service), in one process, one at a time, after one warm-up render; the time is the whole",
            "render: the font read and its subset embedded, the layout, the PDF written. No service and",
            "no HTTP: what the gateway adds to the service's own answer. Not asserted by any test.",
            "Documents are set in the font's common cut (GB2312, Latin, punctuation); the row with a",
            "name outside it shows the cost of setting a document again in the whole face, which every",
            "document paid before the cut (docs/decisions/0018-documents-rendered-at-the-edge.md).",
            "",
        ]
    )
    RESULTS.write_text(with_earlier_runs(report, RESULTS))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
