"""The public event contract as files: an AsyncAPI 3.0 document and the JSON Schema of every
event type and version, generated from the contract models.

    python -m events.asyncapi contract/        # `make contract`

writes `contract/asyncapi.json` and `contract/schemas/<service>/<Event>/v<N>.json` (the path of
each schema's `$id`, which is also each CloudEvent's `dataschema`). The files are checked in;
`tests/test_contract.py` fails when a model no longer matches them, or when a published
version changed incompatibly instead of getting a new version.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import events.catalog  # noqa: F401  (registers every contract)
from events.contract import REGISTRY, Registry
from events.kafka import TYPE_PREFIX, KafkaSettings
from events.schemas import export
from events.services import DEFAULT_PORTS

# The services that publish (the gateway publishes nothing; `sample.*` are the backbone's test events).
PUBLISHERS = frozenset(DEFAULT_PORTS) - {"gateway"}
_IN_ORDER = "keyed by stream: one stream's events stay in order on one partition."
# Topics of events that belong to no one service's stage of the flow, with what a subscriber must know.
SHARED_TOPICS = {
    "privacy": "Erasures of customers' personal data (docs/decisions/0004-personal-data.md) from whichever "
    f"service took the request, {_IN_ORDER} Every subscriber must honour them: make the subjects' personal data "
    "unreadable in whatever it keeps (the business facts stay).",
}


def published(registry: Registry = REGISTRY) -> Registry:
    """The contracts other systems may rely on."""
    public = Registry()
    for model in registry:
        topic = model.event_type.split(".", 1)[0]
        if topic in PUBLISHERS or topic in SHARED_TOPICS:
            public.register(model)
    return public


# CloudEvents 1.0 in Kafka binary mode (docs/contract.md "Envelope"): what every record carries.
_HEADER = {"type": "string"}
CLOUDEVENTS_HEADERS: dict[str, Any] = {
    "type": "object",
    "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_dataschema", "ce_sequence"],
    "properties": {
        "ce_specversion": {"const": "1.0"},
        "ce_id": {**_HEADER, "description": "the event id (UUID); a redelivery carries the same id"},
        "ce_source": {**_HEADER, "description": "/groups/{group}/sites/{site}"},
        "ce_type": {**_HEADER, "description": f"{TYPE_PREFIX}<service>.<Event>; stable across schema versions"},
        "ce_time": {**_HEADER, "description": "when it happened (RFC 3339)"},
        "ce_subject": {**_HEADER, "description": "the stream (aggregate) id, also the record key"},
        "ce_dataschema": {**_HEADER, "description": "the JSON Schema of the data, with its version"},
        "content-type": {"const": "application/json"},
        "ce_sequence": {**_HEADER, "description": "the event's version in its stream: 1, 2, 3 … without gaps"},
        "ce_partitionkey": {**_HEADER, "description": "the stream id"},
        "ce_groupid": _HEADER,
        "ce_siteid": _HEADER,
        "ce_actor": {**_HEADER, "description": "who or what caused it"},
        "ce_recordedtime": _HEADER,
        "ce_correlationid": _HEADER,
        "ce_causationid": _HEADER,
        "ce_traceparent": {**_HEADER, "description": "W3C trace context"},
        "ce_tracestate": _HEADER,
    },
}


def document(registry: Registry | None = None, settings: KafkaSettings | None = None) -> dict[str, Any]:
    registry = registry or published()
    kafka = settings or KafkaSettings(bootstrap_servers="localhost:9092")
    by_service: dict[str, list[str]] = defaultdict(list)
    messages: dict[str, Any] = {}
    for model in sorted(registry, key=lambda m: (m.event_type, m.schema_version)):
        service, name = model.event_type.split(".", 1)
        key = f"{model.event_type}.v{model.schema_version}"
        by_service[service].append(key)
        messages[key] = {
            "name": model.event_type,
            "title": f"{name} (v{model.schema_version})",
            "summary": (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " "),
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/CloudEventsHeaders"},
            "payload": {"$ref": f"schemas/{service}/{name}/v{model.schema_version}.json"},
            "bindings": {"kafka": {"key": {"type": "string", "description": "the stream id"}}},
        }
    channels = {
        service: {
            "address": kafka.topic(service),
            "description": SHARED_TOPICS.get(service, f"Every event the {service} service publishes, {_IN_ORDER}"),
            "messages": {key: {"$ref": f"#/components/messages/{key}"} for key in keys},
        }
        for service, keys in sorted(by_service.items())
    }
    operations = {
        f"receive-{service}": {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{service}"},
            "messages": [{"$ref": f"#/channels/{service}/messages/{key}"} for key in keys],
        }
        for service, keys in sorted(by_service.items())
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "dealerflow after-sales events",
            "version": "1.0.0",
            "description": "The domain events of the dealer group's service departments (docs/contract.md): "
            "CloudEvents 1.0 in Kafka binary mode, one topic per service, at-least-once, ordered per stream.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {"host": "localhost:9092", "protocol": "kafka", "description": "make run (the local broker)"}
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": {"CloudEventsHeaders": CLOUDEVENTS_HEADERS}},
    }


def write(folder: Path, registry: Registry | None = None) -> list[Path]:
    registry = registry or published()
    # Older versions' files stay: they are published until their sunset (docs/contract.md).
    written = export(folder / "schemas", registry)
    target = folder / "asyncapi.json"
    target.write_text(json.dumps(document(registry), indent=2, ensure_ascii=False) + "\n")
    return [*written, target]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(f"{len(write(Path(sys.argv[1])))} files written to {sys.argv[1]}")
