"""Per-client rate limits: a token bucket per authenticated client, and one per address for
refused tokens (guessing tokens is slowed down without locking out a dealership's users, who
share its address).

Buckets live in the gateway process: with several gateway replicas each enforces its own
share (set the rate per replica). That is the usual trade-off for an edge limiter; a shared
store would add a network hop to every request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, rate_per_second: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate_per_second
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    @property
    def clients(self) -> int:
        """How many clients it holds a bucket for."""
        return len(self._buckets)

    def allow(self, client: str) -> tuple[bool, float]:
        """Take one token for `client`; (allowed, seconds until the next token if refused)."""
        now = self.clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= _MAX_CLIENTS:
                self._forget_idle(now)
            bucket = self._buckets[client] = _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True, 0.0
        return False, (1 - bucket.tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        """Drop the buckets that have refilled: a full bucket is the same as none. (Clients, and
        addresses above all, are not ours to count: the table must not grow without end.)"""
        self._buckets = {
            client: bucket
            for client, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.updated) * self.rate < self.burst
        }


_MAX_CLIENTS = 10_000
