"""The WeChat service account's stand-in (微信公众号 template messages): an access token for the
account's app id and secret (`GET /cgi-bin/token`), then `POST /cgi-bin/message/template/send`
with it. Answers the way WeChat does — HTTP 200 with `errcode` (0 ok; 40001 a bad token, 40003 an
openid that does not follow the account, 40013/40125 a wrong app id or secret) — and takes
`client_msg_id` as the idempotency key. The account's followers are registered with
`/wechat/admin/followers` (a real account's are the people who followed it)."""

from __future__ import annotations

import secrets
import threading

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from standins.messages import box

router = APIRouter()
APP_ID = "wx-dealerflow-local"  # the notifications service's default WECHAT_APP_ID / WECHAT_SECRET
SECRET = "local-wechat-secret"
_TOKENS: set[str] = set()
_FOLLOWERS: set[str] = set()
_LOCK = threading.Lock()


@router.get("/wechat/cgi-bin/token", tags=["WeChat service account"])
def token(grant_type: str = "", appid: str = "", secret: str = "") -> dict[str, object]:
    if grant_type != "client_credential":
        return {"errcode": 40002, "errmsg": "invalid grant_type"}
    if appid != APP_ID:
        return {"errcode": 40013, "errmsg": "invalid appid"}
    if secret != SECRET:
        return {"errcode": 40125, "errmsg": "invalid appsecret"}
    issued = secrets.token_urlsafe(24)
    with _LOCK:
        _TOKENS.add(issued)
    return {"access_token": issued, "expires_in": 7200}


class DataItem(BaseModel):
    value: str


class TemplateMessage(BaseModel):
    touser: str = Field(min_length=1)
    template_id: str = Field(min_length=1)
    url: str = ""
    data: dict[str, DataItem]
    client_msg_id: str = ""


@router.post("/wechat/cgi-bin/message/template/send", tags=["WeChat service account"])
def send(body: TemplateMessage, request: Request, access_token: str = "") -> dict[str, object]:
    received = box(request)
    with _LOCK:
        if access_token not in _TOKENS:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        following = body.touser in _FOLLOWERS
    key = body.client_msg_id or secrets.token_hex(8)
    known = received.known("wechat", key)
    if known is not None:
        return {"errcode": 0, "errmsg": "ok", "msgid": known.provider_id}
    failure = received.failures["wechat"].next()
    if failure and failure["mode"] == "unavailable":
        return {"errcode": -1, "errmsg": "system error"}
    text = "\n".join(f"{name}: {item.value}" for name, item in body.data.items())
    if not following or (failure and failure["mode"] == "refused"):
        received.keep("wechat", key, body.touser, body.template_id, text, "refused", "invalid openid")
        return {"errcode": 40003, "errmsg": "invalid openid"}
    provider_id = received.keep("wechat", key, body.touser, body.template_id, text, "delivered")
    return {"errcode": 0, "errmsg": "ok", "msgid": provider_id}


class Follower(BaseModel):
    openid: str = Field(min_length=1)


@router.post("/wechat/admin/followers", tags=["WeChat service account"])
def follow(follower: Follower) -> dict[str, int]:
    with _LOCK:
        _FOLLOWERS.add(follower.openid)
        return {"followers": len(_FOLLOWERS)}
