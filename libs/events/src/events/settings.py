"""Settings: what a process reads from its environment, as one typed model per service.

`Settings` holds every variable the backbone reads (README's configuration table lists them with
their defaults); a service's own model extends it with the service's variables (reception's
`ReceptionSettings`, the gateway's `GatewaySettings`, …). `load` reads a model and turns a bad
value into a `SettingsError` naming the variable, and `python -m <service>` stops on it with that
line (`exit_on_bad_settings`): an operator sees `KAFKA_PARTITIONS: 'abc' is not a valid integer`
at start, not a traceback from deep inside a client library minutes later.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import BeforeValidator, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
Compression = Literal["gzip", "snappy", "lz4", "zstd"]


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _none_if_empty(value: Any) -> Any:
    # `KAFKA_COMPRESSION=` (as a compose file leaves it) has always meant none.
    return None if value == "" else value


class Settings(BaseSettings):
    """The backbone's variables, read by every service (and the gateway)."""

    # Frozen: read once at start and handed down, never changed behind a running loop's back.
    model_config = SettingsConfigDict(frozen=True, extra="ignore")
    # A service that mints or reads customer links sets this: without LINK_SECRET it then refuses
    # to start outside local development, rather than at a customer's first tap on a link.
    verifies_links: ClassVar[bool] = False

    database_url: str | None = Field(default=None, repr=False)  # may carry a password
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_topic_prefix: str = "dealerflow."
    kafka_partitions: int = Field(default=8, ge=1)
    kafka_replication_factor: int = Field(default=1, ge=1)
    kafka_enable_idempotence: bool = False
    kafka_compression: Annotated[Compression | None, BeforeValidator(_none_if_empty)] = None
    kafka_fetch_max_wait_ms: int = Field(default=200, ge=0)
    kafka_session_timeout_ms: int = Field(default=6000, ge=1)
    kafka_heartbeat_interval_ms: int = Field(default=2000, ge=1)
    events_state_cache_size: int = Field(default=4096, ge=0)
    dealerflow_env: str = "local"
    internal_token_secret: str | None = Field(default=None, repr=False)
    link_secret: str | None = Field(default=None, repr=False)  # signs customer links (events.links)
    log_level: Annotated[LogLevel, BeforeValidator(_upper)] = "INFO"
    dealerflow_log_format: Literal["json", "text"] = "json"
    access_log: bool = False
    host: str = "127.0.0.1"
    # Proxies whose X-Forwarded-For names the client (addresses or networks, comma-separated):
    # the customer portal and a load balancer, so per-address limits count customers, not them.
    forwarded_allow_ips: str = "127.0.0.1"
    port: int | None = Field(default=None, ge=0, le=65535)  # None: the service's own port
    otel_exporter_otlp_endpoint: str | None = None
    otel_exporter_otlp_traces_endpoint: str | None = None

    @property
    def local(self) -> bool:
        """A developer's machine: built-in secrets and the dev token issuer are allowed."""
        return self.dealerflow_env == "local"

    @model_validator(mode="after")
    def _secret_outside_local(self) -> Settings:
        # Refused at start rather than at the first request that needs to sign an identity.
        if not self.local and not self.internal_token_secret:
            raise ValueError("INTERNAL_TOKEN_SECRET must be set outside local development (DEALERFLOW_ENV=local)")
        if self.verifies_links and not self.local and not self.link_secret:
            raise ValueError("LINK_SECRET must be set outside local development (DEALERFLOW_ENV=local)")
        return self

    @property
    def link_key(self) -> bytes:
        """The key of customer links (events.links): LINK_SECRET, or a built-in one locally."""
        if self.link_secret:
            return self.link_secret.encode("utf-8")
        if not self.local:  # a service that forgot `verifies_links` still never signs with the built-in key
            raise RuntimeError("LINK_SECRET must be set outside local development")
        return b"local-development-only-link-secret"


S = TypeVar("S", bound=Settings)


class SettingsError(ValueError):
    """A variable with a value its model refuses; the message names each such variable."""


# What an operator reads, for the types that refuse most values.
_PHRASES = {
    "int_parsing": "is not a valid integer",
    "int_from_float": "is not a valid integer",
    "float_parsing": "is not a valid number",
    "bool_parsing": "is not a valid boolean (true/false, 1/0, yes/no, on/off)",
}


def _problem(model: type[Settings], error: Any) -> str:
    location = error["loc"]
    if not location:  # a rule across fields: its message names the variables itself
        return str(error["msg"]).removeprefix("Value error, ")
    field = model.model_fields.get(str(location[0]))
    alias = field.validation_alias if field is not None else None
    name = (alias if isinstance(alias, str) else str(location[0])).upper()
    phrase = _PHRASES.get(error["type"]) or str(error["msg"]).replace("Input should be", "should be")
    return f"{name}: {error['input']!r} {phrase}"


def load(model: type[S]) -> S:
    """`model` read from the environment; `SettingsError` naming every bad variable."""
    try:
        return model()
    except ValidationError as error:
        raise SettingsError("; ".join(_problem(model, e) for e in error.errors())) from None


@contextmanager
def exit_on_bad_settings(service: str) -> Iterator[None]:
    """Around a process's start: a bad setting ends it with one line on stderr (exit status 2,
    a usage error), not a traceback."""
    try:
        yield
    except SettingsError as error:
        print(f"{service}: bad setting: {error}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
