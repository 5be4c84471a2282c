"""The provincial repair e-record platform's stand-in (汽车维修电子健康档案, JT/T 1132 / 1133):
takes a repair enterprise's upload of one settlement's record with its account and key (HTTP
Basic; a wrong key is 401), checks the standard's required fields and answers accepted with the
platform's record id, or rejected with the platform's reason. An upload of a settlement list
number it already holds replaces that record (a corrected resubmission), under the same id.

The field names are the national platform's upload interface's (lower-case pinyin-English keys,
every value a string); provinces' platforms differ in details, which the adapter absorbs."""

from __future__ import annotations

import base64
import re
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from standins import ERECORD_ACCOUNT, ERECORD_KEY
from standins.ledger import Failures, Ledger
from standins.pages import page

router = APIRouter()
PARTY = "erecord"

REQUIRED = {
    "companycode": "维修企业许可证号 (repair enterprise licence number)",
    "companyname": "维修企业名称 (repair enterprise name)",
    "vehicleplatenumber": "车牌号码 (plate)",
    "vin": "车辆识别代号 (VIN)",
    "repairdate": "送修日期 (repair date)",
    "repairmileage": "送修里程 (mileage)",
    "faultdescription": "故障描述 (fault description)",
    "settledate": "结算日期 (settlement date)",
    "costlistcode": "结算清单编号 (settlement list number)",
}
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_HOURS = re.compile(r"^\d+(\.\d{1,2})?$")


def rejection(record: dict[str, Any]) -> str | None:
    """The platform's reason to reject `record`, or None."""
    for field, name in REQUIRED.items():
        value = record.get(field)
        if not isinstance(value, str) or not value.strip():
            return f"缺少必填项{name} (missing {field})"
    if not _VIN.match(record["vin"]):
        return "车辆识别代号格式错误 (vin must be 17 characters, without I, O or Q)"
    if not record["repairmileage"].isdigit():
        return "送修里程须为数字 (repairmileage is not a number)"
    for field in ("repairdate", "settledate"):
        try:
            date.fromisoformat(record[field])
        except ValueError:
            return f"日期格式错误 ({field} is not a YYYY-MM-DD date)"
    if record["settledate"] < record["repairdate"]:
        return "结算日期早于送修日期 (settledate is before repairdate)"
    items = record.get("repairprojectlist")
    if not isinstance(items, list) or not items:
        return "缺少维修项目 (repairprojectlist is empty)"
    for item in items:
        if not str(item.get("repairproject", "")).strip() or not _HOURS.match(str(item.get("workinghours", ""))):
            return "维修项目须有名称和工时 (every repair project needs a name and working hours)"
    for part in record.get("partslist") or []:
        if not all(str(part.get(f, "")).strip() for f in ("partscode", "partsname")):
            return "配件须有编码和名称 (every part needs a code and a name)"
        if not str(part.get("partsquantity", "")).isdigit() or int(part["partsquantity"]) <= 0:
            return "配件数量须为正整数 (partsquantity is not a positive whole number)"
    return None


def _credentials(authorization: str) -> tuple[str, str] | None:
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        account, _, key = base64.b64decode(encoded).decode().partition(":")
    except ValueError:
        return None
    return account, key


@router.post("/erecord/api/v1/records", tags=["repair e-record platform"])
def upload(record: dict[str, Any], request: Request, authorization: str = Header(default="")) -> JSONResponse:
    ledger: Ledger = request.app.state.ledger
    failures: Failures = request.app.state.erecord_failures
    if _credentials(authorization) != (ERECORD_ACCOUNT, ERECORD_KEY):
        return JSONResponse(
            {"code": "401", "status": "unauthorised", "reason": "账号或密钥错误 (wrong account or key)"}, 401
        )
    failure = failures.next()
    if failure and failure["mode"] == "unavailable":
        return JSONResponse(
            {"code": "503", "status": "unavailable", "reason": "平台维护中 (platform unavailable)"}, 503
        )
    reason = failure["reason"] if failure else rejection(record)
    key = f"{record.get('companycode', '')}/{record.get('costlistcode', '')}"
    known = ledger.find(PARTY, key)
    if reason:
        answer = {"code": "E400", "status": "rejected", "reason": reason}
    else:
        record_id = (known.answer.get("recordid") if known else None) or f"JTT{ledger.next_number(PARTY):010d}"
        answer = {"code": "0", "status": "accepted", "recordid": record_id}
    ledger.record(PARTY, key, record, {**answer, "at": datetime.now(UTC).isoformat(timespec="seconds")})
    return JSONResponse(answer, status_code=422 if reason else 200)


class FailurePlan(BaseModel):
    count: int = Field(ge=1)
    mode: str = Field(default="unavailable", pattern="^(unavailable|reject)$")
    reason: str = "平台拒绝 (refused by the platform)"


@router.post("/erecord/admin/failures", tags=["repair e-record platform"])
def fail_next(plan: FailurePlan, request: Request) -> dict[str, int]:
    """Fail the next `count` uploads: `unavailable` (503) or `reject` (422 with `reason`)."""
    failures: Failures = request.app.state.erecord_failures
    failures.plan(plan.count, {"mode": plan.mode, "reason": plan.reason if plan.mode == "reject" else None})
    return {"pending_failures": failures.pending()}


@router.get("/erecord/admin/records", tags=["repair e-record platform"])
def received(request: Request) -> list[dict[str, Any]]:
    ledger: Ledger = request.app.state.ledger
    return [
        {"key": e.key, "received_at": e.received_at, "receipts": e.receipts, "record": e.request, "answer": e.answer}
        for e in ledger.newest_first(PARTY)
    ]


@router.get("/erecord", response_class=HTMLResponse, include_in_schema=False)
def erecord_page(request: Request) -> str:
    ledger: Ledger = request.app.state.ledger
    rows = []
    for e in ledger.newest_first(PARTY):
        r, answer = e.request, e.answer
        items = "; ".join(
            f"{i.get('repairproject')} {i.get('workinghours')} h" for i in r.get("repairprojectlist") or []
        )
        parts = "; ".join(
            f"{p.get('partscode')} {p.get('partsname')} x {p.get('partsquantity')}" for p in r.get("partslist") or []
        )
        outcome = answer.get("recordid") if answer["status"] == "accepted" else f"rejected: {answer.get('reason')}"
        rows.append(
            (
                [
                    e.received_at,
                    str(r.get("companyname", "")),
                    str(r.get("costlistcode", "")),
                    str(r.get("vehicleplatenumber", "")),
                    str(r.get("vin", "")),
                    str(r.get("repairmileage", "")),
                    items,
                    parts,
                    str(outcome),
                    str(e.receipts),
                ],
                answer["status"] != "accepted",
            )
        )
    return page(
        "Repair e-record platform (local stand-in)",
        "A stand-in of the provincial vehicle-maintenance e-record platform (JT/T 1132): not part of dealerflow. "
        "Uploads received, newest first; an upload of a settlement it holds replaces it (receipts counts them).",
        [
            "received",
            "enterprise",
            "settlement list",
            "plate",
            "VIN",
            "mileage (km)",
            "repair items",
            "parts",
            "record / reason",
            "receipts",
        ],
        rows,
    )
