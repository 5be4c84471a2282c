"""Which events a subscription or a feed request wants (pure, no I/O).

Event types are named as in the catalogue, `reception.RepairOrderSigned`; the CloudEvent
`type` prefix `com.dealerflow.` is accepted and ignored. A pattern is an exact type, a
service's every event (`reception.*`), or everything (`*`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from events.kafka import TYPE_PREFIX

TYPE_PATTERN = re.compile(r"^(\*|[a-z][a-z0-9_]*\.(\*|[A-Z][A-Za-z0-9]*))$")


def normalise(pattern: str) -> str:
    """The pattern without the CloudEvent type prefix; ValueError if it is not a valid pattern."""
    bare = pattern.strip().removeprefix(TYPE_PREFIX)
    if not TYPE_PATTERN.match(bare):
        raise ValueError(f"{pattern!r} is not an event type (service.EventName), service.* or *")
    return bare


def matches(patterns: Iterable[str], event_type: str) -> bool:
    """Does an event of `event_type` (short form) match any pattern? No patterns match everything."""
    wanted = list(patterns)
    if not wanted:
        return True
    for pattern in wanted:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def like_patterns(patterns: Sequence[str]) -> list[str]:
    """The same patterns as SQL `LIKE` patterns (for `event_type LIKE ANY($1)`); names hold no
    `%` or `_` wildcards of their own except `_` in service names, which is escaped."""
    if not patterns:
        return ["%"]
    return [
        "%" if p == "*" else p.replace("_", r"\_").removesuffix("*") + ("%" if p.endswith("*") else "")
        for p in patterns
    ]
