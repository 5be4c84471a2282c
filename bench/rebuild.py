"""`make bench-rebuild`: rebuilding read models from a year of one large site (issue 6),
`python -m bench.rebuild [--quick]`.

Starts one PostgreSQL server (durable: fsync on; data in var/bench-pg, wiped first) unless
`DATABASE_URL` names one, creates a reception and a followup database with their migrations,
generates the year (`bench.history`; `--quick`: 30 days) once and turns every envelope into its
Kafka record (`events.kafka.to_record`) before any clock runs. Then, for each projection — the
advisor board, the callback queue and the CSI/VOC facts — it rebuilds the read model from zero
(3 times, the median reported) the way a `KafkaProjector` fed from the topics does: pages of
10,000 records, the events the projection handles decoded with `RecordDecoder`, applied through
the projector with one transaction per page, each page decoded while the one before is applied
(as the consumer group does). The baseline on the same run is decoding the same pages alone (no
database): the ceiling. After each rebuild the read model's row counts are checked against
what the history holds; a wrong count fails the run. Prints the table and writes it with the
machine's facts to bench/results/rebuild.md.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import importlib
import os
import resource
import shlex
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import asyncpg

from bench.backbone import DATA_DIR, ROOT, exclusive, machine_facts, postgres_facts, rate, report_head
from bench.history import year_of_one_site
from bench.results_history import with_earlier_runs
from bench.workloads import checkpoint, fresh_database
from events.consumer import PAGE_RECORDS
from events.database import open_pool
from events.envelope import Envelope, StoredEvent
from events.kafka import KafkaSettings, RecordDecoder, event_type_of, from_record, header_map, to_record
from events.local import LocalPostgres
from events.log_pages import collection_paused
from events.migrations import load_folder
from events.projection import KafkaProjector, Projection, views_of

RESULTS = ROOT / "bench" / "results" / "rebuild.md"
PAGE = PAGE_RECORDS  # records per page: the most a projector's consumer takes per fetch
TARGET = 50_000  # events/s per projection (issue 6)
QUICK_DAYS = 30
REPEAT = 3  # rebuilds of each projection, of which the median is reported
# The projections' code, whose state the report records next to the backbone's.
PROJECTION_FILES = (
    "services/reception/reception/board.py",
    "services/followup/followup/callback_queue.py",
    "services/followup/followup/analytics.py",
)
# Headers whose values repeat from record to record: one bytes object each, so that two million
# records fit in memory (a broker client would hold a page, not the year).
_SHARED_HEADERS = frozenset(
    {"ce_specversion", "ce_source", "ce_type", "ce_dataschema", "content-type", "ce_groupid", "ce_siteid", "ce_actor"}
)

Record = tuple[bytes, list[tuple[str, bytes]]]  # a Kafka record's value and headers


@contextmanager
def database_server() -> Iterator[str]:
    """The PostgreSQL server of this run, as `bench.backbone.servers()` gets it (no broker:
    the records are replayed from memory)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    if (DATA_DIR / "postmaster.pid").exists():  # left by a run that died (none holds the lock)
        LocalPostgres(DATA_DIR).stop()
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    with LocalPostgres(DATA_DIR, durable=True) as server:
        yield server.url


# --- the history, as records ------------------------------------------------------------------


@dataclass
class Expected:
    """What the history holds, counted while it is generated: what the rebuilt read models must show."""

    types: Counter[str] = field(default_factory=Counter)
    checked_in_from_appointment: int = 0
    callbacks_scored: set[Any] = field(default_factory=set)
    appointments_settled: set[Any] = field(default_factory=set)  # arrived or no-show: the no-show facts
    findings_decided: set[Any] = field(default_factory=set)
    first_time_fixes: set[Any] = field(default_factory=set)
    on_time: int = 0
    by_appointment: int = 0
    shortages: set[Any] = field(default_factory=set)
    backorders_filled: set[Any] = field(default_factory=set)
    breached: set[Any] = field(default_factory=set)
    acted: set[Any] = field(default_factory=set)
    confirmed: set[Any] = field(default_factory=set)
    stream_count: int = 0
    streams: dict[str, set[str]] = field(default_factory=dict)  # projection -> streams of the events it handles

    def see(self, envelope: Envelope[Any], handled_by: Sequence[tuple[str, Collection[str]]]) -> None:
        event, event_type = envelope.event, envelope.event.event_type
        self.types[event_type] += 1
        self.stream_count += envelope.stream_version == 1
        for name, handles in handled_by:
            if event_type in handles:
                self.streams.setdefault(name, set()).add(envelope.stream_id)
        match event_type:
            case "reception.VehicleCheckedIn":
                self.checked_in_from_appointment += event.appointment_id is not None
                self.by_appointment += event.arrival_kind == "appointment"
            case "reception.VehicleDelivered":
                self.on_time += event.on_time
            case "booking.AppointmentNoShow" | "booking.VehicleArrived":
                self.appointments_settled.add(event.appointment_id)
            case "workshop.QualityCheckPassed":
                self.first_time_fixes.add((event.repair_order_id, event.first_time))
            case "reception.AdditionalWorkApproved":
                self.findings_decided.add(event.finding_id)
            case "reception.AdditionalWorkDeclined":
                self.findings_decided.add(event.recommendation.finding_id)
            case "followup.CallRecorded":
                self.callbacks_scored.add(event.callback_id)
            case "parts.PartsShortageDetected":
                self.shortages.add(event.reservation_id)
            case "parts.PartsReserved" if event.from_backorder:
                self.backorders_filled.add(event.reservation_id)
            case "complaints.ComplaintSlaBreached":
                self.breached.add(event.complaint_id)
            case "complaints.ComplaintActionTaken":
                self.acted.add(event.complaint_id)
            case "complaints.ComplaintFactsConfirmed":
                self.confirmed.add(event.complaint_id)

    def n(self, *event_types: str) -> int:
        return sum(self.types[t] for t in event_types)


@dataclass
class History:
    records: list[Record]
    expected: Expected
    days: int
    generate_s: float
    serialize_s: float
    decode_costs: list[tuple[str, int, float]] = field(default_factory=list)

    @property
    def events(self) -> int:
        return len(self.records)


def stored(envelope: Envelope[Any]) -> StoredEvent:
    """The envelope as the log would hold it (its JSON as the store writes it)."""
    event, meta = envelope.event, envelope.metadata
    return StoredEvent(
        0, 0, envelope.stream_id, envelope.stream_version, envelope.event_id, event.event_type,
        type(event).schema_version, event.model_dump_json(), meta.tenant.group_id, meta.tenant.site_id, meta.actor,
        meta.correlation_id, meta.causation_id, meta.traceparent, meta.tracestate, envelope.occurred_at,
        envelope.recorded_at,
    )  # fmt: skip


def history(days: int, handled_by: Sequence[tuple[str, Collection[str]]]) -> History:
    """Generate the year once and serialize it to records; time both (apart). The collector is
    off meanwhile: its full collections would walk the growing list of records again and again."""
    gc.disable()
    try:
        return _history(days, handled_by)
    finally:
        gc.enable()


def _history(days: int, handled_by: Sequence[tuple[str, Collection[str]]]) -> History:
    expected = Expected()
    records: list[Record] = []
    shared: dict[bytes, bytes] = {}
    generate = serialize = 0.0
    clock = time.perf_counter
    envelopes = year_of_one_site(days=days)
    while True:
        started = clock()
        envelope = next(envelopes, None)
        generated = clock()
        generate += generated - started
        if envelope is None:
            break
        _, value, headers = to_record(stored(envelope))
        serialize += clock() - generated
        records.append((value, [(k, shared.setdefault(v, v)) if k in _SHARED_HEADERS else (k, v) for k, v in headers]))
        expected.see(envelope, handled_by)
    return History(records, expected, days, generate, serialize)


def pages(records: list[Record]) -> Iterator[list[Record]]:
    for start in range(0, len(records), PAGE):
        yield records[start : start + PAGE]


_DECODERS: dict[str, RecordDecoder] = {}


def decoder(projection: Projection) -> RecordDecoder:
    """The projection's decoder, as its consumer has one: its views for the types it has views of."""
    found = _DECODERS.get(projection.name)
    if found is None:
        found = _DECODERS[projection.name] = RecordDecoder(views=views_of(projection))
    return found


def decode(page: list[Record], projection: Projection) -> list[Envelope[Any]]:
    """What a projector's consumer does with a page: the handled records decoded (as the
    projection's views of them, where it has views), the rest skipped."""
    return decoder(projection).page(page, projection.handles)


# --- the checks ------------------------------------------------------------------------------

Check = tuple[str, str, int]  # what, the SQL counting it, the count the history says


def board_checks(x: Expected) -> list[Check]:
    visits = x.n("reception.VehicleCheckedIn")
    appointment_cards = x.n("booking.AppointmentBooked") - x.checked_in_from_appointment
    return [
        ("visit cards = check-ins", "SELECT count(*) FROM advisor_board WHERE kind = 'visit'", visits),
        ("appointment cards = bookings not checked in", "SELECT count(*) FROM advisor_board WHERE kind = "
         "'appointment'", appointment_cards),
        ("delivered = deliveries + exit slips", "SELECT count(*) FROM advisor_board WHERE status = 'delivered'",
         x.n("reception.VehicleDelivered", "reception.ExitSlipIssued")),
        ("no-show cards = no-shows", "SELECT count(*) FROM advisor_board WHERE status = 'no_show'",
         x.n("booking.AppointmentNoShow")),
        ("cancelled cards = cancellations", "SELECT count(*) FROM advisor_board WHERE status = 'cancelled'",
         x.n("booking.AppointmentCancelled")),
        ("delivered cards with open jobs", "SELECT count(*) FROM advisor_board WHERE status = 'delivered' AND "
         "open_jobs <> 0", 0),
    ]  # fmt: skip


def callback_checks(x: Expected) -> list[Check]:
    def status(name: str) -> str:
        return f"SELECT count(*) FROM callback_queue WHERE status = '{name}'"

    return [
        ("rows = callbacks opened + skipped", "SELECT count(*) FROM callback_queue",
         x.n("followup.CallbackOpened", "followup.CallbackSkipped")),
        ("completed", status("completed"), x.n("followup.CallbackCompleted")),
        ("refused", status("refused"), x.n("followup.CallbackRefused")),
        ("unreachable", status("unreachable"), x.n("followup.CallbackUnreachable")),
        ("cancelled", status("cancelled"), x.n("followup.CallbackCancelled")),
        ("skipped", status("skipped"), x.n("followup.CallbackSkipped")),
        ("scored", "SELECT count(*) FROM callback_queue WHERE satisfaction_score IS NOT NULL",
         len(x.callbacks_scored)),
        ("overdue", "SELECT count(*) FROM callback_queue WHERE overdue", x.n("followup.CallbackOverdue")),
    ]  # fmt: skip


def voc_checks(x: Expected) -> list[Check]:
    return [
        ("rows = callbacks opened", "SELECT count(*) FROM voc_callbacks", x.n("followup.CallbackOpened")),
        ("reached with a score", "SELECT count(*) FROM voc_callbacks WHERE score IS NOT NULL", len(x.callbacks_scored)),
        ("not counted = cancelled", "SELECT count(*) FROM voc_callbacks WHERE NOT counted",
         x.n("followup.CallbackCancelled")),
        ("complaint raised", "SELECT count(*) FROM voc_callbacks WHERE complaint_raised",
         x.n("followup.ComplaintRaised")),
    ]  # fmt: skip


def kpi_checks(x: Expected) -> list[Check]:
    def metric(name: str, ok: bool | None = None) -> str:
        where = "" if ok is None else f" AND ok = {str(ok).lower()}"
        return f"SELECT count(*) FROM kpi_facts WHERE metric = '{name}'{where}"

    return [
        ("appointment facts = check-ins", metric("appointment"), x.n("reception.VehicleCheckedIn")),
        ("… by appointment", metric("appointment", True), x.by_appointment),
        ("no-show facts = appointments arrived or not", metric("no_show"), len(x.appointments_settled)),
        ("on-time facts = deliveries", metric("on_time_delivery"), x.n("reception.VehicleDelivered")),
        ("… on time", metric("on_time_delivery", True), x.on_time),
        ("first-time-fix facts", metric("first_time_fix"), len({ro for ro, _ in x.first_time_fixes})),
        ("… fixed first time", metric("first_time_fix", True), sum(first for _, first in x.first_time_fixes)),
        ("additional-work facts = findings decided", metric("additional_work_approved"), len(x.findings_decided)),
        ("… approved", metric("additional_work_approved", True), x.n("reception.AdditionalWorkApproved")),
        ("parts waits = shortages", "SELECT count(*) FROM parts_waits", len(x.shortages)),
        ("… filled from a back-order", "SELECT count(*) FROM parts_waits WHERE filled_at IS NOT NULL",
         len(x.backorders_filled & x.shortages)),
    ]  # fmt: skip


def complaint_checks(x: Expected) -> list[Check]:
    return [
        ("rows = complaints opened", "SELECT count(*) FROM voc_complaints", x.n("complaints.ComplaintOpened")),
        ("breached", "SELECT count(*) FROM voc_complaints WHERE breached", len(x.breached)),
        ("acted on", "SELECT count(*) FROM voc_complaints WHERE acted_at IS NOT NULL", len(x.acted)),
        ("closed", "SELECT count(*) FROM voc_complaints WHERE closed_at IS NOT NULL",
         x.n("complaints.ComplaintClosed")),
        ("with a cause (facts confirmed)", "SELECT count(*) FROM voc_complaints WHERE cause IS NOT NULL",
         len(x.confirmed)),
    ]  # fmt: skip


# --- the measurements ------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    label: str
    projection: Projection
    database: str  # "reception" or "followup"
    checks: Callable[[Expected], list[Check]]


@dataclass
class Outcome:
    subject: Subject
    log_events: int
    handled: int
    seconds: float
    ceiling_seconds: float
    path: str
    checks: list[tuple[str, int, int]]  # what, found, expected
    runs: list[float] = field(default_factory=list)  # seconds of each rebuild of the projection (median: `seconds`)

    @property
    def log_rate(self) -> float:
        return self.log_events / self.seconds

    @property
    def handled_rate(self) -> float:
        return self.handled / self.seconds

    @property
    def ceiling_rate(self) -> float:
        return self.log_events / self.ceiling_seconds

    @property
    def ratio(self) -> float:
        return self.log_rate / self.ceiling_rate

    @property
    def failed(self) -> list[tuple[str, int, int]]:
        return [c for c in self.checks if c[1] != c[2]]


def projection(module: str, name: str) -> Projection:
    """A service's projection, imported by name: the services are no typed packages for `mypy bench`."""
    made: Projection = getattr(importlib.import_module(module), name)()
    return made


def subjects() -> list[Subject]:
    return [
        Subject("advisor board", projection("reception.board", "AdvisorBoard"), "reception", board_checks),
        Subject("callback queue", projection("followup.callback_queue", "CallbackQueue"), "followup", callback_checks),
        Subject("CSI/VOC: callbacks (VocFacts)", projection("followup.analytics", "VocFacts"), "followup", voc_checks),
        Subject("CSI/VOC: operational KPIs", projection("followup.analytics", "OperationalKpis"), "followup",
                kpi_checks),
        Subject("CSI/VOC: complaints (ComplaintFacts)", projection("followup.analytics", "ComplaintFacts"), "followup",
                complaint_checks),
    ]  # fmt: skip


def decode_costs(records: list[Record], sample: int = 300) -> list[tuple[str, int, float]]:
    """(type, records, µs) per event type: `from_record` of up to `sample` records of each type,
    the median of 3 passes (what decoding costs a projection, type by type)."""
    by_type: dict[str, list[Record]] = {}
    for value, raw_headers in records:
        event_type = event_type_of(header_map(raw_headers)) or "?"
        found = by_type.setdefault(event_type, [])
        if len(found) < sample:
            found.append((value, raw_headers))
    costs = []
    for event_type, chosen in by_type.items():
        passes = []
        for _ in range(3):
            started = time.perf_counter()
            for value, raw_headers in chosen:
                from_record(value, header_map(raw_headers))
            passes.append((time.perf_counter() - started) / len(chosen))
        costs.append((event_type, len(chosen), sorted(passes)[1] * 1e6))
    return sorted(costs, key=lambda c: -c[2])


def decode_only(records: list[Record], projection: Projection) -> tuple[int, float]:
    started = time.perf_counter()
    decoded = 0
    for page in pages(records):
        with collection_paused():  # the page freed before collection resumes, as in `rebuild`
            decoded += len(decode(page, projection))
    return decoded, time.perf_counter() - started


async def rebuild(pool: asyncpg.Pool, url: str, subject: Subject, history: History) -> Outcome:
    projection = subject.projection
    projector = KafkaProjector(pool, projection, KafkaSettings.from_env(), topics=[])
    handled, ceiling = decode_only(history.records, projection)  # the baseline, just before
    await projector.rebuild()  # from zero: tables emptied, stream versions forgotten
    checkpoint(url)

    async def apply(envelopes: list[Envelope[Any]]) -> int:
        with collection_paused():  # as the consumer's page: until the page's transaction ends
            async with pool.acquire() as conn, conn.transaction():
                return await projector.apply_page_once(conn, envelopes)

    # As the consumer group does (events.consumer_group): each page is decoded while the one
    # before is applied, in slices, so that the decoding and the database's work overlap.
    applying: asyncio.Task[int] | None = None
    applied = 0
    started = time.perf_counter()
    for page in pages(history.records):
        with collection_paused():  # the page's envelopes live until it is applied
            if applying is None:
                envelopes = decode(page, projection)
            else:
                envelopes = await decoder(projection).page_in_slices(page, projection.handles)
                applied += await applying
                applying = None
            if envelopes:
                applying = asyncio.create_task(apply(envelopes))
            del envelopes
    if applying is not None:
        applied += await applying
    seconds = time.perf_counter() - started
    found = []
    for what, sql, count in subject.checks(history.expected):
        found.append((what, int(await pool.fetchval(sql)), count))
    streams = len(history.expected.streams.get(projection.name, ()))
    found.append(("applied = handled events", applied, handled))
    found.append((
        "stream versions kept = streams handled",
        int(await pool.fetchval("SELECT count(*) FROM projection_streams WHERE projection = $1", projection.name)),
        streams,
    ))  # fmt: skip
    found.append((
        "projection_state.events_applied",
        int(await pool.fetchval("SELECT events_applied FROM projection_state WHERE projection = $1", projection.name)),
        handled,
    ))  # fmt: skip
    folds = "apply_page: rows folded per page" if hasattr(projection, "apply_page") else "apply per event"
    return Outcome(subject, history.events, handled, seconds, ceiling, f"apply_page_once → {folds}", found)


async def rebuilds(pool: asyncpg.Pool, url: str, subject: Subject, history: History, repeat: int) -> Outcome:
    """The projection rebuilt `repeat` times in a row: the run of median time, with every run's
    time, and the checks of a run that failed them if one did. (The first rebuild on a new
    server took 10-20 % longer than the next ones; the median is what a rebuild takes.)"""
    runs = [await rebuild(pool, url, subject, history) for _ in range(repeat)]
    median = sorted(runs, key=lambda o: o.seconds)[len(runs) // 2]
    failed = next((o for o in runs if o.failed), median)
    return dataclasses.replace(median, checks=failed.checks, runs=[o.seconds for o in runs])


async def run_all(server: str, history: History, repeat: int) -> list[Outcome]:
    urls = {
        "reception": await fresh_database(server, "bench_rebuild_reception"),
        "followup": await fresh_database(server, "bench_rebuild_followup"),
    }
    pools = {
        name: await open_pool(url, migrations=load_folder(name, resources.files(name) / "sql"), min_size=1, max_size=4)
        for name, url in urls.items()
    }
    outcomes = []
    try:
        for subject in subjects():
            outcome = await rebuilds(pools[subject.database], urls[subject.database], subject, history, repeat)
            verdict = "checks ok" if not outcome.failed else f"{len(outcome.failed)} CHECKS FAILED"
            print(
                f"{subject.label}: {rate(outcome.log_rate)} log events/s, {rate(outcome.handled_rate)} handled/s "
                f"({outcome.handled:,} of {outcome.log_events:,} in {outcome.seconds:.1f} s, the median of "
                f"{', '.join(f'{s:.1f}' for s in outcome.runs)}; decode alone "
                f"{rate(outcome.ceiling_rate)}/s), {verdict}"
            )
            outcomes.append(outcome)
    finally:
        for pool in pools.values():
            await pool.close()
    return outcomes


# --- report ----------------------------------------------------------------------------------


def table(outcomes: list[Outcome]) -> str:
    lines = [
        "| projection | handled of the log | rebuild (s), median | runs (s) | log events/s | handled events/s "
        "| decode alone (log events/s) | ours / decode | target | met (log / handled) | checks |",
        "|---|---:|---:|---|---:|---:|---:|---:|---|---|---|",
    ]
    for o in outcomes:
        met = "/".join("yes" if r >= TARGET else "**no**" for r in (o.log_rate, o.handled_rate))
        checks = "ok" if not o.failed else f"**{len(o.failed)} failed**"
        lines.append(
            f"| {o.subject.label} | {o.handled:,} ({o.handled / o.log_events:.0%}) | {o.seconds:.1f} | "
            f"{', '.join(f'{s:.1f}' for s in o.runs)} | "
            f"{rate(o.log_rate)} | {rate(o.handled_rate)} | {rate(o.ceiling_rate)} | {o.ratio:.2f} | "
            f"≥ {rate(TARGET)}/s | {met} | {checks} |"
        )
    return "\n".join(lines)


def check_table(outcomes: list[Outcome]) -> str:
    lines = ["| projection | check | read model | history |", "|---|---|---:|---:|"]
    for o in outcomes:
        for what, found, expected in o.checks:
            mark = "" if found == expected else " **≠**"
            lines.append(f"| {o.subject.label} | {what} | {found:,}{mark} | {expected:,} |")
    return "\n".join(lines)


def cost_table(costs: list[tuple[str, int, float]], outcomes: list[Outcome]) -> str:
    lines = ["| event type | µs per record | handled by |", "|---|---:|---|"]
    for event_type, _, micros in costs:
        users = ", ".join(o.subject.label for o in outcomes if event_type in o.subject.projection.handles)
        lines.append(f"| `{event_type}` | {micros:.1f} | {users or '-'} |")
    return "\n".join(lines)


def type_table(expected: Expected) -> str:
    lines = ["| event type | events |", "|---|---:|"]
    lines += [f"| `{t}` | {n:,} |" for t, n in sorted(expected.types.items())]
    return "\n".join(lines)


def code_facts() -> list[str]:
    """Which projector and projection code was measured (libs/events is in `machine_facts`)."""
    found = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", *PROJECTION_FILES],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    changed = [line[3:] for line in found.stdout.splitlines()]
    state = f"uncommitted changes in {', '.join(changed)}" if changed else "no uncommitted changes"
    return [f"Projections measured: {state}"]


def report(outcomes: list[Outcome], h: History, facts: list[str], command: str, started: datetime, took: float) -> str:
    x = h.expected
    parts = [
        *report_head(
            "Projection rebuild benchmark (issue 6)",
            f"Run {started:%Y-%m-%d %H:%M} UTC, {took:.0f} s in all, with `{command}`.\n"
            "All figures are from this one run, on one PostgreSQL server.",
            facts,
        ),
        f"The history: {h.days} days of one site, {h.events:,} events of {len(x.types)} types on "
        f"{x.stream_count:,} streams. Target: ≥ {rate(TARGET)} events/s per projection.",
        "",
        table(outcomes),
        "",
        "How each projection was fed:",
        "",
        *(f"- {o.subject.label} (`{o.subject.projection.name}`): {o.path}" for o in outcomes),
        "",
        "Every rebuild's row counts against the history:",
        "",
        check_table(outcomes),
        "",
        "## Method",
        "",
        f"- `bench.history.year_of_one_site(days={h.days})` (seed 0) generated the history in "
        f"{h.generate_s:.1f} s ({rate(h.events / h.generate_s)} events/s, pydantic validation included); "
        f"`to_record` serialized it in {h.serialize_s:.1f} s. Both before any measurement; the records (value "
        "and headers, as a broker hands them out) stay in memory, frozen out of the garbage collector's scans.",
        f"- Each projection is rebuilt from zero with `KafkaProjector.rebuild()` (its tables emptied, its stream "
        f"versions forgotten; then a `CHECKPOINT`), then fed the whole log in pages of {PAGE:,} records: each "
        "page decoded by `RecordDecoder` (each record's type read from its raw headers, the handled ones "
        "decoded), then applied in one transaction per page through `KafkaProjector.apply_page_once`, which skips "
        "versions already applied per stream, applies the rest and records progress. As the projector's consumer "
        "group does, each page is decoded while the one before is applied (`RecordDecoder.page_in_slices`: the "
        "event loop gets a turn every few hundred records, so the transaction goes on meanwhile). Each projection "
        "is rebuilt this way 3 times in a row (`--repeat`); the table shows every run's time and reports the "
        "median run (its decoding alone timed just before it).",
        "- Log events/s counts every record of the year read (the rebuild's speed through the log); handled "
        "events/s only those the projection applies. The baseline is the same pages decoded alone, no database, "
        "timed just before each rebuild: the ceiling a rebuild on this machine cannot pass.",
        "- The checks count rows of each read model (visit cards, callbacks by status, facts per metric…) and "
        "compare them with the history, counted as it was generated; a difference fails the run.",
        "",
        "## What decoding costs, per event type",
        "",
        "`header_map` + `from_record` of up to 300 records of each type (median of 3 passes), the most "
        "expensive first; which projections handle the type. Pydantic validates the nested value objects, "
        "their validators included.",
        "",
        cost_table(h.decode_costs, outcomes),
        "",
        "## The history",
        "",
        type_table(x),
    ]
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rebuild", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_DAYS} days instead of a year")
    parser.add_argument("--days", type=int, help="days of history (365; --quick: 30)")
    parser.add_argument("--repeat", type=int, default=REPEAT, help=f"rebuilds of each projection ({REPEAT})")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"where to write the report ({RESULTS})")
    args = parser.parse_args(argv)
    days = args.days or (QUICK_DAYS if args.quick else 365)
    command = shlex.join(["python", "-m", "bench.rebuild", *(sys.argv[1:] if argv is None else argv)])

    started, clock = datetime.now(UTC), time.perf_counter()
    with exclusive():
        print(f"generating {days} days of one site …", flush=True)
        h = history(days, [(s.projection.name, s.projection.handles) for s in subjects()])
        gc.collect()
        gc.freeze()  # two million records: keep them out of every collection
        h.decode_costs = decode_costs(h.records)
        print(
            f"{h.events:,} events in {h.generate_s:.1f} s ({rate(h.events / h.generate_s)}/s), serialized in "
            f"{h.serialize_s:.1f} s",
            flush=True,
        )
        with database_server() as server:
            facts = machine_facts() + code_facts() + asyncio.run(postgres_facts(server))
            before = os.getloadavg()
            outcomes = asyncio.run(run_all(server, h, args.repeat))
            after = os.getloadavg()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
            facts.append(f"Peak memory of the bench process: {peak:.1f} GiB (the records of the whole history)")
            facts.append(
                f"Load average (1, 5, 15 min) when the rebuilds started: {before[0]:.1f}, {before[1]:.1f}, "
                f"{before[2]:.1f}; when they ended: {after[0]:.1f}, {after[1]:.1f}, {after[2]:.1f} (a shared machine)"
            )
    text = report(outcomes, h, facts, command, started, time.perf_counter() - clock)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(with_earlier_runs(text, args.output))
    print()
    print(table(outcomes))
    print(f"\nwritten to {args.output}")
    failed = [(o.subject.label, c) for o in outcomes for c in o.failed]
    for label, (what, found, expected) in failed:
        print(f"CHECK FAILED: {label}: {what}: read model {found:,}, history {expected:,}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
