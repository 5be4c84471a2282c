"""When to try a failed webhook delivery again: exponential back-off with jitter, up to a
maximum age (pure, no I/O). The jitter spreads retries of many subscriptions that failed
together (an integrator's outage) so they do not all return at the same instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    first_delay: float = 5.0  # seconds before the second attempt
    max_delay: float = 6 * 3600.0  # no wait between attempts is longer than this
    max_age: float = 3 * 24 * 3600.0  # after this long failing, stop trying (the subscription is paused)
    jitter: float = 0.5  # each delay is scaled by a factor in [1 - jitter/2, 1 + jitter/2)

    def delay(self, failed_attempts: int, random_fraction: float) -> float:
        """Seconds to wait after the `failed_attempts`-th failure; `random_fraction` in [0, 1)."""
        base = min(self.max_delay, self.first_delay * 2.0 ** max(failed_attempts - 1, 0))
        return base * (1 - self.jitter / 2 + self.jitter * random_fraction)

    def next_attempt(
        self, first_failure: datetime, now: datetime, failed_attempts: int, random_fraction: float
    ) -> datetime | None:
        """When to try again, or None when the event has been failing for longer than `max_age`."""
        at = now + timedelta(seconds=self.delay(failed_attempts, random_fraction))
        if at - first_failure > timedelta(seconds=self.max_age):
            return None
        return at
