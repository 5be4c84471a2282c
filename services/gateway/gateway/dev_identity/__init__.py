"""The local development OpenID provider (DEALERFLOW_ENV=local only), under `/auth/dev/`: a
newcomer signs in as any person of the demo group through the same authorization code + PKCE
flow a real provider speaks (docs/sign-in.md).

The gateway trusts its tokens as it trusts any provider's: by the issuer's discovery document
and JWKS, fetched in-process (the gateway need not reach its own public address)."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from gateway.auth import Authenticator
from gateway.dev_identity import keys, routes
from gateway.dev_identity.provider import DevProvider
from gateway.settings import GatewaySettings
from gateway.tokens import OidcIssuer


def install(app: FastAPI, config: GatewaySettings, authenticate: Authenticator) -> DevProvider:
    issuer = config.gateway_dev_oidc_issuer.rstrip("/")
    provider = DevProvider(
        issuer,
        config.gateway_dev_oidc_clients,
        keys.load_or_create(Path(config.gateway_dev_oidc_key_file)),
        audience=config.gateway_oidc_audience,
        access_seconds=config.gateway_dev_oidc_access_token_seconds,
    )
    app.state.dev_identity = provider
    app.include_router(routes.router(provider, Path(config.gateway_dev_oidc_demo_file)))
    authenticate.trust(OidcIssuer(issuer, config.gateway_oidc_audience), transport=httpx.ASGITransport(app=app))
    return provider
