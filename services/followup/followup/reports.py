"""The CSI/VOC report: the figures of `followup.domain.voc` plus the operational KPIs, per week,
month or calendar year, per site or for the group (every site the caller may see, added up), as
rows that go out as JSON or CSV.

Periods are counted in the report's time zone (the dealer group's; a query parameter, default
`FOLLOWUP_REPORT_TZ` or Asia/Shanghai). A callback counts in the period it fell due, a KPI fact
in the period it happened, a check-in in the period the car arrived.

Greeting: the seeds (000, 003) ask for a greeting within 1-3 minutes of arrival, so a check-in
counts as greeted in time at 3 minutes or less; the median greeting time goes with it, since a
few customers left waiting for half an hour would drag an average far from the usual wait.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from events.catalog.followup_values import DISSATISFACTION_CATEGORIES, SCORE_MAX, SCORE_MIN
from events.settings import load
from followup.analytics import METRICS
from followup.domain.voc import CallbackFact, ComplaintFact, VocFigures, figures, period_of
from followup.settings import FollowupSettings

GROUP = "group"
# Read as the module loads, since the API's routes take it as their default; checked there.
DEFAULT_TZ = load(FollowupSettings).followup_report_tz
GREETED_WITHIN = timedelta(minutes=3)


@dataclass
class _Kpis:
    yes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))
    total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))
    parts_waits: int = 0
    parts_waits_open: int = 0
    parts_wait_minutes: float = 0.0
    parts_requests: int = 0
    parts_requests_filled: int = 0  # in full, from the shelf, when asked
    parts_requested: int = 0
    parts_on_shelf: int = 0
    greeting_seconds: list[float] = field(default_factory=list)
    complaints_raised: int = 0
    causes: dict[str, int] = field(default_factory=dict)
    responsibility: dict[str, int] = field(default_factory=dict)


def _rate(yes: int, total: int) -> float | None:
    return round(yes / total, 4) if total else None


async def csi_rows(
    pool: asyncpg.Pool,
    group_id: str,
    sites: Sequence[str] | None,
    group_scope: bool,
    period: str,
    since: datetime,
    tz: ZoneInfo,
) -> list[dict[str, Any]]:
    """`sites` None: every site of the group."""
    args = (group_id, None if sites is None else list(sites), since)
    where = "group_id = $1 AND ($2::text[] IS NULL OR site_id = ANY($2))"

    def site(row: Any) -> str:
        return GROUP if group_scope else str(row["site_id"])

    callbacks = await pool.fetch(f"SELECT * FROM voc_callbacks WHERE {where} AND due_at >= $3", *args)
    facts = [
        CallbackFact(
            site_id=site(r),
            kind=r["kind"],
            due_at=r["due_at"],
            hard_limit_at=r["hard_limit_at"],
            counted=r["counted"],
            reached_at=r["reached_at"],
            score=r["score"],
            categories=tuple(r["categories"]),
        )
        for r in callbacks
    ]
    kpis: dict[tuple[str, str], _Kpis] = defaultdict(_Kpis)
    for r in callbacks:
        if r["complaint_raised"]:
            kpis[(site(r), period_of(r["due_at"], period, tz))].complaints_raised += 1
    for r in await pool.fetch(f"SELECT site_id, metric, at, ok FROM kpi_facts WHERE {where} AND at >= $3", *args):
        k = kpis[(site(r), period_of(r["at"], period, tz))]
        k.total[r["metric"]] += 1
        k.yes[r["metric"]] += r["ok"]
    waits = await pool.fetch(
        f"SELECT site_id, detected_at, filled_at FROM parts_waits WHERE {where} AND detected_at >= $3", *args
    )
    for r in waits:
        k = kpis[(site(r), period_of(r["detected_at"], period, tz))]
        if r["filled_at"] is None:
            k.parts_waits_open += 1
        else:
            k.parts_waits += 1
            k.parts_wait_minutes += (r["filled_at"] - r["detected_at"]).total_seconds() / 60
    fills = await pool.fetch(
        f"SELECT site_id, requested_at, requested, on_shelf FROM parts_fills WHERE {where} AND requested_at >= $3",
        *args,
    )
    for r in fills:
        k = kpis[(site(r), period_of(r["requested_at"], period, tz))]
        k.parts_requests += 1
        k.parts_requests_filled += r["on_shelf"] == r["requested"]
        k.parts_requested += r["requested"]
        k.parts_on_shelf += r["on_shelf"]
    greetings = await pool.fetch(
        f"SELECT site_id, arrived_at, greeted_at FROM greetings WHERE {where} AND arrived_at >= $3", *args
    )
    for r in greetings:
        k = kpis[(site(r), period_of(r["arrived_at"], period, tz))]
        k.greeting_seconds.append((r["greeted_at"] - r["arrived_at"]).total_seconds())
    complaint_rows = await pool.fetch(f"SELECT * FROM voc_complaints WHERE {where} AND received_at >= $3", *args)
    complaints = [
        # Within SLA once remedied without a breach; breached when the complaints service says so; else open.
        ComplaintFact(
            site(r), r["received_at"], r["kind"], False if r["breached"] else (True if r["acted_at"] else None)
        )
        for r in complaint_rows
    ]
    for r in complaint_rows:
        k = kpis[(site(r), period_of(r["received_at"], period, tz))]
        k.causes[r["cause"] or "unconfirmed"] = k.causes.get(r["cause"] or "unconfirmed", 0) + 1
        who = r["responsibility"] or "unconfirmed"
        k.responsibility[who] = k.responsibility.get(who, 0) + 1
    voc = {(f.site_id, f.period): f for f in figures(facts, complaints, period, tz)}
    keys = sorted(set(voc) | set(kpis))
    return [
        _row(key, voc.get(key) or VocFigures(site_id=key[0], period=key[1]), kpis.get(key, _Kpis())) for key in keys
    ]


def _row(key: tuple[str, str], f: VocFigures, k: _Kpis) -> dict[str, Any]:
    greeted_in_time = sum(seconds <= GREETED_WITHIN.total_seconds() for seconds in k.greeting_seconds)
    return {
        "site_id": key[0],
        "period": key[1],
        "callbacks_due": f.callbacks_due,
        "reached_by_due_time": f.reached_by_due_time,
        "reach_rate_72h": _rate(f.reached_by_due_time, f.callbacks_due),
        "reached_in_window": f.reached_in_window,
        "reach_rate_in_window": _rate(f.reached_in_window, f.callbacks_due),
        "average_score": round(f.average_score, 2) if f.average_score is not None else None,
        "satisfaction": {str(s): f.satisfaction.get(s, 0) for s in range(SCORE_MIN, SCORE_MAX + 1)},
        "dissatisfaction": {c: f.dissatisfaction.get(c, 0) for c in DISSATISFACTION_CATEGORIES},
        "complaints_raised_by_callbacks": k.complaints_raised,
        "complaints": f.complaints,
        "complaint_causes": dict(sorted(k.causes.items())),
        "complaint_responsibility": dict(sorted(k.responsibility.items())),
        "complaints_within_sla": f.complaints_within_sla,
        "complaints_sla_breached": f.complaints_sla_breached,
        "appointment_rate": _rate(k.yes["appointment"], k.total["appointment"]),
        "no_show_rate": _rate(k.yes["no_show"], k.total["no_show"]),
        "on_time_delivery_rate": _rate(k.yes["on_time_delivery"], k.total["on_time_delivery"]),
        "first_time_fix_rate": _rate(k.yes["first_time_fix"], k.total["first_time_fix"]),
        "additional_work_approval_rate": _rate(k.yes["additional_work_approved"], k.total["additional_work_approved"]),
        "parts_waits_filled": k.parts_waits,
        "parts_waits_open": k.parts_waits_open,
        "parts_wait_average_minutes": round(k.parts_wait_minutes / k.parts_waits, 1) if k.parts_waits else None,
        "parts_requests": k.parts_requests,
        "parts_first_time_fill_rate": _rate(k.parts_requests_filled, k.parts_requests),
        "parts_quantity_fill_rate": _rate(k.parts_on_shelf, k.parts_requested),
        "check_ins": len(k.greeting_seconds),
        "greeted_within_3_min": greeted_in_time,
        "greeting_rate_3min": _rate(greeted_in_time, len(k.greeting_seconds)),
        "greeting_median_seconds": round(median(k.greeting_seconds)) if k.greeting_seconds else None,
    }


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in row.items():
        if isinstance(value, dict):
            flat.update({f"{name}_{key}": count for key, count in value.items()})
        else:
            flat[name] = "" if value is None else value
    return flat


def to_csv(rows: list[dict[str, Any]]) -> str:
    """One line per (site, period); nested counts become columns (`satisfaction_5`, …)."""
    flat = [_flat(row) for row in rows]
    columns = list(_flat(_row(("", ""), VocFigures(site_id="", period=""), _Kpis())))
    for row in flat:
        columns += [c for c in row if c not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat)
    return out.getvalue()
