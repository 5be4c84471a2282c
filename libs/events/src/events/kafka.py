"""Kafka: client settings for Apache Kafka and the local broker, topics, and the CloudEvents
binary-mode mapping between an `Envelope` and a Kafka record (docs/contract.md "Envelope").

Everything that differs between Apache Kafka and the local Tansu broker is a setting here,
read from the environment (docs/local-broker.md); the defaults suit the local broker.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from events.contract import REGISTRY, Registry, schema_id
from events.envelope import Envelope, Metadata, StoredEvent, Tenant
from events.log_pages import collection_paused
from events.settings import Settings, load
from events.views import Views

TYPE_PREFIX = "com.dealerflow."
MAX_MESSAGE_BYTES = 1_000_000  # enforced by us: the local broker does not
# The broker cluster the publishing relay had verified it writes to (not a CloudEvents attribute):
# consumers set aside a record whose relay believed it wrote to another cluster, since a wiped
# broker's new log gets that record before the republish of what comes before it
# (docs/decisions/0008-fenced-republish.md). First among the headers, so that it is found at once.
CLUSTER_HEADER = "dealerflow_cluster"
_TOPIC_EXISTS = 36
_DEAD_LETTERS = ".dead-letters"
DEAD_LETTER_RETENTION_MS = 30 * 24 * 3600 * 1000


@dataclass(frozen=True)
class KafkaSettings:
    bootstrap_servers: str
    topic_prefix: str = "dealerflow."
    partitions: int = 8
    replication_factor: int = 1
    # Apache Kafka: on (with acks=all it makes producer retries duplicate-free per session).
    # The local broker refuses InitProducerId, so it is off unless asked for.
    enable_idempotence: bool = False
    compression: str | None = None
    linger_ms: int = 5
    # Apache Kafka's smallest session timeout by default. The local broker holds every group join
    # for half of it, so the test runner shortens both for the broker it starts (testing/servers.py).
    session_timeout_ms: int = 6000
    heartbeat_interval_ms: int = 2000
    # The local broker answers as soon at 200 ms as at 100, with half the fetches (bench/results/design-notes.md).
    fetch_max_wait_ms: int = 200
    extra_producer: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, settings: Settings | None = None, /, **overrides: Any) -> KafkaSettings:
        """From the settings model (read from the environment when not given): a bad value is
        a `SettingsError` naming its variable, not an error from inside aiokafka later."""
        settings = settings or load(Settings)
        values: dict[str, Any] = {
            "bootstrap_servers": settings.kafka_bootstrap_servers,
            "topic_prefix": settings.kafka_topic_prefix,
            "partitions": settings.kafka_partitions,
            "replication_factor": settings.kafka_replication_factor,
            "enable_idempotence": settings.kafka_enable_idempotence,
            "compression": settings.kafka_compression,
            "fetch_max_wait_ms": settings.kafka_fetch_max_wait_ms,
            "session_timeout_ms": settings.kafka_session_timeout_ms,
            "heartbeat_interval_ms": settings.kafka_heartbeat_interval_ms,
        }
        values.update(overrides)
        return cls(**values)

    def topic(self, service: str) -> str:
        """Every service publishes all its events to one topic, keyed by stream id."""
        return f"{self.topic_prefix}{service}.events"

    def dead_letter_topic(self, consumer: str) -> str:
        return f"{self.topic_prefix}{consumer}{_DEAD_LETTERS}"

    def producer(self, **overrides: Any) -> AIOKafkaProducer:
        options: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "acks": "all",
            "enable_idempotence": self.enable_idempotence,
            "linger_ms": self.linger_ms,
            "compression_type": self.compression,
            "max_request_size": MAX_MESSAGE_BYTES + 64_000,
            "request_timeout_ms": 15_000,
            **self.extra_producer,
            **overrides,
        }
        return AIOKafkaProducer(**options)

    def consumer(self, group_id: str | None, *topics: str, **overrides: Any) -> AIOKafkaConsumer:
        options: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            # Groups are namespaced like topics: two deployments (or test systems) sharing a
            # cluster must not join each other's groups and rebalance each other's members away.
            "group_id": f"{self.topic_prefix}{group_id}" if group_id else None,
            "enable_auto_commit": False,
            # Our own checkpoints decide what is new; the local broker's "latest" is unreliable.
            "auto_offset_reset": "earliest",
            "session_timeout_ms": self.session_timeout_ms,
            "heartbeat_interval_ms": self.heartbeat_interval_ms,
            "fetch_max_wait_ms": self.fetch_max_wait_ms,
            "max_poll_records": 500,
            **overrides,
        }
        return AIOKafkaConsumer(*topics, **options)

    def topic_configs(self, topic: str) -> dict[str, str]:
        """Explicit settings for a topic we create: event topics keep every record (rebuilds and
        replays read them from the start; compaction would drop all but a stream's latest event),
        dead letters a month (each is also kept in its consumer's `dead_letters` table for re-drive)."""
        if topic.endswith(_DEAD_LETTERS):
            return {"cleanup.policy": "delete", "retention.ms": str(DEAD_LETTER_RETENTION_MS)}
        return {"cleanup.policy": "delete", "retention.ms": "-1", "retention.bytes": "-1"}

    async def ensure_topics(self, *topics: str) -> dict[str, int]:
        """Create `topics` (never rely on auto-create) with their partition count and settings;
        existing ones are left as they are. Returns each topic's partition count as the broker
        reports it (a topic a client's metadata request auto-created may have fewer)."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers)
        await admin.start()
        try:
            response = await admin.create_topics(
                [
                    NewTopic(t, self.partitions, self.replication_factor, topic_configs=self.topic_configs(t))
                    for t in topics
                ]
            )
            for topic, code, message in response.topic_errors:
                if code not in (0, _TOPIC_EXISTS):
                    raise RuntimeError(f"cannot create topic {topic}: {message} (error {code})")
            described = await admin.describe_topics(list(topics))
            return {str(t["topic"]): len(t["partitions"]) for t in described if t["error_code"] == 0}
        finally:
            await admin.close()

    async def cluster_id(self) -> str:
        """The broker cluster's id: a new one means a new (or wiped) cluster."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers)
        await admin.start()
        try:
            cluster = await admin.describe_cluster()
            return str(cluster["cluster_id"])
        finally:
            await admin.close()


# --- CloudEvents 1.0, binary mode ------------------------------------------------------------

_SCHEMA_VERSION = re.compile(r"/v(\d+)\.json$")


def to_record(
    stored: StoredEvent,
    *,
    traceparent: str | None = None,
    tracestate: str | None = None,
    cluster: str | None = None,
) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """Key, value and headers of a stored event as a Kafka record (its JSON as stored); the
    trace context given (the publishing span's) replaces the one recorded with the event;
    `cluster`, the broker cluster the publisher verified it writes to (`CLUSTER_HEADER`)."""
    headers = (
        (CLUSTER_HEADER, cluster),
        ("ce_specversion", "1.0"),
        ("ce_id", str(stored.event_id)),
        ("ce_source", f"/groups/{stored.group_id}/sites/{stored.site_id}"),
        ("ce_type", TYPE_PREFIX + stored.event_type),
        ("ce_time", stored.occurred_at.isoformat()),
        ("ce_subject", stored.stream_id),
        ("ce_dataschema", schema_id(stored.event_type, stored.schema_version)),
        ("content-type", "application/json"),
        ("ce_sequence", f"{stored.stream_version:020d}"),  # zero-padded: orders as text (docs/contract.md)
        ("ce_partitionkey", stored.stream_id),
        ("ce_groupid", stored.group_id),
        ("ce_siteid", stored.site_id),
        ("ce_actor", stored.actor),
        ("ce_recordedtime", stored.recorded_at.isoformat()),
        ("ce_correlationid", stored.correlation_id),
        ("ce_causationid", stored.causation_id),
        ("ce_traceparent", traceparent or stored.traceparent),
        ("ce_tracestate", tracestate or stored.tracestate),
    )
    value = stored.data.encode()
    if len(value) > MAX_MESSAGE_BYTES:
        raise ValueError(f"{stored.event_type} {stored.event_id} is {len(value)} bytes, over the 1 MB limit")
    return stored.stream_id.encode(), value, [(k, v.encode()) for k, v in headers if v is not None]


def cluster_of(headers: Sequence[tuple[str, bytes]]) -> bytes | None:
    """The cluster a record's relay verified it wrote to; None for a record without one (another
    publisher's, or one from before the header existed: trusted)."""
    for key, value in headers:  # first when present: one comparison for every record of ours
        if key == CLUSTER_HEADER:
            return value
    return None


def header_map(headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...]) -> dict[str, str]:
    return {key: value.decode() for key, value in headers}


def event_type_of(headers: dict[str, str]) -> str | None:
    return _ours(headers.get("ce_type", ""))


# Group, site, actor, correlation, causation, traceparent, tracestate: a record's metadata headers.
_Context = tuple[bytes, bytes, bytes | None, bytes, bytes | None, bytes | None, bytes | None]


class RecordDecoder:
    """`from_record` for a consumer's page of records, straight from the raw headers: a record
    whose type the consumer does not handle costs one look-up; of the others only the headers
    an envelope needs are decoded. What repeats from record to record is decoded once: a type's
    validator, a schema's version, a tenant, and the metadata of consecutive records of one
    append. A record that is not one of our events raises as `from_record` does. With `views`,
    the events of those types are decoded as the reader's views of them (`events.views`)."""

    def __init__(self, registry: Registry = REGISTRY, views: Views | None = None) -> None:
        self.registry = registry
        self.views = views or Views(registry=registry)
        self._types: dict[bytes | None, str | None] = {}
        self._versions: dict[bytes, int] = {}
        self._tenants: dict[tuple[bytes, bytes], Tenant] = {}

    def page(
        self, records: Iterable[tuple[bytes, Sequence[tuple[str, bytes]]]], handles: Collection[str]
    ) -> list[Envelope[Any]]:
        """The envelopes of the records (value, raw headers) whose event type is in `handles`."""
        types, iso, new = self._types, datetime.fromisoformat, tuple.__new__
        views = self.views
        decode, decode_view = self.registry.decode, views.decode
        shared: _Context | None = None
        metadata: Metadata | None = None
        page: list[Envelope[Any]] = []
        with collection_paused():  # no cycles among these objects (see `collection_paused`)
            for value, raw_headers in records:
                ce_type = None
                for key, header in raw_headers:
                    if key == "ce_type":
                        ce_type = header
                        break
                try:
                    event_type = types[ce_type]
                except KeyError:
                    event_type = _ours(ce_type.decode()) if ce_type is not None else None
                    if len(types) < _KNOWN_TYPES:  # a stranger's stream of made-up types stays a stranger's
                        types[ce_type] = event_type
                if event_type is None or event_type not in handles:
                    continue
                headers = dict(raw_headers)
                ce_id = headers["ce_id"]
                context: _Context = (
                    headers["ce_groupid"], headers["ce_siteid"], headers.get("ce_actor"),
                    headers.get("ce_correlationid", ce_id), headers.get("ce_causationid"),
                    headers.get("ce_traceparent"), headers.get("ce_tracestate"),
                )  # fmt: skip
                if context != shared:
                    shared, metadata = context, self._metadata(context)
                occurred = headers["ce_time"]
                envelope = (
                    (decode_view if event_type in views else decode)(
                        event_type, self._version(headers.get("ce_dataschema", b"")), value
                    ),
                    UUID(ce_id.decode()),
                    headers["ce_subject"].decode(),
                    int(headers["ce_sequence"]),
                    metadata,
                    iso(occurred.decode()),
                    iso(headers.get("ce_recordedtime", occurred).decode()),
                    None,  # no position in a log of ours
                    None,
                )
                page.append(new(Envelope, envelope))
        return page

    async def page_in_slices(
        self, records: Sequence[tuple[bytes, Sequence[tuple[str, bytes]]]], handles: Collection[str]
    ) -> list[Envelope[Any]]:
        """`page`, giving the event loop a turn every `_SLICE` records: a page decoded ahead while
        another page's transaction waits on the database lets that transaction go on between
        slices, so that the two overlap (the database works on one core, decoding on the other)."""
        page: list[Envelope[Any]] = []
        for start in range(0, len(records), _SLICE):
            page += self.page(records[start : start + _SLICE], handles)
            await asyncio.sleep(0)
        return page

    def _version(self, dataschema: bytes) -> int:
        version = self._versions.get(dataschema)
        if version is None:
            match = _SCHEMA_VERSION.search(dataschema.decode())
            if match is None:
                raise KeyError("ce_dataschema header missing or not ours")
            version = self._versions.setdefault(dataschema, int(match.group(1)))
        return version

    def _metadata(self, context: _Context) -> Metadata:
        group, site, actor, correlation, causation, traceparent, tracestate = context
        tenant = self._tenants.get((group, site))
        if tenant is None:
            tenant = self._tenants.setdefault((group, site), Tenant(group.decode(), site.decode()))
        return Metadata(
            tenant,
            actor.decode() if actor is not None else "unknown",
            correlation.decode(),
            causation.decode() if causation is not None else None,
            traceparent.decode() if traceparent is not None else None,
            tracestate.decode() if tracestate is not None else None,
        )


_KNOWN_TYPES = 4096  # event types remembered per decoder (ours are about a hundred)
# Records decoded between two turns of the event loop when decoding ahead: the most a
# transaction whose statement has returned waits before it goes on (bench/results/design-notes.md).
_SLICE = 200


def _ours(ce_type: str) -> str | None:
    return ce_type[len(TYPE_PREFIX) :] if ce_type.startswith(TYPE_PREFIX) else None


def from_record(value: bytes, headers: dict[str, str], registry: Registry = REGISTRY) -> Envelope[Any]:
    """The envelope a record carries. Raises `UnknownEventType`/`InvalidEventPayload`/`KeyError`
    (a header is missing) for a record that is not one of our events."""
    event_type = event_type_of(headers)
    match = _SCHEMA_VERSION.search(headers.get("ce_dataschema", ""))
    if event_type is None or match is None:
        raise KeyError("ce_type or ce_dataschema header missing or not ours")
    return Envelope(
        event=registry.decode(event_type, int(match.group(1)), value),
        event_id=UUID(headers["ce_id"]),
        stream_id=headers["ce_subject"],
        stream_version=int(headers["ce_sequence"]),
        metadata=Metadata(
            tenant=Tenant(headers["ce_groupid"], headers["ce_siteid"]),
            actor=headers.get("ce_actor", "unknown"),
            correlation_id=headers.get("ce_correlationid", headers["ce_id"]),
            causation_id=headers.get("ce_causationid"),
            traceparent=headers.get("ce_traceparent"),
            tracestate=headers.get("ce_tracestate"),
        ),
        occurred_at=datetime.fromisoformat(headers["ce_time"]),
        recorded_at=datetime.fromisoformat(headers.get("ce_recordedtime", headers["ce_time"])),
    )
