"""The notifications HTTP API. Paths are relative to a site (`/sites/{site_id}/...`; the gateway
serves them under `/api/v1`), except the providers' delivery reports, which providers post
straight to this service with the message's token in the URL we gave them.

- `messages?customer_id=`: every message to a customer with its status (the customer file);
- `contact-preferences/{customer_id}`: addresses, language, consent, do-not-contact (CS agents,
  advisors, service managers: they take the customer's word);
- `quiet-hours`, `message-templates`: the site's (service manager).
"""

from __future__ import annotations

import hmac
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from events.catalog import notifications as ev
from events.http import Actor, CurrentIdentity, SiteId, acting, site_tenant
from events.identity import ADVISOR, CS_AGENT, SERVICE_MANAGER, SYSTEM
from events.openapi import refusals
from events.privacy import personal_view
from events.runtime import now
from notifications import views
from notifications.domain import preferences as prefs
from notifications.domain import site as sites
from notifications.domain.message import PENDING
from notifications.domain.templates import DEFAULTS, Template, template_for
from notifications.handlers import Notifications, report_token
from notifications.schemas import (
    Channel,
    Kind,
    Language,
    MessageView,
    PreferencesBody,
    PreferencesView,
    QuietHoursBody,
    QuietHoursView,
    ReportBody,
    TemplateBody,
    TemplateView,
    preferences_view,
    quiet_hours_view,
    template_view,
)

router = APIRouter(tags=["notifications"])

CustomerId = Annotated[UUID, Path(description="the customer id (booking's, or the one the message list names)")]
PEOPLE = (CS_AGENT, ADVISOR, SERVICE_MANAGER)  # a group admin passes every role check
MANAGERS = (SERVICE_MANAGER,)
READERS = (*PEOPLE, SYSTEM)
Desk = Annotated[Actor, acting(*PEOPLE)]
Manager = Annotated[Actor, acting(*MANAGERS)]
PERSONAL = ("recipient", "body")


def notifications_of(request: Request) -> Notifications:
    used: Notifications = request.app.state.notifications
    return used


@router.get("/sites/{site_id}/messages")
async def messages(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    customer_id: Annotated[UUID, Query(description="whose messages")],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[MessageView]:
    """Every message to the customer at this site, newest first, with its status."""
    tenant = site_tenant(identity, site_id, READERS)
    pool = notifications_of(request).runtime.pool
    rows = await views.of_customer(pool, tenant, customer_id, limit)
    seen = await personal_view(pool, identity, request, rows, fields=PERSONAL, subject="customer_id")
    return [MessageView.model_validate(row) for row in seen]


@router.get("/sites/{site_id}/contact-preferences/{customer_id}")
async def get_preferences(
    site_id: SiteId, customer_id: CustomerId, identity: CurrentIdentity, request: Request
) -> PreferencesView:
    """What the customer told us (the defaults until they said anything)."""
    tenant = site_tenant(identity, site_id, PEOPLE)
    found = await notifications_of(request).preferences(tenant.group_id, customer_id)
    (row,) = await personal_view(
        notifications_of(request).runtime.pool,
        identity,
        request,
        [preferences_view(customer_id, found).model_dump()],
        fields=("phone", "email", "wechat_openid"),
        subject="customer_id",
    )
    return PreferencesView.model_validate(row)


@router.put(
    "/sites/{site_id}/contact-preferences/{customer_id}", responses=refusals("unknown_consent", not_found=False)
)
async def put_preferences(
    customer_id: CustomerId, body: PreferencesBody, request: Request, by: Desk
) -> PreferencesView:
    command = prefs.SetPreferences(customer_id, body.preferences(), by.identity.user_id, now(request))
    state = await notifications_of(request).set_preferences(by.metadata, command)
    return preferences_view(customer_id, state)


@router.get("/sites/{site_id}/quiet-hours")
async def get_quiet_hours(site_id: SiteId, identity: CurrentIdentity, request: Request) -> QuietHoursView:
    tenant = site_tenant(identity, site_id, READERS)
    return quiet_hours_view((await notifications_of(request).site(tenant)).quiet_hours)


@router.put("/sites/{site_id}/quiet-hours", responses=refusals("unknown_timezone", not_found=False))
async def put_quiet_hours(site_id: SiteId, body: QuietHoursBody, request: Request, by: Manager) -> QuietHoursView:
    command = sites.SetQuietHours(site_id, body.timezone, body.start, body.end, by.identity.user_id, now(request))
    return quiet_hours_view((await notifications_of(request).set_site(by.metadata, command)).quiet_hours)


@router.get("/sites/{site_id}/message-templates")
async def get_templates(site_id: SiteId, identity: CurrentIdentity, request: Request) -> list[TemplateView]:
    """Every kind's wording per channel and language in force at the site."""
    tenant = site_tenant(identity, site_id, READERS)
    own = (await notifications_of(request).site(tenant)).templates
    return [
        template_view(
            kind, channel, language, template_for(own, kind, channel, language), (kind, channel, language) in own
        )
        for kind, language in sorted(DEFAULTS)
        for channel in ev.CHANNELS
    ]


@router.put("/sites/{site_id}/message-templates/{kind}/{channel}/{language}")
async def put_template(
    site_id: SiteId, kind: Kind, channel: Channel, language: Language, body: TemplateBody, request: Request, by: Manager
) -> TemplateView:
    template = Template(body.subject, body.body)
    command = sites.SetTemplate(site_id, kind, channel, language, template, by.identity.user_id, now(request))
    await notifications_of(request).set_site(by.metadata, command)
    return template_view(kind, channel, language, template, True)


@router.post("/delivery-reports/{message_id}", include_in_schema=False)
async def delivery_report(message_id: UUID, token: str, body: ReportBody, request: Request) -> JSONResponse:
    """A provider's report on a message we sent: `token` is the one in the URL we gave it."""
    if not hmac.compare_digest(token, report_token(message_id)):
        return JSONResponse({"error": {"code": "forbidden", "message": "not this message's token"}}, 403)
    state = await notifications_of(request).report(message_id, body.message_id, body.status, body.reason)
    if state is None:
        return JSONResponse({"error": {"code": "not_found", "message": "no such message"}}, 404)
    if state.status == PENDING:
        # Our record of the send is not committed yet: the provider reports again in a moment.
        return JSONResponse({"error": {"code": "not_sent_yet", "message": "report again later"}}, 409)
    return JSONResponse({"status": state.status})
