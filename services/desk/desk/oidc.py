"""The desk as an OpenID Connect relying party (Core 1.0 + Discovery, RFC 7636 PKCE S256): the
provider's discovery document and keys, the authorization request, the code exchange with the
ID token verified, the refresh, and the logout address. Any provider works; locally it is the
gateway's development provider. Tokens stay on the server: the browser only ever carries the
`state` and the `code`, as the standard requires."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

# What the desk accepts in an ID token's header (the "none" algorithm and HMAC never).
ALGORITHMS = ["RS256", "ES256", "PS256"]
# A provider's discovery document changes rarely; its keys rotate (a new `kid` is looked up at once).
DISCOVERY_TTL_SECONDS = 3600.0
KEYS_REFETCH_SECONDS = 30.0


class SignInFailed(Exception):
    """The provider's answer cannot be trusted or used: the person starts the sign-in again."""

    code = "sign_in_failed"


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None
    id_token: str | None
    expires_at: float  # epoch seconds


@dataclass(frozen=True)
class AuthorizationRequest:
    """What is kept until the provider sends the person back: single use."""

    url: str
    state: str
    nonce: str
    verifier: str


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class Provider:
    """One issuer, read through its discovery document; keys cached and re-read for an unknown `kid`."""

    def __init__(self, issuer: str, client_id: str, client_secret: str | None, client: httpx.AsyncClient) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        self.client = client
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: dict[str, jwt.PyJWK] = {}
        self._keys_at = 0.0

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None or time.monotonic() - self._metadata_at > DISCOVERY_TTL_SECONDS:
            try:
                response = await self.client.get(f"{self.issuer}/.well-known/openid-configuration")
                response.raise_for_status()
                document: dict[str, Any] = response.json()
            except (httpx.HTTPError, ValueError) as error:
                raise SignInFailed(f"the identity provider cannot be reached: {error}") from None
            if document.get("issuer", "").rstrip("/") != self.issuer:
                raise SignInFailed("the provider's discovery document names another issuer")
            self._metadata, self._metadata_at = document, time.monotonic()
        return self._metadata

    async def authorization_request(self, redirect_uri: str, scope: str) -> AuthorizationRequest:
        metadata = await self.metadata()
        state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
            "nonce": nonce,
            "code_challenge": pkce_challenge(verifier),
            "code_challenge_method": "S256",
        }
        return AuthorizationRequest(f"{metadata['authorization_endpoint']}?{urlencode(query)}", state, nonce, verifier)

    async def exchange(self, code: str, verifier: str, redirect_uri: str, nonce: str) -> Tokens:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        tokens = await self._token_request(form)
        if tokens.id_token is None:
            raise SignInFailed("the provider sent no ID token")
        await self.verify_id_token(tokens.id_token, nonce)
        return tokens

    async def refresh(self, refresh_token: str) -> Tokens:
        tokens = await self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})
        # A provider may keep the refresh token unchanged and send none back (RFC 6749 §6).
        return Tokens(tokens.access_token, tokens.refresh_token or refresh_token, tokens.id_token, tokens.expires_at)

    async def _token_request(self, form: dict[str, str]) -> Tokens:
        endpoint = (await self.metadata())["token_endpoint"]
        try:
            if self.client_secret:  # client_secret_basic
                auth = httpx.BasicAuth(self.client_id, self.client_secret)
                response = await self.client.post(endpoint, data=form, auth=auth)
            else:  # a public client: PKCE is what protects the code
                response = await self.client.post(endpoint, data={**form, "client_id": self.client_id})
        except httpx.HTTPError as error:
            raise SignInFailed(f"the identity provider cannot be reached: {error}") from None
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        if response.status_code != 200 or "access_token" not in body:
            raise SignInFailed(f"the provider refused: {body.get('error', response.status_code)}")
        expires_in = int(body.get("expires_in", 300))
        return Tokens(body["access_token"], body.get("refresh_token"), body.get("id_token"), time.time() + expires_in)

    async def verify_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        """Signature by the provider's JWKS, issuer, audience, expiry and our nonce (Core §3.1.3.7)."""
        try:
            kid = jwt.get_unverified_header(id_token).get("kid")
        except jwt.PyJWTError:
            raise SignInFailed("the ID token is not a JWT") from None
        key = await self._key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self.client_id,
                issuer=self.issuer,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
                leeway=60,
            )
        except jwt.PyJWTError as error:
            raise SignInFailed(f"the ID token is not valid: {error}") from None
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise SignInFailed("the ID token's nonce is not this sign-in's")
        return claims

    async def _key(self, kid: str | None) -> jwt.PyJWK:
        fresh = time.monotonic() - self._keys_at < KEYS_REFETCH_SECONDS
        if (kid not in self._keys or not self._keys) and not fresh:
            await self._fetch_keys()
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        if kid not in self._keys:
            raise SignInFailed("the ID token is signed with a key the provider does not publish")
        return self._keys[kid]

    async def _fetch_keys(self) -> None:
        metadata = await self.metadata()
        try:
            response = await self.client.get(metadata["jwks_uri"])
            response.raise_for_status()
            keys = jwt.PyJWKSet.from_dict(response.json())
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as error:
            raise SignInFailed(f"the provider's keys cannot be read: {error}") from None
        self._keys = {str(k.key_id): k for k in keys.keys if k.key_id}
        self._keys_at = time.monotonic()

    async def end_session_url(self, post_logout_redirect_uri: str) -> str | None:
        """RP-initiated logout by `client_id`: no ID token hint, so no token travels in a URL."""
        endpoint = (await self.metadata()).get("end_session_endpoint")
        if not endpoint:
            return None
        query = {"client_id": self.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
        return f"{endpoint}?{urlencode(query)}"
