"""A live region's fingerprint: what the server rendered in it, as a short digest. The page
carries the digest of each region it renders (`data-digest`, the `live_region` macro); the
region's own route answers htmx with the digest of what it renders now
(`X-Region-Digest`); `static/live.js` swaps in an answer only when the two differ. Comparing what
the server rendered, never the page's DOM: the DOM also holds what the person, the browser and
its extensions did to it (an opened `<details>`, autofill's styles), which is no change to show."""

from __future__ import annotations

import hashlib
import re

HEADER = "X-Region-Digest"
# The page and the region's route indent the same HTML differently (the page nests it in the
# region's element): whitespace between tags and around the whole is not content.
_BETWEEN_TAGS = re.compile(r">\s+<")


def digest(html: str) -> str:
    canonical = _BETWEEN_TAGS.sub("><", html.strip())
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]
