"""The gateway's settings: the backbone's, its users' token keys and identity providers, its rate
limits and its webhook deliveries' timing."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from events.settings import Settings

_HOUR = 3600.0


class DevClient(BaseModel):
    """A relying party registered with the local development provider (`GATEWAY_DEV_OIDC_CLIENTS`)."""

    model_config = {"frozen": True}

    client_id: str = Field(min_length=1)
    redirect_uris: tuple[str, ...] = Field(min_length=1)
    # None: a public client (PKCE is what proves the code's redeemer).
    secret: str | None = Field(default=None, repr=False)


_DESK = DevClient(
    client_id="dealerflow-desk",
    redirect_uris=("http://127.0.0.1:8009/auth/callback", "http://localhost:8009/auth/callback"),
)


class GatewaySettings(Settings):
    gateway_jwt_secret: str | None = Field(default=None, repr=False)
    gateway_jwt_public_key: str | None = None
    gateway_jwt_issuer: str | None = None  # None: the issuer is not checked
    # Any OpenID provider (docs/sign-in.md): its keys come from its discovery document's jwks_uri.
    gateway_oidc_issuer: str | None = None
    gateway_oidc_audience: str = "dealerflow"
    # Where a provider's tokens carry roles, sites and dealer group: a claim name or a dotted path
    # into nested claims (Keycloak: `realm_access.roles`).
    gateway_oidc_roles_claim: str = "roles"
    gateway_oidc_sites_claim: str = "sites"
    gateway_oidc_group_claim: str = "group"
    # A token naming a key the cache lacks fetches the key set again, at most this often.
    gateway_oidc_jwks_refresh_seconds: float = Field(default=30, ge=0)
    # Keys are fetched again this long after the last fetch, so a key the provider withdrew stops
    # verifying tokens.
    gateway_oidc_jwks_max_age_seconds: float = Field(default=300, ge=0)
    # The development provider (DEALERFLOW_ENV=local only), served under /auth/dev/.
    gateway_dev_oidc_issuer: str = "http://127.0.0.1:8000/auth/dev"
    gateway_dev_oidc_clients: tuple[DevClient, ...] = (_DESK,)
    gateway_dev_oidc_key_file: str = "var/dev-oidc-key.pem"
    gateway_dev_oidc_demo_file: str = "var/demo-group.json"
    gateway_dev_oidc_access_token_seconds: int = Field(default=600, ge=1)
    gateway_rate_per_second: float = Field(default=50, gt=0)
    gateway_rate_burst: int = Field(default=100, ge=1)
    # Refused tokens an address may present: guessing them is slowed down.
    gateway_refusals_per_second: float = Field(default=0.5, gt=0)
    gateway_refusal_burst: int = Field(default=30, ge=1)
    # Customers' links, per client address: a page and its photos' thumbnails fit in the burst.
    gateway_public_rate_per_second: float = Field(default=2, gt=0)
    gateway_public_rate_burst: int = Field(default=60, ge=1)
    gateway_webhook_timeout_seconds: float = Field(default=15, gt=0)
    gateway_webhook_retry_first_seconds: float = Field(default=5, gt=0)
    gateway_webhook_retry_max_seconds: float = Field(default=6 * _HOUR, gt=0)
    gateway_webhook_max_age_seconds: float = Field(default=3 * 24 * _HOUR, gt=0)
    gateway_webhook_rotation_hours: float = Field(default=24, ge=0)

    @model_validator(mode="after")
    def _a_token_key_outside_local(self) -> GatewaySettings:
        # Without one the gateway would start and then refuse every user.
        if not self.local and not (self.gateway_jwt_secret or self.gateway_jwt_public_key or self.gateway_oidc_issuer):
            raise ValueError(
                "set GATEWAY_OIDC_ISSUER, GATEWAY_JWT_SECRET or GATEWAY_JWT_PUBLIC_KEY outside local development"
            )
        return self
