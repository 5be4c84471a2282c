"""The portal's settings: the backbone's, where the gateway is, and where customers reach the
portal (its links in messages, the Origin its forms must come from)."""

from __future__ import annotations

from urllib.parse import urlsplit

from events.settings import Settings

LOCAL_GATEWAY = "http://127.0.0.1:8000"
LOCAL_PORTAL = "http://127.0.0.1:8011"


class PortalSettings(Settings):
    gateway_url: str = LOCAL_GATEWAY
    # The portal's public base URL: the same setting notifications puts into messages' links.
    portal_url: str = LOCAL_PORTAL

    @property
    def public_url(self) -> str:
        return self.portal_url.rstrip("/")

    @property
    def public_origin(self) -> str:
        url = urlsplit(self.public_url)
        return f"{url.scheme}://{url.netloc}"
