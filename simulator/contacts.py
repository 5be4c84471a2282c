"""What a CS agent enters for the demo's customers in notifications: how each wants to be
reached (a share by e-mail, a share on WeChat, the rest by SMS), who consented to marketing,
who asked not to be contacted; and each site's quiet hours, off, so a newcomer watching the
receivers after `make run` sees every kind of message whatever the hour is."""

from __future__ import annotations

import os
from typing import Any

import httpx

from simulator.actors import Staff
from simulator.day import Visit

STANDINS = os.environ.get("STANDINS_URL", "http://127.0.0.1:8090")
# Start equal to end: no quiet hours (notifications' QuietHoursBody).
NO_QUIET_HOURS = {"timezone": "Asia/Shanghai", "start": "00:00", "end": "00:00"}


async def quiet_hours_off(staff: Staff) -> None:
    await staff["service_manager"].call("PUT", "quiet-hours", NO_QUIET_HOURS)


def preferences(visit: Visit) -> dict[str, Any]:
    """One in ten does not want to be contacted; three e-mail, two WeChat, the rest SMS; every
    other customer consents to marketing on their channel."""
    share, customer = visit.number % 10, visit.customer
    body: dict[str, Any] = {"phone": customer.phone, "language": "zh"}
    channel = "sms"
    if share == 9:
        return body | {"do_not_contact": True}
    if share in (1, 4, 7):
        channel = "email"
        body |= {"email": f"c{customer.customer_id[:8]}@example.cn"}
    elif share in (2, 5):
        channel = "wechat"
        body |= {"wechat_openid": openid(visit)}
    if visit.number % 2 == 0:
        body["consent"] = [f"{channel}:marketing"]
    return body | {"preferred_channel": channel}


def openid(visit: Visit) -> str:
    return f"o{visit.customer.customer_id.replace('-', '')[:20]}"


async def enter_preferences(staff: Staff, visit: Visit, standins: str = STANDINS) -> None:
    body = preferences(visit)
    if body.get("wechat_openid"):
        # The customer follows the site's service account first: WeChat refuses other openids.
        async with httpx.AsyncClient(timeout=30) as client:
            followed = await client.post(f"{standins}/wechat/admin/followers", json={"openid": body["wechat_openid"]})
            followed.raise_for_status()
    await staff["cs_agent"].call("PUT", f"contact-preferences/{visit.customer.customer_id}", body)
    staff["cs_agent"].stats.happened[
        "do_not_contact" if body.get("do_not_contact") else f"prefers_{body['preferred_channel']}"
    ] += 1
