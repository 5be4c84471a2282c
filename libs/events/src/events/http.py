"""The HTTP edge every service shares: identity from the gateway, tenant checks, command
metadata, and one mapping from errors to status codes.

    404 NotFound                      409 DomainError (its code) / ConcurrencyConflict
    401 Unauthenticated               403 Forbidden
    422 invalid body or parameters (FastAPI's field errors, in the same error shape)
    422 invalid_cursor                a list's `cursor` that is not one it handed out (events.paging)

Every error body is `{"error": {"code": ..., "message": ..., "fields": [...]?}}`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from uuid import UUID

import asyncpg
from fastapi import Depends, FastAPI, Header, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from events.commands import AfterAppend, Outcome, execute
from events.decider import Decider
from events.envelope import Metadata, Tenant
from events.errors import ConcurrencyConflict, DomainError, NotFound
from events.identity import IDENTITY_HEADER, Forbidden, Identity, Unauthenticated, verify_internal_token
from events.paging import InvalidCursor
from events.peers import PeerRefused, PeerUnavailable
from events.store import EventStore
from events.tracing import current_trace_headers

S = TypeVar("S")
C = TypeVar("C")

REQUEST_ID_HEADER = "X-Request-ID"
# Where an error handler leaves the error's code in the request's scope: the command counters
# (events.metrics) count refusals by it.
ERROR_CODE_KEY = "dealerflow.error_code"


def current_identity(
    token: Annotated[str | None, Header(alias=IDENTITY_HEADER, include_in_schema=False)] = None,
) -> Identity:
    return verify_internal_token(token)


CurrentIdentity = Annotated[Identity, Depends(current_identity)]


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='the `version` you last saw (e.g. "7"): a change made since is refused with 409',
    ),
]


def expected_version(if_match: str | None) -> int | None:
    """The stream version an `If-Match` header names (`"7"`, `W/"7"` or `7`); 422 if it names none."""
    if if_match is None:
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise RequestValidationError(
            [{"loc": ("header", "If-Match"), "msg": "a stream version (a whole number)", "type": "value_error"}]
        )
    return int(text)


SiteId = Annotated[UUID, Path(description="the site (dealership) id")]


def site_tenant(identity: Identity, site_id: UUID | str, roles: tuple[str, ...] = ()) -> Tenant:
    """The tenant a request reads as: the caller's group and a site they may see (403 if not),
    when they hold one of `roles` (if any are named; 403 if not)."""
    if roles:
        identity.require_role(*roles)
    identity.require_site(identity.group_id, str(site_id))
    return Tenant(identity.group_id, str(site_id))


def command_metadata(identity: Identity, site_id: str, request: Request) -> Metadata:
    """Metadata for events caused by this request, after checking the site is in scope."""
    identity.require_site(identity.group_id, site_id)
    traceparent, tracestate = current_trace_headers()
    return Metadata(
        tenant=Tenant(identity.group_id, site_id),
        actor=identity.user_id,
        correlation_id=request.headers.get(REQUEST_ID_HEADER) or str(uuid.uuid4()),
        traceparent=traceparent,
        tracestate=tracestate,
    )


@dataclass(frozen=True, slots=True)
class Actor:
    """Who sends a command: their identity (role and site checked), the metadata of the events
    the command causes, and the version of the stream they last saw (`If-Match`), which the
    route passes to `events.commands.execute` as its `expected_version`."""

    identity: Identity
    metadata: Metadata
    expected_version: int | None

    @property
    def tenant(self) -> Tenant:
        return self.metadata.tenant

    async def run(
        self,
        store: EventStore,
        decider: Decider[C, S],
        stream_id: str,
        command: C,
        *,
        must_exist: bool = True,
        after_append: AfterAppend | None = None,
    ) -> Outcome[S]:
        """The command as this actor: `events.commands.execute` with their metadata and the version
        their `If-Match` named. `must_exist`: a stream that does not exist at their site is a 404
        (False for a command that may start one)."""
        return await execute(
            store,
            decider,
            stream_id,
            command,
            self.metadata,
            expected_version=self.expected_version,
            must_exist=must_exist,
            after_append=after_append,
        )


def acting(*roles: str) -> Any:
    """A command route's one dependency for who may send it and what its events carry:
    `by: Annotated[Actor, acting(*DESK)]` (a service names it once: `Desk = Annotated[...]`).
    403 unless the caller holds one of `roles` at the path's site; 422 for an `If-Match` that is
    not a version."""

    async def actor(site_id: SiteId, identity: CurrentIdentity, request: Request, if_match: IfMatch = None) -> Actor:
        if roles:
            identity.require_role(*roles)
        return Actor(identity, command_metadata(identity, str(site_id), request), expected_version(if_match))

    return Depends(actor)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


# What asyncpg raises while the server restarts or cannot be reached (a lost connection, one
# refused or terminated by the server's shutdown, a pool that cannot connect in time).
_DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError,
    # A pooled connection the restart broke mid-statement, handed out again before asyncpg saw it
    # was dead: its next statement fails with "another operation is in progress" (a 500 before;
    # tests/test_restarts.py saw it in 2 runs of 5). Nothing was written on it.
    asyncpg.InternalClientError,
    ConnectionError,
    TimeoutError,
)


def install_error_handlers(app: FastAPI) -> None:
    def respond(request: Request, status: int, code: str, message: str, **extra: Any) -> JSONResponse:
        request.scope[ERROR_CODE_KEY] = code
        return JSONResponse(error_body(code, message, **extra), status_code=status)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound) -> JSONResponse:
        return respond(request, 404, error.code, str(error))

    @app.exception_handler(DomainError)
    async def domain_rule(request: Request, error: DomainError) -> JSONResponse:
        return respond(request, 409, error.code, str(error))

    @app.exception_handler(ConcurrencyConflict)
    async def conflict(request: Request, error: ConcurrencyConflict) -> JSONResponse:
        return respond(
            request,
            409,
            error.code,
            "someone else changed this record at the same time; reload and try again",
            current_version=error.actual,
        )

    @app.exception_handler(PeerRefused)
    async def peer_refused(request: Request, error: PeerRefused) -> JSONResponse:
        # The other service's 409/422 (or 401/403) keeps its status and code: the caller's fix is the same.
        return respond(request, error.status, error.code, str(error))

    @app.exception_handler(PeerUnavailable)
    async def peer_unavailable(request: Request, error: PeerUnavailable) -> JSONResponse:
        response = respond(request, 503, error.code, str(error))
        response.headers["Retry-After"] = "2"
        return response

    @app.exception_handler(Unauthenticated)
    async def unauthenticated(request: Request, error: Unauthenticated) -> JSONResponse:
        return respond(request, 401, error.code, str(error))

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, error: Forbidden) -> JSONResponse:
        return respond(request, 403, error.code, str(error))

    async def database_unavailable(request: Request, error: Exception) -> JSONResponse:
        # The database restarting or out of reach: nothing was written; the client may retry.
        response = respond(request, 503, "database_unavailable", "the database cannot be reached; try again shortly")
        response.headers["Retry-After"] = "2"
        return response

    async def unstorable_text(request: Request, error: Exception) -> JSONResponse:
        # PostgreSQL stores no NUL character in text or JSON: the request's text, not the server.
        return respond(request, 422, "invalid_text", "the request holds a character that cannot be stored (NUL)")

    for unstorable in (asyncpg.CharacterNotInRepertoireError, asyncpg.UntranslatableCharacterError):
        app.add_exception_handler(unstorable, unstorable_text)

    for unavailable in _DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, database_unavailable)

    @app.exception_handler(InvalidCursor)
    async def invalid_cursor(request: Request, error: InvalidCursor) -> JSONResponse:
        fields = [{"field": "query.cursor", "message": str(error), "type": error.code}]
        return respond(request, 422, error.code, "the list's cursor is not valid here", fields=fields)

    @app.exception_handler(StarletteHTTPException)
    async def unrouted(request: Request, error: StarletteHTTPException) -> JSONResponse:
        # The router's own refusals (no route for the path, or not for the method) answer in the
        # body every operation's document names, not Starlette's `{"detail": ...}`.
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        response = respond(request, error.status_code, code, str(error.detail))
        response.headers.update(error.headers or {})
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"], "type": e["type"]}
            for e in error.errors()
        ]
        return respond(request, 422, "invalid_request", "the request has invalid fields", fields=fields)
