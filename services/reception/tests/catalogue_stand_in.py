"""A stand-in for the catalogue service's API (docs: spec of issue 19), answering reception's
calls through `events.peers.Peers` on an `httpx.MockTransport`: quotes, a labour operation,
the next service menu. Reception's own code (the peers client and its error mapping included)
runs as in production; only the other service is replaced. Prices can change mid-test, and the
stand-in can be taken down (`down`), as the real one might be.

Prices are seed 003's 10,000 km service: labour 80 CNY (40 minutes at 120 CNY/h), oil 168,
filter 32, drain plug washer 3: 283 CNY.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from events.peers import Peers

SERVICE_CODE = "SVC-10000"
BRAKES_CODE = "BRK-PADS-F"
FAMILY = "Audi A4L"


@dataclass
class CatalogueStandIn:
    # code → (description, flat-rate minutes)
    operations: dict[str, tuple[str, int]] = field(
        default_factory=lambda: {SERVICE_CODE: ("10,000 km service", 40), BRAKES_CODE: ("front brake pads", 60)}
    )
    # pay type → fen per hour
    rates: dict[str, int] = field(default_factory=lambda: {"CUSTOMER_PAY": 12000, "WARRANTY": 9000})
    # part number → (description, list price in fen)
    parts: dict[str, tuple[str, int]] = field(
        default_factory=lambda: {
            "OIL-5W30-4L": ("engine oil 5W-30", 16800),
            "04152-YZZA1": ("oil filter", 3200),
            "90430-12031": ("drain plug washer", 300),
            "04465-33471": ("front brake pads", 45000),
        }
    )
    # menu id → (model family, code, parts)
    menus: dict[str, tuple[str, str, tuple[tuple[str, int], ...]]] = field(
        default_factory=lambda: {
            "A4L-10000": (FAMILY, SERVICE_CODE, (("OIL-5W30-4L", 1), ("04152-YZZA1", 1), ("90430-12031", 1)))
        }
    )
    # model family → the next service's (menu id, km interval)
    next_menus: dict[str, tuple[str, int]] = field(default_factory=lambda: {FAMILY: ("A4L-20000", 10000)})
    labour_version: str = "2024-01-01"
    parts_version: str = "7"
    down: bool = False
    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.client = httpx.AsyncClient(transport=httpx.MockTransport(self.handle))

    def peers(self) -> Peers:
        return Peers(self.client)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        path = request.url.path
        body: dict[str, Any] = json.loads(request.content) if request.content else dict(request.url.params)
        self.calls.append((request.method, path, body))
        if request.method == "POST" and re.fullmatch(r"/sites/[^/]+/quotes", path):
            return self._quote(body)
        if request.method == "GET" and re.fullmatch(r"/sites/[^/]+/service-menus/next", path):
            return self._next(body)
        known = re.fullmatch(r"/sites/[^/]+/labour-operations/([^/]+)", path)
        if request.method == "GET" and known:
            if known.group(1) not in self.operations:
                return _refusal(404, "not_found", f"no labour operation {known.group(1)}")
            return httpx.Response(200, json={"code": known.group(1)})
        return _refusal(404, "not_found", "no such route")

    def _labour_price(self, code: str, pay_type: str) -> int:
        minutes = self.operations[code][1]
        return (self.rates[pay_type] * minutes + 30) // 60  # half up to the fen

    def _line(self, code: str, pay_type: str, parts: list[tuple[str, int]]) -> dict[str, Any]:
        return {
            "line_id": str(uuid.uuid4()),
            "labour_operation": code,
            "description": self.operations[code][0],
            "labour_minutes": self.operations[code][1],
            "labour_price": self._labour_price(code, pay_type),
            "pay_type": pay_type,
            "parts": [
                {
                    "part_number": number,
                    "description": self.parts[number][0],
                    "quantity": quantity,
                    "unit_price": self.parts[number][1],
                    "non_oem": False,
                }
                for number, quantity in parts
            ],
        }

    def _quote(self, body: dict[str, Any]) -> httpx.Response:
        pay_type = body["pay_type"]
        if "menu_id" in body:
            _, code, menu_parts = self.menus[body["menu_id"]]
            lines = [self._line(code, pay_type, list(menu_parts))]
        else:
            lines = []
            for code in body.get("labour_operations", []):
                if code not in self.operations:
                    return _refusal(422, "unknown_reference", f"no labour operation {code}")
            for part in body.get("parts", []):
                if part["part_number"] not in self.parts:
                    return _refusal(422, "unknown_reference", f"no part {part['part_number']}")
            for code in body.get("labour_operations", []):
                parts = [(p["part_number"], p["quantity"]) for p in body["parts"] if p.get("labour_operation") == code]
                lines.append(self._line(code, pay_type, parts))
        total = sum(
            line["labour_price"] + sum(p["unit_price"] * p["quantity"] for p in line["parts"]) for line in lines
        )
        return httpx.Response(
            200,
            json={
                "lines": lines,
                "total": total,
                "labour_minutes": sum(line["labour_minutes"] for line in lines),
                "price_lists": {
                    "labour_rates": self.labour_version,
                    "parts": self.parts_version,
                    "labour_operations": {code: "2023-07-01" for code in {line["labour_operation"] for line in lines}},
                },
                "currency": "CNY",
            },
        )

    def _next(self, query: dict[str, Any]) -> httpx.Response:
        found = self.next_menus.get(query["model_family"])
        if found is None:
            return _refusal(404, "not_found", f"no service menu for {query['model_family']}")
        menu_id, km = found
        on = date.fromisoformat(query["on"])
        due = on.replace(year=on.year + 1)
        return httpx.Response(
            200,
            json={
                "menu_id": menu_id,
                "name_zh": "保养",
                "name_en": "service",
                "due_km": int(query["mileage_km"]) + km,
                "due_date": due.isoformat(),
            },
        )


def _refusal(status: int, code: str, message: str) -> httpx.Response:
    # The error body every service answers (events.http).
    return httpx.Response(status, json={"error": {"code": code, "message": message}})
