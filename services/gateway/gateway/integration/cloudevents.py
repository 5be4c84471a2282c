"""CloudEvents 1.0 structured mode from the binary-mode Kafka headers we publish (pure).

Kafka carries our events in binary mode (`ce_*` headers, the data as the value; decision 0003);
webhooks and the HTTP feed carry them in structured mode (`application/cloudevents+json`):
one JSON object with the attributes and the data (docs/contract.md "Envelope").
"""

from __future__ import annotations

import json
from typing import Any

from gateway.integration.thin import thin

CONTENT_TYPE = "application/cloudevents+json"
BATCH_CONTENT_TYPE = "application/cloudevents-batch+json"
# Binary-mode headers that are not CloudEvent attributes.
_NOT_ATTRIBUTES = frozenset({"content-type"})
# The sequence extension's value must order as text: zero-padded to 20 digits, as `ce_sequence`
# is on Kafka (docs/contract.md). Records published before the padding are padded here.
SEQUENCE_DIGITS = 20


def structured(headers: dict[str, str], data: dict[str, Any], *, position: int, thin_payload: bool) -> dict[str, Any]:
    """The structured-mode event; `position` is the gateway feed's own position (an extension,
    the value to replay from). `sequence` stays a string, as CloudEvents' sequence extension is."""
    event: dict[str, Any] = {"specversion": "1.0", "datacontenttype": "application/json"}
    for key, value in headers.items():
        if key.startswith("ce_") and key not in _NOT_ATTRIBUTES:
            event[key.removeprefix("ce_")] = value
    if "sequence" in event:
        event["sequence"] = f"{int(event['sequence']):0{SEQUENCE_DIGITS}d}"
    event["position"] = position
    event["data"] = thin(data) if thin_payload else data
    if thin_payload:
        event["thin"] = True  # so a receiver never mistakes a thin body for the whole event
        event.pop("actor", None)  # a person's user id is personal data too
    return event


def body(event: dict[str, Any] | list[dict[str, Any]]) -> str:
    """The exact bytes (as text) that are signed and sent."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)
