"""Calls made after the deciding transaction commits: moved to `events.outbound` (shared with
notifications)."""

from events.outbound import LEASE, AfterCommit

__all__ = ["LEASE", "AfterCommit"]
