"""A stand-in OpenID provider for the gateway's tests: a discovery document and a JWKS whose keys
the test adds and withdraws (a rotation), served in-process; and tokens signed with them."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ISSUER = "https://id.example-dealer.cn/realms/dealerflow"


@dataclass
class Provider:
    issuer: str = ISSUER
    keys: dict[str, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey] = field(default_factory=dict)
    fetches: int = 0
    down: bool = False

    def add_key(self, kid: str, kind: str = "RSA") -> None:
        self.keys[kid] = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if kind == "RSA"
            else ec.generate_private_key(ec.SECP256R1())
        )

    def jwks(self) -> dict[str, Any]:
        published = []
        for kid, key in self.keys.items():
            if isinstance(key, rsa.RSAPrivateKey):
                jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            else:
                jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
            published.append({**jwk, "kid": kid, "use": "sig"})
        # Providers publish encryption keys beside their signing keys: they are not for us.
        published.append({"kty": "RSA", "kid": "enc-1", "use": "enc", "n": "AQAB", "e": "AQAB"})
        return {"keys": published}

    def token(self, kid: str, **claims: Any) -> str:
        key = self.keys[kid]
        algorithm = "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"
        now = int(time.time())
        body = {"iss": self.issuer, "aud": "dealerflow", "sub": "u-1", "iat": now, "exp": now + 300, **claims}
        return jwt.encode(
            {k: v for k, v in body.items() if v is not None}, key, algorithm=algorithm, headers={"kid": kid}
        )

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/realms/dealerflow/.well-known/openid-configuration")
        async def discovery() -> JSONResponse:
            if self.down:
                return JSONResponse({"error": "down"}, status_code=503)
            return JSONResponse({"issuer": self.issuer, "jwks_uri": f"{self.issuer}/protocol/openid-connect/certs"})

        @app.get("/realms/dealerflow/protocol/openid-connect/certs")
        async def certs() -> dict[str, Any]:
            self.fetches += 1
            return self.jwks()

        return app

    def transport(self) -> httpx.AsyncBaseTransport:
        return httpx.ASGITransport(app=self.app())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
