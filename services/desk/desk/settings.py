"""The desk's settings: the backbone's, where the identity provider and the gateway are, and
where the desk itself is reached (its cookies and the provider's redirect depend on it)."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, model_validator

from events.settings import Settings

LOCAL_GATEWAY = "http://127.0.0.1:8000"


class DeskSettings(Settings):
    # None: the gateway's development provider (local only; required elsewhere).
    desk_oidc_issuer: str | None = None
    desk_oidc_client_id: str = "dealerflow-desk"
    desk_oidc_client_secret: str | None = Field(default=None, repr=False)
    desk_oidc_scope: str = "openid profile offline_access"
    desk_public_url: str = "http://127.0.0.1:8009"
    desk_gateway_url: str = LOCAL_GATEWAY
    # A session not used for this long is ended (a desk PC left signed in overnight).
    desk_session_idle_minutes: int = Field(default=12 * 60, ge=1)
    # An access token this close to its expiry is refreshed before the call, not after a 401.
    desk_refresh_margin_seconds: int = Field(default=60, ge=0)

    @model_validator(mode="after")
    def _an_issuer_outside_local(self) -> DeskSettings:
        if not self.local and not self.desk_oidc_issuer:
            raise ValueError("set DESK_OIDC_ISSUER outside local development")
        return self

    @property
    def issuer(self) -> str:
        return (self.desk_oidc_issuer or f"{self.desk_gateway_url.rstrip('/')}/auth/dev").rstrip("/")

    @property
    def public_url(self) -> str:
        return self.desk_public_url.rstrip("/")

    @property
    def redirect_uri(self) -> str:
        return f"{self.public_url}/auth/callback"

    @property
    def secure_cookies(self) -> bool:
        """Plain http is allowed on the developer's own machine only; a cookie marked Secure
        would never come back there."""
        url = urlsplit(self.public_url)
        return not (url.scheme == "http" and url.hostname in {"127.0.0.1", "localhost", "::1"})
