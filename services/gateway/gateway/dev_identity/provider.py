"""The development provider's rules: which authorization requests it takes, the codes it hands
out (short-lived, single use, bound to the client, the redirect URI and a PKCE S256 challenge),
and the tokens it signs (OpenID Connect Core 1.0, RFC 6749, RFC 7636).

State: codes live in this process's memory (a minute each); refresh tokens are signed, so they
outlive a restart like the key does; a session ended by logout is remembered until the process
ends (its refresh tokens then stop working; its access tokens run out on their own, within
minutes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt

from gateway.dev_identity.keys import SigningKey
from gateway.dev_identity.people import Person
from gateway.settings import DevClient

CODE_SECONDS = 60
REFRESH_SECONDS = 12 * 3600
# RFC 7636 4.1: 43 to 128 unreserved characters.
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


class GrantError(Exception):
    """An OAuth error answer: `error` is the standard code (`invalid_grant`, …)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


class UnknownClient(Exception):
    """The client or its redirect URI is not registered: the person is told, never redirected
    (RFC 6749 4.1.2.1: that would make the provider an open redirector)."""


@dataclass(frozen=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    nonce: str | None
    code_challenge: str

    @property
    def fields(self) -> dict[str, str]:
        """What the sign-in form carries back, as the request's own parameters."""
        fields = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
        }
        return {
            **fields,
            **({"state": self.state} if self.state else {}),
            **({"nonce": self.nonce} if self.nonce else {}),
        }


@dataclass(frozen=True)
class _Code:
    request: AuthorizationRequest
    person: Person
    auth_time: int
    session_id: str
    expires_at: float


def pkce_matches(verifier: str, challenge: str) -> bool:
    """RFC 7636 4.6, S256: BASE64URL(SHA256(verifier)) is the challenge."""
    if not _VERIFIER.fullmatch(verifier):
        return False
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()
    return hmac.compare_digest(digest, challenge)


class DevProvider:
    def __init__(
        self,
        issuer: str,
        clients: Sequence[DevClient],
        key: SigningKey,
        *,
        audience: str,
        access_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer
        self.clients = {client.client_id: client for client in clients}
        self.key = key
        self.audience = audience
        self.access_seconds = access_seconds
        self.clock = clock
        self._codes: dict[str, _Code] = {}
        self._ended_sessions: set[str] = set()

    # -- authorization ---------------------------------------------------------------------------

    def authorization_request(self, params: Mapping[str, str]) -> AuthorizationRequest:
        """The request the sign-in page serves. `UnknownClient` if its client or redirect URI is
        not registered; `GrantError` (sent back to the redirect URI) for anything else."""
        client = self.clients.get(params.get("client_id", ""))
        redirect_uri = params.get("redirect_uri", "")
        if client is None or redirect_uri not in client.redirect_uris:
            raise UnknownClient("unknown client, or a redirect_uri not registered for it")
        if params.get("response_type") != "code":
            raise GrantError("unsupported_response_type", "only the authorization code flow (response_type=code)")
        if "openid" not in params.get("scope", "").split():
            raise GrantError("invalid_scope", "the scope must include openid")
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            raise GrantError("invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256")
        if "none" in params.get("prompt", "").split():
            raise GrantError("login_required", "this provider always asks who is signing in")
        return AuthorizationRequest(
            client.client_id,
            redirect_uri,
            params["scope"],
            params.get("state") or None,
            params.get("nonce") or None,
            params["code_challenge"],
        )

    def grant_code(self, request: AuthorizationRequest, person: Person) -> str:
        now = self.clock()
        self._forget_expired_codes(now)
        code = secrets.token_urlsafe(32)
        self._codes[code] = _Code(request, person, int(now), secrets.token_urlsafe(16), now + CODE_SECONDS)
        return code

    def _forget_expired_codes(self, now: float) -> None:
        self._codes = {code: grant for code, grant in self._codes.items() if grant.expires_at > now}

    # -- the token endpoint ------------------------------------------------------------------------

    def client_for_token(self, client_id: str | None, secret: str | None) -> DevClient:
        client = self.clients.get(client_id or "")
        if client is None:
            raise GrantError("invalid_client", "unknown client", status=401)
        if client.secret is not None and not hmac.compare_digest(client.secret.encode(), (secret or "").encode()):
            raise GrantError("invalid_client", "the client's secret does not match", status=401)
        return client

    def redeem_code(self, client: DevClient, code: str, redirect_uri: str, verifier: str) -> dict[str, Any]:
        # Taken out before it is checked: a code is good for one attempt, whatever its outcome
        # (RFC 6749 4.1.2; a guessed verifier gets no second try).
        grant = self._codes.pop(code, None)
        if grant is None or grant.expires_at <= self.clock():
            raise GrantError("invalid_grant", "the code is unknown, used or expired")
        if grant.request.client_id != client.client_id:
            raise GrantError("invalid_grant", "the code was issued to another client")
        if grant.request.redirect_uri != redirect_uri:
            raise GrantError("invalid_grant", "redirect_uri differs from the authorization request's")
        if not pkce_matches(verifier, grant.request.code_challenge):
            raise GrantError("invalid_grant", "the code_verifier does not match the code_challenge")
        return self._tokens(
            grant.person, client, grant.request.scope, grant.session_id, grant.auth_time, grant.request.nonce
        )

    def refresh(self, client: DevClient, refresh_token: str) -> dict[str, Any]:
        try:
            claims = jwt.decode(
                refresh_token,
                self.key.private_key.public_key(),
                algorithms=["RS256"],
                audience=self._refresh_audience,
                issuer=self.issuer,
                options={"require": ["exp", "sub", "sid", "client_id"]},
            )
        except jwt.PyJWTError:
            raise GrantError("invalid_grant", "the refresh token is not valid") from None
        if claims["client_id"] != client.client_id:
            raise GrantError("invalid_grant", "the refresh token was issued to another client")
        if claims["sid"] in self._ended_sessions:
            raise GrantError("invalid_grant", "the session has ended")
        person = Person.from_claims(claims)
        return self._tokens(person, client, str(claims["scope"]), str(claims["sid"]), int(claims["auth_time"]), None)

    @property
    def _refresh_audience(self) -> str:
        # Never the API's audience: a refresh token shown to the gateway as a bearer is refused.
        return f"{self.issuer}/token"

    def _tokens(
        self, person: Person, client: DevClient, scope: str, session_id: str, auth_time: int, nonce: str | None
    ) -> dict[str, Any]:
        now = int(self.clock())
        common = {"iss": self.issuer, "iat": now, "sub": person.user_id, "sid": session_id, **person.claims}
        access = {
            **common,
            "aud": self.audience,
            "exp": now + self.access_seconds,
            "jti": str(uuid.uuid4()),
            "client_id": client.client_id,
            "scope": scope,
        }
        identity = {
            **common,
            "aud": client.client_id,
            "azp": client.client_id,
            "exp": now + self.access_seconds,
            "auth_time": auth_time,
            **({"nonce": nonce} if nonce else {}),
        }
        refresh = {
            **common,
            "aud": self._refresh_audience,
            "exp": now + REFRESH_SECONDS,
            "jti": str(uuid.uuid4()),
            "client_id": client.client_id,
            "scope": scope,
            "auth_time": auth_time,
        }
        return {
            "access_token": self._sign(access, "at+jwt"),
            "token_type": "Bearer",
            "expires_in": self.access_seconds,
            "id_token": self._sign(identity, "JWT"),
            "refresh_token": self._sign(refresh, "rt+jwt"),
            "scope": scope,
        }

    def _sign(self, claims: dict[str, Any], typ: str) -> str:
        return jwt.encode(claims, self.key.private_key, algorithm="RS256", headers={"kid": self.key.kid, "typ": typ})

    # -- userinfo and logout -----------------------------------------------------------------------

    def userinfo(self, access_token: str) -> dict[str, Any]:
        try:
            claims = jwt.decode(
                access_token,
                self.key.private_key.public_key(),
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "sub"]},
            )
        except jwt.PyJWTError:
            raise GrantError("invalid_token", "the access token is not valid", status=401) from None
        if claims.get("sid") in self._ended_sessions:
            raise GrantError("invalid_token", "the session has ended", status=401)
        return Person.from_claims(claims).claims

    def end_session(
        self, id_token_hint: str | None, client_id: str | None, post_logout_redirect_uri: str | None
    ) -> str | None:
        """End the session the hint names; where to send the person afterwards (None: stay and
        be told). The address must be on a registered redirect URI's origin: never an open
        redirect."""
        hint: dict[str, Any] = {}
        if id_token_hint:
            try:
                # An expired ID token is still a good hint (RP-Initiated Logout 1.0, section 2).
                hint = jwt.decode(
                    id_token_hint,
                    self.key.private_key.public_key(),
                    algorithms=["RS256"],
                    issuer=self.issuer,
                    options={"verify_aud": False, "verify_exp": False},
                )
            except jwt.PyJWTError:
                raise GrantError("invalid_request", "id_token_hint is not an ID token of this provider") from None
            if isinstance(hint.get("sid"), str):
                self._ended_sessions.add(hint["sid"])
        if not post_logout_redirect_uri:
            return None
        client = self.clients.get(client_id or str(hint.get("aud", "")))
        if client is None or not any(_same_origin(post_logout_redirect_uri, uri) for uri in client.redirect_uris):
            raise GrantError("invalid_request", "post_logout_redirect_uri is not on a registered client's origin")
        return post_logout_redirect_uri


def _same_origin(a: str, b: str) -> bool:
    first, second = urlsplit(a), urlsplit(b)
    return (first.scheme, first.netloc) == (second.scheme, second.netloc) and first.scheme in ("http", "https")
