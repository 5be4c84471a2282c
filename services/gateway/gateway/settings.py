"""The gateway's settings: the backbone's, its users' token keys, its rate limits and its
webhook deliveries' timing."""

from __future__ import annotations

from pydantic import Field, model_validator

from events.settings import Settings

_HOUR = 3600.0


class GatewaySettings(Settings):
    gateway_jwt_secret: str | None = Field(default=None, repr=False)
    gateway_jwt_public_key: str | None = None
    gateway_jwt_issuer: str | None = None  # None: the issuer is not checked
    gateway_rate_per_second: float = Field(default=50, gt=0)
    gateway_rate_burst: int = Field(default=100, ge=1)
    # Refused tokens an address may present: guessing them is slowed down.
    gateway_refusals_per_second: float = Field(default=0.5, gt=0)
    gateway_refusal_burst: int = Field(default=30, ge=1)
    gateway_webhook_timeout_seconds: float = Field(default=15, gt=0)
    gateway_webhook_retry_first_seconds: float = Field(default=5, gt=0)
    gateway_webhook_retry_max_seconds: float = Field(default=6 * _HOUR, gt=0)
    gateway_webhook_max_age_seconds: float = Field(default=3 * 24 * _HOUR, gt=0)
    gateway_webhook_rotation_hours: float = Field(default=24, ge=0)

    @model_validator(mode="after")
    def _a_token_key_outside_local(self) -> GatewaySettings:
        # Without one the gateway would start and then refuse every user.
        if not self.local and not self.gateway_jwt_secret and not self.gateway_jwt_public_key:
            raise ValueError("set GATEWAY_JWT_SECRET or GATEWAY_JWT_PUBLIC_KEY outside local development")
        return self
