"""The identity header the gateway would add, for tests that call a service directly."""

from __future__ import annotations

from events.identity import IDENTITY_HEADER, Identity, issue_internal_token

# The gateway's tokens live a minute: enough for one forwarded request. A test module builds
# its headers once, at import, and a suite on a loaded machine runs longer than that.
TEST_TOKEN_SECONDS = 3600


def identity_headers(identity: Identity) -> dict[str, str]:
    return {IDENTITY_HEADER: issue_internal_token(identity, ttl_seconds=TEST_TOKEN_SECONDS)}
