"""The development provider's endpoints under `/auth/dev/`: discovery, JWKS, the sign-in page
(`authorize`), `token`, `userinfo` and `end_session`. Parse, ask `DevProvider`, answer in the
shape the standards give (OAuth errors as `{"error", "error_description"}`)."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from gateway.dev_identity.people import ROLE_LABELS, Person, read_demo
from gateway.dev_identity.provider import AuthorizationRequest, DevProvider, GrantError, UnknownClient

PREFIX = "/auth/dev"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_templates = Environment(loader=PackageLoader("gateway.dev_identity", "templates"), autoescape=select_autoescape())


def discovery(issuer: str) -> dict[str, Any]:
    """OpenID Connect Discovery 1.0, section 3."""
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks",
        "end_session_endpoint": f"{issuer}/end_session",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "offline_access"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "name", "preferred_username", "group", "roles", "sites", "sid", "auth_time"],
        "authorization_response_iss_parameter_supported": True,
    }


def router(provider: DevProvider, demo_file: Path) -> APIRouter:
    routes = APIRouter(prefix=PREFIX, include_in_schema=False)

    @routes.get("/.well-known/openid-configuration")
    async def configuration() -> dict[str, Any]:
        return discovery(provider.issuer)

    @routes.get("/jwks")
    async def jwks() -> dict[str, Any]:
        return {"keys": [provider.key.public_jwk]}

    @routes.get("/authorize")
    async def authorize_page(request: Request) -> Response:
        return _answer(provider, demo_file, dict(request.query_params), None)

    @routes.post("/authorize")
    async def authorize(request: Request) -> Response:
        try:
            form = await _form(request)
        except GrantError as error:
            return _message(error.description, 400)
        return _answer(provider, demo_file, form, form)

    @routes.post("/token")
    async def token(request: Request) -> Response:
        try:
            form = await _form(request)
            client_id, secret = _client_credentials(request, form)
            client = provider.client_for_token(client_id, secret)
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                tokens = provider.redeem_code(
                    client, form.get("code", ""), form.get("redirect_uri", ""), form.get("code_verifier", "")
                )
            elif grant_type == "refresh_token":
                tokens = provider.refresh(client, form.get("refresh_token", ""))
            else:
                raise GrantError("unsupported_grant_type", "authorization_code or refresh_token")
        except GrantError as error:
            return _oauth_error(error)
        return JSONResponse(tokens, headers=_NO_STORE)

    @routes.api_route("/userinfo", methods=["GET", "POST"])
    async def userinfo(request: Request) -> Response:
        authorization = request.headers.get("authorization", "")
        try:
            if not authorization.startswith("Bearer "):
                raise GrantError("invalid_token", "a bearer access token is required", status=401)
            claims = provider.userinfo(authorization.removeprefix("Bearer ").strip())
        except GrantError as error:
            header = f'Bearer error="{error.error}", error_description="{error.description}"'
            return JSONResponse(_error_body(error), status_code=error.status, headers={"WWW-Authenticate": header})
        return JSONResponse(claims, headers=_NO_STORE)

    @routes.api_route("/end_session", methods=["GET", "POST"])
    async def end_session(request: Request) -> Response:
        try:
            params = await _form(request) if request.method == "POST" else dict(request.query_params)
            target = provider.end_session(
                params.get("id_token_hint"), params.get("client_id"), params.get("post_logout_redirect_uri")
            )
        except GrantError as error:
            return _message(error.description, 400)
        if target is None:
            return _message("已退出登录。 You are signed out.", 200)
        state = params.get("state")
        return RedirectResponse(_with_query(target, {"state": state} if state else {}), status_code=303)

    return routes


def _answer(provider: DevProvider, demo_file: Path, params: dict[str, str], form: dict[str, str] | None) -> Response:
    """The sign-in page for an authorization request (GET), or its completion (POST `form`)."""
    try:
        request = provider.authorization_request(params)
    except UnknownClient as error:
        return _message(str(error), 400)
    except GrantError as error:
        redirect = params["redirect_uri"]
        query = {"error": error.error, "error_description": error.description, "iss": provider.issuer}
        return RedirectResponse(_with_query(redirect, {**query, **_state(params)}), status_code=303)
    if form is None:
        return _page(request, demo_file, {}, {})
    person, problems = _person(form, demo_file)
    if person is None:
        return _page(request, demo_file, form, problems, status=422)
    code = provider.grant_code(request, person)
    query = {"code": code, "iss": provider.issuer, **_state(params)}
    return RedirectResponse(_with_query(request.redirect_uri, query), status_code=303)


def _person(form: dict[str, str], demo_file: Path) -> tuple[Person | None, dict[str, str]]:
    """Whom the form names: a person of the demo group, or one typed in; else what is wrong,
    per field, in both languages."""
    demo = read_demo(demo_file)
    if form.get("person"):
        found = demo.person(form["person"]) if demo else None
        return (found, {}) if found else (None, {"person": "没有这个人。 No such person in the demo group."})
    problems: dict[str, str] = {}
    name = form.get("name", "").strip()
    role = form.get("role", "")
    group_id = form.get("group_id", "").strip()
    sites = tuple(dict.fromkeys(form.get("site_ids", "").replace(",", " ").split()))
    if not 1 <= len(name) <= 200:
        problems["name"] = "请填写姓名。 Enter a name."
    if role not in ROLE_LABELS:
        problems["role"] = "请选择角色。 Choose a role."
    if not 1 <= len(group_id) <= 100:
        problems["group_id"] = "请填写集团编号。 Enter the dealer group's id."
    if role != "group_admin" and not sites:
        problems["site_ids"] = "请至少填写一个门店编号。 Enter at least one site id."
    if problems:
        return None, problems
    return Person(name, name, group_id, (role,), () if role == "group_admin" else sites), {}


def _page(
    request: AuthorizationRequest, demo_file: Path, typed: dict[str, str], problems: dict[str, str], status: int = 200
) -> HTMLResponse:
    demo = read_demo(demo_file)
    html = _templates.get_template("authorize.html").render(
        fields=request.fields,
        demo=demo,
        roles=ROLE_LABELS,
        typed=typed,
        problems=problems,
        default_group=demo.group_id if demo else "",
    )
    # The page must not be framed by another site (clickjacking a sign-in).
    headers = {**_NO_STORE, "X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'"}
    return HTMLResponse(html, status_code=status, headers=headers)


def _message(text: str, status: int) -> HTMLResponse:
    return HTMLResponse(_templates.get_template("message.html").render(text=text), status_code=status)


async def _form(request: Request) -> dict[str, str]:
    """An `application/x-www-form-urlencoded` body; a parameter given twice is refused (RFC 6749 3.1)."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise GrantError("invalid_request", "send the parameters as application/x-www-form-urlencoded")
    pairs = parse_qsl((await request.body()).decode("utf-8", errors="replace"), keep_blank_values=True)
    form = dict(pairs)
    if len(form) != len(pairs):
        raise GrantError("invalid_request", "a parameter is given more than once")
    return form


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    """client_secret_basic (RFC 6749 2.3.1: each part form-encoded), else the form's fields."""
    authorization = request.headers.get("authorization", "")
    if authorization.startswith("Basic "):
        try:
            decoded = base64.b64decode(authorization.removeprefix("Basic ").strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise GrantError("invalid_client", "malformed Basic credentials", status=401) from None
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))
    return form.get("client_id"), form.get("client_secret")


def _error_body(error: GrantError) -> dict[str, str]:
    return {"error": error.error, "error_description": error.description}


def _oauth_error(error: GrantError) -> JSONResponse:
    return JSONResponse(_error_body(error), status_code=error.status, headers=_NO_STORE)


def _state(params: dict[str, str]) -> dict[str, str]:
    return {"state": params["state"]} if params.get("state") else {}


def _with_query(uri: str, params: dict[str, str]) -> str:
    if not params:
        return uri
    return f"{uri}{'&' if '?' in uri else '?'}{urlencode(params)}"
