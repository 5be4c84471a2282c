"""The backbone benchmark's workloads, each measured against a baseline on the same server.

Every workload gets fresh databases and loads what it needs. Ours and the baseline then run a
warm-up round each, untimed, and are timed in alternating rounds (the order swapped every
round), so that drift in a shared machine hits both alike; a `CHECKPOINT` before every timed
round keeps earlier writes from being flushed on its clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import io
import pstats
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import asyncpg
import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from events.catalog.testing import CounterIncremented, CounterOpened
from events.commands import execute
from events.contract import Event
from events.database import database_url, ensure_database, open_pool
from events.decider import Decider
from events.envelope import LogPosition, Metadata, NewEvent, StoredEvent, Tenant
from events.errors import DomainError
from events.kafka import KafkaSettings, to_record
from events.relay import Relay
from events.store import START, EventStore

ROOT = str(Path(__file__).resolve().parent.parent)
TENANT = Tenant("group-bench", "site-bench")


@dataclass(frozen=True)
class Sizes:
    streams: int = 200  # 1: streams preloaded ...
    preload: int = 30  # ... with this many events each
    warmup_commands: int = 400
    commands: int = 4000
    command_writers: int = 8  # 1, again with this many concurrent writers
    writers: int = 16  # 2
    warmup_appends: int = 25  # per writer
    appends: int = 1500  # per writer
    replay_events: int = 200_000  # 3
    replay_page: int = 5000
    load_batch: int = 200  # events per append when loading 3 and 4
    relay_events: int = 50_000  # 4
    relay_page: int = 1000
    rounds: int = 6  # alternating timed rounds of ours and the baseline


QUICK = Sizes(
    streams=50, warmup_commands=50, commands=500, appends=150, replay_events=20_000, relay_events=5000, rounds=2
)


@dataclass(frozen=True)
class Measure:
    label: str
    events: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.events / self.seconds


@dataclass(frozen=True)
class Result:
    workload: str
    ours: Measure
    baseline: Measure | None
    target: float  # the ratio ours/baseline, or events/s when there is no baseline
    extra: tuple[Measure, ...] = ()
    profile: str | None = None

    @property
    def ratio(self) -> float | None:
        return self.ours.rate / self.baseline.rate if self.baseline else None

    @property
    def met(self) -> bool:
        return (self.ratio if self.ratio is not None else self.ours.rate) >= self.target


# --- helpers ----------------------------------------------------------------------------------


def metadata() -> Metadata:
    return Metadata(tenant=TENANT, actor="bench", correlation_id=uuid4().hex)


def counter_history(counter_id: str, length: int) -> list[Event]:
    opened: Event = CounterOpened(counter_id=counter_id, label="bench")
    return [opened] + [CounterIncremented(counter_id=counter_id, amount=1, reason="load") for _ in range(length - 1)]


async def fresh_database(server_url: str, name: str) -> str:
    conn = await asyncpg.connect(database_url(server_url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
    return await ensure_database(server_url, name)


def checkpoint(url: str) -> None:
    """Flush dirty pages now, not during the next timed round (needs superuser; else skipped)."""
    with psycopg.connect(url, autocommit=True) as conn, contextlib.suppress(psycopg.errors.InsufficientPrivilege):
        conn.execute("CHECKPOINT")


async def timed(label: str, counted: Awaitable[int], expected: int) -> Measure:
    started = time.perf_counter()
    if (count := await counted) != expected:
        raise AssertionError(f"{label}: {count} events, expected {expected}")
    return Measure(label, count, time.perf_counter() - started)


Run = Callable[[int], Awaitable[int]]  # do n units of work; return the events handled


async def alternate(server_url: str, units: int, warmup: int, rounds: int, *sides: tuple[str, Run]) -> list[Measure]:
    """Warm each side up with `warmup` units, then time `units` of each in alternating rounds."""
    for _, run in sides:
        await run(warmup)
    events, seconds = [0] * len(sides), [0.0] * len(sides)
    for r in range(rounds):
        share = units // rounds + (1 if r < units % rounds else 0)
        for i in range(len(sides)) if r % 2 else reversed(range(len(sides))):
            await asyncio.to_thread(checkpoint, server_url)
            started = time.perf_counter()
            events[i] += await sides[i][1](share)
            seconds[i] += time.perf_counter() - started
    return [Measure(label, n, s) for (label, _), n, s in zip(sides, events, seconds, strict=True)]


async def new_streams(store: EventStore, streams: int, length: int) -> list[str]:
    """`streams` new counters of `length` events, each written by one append (one commit)."""
    ids = [f"counter-{uuid4()}" for _ in range(streams)]
    for stream_id in ids:
        meta = metadata()
        await store.append(stream_id, 0, [NewEvent(e, meta) for e in counter_history(stream_id, length)])
    return ids


async def load_streams(store: EventStore, streams: int, length: int) -> Measure:
    async def load() -> int:
        return len(await new_streams(store, streams, length)) * length

    return await timed(f"batched appends, {length} events per commit", load(), streams * length)


# --- 1. command per event: ours (the decider) against the eventsourcing library -----------------


@dataclass(frozen=True)
class Counter:
    counter_id: str | None = None
    total: int = 0


def _decide(state: Counter, command: int) -> Sequence[Event]:
    """The counter's only command: "increment by n" (an int)."""
    if state.counter_id is None:
        raise DomainError("open the counter first")
    return [CounterIncremented(counter_id=state.counter_id, amount=command, reason="bench")]


def _evolve(state: Counter, event: Event) -> Counter:
    if isinstance(event, CounterOpened):
        return Counter(event.counter_id, 0)
    if isinstance(event, CounterIncremented):
        return Counter(state.counter_id, state.total + event.amount)
    return state


def our_commands(store: EventStore, ids: list[str], writers: int = 1) -> Run:
    """`events.commands.execute` from `writers` concurrent tasks, each on its own share of the streams."""
    decider: Decider[int, Counter] = Decider(Counter(), _decide, _evolve)

    async def writer(k: int, share: int) -> None:
        own = ids[k::writers]  # disjoint streams: writers never race on one stream
        for i in range(share):
            await execute(store, decider, own[i % len(own)], 1, metadata())

    async def run(commands: int) -> int:
        share = commands // writers
        await asyncio.gather(*(writer(k, share) for k in range(writers)))
        return share * writers

    return run


class EsCounter(Aggregate):
    @event("Opened")
    def __init__(self, label: str) -> None:
        self.label = label
        self.total = 0

    @event("Incremented")
    def increment(self, amount: int, reason: str) -> None:
        self.total += amount


class EsCounters(Application[UUID]):
    pass


def load_their_streams(app: EsCounters, streams: int, length: int) -> list[UUID]:
    """The same counters in the `eventsourcing` library, `length` events each."""
    ids = []
    for _ in range(streams):
        counter = EsCounter("bench")
        for _ in range(length - 1):
            counter.increment(1, "load")
        app.save(counter)
        ids.append(counter.id)
    return ids


def their_commands(app: EsCounters, ids: list[UUID], writers: int = 1) -> Callable[[int], int]:
    """Get from the repository, call, save — from `writers` threads (its recorder is
    thread-safe), each on its own share of the streams."""

    def writer(k: int, share: int) -> None:
        own = ids[k::writers]  # disjoint streams: writers never race on one stream
        for i in range(share):
            counter: EsCounter = app.repository.get(own[i % len(own)])
            counter.increment(1, "bench")
            app.save(counter)

    def run(commands: int) -> int:
        share = commands // writers
        if writers == 1:
            writer(0, share)
        else:
            with ThreadPoolExecutor(max_workers=writers) as threads:
                list(threads.map(writer, range(writers), [share] * writers))
        return share * writers

    return run


# Both sides cache folded state (ours: events.decider's StateCache, 4096 streams by default):
# the library's aggregate cache, with its default fast-forward (a get reads the events after
# the cached version) and deep copy of the cached aggregate.
ES_AGGREGATE_CACHE = 4096


def eventsourcing_env(url: str) -> dict[str, str]:
    """The library's PostgreSQL persistence, configured by environment as its documentation says."""
    parts = urlsplit(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "AGGREGATE_CACHE_MAXSIZE": str(ES_AGGREGATE_CACHE),
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": parts.username or "postgres",
        "POSTGRES_PASSWORD": parts.password or "",
    }


async def command_per_event(server_url: str, sizes: Sizes, writers: int = 1) -> Result:
    """Both sides from `writers` concurrent writers: the library serialises appends with a table
    lock, our appends only meet on the same stream. Also timed: plain single-row INSERTs from as
    many writers, one per commit, what the server allows at all (the baseline's ratio depends on
    how close the library is to it: on a server with fast commits, closer)."""
    pool = await open_pool(await fresh_database(server_url, f"bench_commands_{writers}"), max_size=max(4, writers))
    plain_url = await fresh_database(server_url, f"bench_commands_plain_{writers}")
    plain = await open_pool(plain_url, min_size=writers, max_size=writers)
    env = eventsourcing_env(await fresh_database(server_url, f"bench_commands_eventsourcing_{writers}"))
    env["POSTGRES_POOL_SIZE"] = str(max(5, writers))
    app = await asyncio.to_thread(EsCounters, env)
    try:
        ours = our_commands(
            EventStore(pool), await new_streams(EventStore(pool), sizes.streams, sizes.preload), writers
        )
        ids = await asyncio.to_thread(load_their_streams, app, sizes.streams, sizes.preload)
        theirs = their_commands(app, ids, writers)
        inserts = await one_event_per_commit(plain, writers, "connection")
        measures = await alternate(
            server_url,
            sizes.commands,
            sizes.warmup_commands,
            sizes.rounds,
            ("dealerflow: events.commands.execute", ours),
            ("eventsourcing 9.5, PostgreSQL recorder", lambda n: asyncio.to_thread(theirs, n)),
            ("asyncpg single-row INSERT, one per commit, a connection per writer", lambda n: inserts(n // writers)),
        )
    finally:
        await pool.close()
        await plain.close()
        await asyncio.to_thread(app.close)
    name = f"1. command per event: load a {sizes.preload}+ event stream, decide, append 1, commit; {writers} writer(s)"
    return Result(name, measures[0], measures[1], 5.0, extra=tuple(measures[2:]))


# --- 2. concurrent writers, one event per commit: ours against raw single-row INSERTs ----------


async def one_event_per_commit(pool: asyncpg.Pool, count: int, mode: Literal["store", "connection", "pool"]) -> Run:
    """`count` concurrent tasks, each writing one event per commit to its own 4 streams: with
    `EventStore.append` as a service calls it (a pooled connection per append), or as plain
    single-row INSERTs into (bigserial, text, jsonb), each task on its own connection (the
    physical limit) or on a pooled connection per INSERT."""
    store, versions = EventStore(pool), dict[str, int]()
    streams = [[f"counter-w{w}-{k}-{uuid4()}" for k in range(4)] for w in range(count)]
    sql = "INSERT INTO plain_events (stream_id, data) VALUES ($1, $2)"
    if mode != "store":
        await pool.execute("CREATE TABLE plain_events (id bigserial PRIMARY KEY, stream_id text, data jsonb)")

    async def writer(own: list[str], appends: int) -> None:
        meta = metadata()
        async with contextlib.AsyncExitStack() as stack:
            conn = await stack.enter_async_context(pool.acquire()) if mode == "connection" else pool
            for _ in range(appends):
                stream_id = min(own, key=lambda s: versions.get(s, 0))
                version = versions.get(stream_id, 0)
                event = CounterIncremented(counter_id=stream_id, amount=1, reason="bench")
                if mode == "store":
                    await store.append(stream_id, version, [NewEvent(event, meta)])
                else:
                    await conn.execute(sql, stream_id, event.model_dump_json())
                versions[stream_id] = version + 1

    async def run(appends: int) -> int:
        await asyncio.gather(*(writer(own, appends) for own in streams))
        return count * appends

    return run


async def concurrent_writers(server_url: str, sizes: Sizes) -> Result:
    n, pools = sizes.writers, list[asyncpg.Pool]()
    try:
        for name in ("bench_writers", "bench_writers_plain", "bench_writers_pooled"):
            pools.append(await open_pool(await fresh_database(server_url, name), min_size=n, max_size=n))
        store, plain, pooled = pools
        measures = await alternate(
            server_url,
            sizes.appends,
            sizes.warmup_appends,
            sizes.rounds,
            ("dealerflow: EventStore.append", await one_event_per_commit(store, n, "store")),
            ("asyncpg single-row INSERT, a connection per writer", await one_event_per_commit(plain, n, "connection")),
            ("asyncpg single-row INSERT, pool.execute per INSERT", await one_event_per_commit(pooled, n, "pool")),
        )
    finally:
        for pool in pools:
            await pool.close()
    name = f"2. {n} concurrent writers, 1 event per commit, no reads"
    return Result(name, measures[0], measures[1], 0.6, extra=tuple(measures[2:]))


# --- 3. replay of the global log -----------------------------------------------------------------


async def read_all(store: EventStore, page: int) -> int:
    after, count = START, 0
    while events := await store.read_log(after, page):
        after, count = events[-1].log_position, count + len(events)
    return count


# Every column of the same pages, as asyncpg rows: what is left when nothing is decoded.
_ROWS = """SELECT tx_id::text::bigint AS tx_, * FROM events
WHERE (tx_id, position) > ($1::text::xid8, $2) AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY tx_id, position LIMIT $3"""


async def fetch_all(store: EventStore, page: int) -> int:
    """The whole log in the same pages, as undecoded rows: the ceiling for `read_log` here."""
    after, count = START, 0
    while rows := await store.pool.fetch(_ROWS, str(after.tx_id), after.position, page):
        after, count = LogPosition(rows[-1]["tx_"], rows[-1]["position"]), count + len(rows)
    return count


def profile_text(profiler: cProfile.Profile, top: int = 16) -> str:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(pstats.SortKey.TIME).print_stats(top)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(line.rstrip().replace(ROOT, ".") for line in lines[start:] if line.strip())


async def replay_log(server_url: str, sizes: Sizes, *, profile: bool) -> Result:
    """Load the log with batched appends, then read all of it. Below target (and with `profile`),
    one more read under cProfile shows where the time goes."""
    pool = await open_pool(await fresh_database(server_url, "bench_replay"), max_size=4)
    try:
        store, page = EventStore(pool), sizes.replay_page
        loaded = await load_streams(store, sizes.replay_events // sizes.load_batch, sizes.load_batch)

        def whole_log(read: Callable[[EventStore, int], Awaitable[int]]) -> Run:
            async def run(_: int) -> int:  # each round reads the whole log
                if (count := await read(store, page)) != loaded.events:
                    raise AssertionError(f"replay: {count} events, expected {loaded.events}")
                return count

            return run

        # One read is 2 s on this machine, as long as the hypervisor's bursts: a round is each
        # read once, alternating, as the other workloads are timed.
        ours, rows = await alternate(
            server_url,
            loaded.events * sizes.rounds,
            loaded.events,
            sizes.rounds,
            (f"EventStore.read_log, pages of {page}", whole_log(read_all)),
            ("the same pages, undecoded asyncpg rows", whole_log(fetch_all)),
        )
        name = "3. replay of the global log into typed envelopes"
        result = Result(name, ours, None, target=100_000.0, extra=(rows, loaded))
        if profile and not result.met:
            profiler = cProfile.Profile()
            profiler.enable()
            await read_all(store, page)
            profiler.disable()
            result = replace(result, profile=profile_text(profiler))
        return result
    finally:
        await pool.close()


# --- 4. relay to Kafka: ours against plain aiokafka --------------------------------------------


def plain_producer(
    settings: KafkaSettings, records: list[tuple[bytes, bytes, list[tuple[str, bytes]]]], page: int
) -> tuple[Run, Callable[[], Awaitable[None]]]:
    """The relay's records, prepared in advance, sent a page at a time: `send()` each, then gather."""
    producer, topic, sent = settings.producer(), settings.topic("sample"), [0]

    async def run(pages: int) -> int:
        if sent[0] == 0:
            await producer.start()
        before = sent[0]
        for _ in range(pages):
            batch = records[sent[0] : sent[0] + page]
            futures = [await producer.send(topic, value, key=key, headers=headers) for key, value, headers in batch]
            await asyncio.gather(*futures)
            sent[0] += len(batch)
        return sent[0] - before

    return run, producer.stop


def relay_pages(relay: Relay) -> Run:
    async def run(pages: int) -> int:
        return sum([await relay.step() for _ in range(pages)])

    return run


async def relay_to_kafka(server_url: str, bootstrap: str, sizes: Sizes, run_id: str) -> Result:
    pool = await open_pool(await fresh_database(server_url, "bench_relay"), max_size=4)
    store, page = EventStore(pool), sizes.relay_page
    ours_settings, plain_settings = (
        KafkaSettings.from_env(bootstrap_servers=bootstrap, topic_prefix=f"bench-{run_id}-{side}.")
        for side in ("relay", "plain")
    )
    for settings in (ours_settings, plain_settings):
        await settings.ensure_topics(settings.topic("sample"))
    relay = Relay(store, ours_settings, name="bench-relay", page_size=page)
    stop_plain: Callable[[], Awaitable[None]] | None = None
    try:
        loaded = await load_streams(store, sizes.relay_events // sizes.load_batch, sizes.load_batch)
        log: list[StoredEvent] = []  # read as the relay reads it
        while events := await store.read_log_stored(log[-1].log_position if log else START, 5000):
            log += events
        plain, stop_plain = plain_producer(plain_settings, [to_record(stored) for stored in log], page)
        pages = -(-loaded.events // page)
        warmup = 2  # pages each, untimed: the producers' start, topic metadata, the first batches
        ours, baseline = await alternate(
            server_url,
            pages - warmup,
            warmup,
            sizes.rounds,
            (f"Relay.step(), pages of {page}", relay_pages(relay)),
            (f"aiokafka: send() x{page}, then gather", plain),
        )
        if relay.published != loaded.events or baseline.events != ours.events:
            raise AssertionError(f"the relay published {relay.published} of {loaded.events} events")
    finally:
        await relay.close()
        if stop_plain is not None:
            await stop_plain()
        await pool.close()
    return Result(f"4. relay {loaded.events:,} logged events to Kafka", ours, baseline, 0.5)
