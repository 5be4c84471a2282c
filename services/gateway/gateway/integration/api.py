"""HTTP routes of the integration surface: the feed and webhook subscriptions.

Scope as in the gateway's `forward`: the caller's dealer group only, and within it the sites
the token names (a group admin sees every site). The feed is for group admins and systems;
webhooks are managed by group admins (the dealer group's IT).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import (
    AnyHttpUrl,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from events.http import error_body
from events.identity import GROUP_ADMIN, SYSTEM, Forbidden, Identity
from gateway.integration import cloudevents, feed, subscriptions
from gateway.integration.addresses import RefusedDestination
from gateway.integration.delivery import redeliver
from gateway.integration.filters import like_patterns, normalise
from gateway.integration.runtime import Integration
from gateway.integration.subscriptions import Delivery, Subscription

PREFIX = "/api/v1/integration"
Authenticate = Callable[[str | None], Coroutine[Any, Any, Identity]]
Authorization = Annotated[str | None, Header()]


# A site id is an id (a UUID in the services): anything else, a stray control character
# included, is a 422 here rather than a failed query.
SiteIdText = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{1,100}$")]


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event in structured mode, with our extensions (docs/contract.md)."""

    model_config = ConfigDict(extra="allow")
    specversion: str
    id: str
    source: str = Field(description="/groups/{group}/sites/{site}")
    type: str = Field(description="com.dealerflow.<service>.<Event>")
    subject: str = Field(description="the aggregate's stream id")
    time: str
    dataschema: str
    datacontenttype: str
    sequence: str = Field(description="the aggregate's version: per-aggregate order a receiver can check")
    groupid: str
    siteid: str
    position: int = Field(description="the gateway feed's position: replay from here")
    thin: bool = Field(default=False, description="true when data holds ids and status only")
    data: dict[str, Any]


class FeedPage(BaseModel):
    events: list[CloudEvent]
    next_after: int = Field(description="pass as `after` for the next page")


class WebhookRequest(BaseModel):
    url: AnyHttpUrl
    event_types: list[str] = Field(
        min_length=1, description="exact types (`reception.RepairOrderSigned`), a service's (`reception.*`), or `*`"
    )
    site_ids: list[SiteIdText] = Field(default_factory=list, description="empty: every site of the group")
    payload: Literal["thin", "full"] = Field(default="thin", description="thin: ids and status only, no personal data")
    after: int | None = Field(default=None, ge=0, description="start after this feed position (default: from now)")
    since: AwareDatetime | None = Field(default=None, description="start with events from this time")

    @field_validator("event_types")
    @classmethod
    def known_patterns(cls, patterns: list[str]) -> list[str]:
        return sorted({normalise(p) for p in patterns})


class Webhook(BaseModel):
    id: uuid.UUID
    url: str
    event_types: list[str]
    site_ids: list[str]
    payload: str
    status: str = Field(description="active, or disabled (410 Gone, or failing for longer than the maximum age)")
    status_reason: str | None
    checkpoint: int = Field(description="the last feed position delivered")
    failed_attempts: int
    next_attempt_at: datetime | None
    previous_secret_valid_until: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, s: Subscription) -> Webhook:
        return cls(
            id=s.id, url=s.url, event_types=s.event_types, site_ids=s.site_ids, payload=s.payload, status=s.status,
            status_reason=s.status_reason, checkpoint=s.checkpoint, failed_attempts=s.failed_attempts,
            next_attempt_at=s.next_attempt_at, previous_secret_valid_until=s.previous_secret_until,
            created_at=s.created_at,
        )  # fmt: skip


class WebhookWithSecret(Webhook):
    secret: str = Field(description="shown once: verify `webhook-signature` with it (Standard Webhooks)")


class DeliveryRecord(BaseModel):
    id: uuid.UUID
    position: int
    event_id: uuid.UUID
    event_type: str
    attempt: int
    redelivery: bool
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    succeeded: bool

    @classmethod
    def of(cls, d: Delivery) -> DeliveryRecord:
        return cls.model_validate({name: getattr(d, name) for name in cls.model_fields})


class ReplayRequest(BaseModel):
    after: int | None = Field(default=None, ge=0, description="deliver again from the event after this position")
    since: AwareDatetime | None = Field(default=None, description="deliver again from events of this time on")

    @model_validator(mode="after")
    def one_start(self) -> ReplayRequest:
        if (self.after is None) == (self.since is None):
            raise ValueError("give either `after` or `since`")
        return self


def _integration(request: Request) -> Integration:
    integration: Integration | None = getattr(request.app.state, "integration", None)
    if integration is None:
        raise _NotConfigured
    return integration


class _NotConfigured(Exception):
    """The gateway runs without a database: it routes, but keeps no feed."""


def not_configured_response() -> JSONResponse:
    return JSONResponse(
        error_body("integration_unavailable", "this gateway keeps no integration feed (no DATABASE_URL)"),
        status_code=503,
    )


class _IntegrationRoute(APIRoute):
    """Answers 503 (in the shared error shape) on a gateway without a feed database."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except _NotConfigured:
                return not_configured_response()

        return guarded


def _visible_sites(identity: Identity, requested: list[str]) -> list[str]:
    """The sites to read: those requested (each must be in scope, 403 if not), or all in scope
    (empty list = every site of the group, for a group admin)."""
    for site in requested:
        identity.require_site(identity.group_id, site)
    if requested or identity.all_sites:
        return requested
    if not identity.site_ids:
        raise Forbidden("the token names no site")
    return sorted(identity.site_ids)


def integration_router(authenticate: Authenticate) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["integration"], route_class=_IntegrationRoute)

    async def admin(authorization: str | None) -> Identity:
        identity = await authenticate(authorization)
        if GROUP_ADMIN not in identity.roles:
            raise Forbidden("managing webhooks needs the group_admin role")
        return identity

    @router.get("/feed", response_model=FeedPage, responses={200: {"content": {cloudevents.BATCH_CONTENT_TYPE: {}}}})
    async def read_feed(
        request: Request,
        authorization: Authorization = None,
        after: Annotated[int, Query(ge=0, description="the last position you have")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        type: Annotated[list[str], Query(description="event type patterns (exact or service.*)")] = [],  # noqa: B006
        site: Annotated[list[SiteIdText], Query(description="only these sites")] = [],  # noqa: B006
        since: Annotated[AwareDatetime | None, Query(description="only events from this time on")] = None,
        payload: Literal["thin", "full"] = "full",
        accept: Annotated[str | None, Header()] = None,
    ) -> Any:
        """The group's events after `after`, in feed order, as structured CloudEvents. Send
        `Accept: application/cloudevents-batch+json` for a bare batch (the next `after` is then
        the last event's `position`, also in the `X-Next-After` header)."""
        identity = await authenticate(authorization)
        identity.require_role(GROUP_ADMIN, SYSTEM)
        integration = _integration(request)
        sites = _visible_sites(identity, site)
        try:
            patterns = [normalise(t) for t in type]
        except ValueError as error:
            return JSONResponse(
                # Each field error names its kind, as the API's schema (FieldError) promises.
                error_body(
                    "invalid_request",
                    str(error),
                    fields=[{"field": "query.type", "message": str(error), "type": "value_error"}],
                ),
                status_code=422,
            )
        await feed.sequence(integration.pool)
        events = await feed.read(
            integration.pool, group_id=identity.group_id, after=after, limit=limit,
            site_ids=sites, type_likes=like_patterns(patterns), since=since,
        )  # fmt: skip
        thin = payload == "thin"
        items = [cloudevents.structured(e.headers, e.data, position=e.position, thin_payload=thin) for e in events]
        next_after = events[-1].position if events else after
        if accept and cloudevents.BATCH_CONTENT_TYPE in accept:
            return Response(
                cloudevents.body(items),
                media_type=cloudevents.BATCH_CONTENT_TYPE,
                headers={"X-Next-After": str(next_after)},
            )
        return {"events": items, "next_after": next_after}

    @router.post("/webhooks", status_code=201, response_model=WebhookWithSecret)
    async def subscribe(body: WebhookRequest, request: Request, authorization: Authorization = None) -> Any:
        """Subscribe a URL; the secret is in this answer only."""
        identity = await admin(authorization)
        for site in body.site_ids:
            identity.require_site(identity.group_id, site)
        integration = _integration(request)
        try:
            await integration.destinations.check(str(body.url))
        except RefusedDestination as refused:
            field = {"field": "body.url", "message": str(refused), "type": refused.code}
            return JSONResponse(error_body(refused.code, str(refused), fields=[field]), status_code=422)
        pool = integration.pool
        if body.after is not None:
            start = body.after
        elif body.since is not None:
            start = await feed.position_at(pool, identity.group_id, body.since)
        else:
            start = await feed.head(pool)
        created = await subscriptions.create(
            pool, group_id=identity.group_id, url=str(body.url), event_types=body.event_types,
            site_ids=sorted(set(body.site_ids)), payload=body.payload, checkpoint=start, created_by=identity.user_id,
        )  # fmt: skip
        return WebhookWithSecret(**Webhook.of(created).model_dump(), secret=created.secret)

    @router.get("/webhooks", response_model=list[Webhook])
    async def list_webhooks(request: Request, authorization: Authorization = None) -> Any:
        identity = await admin(authorization)
        return [Webhook.of(s) for s in await subscriptions.list_for(_integration(request).pool, identity.group_id)]

    @router.get("/webhooks/{subscription_id}", response_model=Webhook)
    async def get_webhook(subscription_id: uuid.UUID, request: Request, authorization: Authorization = None) -> Any:
        identity = await admin(authorization)
        return Webhook.of(await subscriptions.get(_integration(request).pool, identity.group_id, subscription_id))

    @router.delete("/webhooks/{subscription_id}", status_code=204)
    async def unsubscribe(
        subscription_id: uuid.UUID, request: Request, authorization: Authorization = None
    ) -> Response:
        identity = await admin(authorization)
        await subscriptions.delete(_integration(request).pool, identity.group_id, subscription_id)
        return Response(status_code=204)

    @router.post("/webhooks/{subscription_id}/rotate-secret", response_model=WebhookWithSecret)
    async def rotate_secret(subscription_id: uuid.UUID, request: Request, authorization: Authorization = None) -> Any:
        """A new secret (shown once); the old one keeps signing beside it for a while, so both
        signatures are sent until `previous_secret_valid_until`."""
        identity = await admin(authorization)
        integration = _integration(request)
        rotated = await subscriptions.rotate_secret(
            integration.pool, identity.group_id, subscription_id, integration.settings.rotation_overlap
        )
        return WebhookWithSecret(**Webhook.of(rotated).model_dump(), secret=rotated.secret)

    @router.post("/webhooks/{subscription_id}/replay", response_model=Webhook)
    async def replay(
        subscription_id: uuid.UUID, body: ReplayRequest, request: Request, authorization: Authorization = None
    ) -> Any:
        """Deliver again, in order, from a position or a time; re-enables a disabled subscription."""
        identity = await admin(authorization)
        pool = _integration(request).pool
        await subscriptions.get(pool, identity.group_id, subscription_id)
        start = body.after if body.after is not None else await feed.position_at(pool, identity.group_id, body.since)  # type: ignore[arg-type]
        return Webhook.of(await subscriptions.replay(pool, identity.group_id, subscription_id, start))

    @router.get("/webhooks/{subscription_id}/deliveries", response_model=list[DeliveryRecord])
    async def delivery_log(
        subscription_id: uuid.UUID,
        request: Request,
        authorization: Authorization = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> Any:
        """Every attempt, newest first."""
        identity = await admin(authorization)
        pool = _integration(request).pool
        await subscriptions.get(pool, identity.group_id, subscription_id)
        return [DeliveryRecord.of(d) for d in await subscriptions.deliveries(pool, subscription_id, limit)]

    @router.post("/webhooks/{subscription_id}/deliveries/{delivery_id}/redeliver", response_model=DeliveryRecord)
    async def redeliver_one(
        subscription_id: uuid.UUID, delivery_id: uuid.UUID, request: Request, authorization: Authorization = None
    ) -> Any:
        """Send that delivery's event again now; the answer is the new attempt."""
        identity = await admin(authorization)
        integration = _integration(request)
        subscription = await subscriptions.get(integration.pool, identity.group_id, subscription_id)
        earlier = await subscriptions.delivery(integration.pool, subscription_id, delivery_id)
        attempt = await redeliver(
            integration.pool, integration.client, integration.destinations, subscription, earlier,
            integration.settings.delivery.timeout,
        )  # fmt: skip
        return DeliveryRecord.of(attempt)

    return router
