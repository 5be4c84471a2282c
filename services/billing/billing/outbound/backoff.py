"""When to ask an outside party again after it was unavailable: exponential back-off with
jitter, capped (pure). The jitter spreads the retries of many records that failed in the same
outage, so they do not all return at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Backoff:
    first_delay: float = 10.0  # seconds before the second attempt
    max_delay: float = 3600.0  # a platform down for a day is asked hourly, never given up on
    jitter: float = 0.5  # each delay is scaled by a factor in [1 - jitter/2, 1 + jitter/2)

    def delay(self, failed_attempts: int, random_fraction: float) -> float:
        """Seconds to wait after the `failed_attempts`-th failure; `random_fraction` in [0, 1)."""
        base = min(self.max_delay, self.first_delay * 2.0 ** max(failed_attempts - 1, 0))
        return min(self.max_delay, base * (1 - self.jitter / 2 + self.jitter * random_fraction))

    def next_attempt(self, now: datetime, failed_attempts: int, random_fraction: float) -> datetime:
        return now + timedelta(seconds=self.delay(failed_attempts, random_fraction))


BACKOFF = Backoff()
